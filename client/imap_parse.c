/*
 * imap_parse.c — one untagged FETCH response, as the index asks for it,
 * parsed in one pass over the bytes the server sent (literals inline).
 *
 * The server is not trusted: every length is checked against the end of
 * the response, nesting is bounded, and a response that does not follow
 * RFC 3501's grammar is refused as a whole rather than half-used.
 *
 * The summary a FETCH fills (imap_summary_release, imap_content_type_of)
 * is this file's too: the session (imap.c) calls the parser, never the
 * other way round.
 */
#include "client/imap.h"
#include "crypto/smime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Nesting of parenthesised values an unknown FETCH item may carry. */
#define SKIP_DEPTH_MAX 32

struct rd {
	const char *p;
	const char *end;
};

static bool
at(const struct rd *r, char c)
{
	return r->p < r->end && *r->p == c;
}

static bool
eat(struct rd *r, char c)
{
	if (!at(r, c))
		return false;
	r->p++;
	return true;
}

static bool
is_atom_char(unsigned char c)
{
	return c > ' ' && c < 127 && c != '(' && c != ')' && c != '{' &&
	       c != '"' && c != '\\' && c != ']' && c != '%' && c != '*';
}

/* A keyword, case-insensitive, not followed by more of an atom. */
static bool
eat_word(struct rd *r, const char *w)
{
	size_t n = strlen(w);

	/* Most tries fail on the first letter: no call for those. */
	if (r->p >= r->end || (*r->p | 0x20) != (w[0] | 0x20))
		return false;
	if ((size_t)(r->end - r->p) < n || strncasecmp(r->p, w, n) != 0)
		return false;
	if (r->p + n < r->end && is_atom_char((unsigned char)r->p[n]))
		return false;
	r->p += n;
	return true;
}

static bool
number(struct rd *r, uint64_t *v)
{
	const char *start = r->p;

	*v = 0;
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		if (*v > (UINT64_MAX - 9) / 10)
			return false;
		*v = *v * 10 + (uint64_t)(*r->p - '0');
		r->p++;
	}
	return r->p > start;
}

static void
spaces(struct rd *r)
{
	while (at(r, ' '))
		r->p++;
}

/* Appends [p, p+n) to a new string, without NUL bytes. */
static char *
copy_bytes(const char *p, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != '\0')
			*o++ = p[i];
	*o = '\0';
	return out;
}

/*
 * A string: quoted, or a literal ("{n}", CRLF, then n bytes).  *out gets
 * a copy when out is not NULL; raw and raw_len (when not NULL) the bytes of
 * a literal.
 */
static int
string_value(struct rd *r, char **out, const char **raw, size_t *raw_len)
{
	if (eat(r, '"')) {
		const char *start = r->p, *q;
		char *o = NULL;

		/* First the extent (and validity), then the copy, unescaped. */
		for (q = start; q < r->end && *q != '"'; q++) {
			if (*q == '\r' || *q == '\n' || *q == '\0')
				return -1;
			if (*q == '\\') {
				if (q + 1 >= r->end || (q[1] != '\\' && q[1] != '"'))
					return -1;
				q++;
			}
		}
		if (q >= r->end)
			return -1;
		r->p = q + 1;
		if (raw) {
			*raw = NULL;
			*raw_len = 0;
		}
		if (out) {
			*out = o = xmalloc((size_t)(q - start) + 1);
			for (; start < q; start++) {
				if (*start == '\\')
					start++;
				*o++ = *start;
			}
			*o = '\0';
		}
		return 0;
	}
	if (eat(r, '{')) {
		uint64_t n;

		if (!number(r, &n) || !eat(r, '}') || !eat(r, '\r') || !eat(r, '\n') ||
		    n > (uint64_t)(r->end - r->p))
			return -1;
		if (out)
			*out = copy_bytes(r->p, (size_t)n);
		if (raw) {
			*raw = r->p;
			*raw_len = (size_t)n;
		}
		r->p += n;
		return 0;
	}
	return -1;
}

