/*
 * authres.c — Authentication-Results (RFC 8601): the parser of one field,
 * and what the fields a person's own receiving servers added say about a
 * message's DKIM, SPF and DMARC.
 *
 * The parser walks the value once, left to right: every step consumes at
 * least one byte or ends, comments nest by a counter (no recursion), and
 * everything it keeps is bounded (SMIME_AUTHRES_MAX_*).  Whatever does not
 * follow the grammar makes the whole field unreadable, never half-read.
 */
#include "crypto/smime.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct cursor {
	const char *p, *end;
	struct buf comment;	/* the first comment met since the last take */
	bool want_comment;
};

static bool
at_end(const struct cursor *c)
{
	return c->p >= c->end;
}

/* Skips folding white space and comments (nested, quoted pairs inside).
 * -1 for a comment that does not close. */
static int
skip_cfws(struct cursor *c)
{
	while (!at_end(c)) {
		unsigned depth;
		const char *start;

		if (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n') {
			c->p++;
			continue;
		}
		if (*c->p != '(')
			return 0;
		depth = 0;
		start = c->p + 1;
		do {
			if (*c->p == '\\' && c->p + 1 < c->end) {
				c->p += 2;
				continue;
			}
			if (*c->p == '(') {
				if (++depth > SMIME_AUTHRES_MAX_DEPTH)
					return -1;
			} else if (*c->p == ')') {
				depth--;
			}
			c->p++;
		} while (depth > 0 && !at_end(c));
		if (depth > 0)
			return -1;
		if (c->want_comment && c->comment.len == 0)
			buf_add(&c->comment, start, (size_t)(c->p - 1 - start));
	}
	return 0;
}

static bool
is_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool
is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Keyword: ALPHA *(ALPHA / DIGIT / "-" / "_"), lower-cased; NULL if none. */
static char *
take_keyword(struct cursor *c)
{
	const char *s = c->p;
	char *k;

	if (at_end(c) || !is_alpha(*c->p))
		return NULL;
	while (!at_end(c) && (is_alpha(*c->p) || is_digit(*c->p) || *c->p == '-' ||
			      *c->p == '_'))
		c->p++;
	k = xstrndup(s, (size_t)(c->p - s));
	str_lower_ascii(k);
	return k;
}

/* RFC 2045 tspecials, with white space, controls and '@' left to callers. */
static bool
is_token_char(char ch, bool address)
{
	unsigned char u = (unsigned char)ch;

	if (u <= 32 || u == 127)
		return false;
	if (address && (ch == '@' || ch == '[' || ch == ']' || ch == ':'))
		return true;
	return strchr("()<>@,;:\\\"/[]?=", ch) == NULL;
}

/* value (token or quoted-string); address: a pvalue, which may also be
 * [local-part] "@" domain.  NULL when there is none. */
static char *
take_value(struct cursor *c, bool address)
{
	const char *s = c->p;
	struct buf b = BUF_INIT;

	if (at_end(c))
		return NULL;
	if (*c->p == '"') {
		c->p++;
		buf_adds(&b, "");
		while (!at_end(c) && *c->p != '"') {
			if (*c->p == '\\' && c->p + 1 < c->end)
				c->p++;
			buf_addc(&b, *c->p++);
		}
		if (at_end(c)) {
			buf_release(&b);
			return NULL;
		}
		c->p++;
		/* A quoted local part may go on with "@domain". */
		if (address && !at_end(c) && *c->p == '@') {
			while (!at_end(c) && is_token_char(*c->p, true))
				buf_addc(&b, *c->p++);
		}
		return buf_detach(&b, NULL);
	}
	while (!at_end(c) && is_token_char(*c->p, address))
		c->p++;
	if (c->p == s)
		return NULL;
	return xstrndup(s, (size_t)(c->p - s));
}

static void
result_release(struct smime_authres_result *r)
{
	size_t i;

	free(r->method);
	free(r->result);
	free(r->reason);
	free(r->comment);
	for (i = 0; i < r->n_props; i++) {
		free(r->props[i].ptype);
		free(r->props[i].property);
		free(r->props[i].value);
	}
	memset(r, 0, sizeof(*r));
}

void
smime_authres_field_release(struct smime_authres_field *f)
{
	size_t i;

	for (i = 0; i < f->n_results; i++)
		result_release(&f->results[i]);
	free(f->results);
	free(f->authserv_id);
	memset(f, 0, sizeof(*f));
}