/* NIL or a string; *out is NULL for NIL. */
static int
nstring(struct rd *r, char **out)
{
	if (out)
		*out = NULL;
	if (eat_word(r, "NIL"))
		return 0;
	return string_value(r, out, NULL, NULL);
}

/* Skips one value of any shape (atom, number, string, list). */
static int
skip_value(struct rd *r, int depth)
{
	if (depth > SKIP_DEPTH_MAX)
		return -1;
	if (at(r, '"') || at(r, '{'))
		return string_value(r, NULL, NULL, NULL);
	if (eat(r, '(')) {
		spaces(r);
		while (!eat(r, ')')) {
			if (skip_value(r, depth + 1) < 0)
				return -1;
			spaces(r);
		}
		return 0;
	}
	if (at(r, '\\'))
		r->p++;
	if (r->p >= r->end || !is_atom_char((unsigned char)*r->p))
		return -1;
	while (r->p < r->end && (is_atom_char((unsigned char)*r->p) || *r->p == '*' ||
				 *r->p == '%' || *r->p == ']'))
		r->p++;
	return 0;
}

static int
flag_list(struct rd *r, unsigned *flags)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
		{ "\\Seen", IMAP_FLAG_SEEN }, { "\\Answered", IMAP_FLAG_ANSWERED },
		{ "\\Flagged", IMAP_FLAG_FLAGGED }, { "\\Deleted", IMAP_FLAG_DELETED },
		{ "\\Draft", IMAP_FLAG_DRAFT },
	};

	*flags = 0;
	if (!eat(r, '('))
		return -1;
	spaces(r);
	while (!eat(r, ')')) {
		const char *start = r->p;
		size_t i, n;

		/* "\*" belongs to PERMANENTFLAGS; accepted, means nothing here. */
		if (!(eat(r, '\\') && eat(r, '*')))
			while (r->p < r->end && is_atom_char((unsigned char)*r->p))
				r->p++;
		n = (size_t)(r->p - start);
		if (n == 0 || (n == 1 && *start == '\\'))
			return -1;
		for (i = 0; i < sizeof names / sizeof names[0]; i++)
			if (strlen(names[i].name) == n &&
			    strncasecmp(names[i].name, start, n) == 0)
				*flags |= names[i].bit;
		if (!at(r, ')') && !eat(r, ' '))
			return -1;
	}
	return 0;
}

/* n decimal digits at p (a leading space allowed when pad) into *v. */
static bool
digits(const char *p, size_t n, bool pad, int *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (pad && i == 0 && p[i] == ' ')
			continue;
		if (p[i] < '0' || p[i] > '9')
			return false;
		*v = *v * 10 + (p[i] - '0');
	}
	return true;
}

/*
 * "dd-Mon-yyyy hh:mm:ss +zzzz" (day may be space-padded, or one digit) as
 * UTC seconds; read in place, as one of these comes with every message.
 */
static int
internal_date(struct rd *r, time_t *out)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *raw = NULL, *p, *m;
	char padded[26];
	size_t len = 0;
	char *s = NULL;
	struct tm tm = { 0 };
	int day, year, hh, mm, ss, zone, i;
	bool ok;

	*out = 0;
	if (eat_word(r, "NIL"))
		return 0;
	/* A quoted date holds no escapes; anything else is copied first. */
	if (at(r, '"')) {
		const char *q = r->p + 1;

		while (q < r->end && *q != '"' && *q != '\\' && *q != '\r' && *q != '\n' &&
		       *q != '\0')
			q++;
		if (q < r->end && *q == '"') {
			raw = r->p + 1;
			len = (size_t)(q - raw);
			r->p = q + 1;
		}
	}
	if (raw == NULL) {
		if (string_value(r, &s, NULL, NULL) < 0)
			return -1;
		raw = s;
		len = strlen(s);
	}
	/* One-digit days are sent as " 7" or, by some servers, "7". */
	if (len == 25) {
		padded[0] = ' ';
		memcpy(padded + 1, raw, 25);
		raw = padded;
		len = 26;
	}
	p = raw;
	ok = len == 26 && digits(p, 2, true, &day);
	ok = ok && p[2] == '-' && p[6] == '-' && digits(p + 7, 4, false, &year) &&
	     p[11] == ' ' && digits(p + 12, 2, false, &hh) && p[14] == ':' &&
	     digits(p + 15, 2, false, &mm) && p[17] == ':' &&
	     digits(p + 18, 2, false, &ss) && p[20] == ' ' &&
	     (p[21] == '+' || p[21] == '-') && digits(p + 22, 4, false, &zone);
	m = NULL;
	if (ok)
		for (i = 0; i < 12; i++)
			if (memcmp(months + 3 * i, p + 3, 3) == 0)
				m = months + 3 * i;
	if (!ok || m == NULL || day < 1 || day > 31 || year < 1900 || hh > 23 ||
	    mm > 59 || ss > 60 || zone % 100 > 59 || zone > 2400) {
		free(s);
		return 0;	/* a date we cannot read is no date, not a bad response */
	}
	tm.tm_year = year - 1900;
	tm.tm_mon = (int)((m - months) / 3);
	tm.tm_mday = day;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	*out = timegm(&tm) - (p[21] == '-' ? -1 : 1) * ((zone / 100) * 3600 + (zone % 100) * 60);
	free(s);
	return 0;
}

/*
 * An address list; the first real address (group markers skipped) goes
 * to *name and *addr when they are not NULL and still empty.
 */
static int
address_list(struct rd *r, char **name, char **addr)
{
	if (eat_word(r, "NIL"))
		return 0;
	if (!eat(r, '('))
		return -1;
	spaces(r);
	while (!eat(r, ')')) {
		char *f[4] = { NULL, NULL, NULL, NULL };
		int i;

		if (!eat(r, '('))
			return -1;
		for (i = 0; i < 4; i++) {
			spaces(r);
			if (nstring(r, &f[i]) < 0)
				break;
		}
		spaces(r);
		if (i < 4 || !eat(r, ')')) {
			for (i = 0; i < 4; i++)
				free(f[i]);
			return -1;
		}
		/* host NIL: the start (mailbox set) or end of a group. */
		if (addr && *addr == NULL && f[2] && f[3]) {
			*addr = xasprintf("%s@%s", f[2], f[3]);
			if (name) {
				*name = f[0];
				f[0] = NULL;
			}
		}
		for (i = 0; i < 4; i++)
			free(f[i]);
		spaces(r);
	}
	return 0;
}

static int
envelope(struct rd *r, char **f)
{
	char *date = NULL, *subject = NULL, *irt = NULL, *mid = NULL;
	char *from_name = NULL, *from_addr = NULL;
	int i;

	if (!eat(r, '('))
		return -1;
	spaces(r);
	if (nstring(r, &date) < 0)
		goto bad;
	spaces(r);
	if (nstring(r, &subject) < 0)
		goto bad;
	/* from, sender, reply-to, to, cc, bcc */
	for (i = 0; i < 6; i++) {
		spaces(r);
		if (address_list(r, i == 0 ? &from_name : NULL,
				 i == 0 ? &from_addr : NULL) < 0)
			goto bad;
	}
	spaces(r);
	if (nstring(r, &irt) < 0)
		goto bad;
	spaces(r);
	if (nstring(r, &mid) < 0)
		goto bad;
	spaces(r);
	if (!eat(r, ')'))
		goto bad;
	free(f[IMAP_SUM_DATE]);
	free(f[IMAP_SUM_SUBJECT]);
	free(f[IMAP_SUM_FROM_NAME]);
	free(f[IMAP_SUM_FROM_ADDR]);
	free(f[IMAP_SUM_IN_REPLY_TO]);
	free(f[IMAP_SUM_MESSAGE_ID]);
	f[IMAP_SUM_DATE] = date;
	f[IMAP_SUM_SUBJECT] = subject;
	f[IMAP_SUM_FROM_NAME] = from_name;
	f[IMAP_SUM_FROM_ADDR] = from_addr;
	f[IMAP_SUM_IN_REPLY_TO] = irt;
	f[IMAP_SUM_MESSAGE_ID] = mid;
	return 0;
bad:
	free(date);
	free(subject);
	free(from_name);
	free(from_addr);
	free(irt);
	free(mid);
	return -1;
}