/* resinfo after its ';': methodspec [reasonspec] *propspec. */
static int
take_resinfo(struct cursor *c, struct smime_authres_result *r)
{
	char *k;

	if (skip_cfws(c) < 0 || (r->method = take_keyword(c)) == NULL)
		return -1;
	if (skip_cfws(c) < 0)
		return -1;
	if (!at_end(c) && *c->p == '/') {	/* method-version */
		c->p++;
		if (skip_cfws(c) < 0 || at_end(c) || !is_digit(*c->p))
			return -1;
		while (!at_end(c) && is_digit(*c->p))
			c->p++;
		if (skip_cfws(c) < 0)
			return -1;
	}
	if (at_end(c) || *c->p != '=')
		return -1;
	c->p++;
	if (skip_cfws(c) < 0 || (r->result = take_keyword(c)) == NULL)
		return -1;
	/* The comment after the result is the method's: "(p=reject)". */
	buf_reset(&c->comment);
	c->want_comment = true;
	if (skip_cfws(c) < 0)
		return -1;
	while (!at_end(c) && *c->p != ';') {
		const char *before = c->p;

		if ((k = take_keyword(c)) == NULL)
			return -1;
		if (skip_cfws(c) < 0)
			goto bad;
		if (strcmp(k, "reason") == 0 && !at_end(c) && *c->p == '=' &&
		    r->reason == NULL && r->n_props == 0) {
			c->p++;
			free(k);
			if (skip_cfws(c) < 0 || (r->reason = take_value(c, false)) == NULL)
				return -1;
		} else {
			struct smime_authres_prop *pr;

			if (at_end(c) || *c->p != '.')
				goto bad;
			c->p++;
			if (r->n_props == SMIME_AUTHRES_MAX_PROPS)
				goto bad;
			pr = &r->props[r->n_props++];
			pr->ptype = k;
			k = NULL;
			if (skip_cfws(c) < 0 || (pr->property = take_keyword(c)) == NULL)
				return -1;
			if (skip_cfws(c) < 0 || at_end(c) || *c->p != '=')
				return -1;
			c->p++;
			if (skip_cfws(c) < 0 || (pr->value = take_value(c, true)) == NULL)
				return -1;
		}
		if (skip_cfws(c) < 0)
			return -1;
		if (c->p == before)
			return -1;
	}
	c->want_comment = false;
	if (c->comment.len)
		r->comment = xstrndup(c->comment.data, c->comment.len);
	return 0;
bad:
	free(k);
	return -1;
}

int
smime_authres_parse(const char *value, size_t len, struct smime_authres_field *out)
{
	struct cursor c = { .p = value, .end = value + len, .comment = BUF_INIT };
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (len > SMIME_AUTHRES_MAX_FIELD)
		return -1;
	if (skip_cfws(&c) < 0 || (out->authserv_id = take_value(&c, false)) == NULL)
		goto out;
	str_lower_ascii(out->authserv_id);
	if (skip_cfws(&c) < 0)
		goto out;
	out->version = 1;
	if (!at_end(&c) && is_digit(*c.p)) {
		unsigned v = 0;

		while (!at_end(&c) && is_digit(*c.p) && v < 1000)
			v = v * 10 + (unsigned)(*c.p++ - '0');
		if (!at_end(&c) && is_digit(*c.p))
			goto out;
		out->version = v;
		if (skip_cfws(&c) < 0)
			goto out;
	}
	/* A version this parser does not know is not read (RFC 8601 2.2). */
	if (out->version != 1)
		goto out;
	if (at_end(&c) || *c.p != ';')
		goto out;
	while (!at_end(&c) && *c.p == ';') {
		struct cursor look;
		char *k;

		c.p++;
		look = c;
		look.want_comment = false;
		if (skip_cfws(&look) < 0)
			goto out;
		/* "; none": no method was applied. */
		k = take_keyword(&look);
		if (k && strcmp(k, "none") == 0 && out->n_results == 0 && !out->none &&
		    skip_cfws(&look) == 0 && at_end(&look)) {
			free(k);
			out->none = true;
			c = look;
			break;
		}
		free(k);
		if (out->none || out->n_results == SMIME_AUTHRES_MAX_RESULTS)
			goto out;
		out->results = xrealloc(out->results,
					(out->n_results + 1) * sizeof(*out->results));
		memset(&out->results[out->n_results], 0, sizeof(*out->results));
		out->n_results++;
		if (take_resinfo(&c, &out->results[out->n_results - 1]) < 0)
			goto out;
	}
	if (skip_cfws(&c) == 0 && at_end(&c) && (out->none || out->n_results > 0))
		rc = 0;
out:
	buf_release(&c.comment);
	if (rc < 0)
		smime_authres_field_release(out);
	return rc;
}