/*
 * The rest of a section spec after "[": atoms, a parenthesised list of
 * field names, quoted strings, up to "]", then an optional "<origin>".
 */
static int
skip_section(struct rd *r)
{
	uint64_t origin;

	while (!eat(r, ']')) {
		if (r->p >= r->end || *r->p == '\r' || *r->p == '\n')
			return -1;
		if (at(r, '"') || at(r, '(')) {
			if (skip_value(r, 0) < 0)
				return -1;
			continue;
		}
		r->p++;
	}
	if (eat(r, '<') && (!number(r, &origin) || !eat(r, '>')))
		return -1;
	return 0;
}

/* BODY[section]<origin> SP nstring: the only section the index asks for. */
static int
body_section(struct rd *r, char **f)
{
	const char *raw = NULL;
	size_t raw_len = 0;
	bool header_fields;
	char *s = NULL;

	spaces(r);
	header_fields = (size_t)(r->end - r->p) >= 13 &&
			strncasecmp(r->p, "HEADER.FIELDS", 13) == 0;
	if (skip_section(r) < 0 || !eat(r, ' '))
		return -1;
	if (eat_word(r, "NIL"))
		return 0;
	if (at(r, '"')) {
		if (string_value(r, &s, NULL, NULL) < 0)
			return -1;
		raw = s;
		raw_len = strlen(s);
	} else if (string_value(r, NULL, &raw, &raw_len) < 0) {
		return -1;
	}
	if (header_fields && f[IMAP_SUM_CONTENT_TYPE] == NULL)
		f[IMAP_SUM_CONTENT_TYPE] = imap_content_type_of(raw, raw_len);
	if (header_fields && f[IMAP_SUM_FROM_FIELD] == NULL && raw) {
		f[IMAP_SUM_FROM_FIELD] = mime_header_joined(raw, raw_len, "From");
		if (f[IMAP_SUM_FROM_FIELD] &&
		    strlen(f[IMAP_SUM_FROM_FIELD]) > IMAP_FROM_FIELD_MAX)
			f[IMAP_SUM_FROM_FIELD][IMAP_FROM_FIELD_MAX] = '\0';
	}
	free(s);
	return 0;
}

/* One item of a FETCH: numbers into sum, strings into f (owned). */
static int
msg_att(struct rd *r, struct imap_summary *sum, char **f)
{
	uint64_t v;

	if (eat_word(r, "UID")) {
		if (!eat(r, ' ') || !number(r, &v) || v == 0 || v > UINT32_MAX)
			return -1;
		sum->uid = (uint32_t)v;
	} else if (eat_word(r, "FLAGS")) {
		if (!eat(r, ' ') || flag_list(r, &sum->flags) < 0)
			return -1;
	} else if (eat_word(r, "RFC822.SIZE")) {
		if (!eat(r, ' ') || !number(r, &v) || v > UINT32_MAX)
			return -1;
		sum->size = (uint32_t)v;
	} else if (eat_word(r, "INTERNALDATE")) {
		if (!eat(r, ' ') || internal_date(r, &sum->internal_date) < 0)
			return -1;
	} else if (eat_word(r, "ENVELOPE")) {
		if (!eat(r, ' ') || envelope(r, f) < 0)
			return -1;
	} else if (eat_word(r, "MODSEQ")) {
		spaces(r);
		if (!eat(r, '(') || !number(r, &sum->modseq) || !eat(r, ')'))
			return -1;
	} else if ((size_t)(r->end - r->p) >= 5 && strncasecmp(r->p, "BODY[", 5) == 0) {
		r->p += 5;
		return body_section(r, f);
	} else {
		/* An item not asked for (BODY, X-GM-..., BINARY.SIZE ...): skipped. */
		const char *start = r->p;

		while (r->p < r->end && (is_atom_char((unsigned char)*r->p) &&
					 *r->p != '['))
			r->p++;
		if (r->p == start)
			return -1;
		if (eat(r, '[') && skip_section(r) < 0)
			return -1;
		if (!eat(r, ' ') || skip_value(r, 0) < 0)
			return -1;
	}
	return 0;
}