const char *
smime_authres_prop(const struct smime_authres_result *r, const char *ptype,
		   const char *property)
{
	size_t i;

	for (i = 0; i < r->n_props; i++)
		if (strcmp(r->props[i].ptype, ptype) == 0 &&
		    strcmp(r->props[i].property, property) == 0)
			return r->props[i].value;
	return NULL;
}

/* --- what the person's own servers say about a message ------------------- */

static bool
host_listed(const char *host, size_t n, const char *const *ids, size_t n_ids)
{
	size_t i;

	while (n > 0 && host[n - 1] == '.')
		n--;
	for (i = 0; i < n_ids; i++)
		if (strlen(ids[i]) == n && n > 0 && strncasecmp(ids[i], host, n) == 0)
			return true;
	return false;
}

/* An address literal of this host's own loopback ("127.0.0.1", "::1"). */
static bool
loopback(const char *ip, size_t n)
{
	if (n > 5 && strncasecmp(ip, "IPv6:", 5) == 0) {
		ip += 5;
		n -= 5;
	}
	return (n >= 4 && strncmp(ip, "127.", 4) == 0) ||
	       (n == 3 && strncmp(ip, "::1", 3) == 0);
}

/*
 * Whether the hop a Received field records came from one of ids: the
 * connection details the receiving server wrote in the comment after the
 * "from" name ("(name [192.0.2.7])", "([127.0.0.1])") decide, the peer's
 * own name (HELO) only when there are none.  A loopback address is this
 * host itself.
 */
static bool
from_listed(const char *helo, size_t helo_n, const char *info,
	    const char *const *ids, size_t n_ids)
{
	const char *lb, *rb, *name = info, *name_end;

	if (info == NULL || *info == '\0')
		return host_listed(helo, helo_n, ids, n_ids);
	lb = strchr(info, '[');
	rb = lb ? strchr(lb, ']') : NULL;
	if (lb && rb && loopback(lb + 1, (size_t)(rb - lb - 1)))
		return true;
	while (*name == ' ' || *name == '\t')
		name++;
	for (name_end = name; *name_end && *name_end != ' ' && *name_end != '\t' &&
	     *name_end != '[' && *name_end != ')'; name_end++)
		;
	return host_listed(name, (size_t)(name_end - name), ids, n_ids);
}

enum received_kind {
	RECEIVED_OTHER,		/* written by a host not in ids */
	RECEIVED_INTERNAL,	/* by one of ids, from one of ids */
	RECEIVED_BORDER,	/* by one of ids, from elsewhere (or from nowhere
				 * said): the message as it came is below */
};

/* Reads the "from" and "by" clauses of a Received field (RFC 5321 4.4). */
static enum received_kind
received_kind(const char *v, const char *const *ids, size_t n_ids)
{
	struct cursor c = { .p = v, .end = v + strlen(v), .comment = BUF_INIT };
	const char *helo = NULL, *by = NULL;
	size_t helo_n = 0, by_n = 0;
	char *info = NULL;
	int after = 0;		/* 1: after "from", 2: after "by" */
	enum received_kind k;

	while (!at_end(&c) && by == NULL) {
		const char *s;

		if (skip_cfws(&c) < 0 || at_end(&c))
			break;
		s = c.p;
		while (!at_end(&c) && *c.p != ' ' && *c.p != '\t' && *c.p != '\r' &&
		       *c.p != '\n' && *c.p != '(' && *c.p != ';')
			c.p++;
		if (c.p == s) {
			if (*c.p == ';')
				break;	/* the date follows */
			c.p++;
			continue;
		}
		if (after == 1 && helo == NULL) {
			helo = s;
			helo_n = (size_t)(c.p - s);
			/* The comment right after the name: the connection. */
			buf_reset(&c.comment);
			c.want_comment = true;
			if (skip_cfws(&c) < 0)
				break;
			c.want_comment = false;
			if (c.comment.len)
				info = xstrndup(c.comment.data, c.comment.len);
		} else if (after == 2) {
			by = s;
			by_n = (size_t)(c.p - s);
		}
		after = c.p - s == 4 && strncasecmp(s, "from", 4) == 0 ? 1 :
			c.p - s == 2 && strncasecmp(s, "by", 2) == 0 ? 2 : 0;
	}
	if (by == NULL || !host_listed(by, by_n, ids, n_ids))
		k = RECEIVED_OTHER;
	else if (helo && from_listed(helo, helo_n, info, ids, n_ids))
		k = RECEIVED_INTERNAL;
	else
		k = RECEIVED_BORDER;
	free(info);
	buf_release(&c.comment);
	return k;
}