void
imap_summary_release(struct imap_summary *sum)
{
	free(sum->strings);
	memset(sum, 0, sizeof *sum);
}

void
imap_summary_set(struct imap_summary *sum, const char *const str[IMAP_SUM_FIELDS])
{
	const char **field[IMAP_SUM_FIELDS] = {
		[IMAP_SUM_DATE] = &sum->date,
		[IMAP_SUM_SUBJECT] = &sum->subject,
		[IMAP_SUM_FROM_NAME] = &sum->from_name,
		[IMAP_SUM_FROM_ADDR] = &sum->from_addr,
		[IMAP_SUM_MESSAGE_ID] = &sum->message_id,
		[IMAP_SUM_IN_REPLY_TO] = &sum->in_reply_to,
		[IMAP_SUM_CONTENT_TYPE] = &sum->content_type,
		[IMAP_SUM_FROM_FIELD] = &sum->from_field,
	};
	size_t len[IMAP_SUM_FIELDS], total = 0;
	char *block, *p;
	int i;

	for (i = 0; i < IMAP_SUM_FIELDS; i++) {
		len[i] = str[i] ? strlen(str[i]) + 1 : 0;
		total += len[i];
	}
	block = p = total ? xmalloc(total) : NULL;
	for (i = 0; i < IMAP_SUM_FIELDS; i++) {
		*field[i] = len[i] ? p : NULL;
		if (len[i])
			memcpy(p, str[i], len[i]);
		p += len[i];
	}
	free(sum->strings);
	sum->strings = block;
}

char *
imap_content_type_of(const char *hdr, size_t len)
{
	struct buf v = BUF_INIT;
	bool space = false;
	char *raw, *p;

	if (hdr == NULL || (raw = mime_header_first(hdr, len, "Content-Type")) == NULL)
		return NULL;
	buf_adds(&v, "");
	for (p = raw; *p; p++) {
		unsigned char c = (unsigned char)*p;

		/* Folding and control characters become one space. */
		if (c == ' ' || c == '\t' || c < 32 || c == 127) {
			space = v.len > 0;
			continue;
		}
		if (space)
			buf_addc(&v, ' ');
		space = false;
		buf_addc(&v, (char)c);
	}
	free(raw);
	if (v.len == 0 || v.len > IMAP_CONTENT_TYPE_MAX) {
		buf_release(&v);
		return NULL;
	}
	return buf_detach(&v, NULL);
}

int
imap_parse_fetch(const char *resp, size_t len, struct imap_summary *sum)
{
	struct rd r = { resp, resp + len };
	char *f[IMAP_SUM_FIELDS] = { NULL };
	uint64_t seq;
	int i, rc = -1;

	memset(sum, 0, sizeof *sum);
	if (!eat(&r, '*') || !eat(&r, ' '))
		return -1;
	if (!number(&r, &seq))
		return 1;	/* OK, FLAGS, SEARCH, BYE...: not a FETCH */
	if (!eat(&r, ' ') || !eat_word(&r, "FETCH"))
		return 1;	/* EXISTS, EXPUNGE, RECENT: not a FETCH */
	if (seq == 0 || seq > UINT32_MAX || !eat(&r, ' ') || !eat(&r, '('))
		return -1;
	sum->seq = (uint32_t)seq;
	spaces(&r);
	while (!eat(&r, ')')) {
		if (msg_att(&r, sum, f) < 0)
			goto out;
		if (!at(&r, ')') && !eat(&r, ' '))
			goto out;
		spaces(&r);
	}
	eat(&r, '\r');
	eat(&r, '\n');
	if (r.p != r.end)
		goto out;
	imap_summary_set(sum, (const char *const *)f);
	rc = 0;
out:
	for (i = 0; i < IMAP_SUM_FIELDS; i++)
		free(f[i]);
	if (rc < 0)
		imap_summary_release(sum);
	return rc;
}