/* Fields that receiving servers add above the message as it came. */
static bool
delivery_field(const struct mime_field *f)
{
	static const char *const names[] = {
		"Return-Path", "Delivered-To", "X-Original-To", "Received-SPF",
		"ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results",
		"DKIM-Filter", "X-Virus-Scanned",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (mime_field_is(f, names[i]))
			return true;
	return f->name.n > 7 && strncasecmp(f->name.p, "X-Spam-", 7) == 0;
}

/* Only host-name bytes: what is kept is shown as it is, anywhere. */
static bool
plain_name(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!(is_alpha(*s) || is_digit(*s) || *s == '.' || *s == '-' || *s == '_'))
			return false;
	return true;
}

/* The domain of "user@domain" or of "domain", lower case, owned; NULL
 * when it is not a plain ASCII host name (an A-label is). */
static char *
domain_of(const char *v)
{
	const char *at = v ? strrchr(v, '@') : NULL;
	char *d;

	if (v == NULL || !plain_name(at ? at + 1 : v))
		return NULL;
	d = xstrdup(at ? at + 1 : v);
	str_lower_ascii(d);
	return d;
}

bool
smime_domains_aligned(const char *a, const char *b)
{
	size_t la, lb;

	if (a == NULL || b == NULL || *a == '\0' || *b == '\0')
		return false;
	la = strlen(a);
	lb = strlen(b);
	if (la < lb) {
		const char *t = a;

		a = b;
		b = t;
		la = lb;
		lb = strlen(b);
	}
	/* Equal, or a subdomain of the other (relaxed alignment, without the
	 * public suffix list: only the narrower rule). */
	return strcasecmp(a + la - lb, b) == 0 &&
	       (la == lb || a[la - lb - 1] == '.');
}

static void
check_set(struct smime_auth_check *k, const char *result, const char *domain,
	  const char *policy)
{
	k->result = xstrdup(result);
	k->domain = domain_of(domain);
	k->policy = policy && plain_name(policy) ? xstrdup(policy) : NULL;
	if (k->policy)
		str_lower_ascii(k->policy);
}

/* "p=reject" in OpenDMARC's and others' comment after the result. */
static char *
comment_policy(const char *comment)
{
	const char *p;
	size_t n = 0;

	for (p = comment; p && *p; p++)
		if ((p == comment || p[-1] == ' ' || p[-1] == '\t' || p[-1] == ',') &&
		    (p[0] == 'p' || p[0] == 'P') && p[1] == '=') {
			p += 2;
			while (is_alpha(p[n]))
				n++;
			return n ? xstrndup(p, n) : NULL;
		}
	return NULL;
}

/* Takes one trusted field's results into a: the first of each method
 * wins, but for DKIM a passing signature aligned with From beats any other. */
static void
take_results(struct smime_authentication *a, const struct smime_authres_field *f,
	     bool *dkim_aligned_pass)
{
	size_t i;

	for (i = 0; i < f->n_results; i++) {
		const struct smime_authres_result *r = &f->results[i];

		if (strcmp(r->method, "dkim") == 0) {
			const char *d = smime_authres_prop(r, "header", "d");
			bool pass_aligned;

			if (d == NULL)
				d = smime_authres_prop(r, "header", "i");
			pass_aligned = strcmp(r->result, "pass") == 0 && d &&
				       smime_domains_aligned(strrchr(d, '@') ? strrchr(d, '@') + 1 : d,
							     a->from_domain);
			if (*dkim_aligned_pass ||
			    (a->dkim.result && !pass_aligned &&
			     (strcmp(a->dkim.result, "pass") == 0 ||
			      strcmp(r->result, "pass") != 0)))
				continue;
			free(a->dkim.result);
			free(a->dkim.domain);
			check_set(&a->dkim, r->result, d, NULL);
			*dkim_aligned_pass = pass_aligned;
		} else if (strcmp(r->method, "spf") == 0 && a->spf.result == NULL) {
			const char *d = smime_authres_prop(r, "smtp", "mailfrom");

			if (d == NULL)
				d = smime_authres_prop(r, "smtp", "helo");
			check_set(&a->spf, r->result, d, NULL);
		} else if (strcmp(r->method, "dmarc") == 0 && a->dmarc.result == NULL) {
			const char *pol = smime_authres_prop(r, "policy", "dmarc");
			char *cpol = pol ? NULL : comment_policy(r->comment);

			check_set(&a->dmarc, r->result, smime_authres_prop(r, "header", "from"),
				  pol ? pol : cpol);
			free(cpol);
		}
	}
}

int
smime_authentication_read(const char *msg, size_t len, const char *const *ids,
			  size_t n_ids, struct smime_authentication **out,
			  struct err *e)
{
	struct smime_authentication *a;
	struct mime_entity m;
	struct mime_field f;
	char *from = NULL;
	size_t pos = 0, n_fields = 0;
	bool dkim_aligned_pass = false;

	*out = NULL;
	if (mime_entity_parse(msg, len, false, &m, e) < 0)
		return -1;
	a = xcalloc(1, sizeof(*a));
	if (smime_message_from(msg, len, &from, NULL) == 0) {
		a->from_domain = domain_of(from);
		free(from);
	}
	/*
	 * From the top, through the fields the person's servers add: their
	 * Received fields for hops between them, their Authentication-Results
	 * (authserv-id one of ids) and delivery fields.  Their Received field
	 * for the hop from outside is the last: the message as it came is
	 * below it.  Any other field (another host's Received, another
	 * authserv-id, a field that cannot be read, anything the message came
	 * with) ends the reading too: what is below came from outside,
	 * whatever it claims (RFC 8601, 5).
	 */
	while (mime_field_next(&m.hdr, &pos, &f) && n_fields++ < SMIME_AUTHRES_MAX_FIELDS) {
		enum received_kind kind;
		char *v;
		bool ours = false;

		if (mime_field_is(&f, "Authentication-Results")) {
			struct smime_authres_field af;

			v = mime_field_value(&f);
			if (smime_authres_parse(v, strlen(v), &af) == 0) {
				ours = host_listed(af.authserv_id, strlen(af.authserv_id),
						   ids, n_ids);
				if (ours)
					take_results(a, &af, &dkim_aligned_pass);
				smime_authres_field_release(&af);
			}
			free(v);
		} else if (mime_field_is(&f, "Received")) {
			v = mime_field_value(&f);
			kind = received_kind(v, ids, n_ids);
			free(v);
			if (kind == RECEIVED_BORDER)
				break;
			ours = kind == RECEIVED_INTERNAL;
		} else {
			ours = delivery_field(&f);
		}
		if (!ours)
			break;
	}
	if (a->from_domain)
		a->aligned = (a->dkim.result && strcmp(a->dkim.result, "pass") == 0 &&
			      smime_domains_aligned(a->dkim.domain, a->from_domain)) ||
			     (a->spf.result && strcmp(a->spf.result, "pass") == 0 &&
			      smime_domains_aligned(a->spf.domain, a->from_domain));
	*out = a;
	return 0;
}

static void
check_release(struct smime_auth_check *k)
{
	free(k->result);
	free(k->domain);
	free(k->policy);
}

void
smime_authentication_free(struct smime_authentication **ap)
{
	struct smime_authentication *a;

	if (ap == NULL || (a = *ap) == NULL)
		return;
	check_release(&a->dkim);
	check_release(&a->spf);
	check_release(&a->dmarc);
	free(a->from_domain);
	free(a);
	*ap = NULL;
}

/* The authentication object of verify --json (doc/DESIGN.md, 2.2). */
void
smime_authentication_json(const struct smime_authentication *a, struct buf *out)
{
	const struct smime_auth_check *k[3];
	static const char *const names[3] = { "dkim", "spf", "dmarc" };
	size_t i;

	if (a == NULL) {
		buf_adds(out, "null");
		return;
	}
	k[0] = &a->dkim;
	k[1] = &a->spf;
	k[2] = &a->dmarc;
	buf_addc(out, '{');
	for (i = 0; i < 3; i++) {
		buf_addf(out, "%s\"%s\":", i ? "," : "", names[i]);
		if (k[i]->result == NULL) {
			buf_adds(out, "null");
			continue;
		}
		buf_adds(out, "{\"result\":");
		smime_json_string(out, k[i]->result);
		buf_adds(out, ",\"domain\":");
		smime_json_string(out, k[i]->domain);
		if (i == 2) {
			buf_adds(out, ",\"policy\":");
			smime_json_string(out, k[i]->policy);
		}
		buf_addc(out, '}');
	}
	buf_adds(out, ",\"from_domain\":");
	smime_json_string(out, a->from_domain);
	buf_addf(out, ",\"aligned\":%s}", a->aligned ? "true" : "false");
}
