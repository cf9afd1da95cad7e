/* mime.c — a MIME parser over raw bytes: header fields, Content-Type,
 * multipart splitting.  Nothing is copied or re-encoded unless asked. */
#include "crypto/smime_p.h"
#include "crypto/smime.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* End of the line starting at p[i]: index after its LF (or n). */
static size_t
line_end(const char *p, size_t n, size_t i)
{
	const char *nl = memchr(p + i, '\n', n - i);

	return nl ? (size_t)(nl - p) + 1 : n;
}

/* Length of the line's content, without its CRLF / LF. */
static size_t
line_len(const char *p, size_t start, size_t end)
{
	size_t l = end - start;

	if (l && p[start + l - 1] == '\n')
		l--;
	if (l && p[start + l - 1] == '\r')
		l--;
	return l;
}

static bool
is_field_line(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == ':')
			return i > 0;
		if (c <= 32 || c >= 127)
			return false;
	}
	return false;
}

int
mime_entity_parse(const char *p, size_t n, bool strict, struct mime_entity *m,
		  struct err *e)
{
	size_t i = 0, end, l;

	memset(m, 0, sizeof *m);
	m->raw.p = p;
	m->raw.n = n;
	m->hdr.p = p;
	end = line_end(p, n, 0);
	m->eol = (end >= 2 && p[end - 1] == '\n' && p[end - 2] == '\r') ? "\r\n" : "\n";
	while (i < n) {
		end = line_end(p, n, i);
		l = line_len(p, i, end);
		if (l == 0) {
			m->hdr.n = i;
			m->body.p = p + end;
			m->body.n = n - end;
			return 0;
		}
		if (p[i] == ' ' || p[i] == '\t') {
			if (i == 0)
				goto bad;
		} else if (!is_field_line(p + i, l)) {
			goto bad;
		}
		i = end;
	}
	m->hdr.n = n;
	m->body.p = p + n;
	m->body.n = 0;
	return 0;
bad:
	if (strict) {
		size_t k, line = 1;

		for (k = 0; k < i; k++)
			line += p[k] == '\n';
		return err_set(e, ERR_INPUT, "line %zu of the header is not a header field",
			       line);
	}
	/* A part may begin with its body: no header, default content type. */
	m->hdr.n = 0;
	m->body = m->raw;
	return 0;
}

int
mime_field_next(const struct mime_range *hdr, size_t *pos, struct mime_field *f)
{
	const char *p = hdr->p;
	size_t n = hdr->n, i = *pos, end, colon;

	if (i >= n)
		return 0;
	end = line_end(p, n, i);
	while (end < n && (p[end] == ' ' || p[end] == '\t'))
		end = line_end(p, n, end);
	for (colon = i; colon < end && p[colon] != ':'; colon++)
		;
	f->raw.p = p + i;
	f->raw.n = end - i;
	f->name.p = p + i;
	f->name.n = colon - i;
	while (f->name.n && (f->name.p[f->name.n - 1] == ' ' || f->name.p[f->name.n - 1] == '\t'))
		f->name.n--;
	f->value.p = colon < end ? p + colon + 1 : p + end;
	f->value.n = colon < end ? end - colon - 1 : 0;
	*pos = end;
	return 1;
}

bool
mime_field_is(const struct mime_field *f, const char *name)
{
	size_t i, l = strlen(name);

	if (f->name.n != l)
		return false;
	for (i = 0; i < l; i++) {
		char a = f->name.p[i], b = name[i];

		if (a >= 'A' && a <= 'Z')
			a += 'a' - 'A';
		if (b >= 'A' && b <= 'Z')
			b += 'a' - 'A';
		if (a != b)
			return false;
	}
	return true;
}

bool
mime_field_is_content(const struct mime_field *f)
{
	return f->name.n > 8 && strncasecmp(f->name.p, "content-", 8) == 0;
}

static char *
unfold(const struct mime_range *v)
{
	struct buf b = BUF_INIT;
	char *s, *t;
	size_t i;

	for (i = 0; i < v->n; i++) {
		char c = v->p[i];

		if (c == '\r' || c == '\n')
			continue;
		buf_addc(&b, c);
	}
	s = buf_detach(&b, NULL);
	t = str_trim(s);
	if (t != s)
		memmove(s, t, strlen(t) + 1);
	return s;
}

char *
mime_field_value(const struct mime_field *f)
{
	return unfold(&f->value);
}

char *
mime_header_get(const struct mime_entity *m, const char *name, size_t idx)
{
	struct mime_field f;
	size_t pos = 0;

	while (mime_field_next(&m->hdr, &pos, &f))
		if (mime_field_is(&f, name) && idx-- == 0)
			return unfold(&f.value);
	return NULL;
}

size_t
mime_header_count(const struct mime_entity *m, const char *name)
{
	struct mime_field f;
	size_t pos = 0, c = 0;

	while (mime_field_next(&m->hdr, &pos, &f))
		c += mime_field_is(&f, name);
	return c;
}

/* Skips white space and (nested) comments. */
static const char *
skip_cfws(const char *s)
{
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s != '(')
			return s;
		{
			int depth = 0;

			for (; *s; s++) {
				if (*s == '\\' && s[1]) {
					s++;
				} else if (*s == '(') {
					depth++;
				} else if (*s == ')' && --depth == 0) {
					s++;
					break;
				}
			}
		}
	}
}

static bool
is_tspecial(char c)
{
	return strchr("()<>@,;:\\\"/[]?=", c) != NULL || c <= ' ' || c == 127;
}

static char *
read_token(const char **sp)
{
	const char *s = *sp, *start = s;
	char *t;

	while (*s && !is_tspecial(*s))
		s++;
	if (s == start)
		return NULL;
	t = xstrndup(start, (size_t)(s - start));
	*sp = s;
	return t;
}

static char *
read_value(const char **sp)
{
	const char *s = *sp;
	struct buf b = BUF_INIT;

	if (*s != '"')
		return read_token(sp);
	for (s++; *s && *s != '"'; s++) {
		if (*s == '\\' && s[1])
			s++;
		buf_addc(&b, *s);
	}
	if (*s == '"')
		s++;
	*sp = s;
	buf_grow(&b, 0);
	return buf_detach(&b, NULL);
}

/* RFC 2231 extended value: %XX decoded; with charset, strips
 * "charset'language'" and turns ISO-8859-1 into UTF-8 (other charsets keep
 * their bytes). */
static void
rfc2231_decode(const char *v, bool first, struct buf *out)
{
	const char *q1, *q2;
	bool latin1 = false;

	if (first && (q1 = strchr(v, '\'')) != NULL && (q2 = strchr(q1 + 1, '\'')) != NULL) {
		latin1 = (q1 - v == 10 && strncasecmp(v, "iso-8859-1", 10) == 0) ||
			 (q1 - v == 6 && strncasecmp(v, "latin1", 6) == 0);
		v = q2 + 1;
	}
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;

		if (c == '%' && codec_hex_digit(v[1]) >= 0 && codec_hex_digit(v[2]) >= 0) {
			c = (unsigned char)(codec_hex_digit(v[1]) * 16 +
					    codec_hex_digit(v[2]));
			v += 2;
		}
		if (latin1 && c >= 0x80) {
			buf_addc(out, (char)(0xc0 | (c >> 6)));
			buf_addc(out, (char)(0x80 | (c & 0x3f)));
		} else {
			buf_addc(out, (char)c);
		}
	}
}

#define RFC2231_MAX_SECTIONS 64

/* One "base*..." parameter: where its base ends and which section it is. */
struct rfc2231_piece {
	size_t idx;		/* in ct->names */
	size_t blen;		/* length of the base name */
	long section;		/* -1 for "name*", else N of "name*N" or "name*N*" */
	bool extended;		/* "name*" or "name*N*": charset and %XX */
};

static int
piece_cmp(const void *a, const void *b, void *arg)
{
	const struct rfc2231_piece *x = a, *y = b;
	char **names = arg;
	size_t n = x->blen < y->blen ? x->blen : y->blen;
	int c = memcmp(names[x->idx], names[y->idx], n);

	if (c)
		return c;
	if (x->blen != y->blen)
		return x->blen < y->blen ? -1 : 1;
	if (x->section != y->section)
		return x->section < y->section ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Reads "*", "*N" or "*N*" after a base name; false for anything else. */
static bool
piece_read(const char *star, struct rfc2231_piece *pc)
{
	const char *s = star + 1;
	long k = 0;

	if (*s == '\0') {
		pc->section = -1;
		pc->extended = true;
		return true;
	}
	if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9'))
		return false;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((k = k * 10 + (*s - '0')) > RFC2231_MAX_SECTIONS)
			return false;
	pc->section = k;
	pc->extended = *s == '*';
	return *s == '\0' || (*s == '*' && s[1] == '\0');
}

/*
 * RFC 2231: "name*" (charset'language'%XX value) and continuations
 * "name*0", "name*1*"... become one parameter "name".  Sections are
 * joined from 0 until the first missing one (the first of a repeated
 * section counts); without a section 0, "name*" is the value; a value
 * read so replaces every "name*..." and a plain "name", and goes last.
 * The pieces are sorted once by base and section, so the work is
 * O(n log n) in the number of parameters, whatever their order.
 */
struct rfc2231_value {
	char *name;		/* owned */
	char *value;		/* owned */
};

static int
value_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rfc2231_value *)a)->name,
		      ((const struct rfc2231_value *)b)->name);
}

static void
rfc2231_collapse(struct mime_ctype *ct)
{
	struct rfc2231_piece *pc;
	struct rfc2231_value *nv;
	bool *drop;
	size_t i, j, n = 0, m = 0, n_new = 0, kept = 0;

	for (i = 0; i < ct->n; i++)
		n += strchr(ct->names[i], '*') != NULL;
	if (n == 0)
		return;
	pc = xcalloc(n, sizeof *pc);
	for (i = 0; i < ct->n; i++) {
		char *star = strchr(ct->names[i], '*');

		if (star == NULL || star == ct->names[i])
			continue;
		pc[m].idx = i;
		pc[m].blen = (size_t)(star - ct->names[i]);
		if (piece_read(star, &pc[m]))
			m++;
	}
	qsort_r(pc, m, sizeof *pc, piece_cmp, ct->names);
	drop = xcalloc(ct->n, sizeof *drop);
	nv = xcalloc(m ? m : 1, sizeof *nv);
	/* Each run of pieces with one base gives at most one value. */
	for (i = 0; i < m; i = j) {
		const char *base = ct->names[pc[i].idx];
		size_t blen = pc[i].blen, plain = (size_t)-1, k;
		struct buf v = BUF_INIT;
		long want = 0;

		for (j = i; j < m && pc[j].blen == blen &&
			    memcmp(ct->names[pc[j].idx], base, blen) == 0; j++) {
			if (pc[j].section == -1 && plain == (size_t)-1)
				plain = j;
			if (pc[j].section != want)
				continue;
			if (pc[j].extended)
				rfc2231_decode(ct->values[pc[j].idx], want == 0, &v);
			else
				buf_adds(&v, ct->values[pc[j].idx]);
			want++;
		}
		if (want == 0 && plain != (size_t)-1)
			rfc2231_decode(ct->values[pc[plain].idx], true, &v);
		else if (want == 0)
			continue;	/* no section 0 and no "name*": left as it is */
		for (k = i; k < j; k++)
			drop[pc[k].idx] = true;
		buf_grow(&v, 0);
		nv[n_new].name = xstrndup(base, blen);
		nv[n_new].value = buf_detach(&v, NULL);
		n_new++;
	}
	/* The bases come out sorted: a plain "name" that gives way is found
	 * by binary search. */
	for (i = 0; i < ct->n; i++) {
		struct rfc2231_value key = { ct->names[i], NULL };

		if (!drop[i] && n_new && bsearch(&key, nv, n_new, sizeof *nv, value_cmp))
			drop[i] = true;
		if (drop[i]) {
			free(ct->names[i]);
			free(ct->values[i]);
			continue;
		}
		ct->names[kept] = ct->names[i];
		ct->values[kept] = ct->values[i];
		kept++;
	}
	for (i = 0; i < n_new; i++) {
		ct->names[kept] = nv[i].name;
		ct->values[kept] = nv[i].value;
		kept++;
	}
	ct->n = kept;
	free(pc);
	free(drop);
	free(nv);
}

/* "; name=value" parameters after a type, into ct (RFC 2231 applied). */
static void
params_parse(const char *s, struct mime_ctype *ct)
{
	for (;;) {
		char *name, *val;

		s = skip_cfws(s);
		if (*s != ';')
			break;
		s = skip_cfws(s + 1);
		name = read_token(&s);
		if (name == NULL)
			continue;
		s = skip_cfws(s);
		if (*s != '=') {
			free(name);
			continue;
		}
		s = skip_cfws(s + 1);
		val = read_value(&s);
		if (val == NULL) {
			free(name);
			continue;
		}
		str_lower_ascii(name);
		/* Room doubles at 4, 8, 16...: many parameters stay linear. */
		if (ct->n == 0 || (ct->n >= 4 && (ct->n & (ct->n - 1)) == 0)) {
			size_t cap = ct->n < 4 ? 4 : ct->n * 2;

			ct->names = xrealloc(ct->names, cap * sizeof *ct->names);
			ct->values = xrealloc(ct->values, cap * sizeof *ct->values);
		}
		ct->names[ct->n] = name;
		ct->values[ct->n] = val;
		ct->n++;
	}
	rfc2231_collapse(ct);
}

int
mime_ctype_parse(const char *value, struct mime_ctype *ct, struct err *e)
{
	const char *s = value ? value : "text/plain; charset=us-ascii";

	memset(ct, 0, sizeof *ct);
	s = skip_cfws(s);
	ct->type = read_token(&s);
	s = skip_cfws(s);
	if (ct->type == NULL || *s != '/')
		goto bad;
	s = skip_cfws(s + 1);
	ct->subtype = read_token(&s);
	if (ct->subtype == NULL)
		goto bad;
	str_lower_ascii(ct->type);
	str_lower_ascii(ct->subtype);
	params_parse(s, ct);
	return 0;
bad:
	mime_ctype_release(ct);
	return err_set(e, ERR_INPUT, "malformed Content-Type \"%.80s\"", value);
}

int
mime_disposition_parse(const char *value, struct mime_ctype *d)
{
	const char *s = value ? value : "";

	memset(d, 0, sizeof *d);
	s = skip_cfws(s);
	d->type = read_token(&s);
	if (d->type == NULL)
		return -1;
	str_lower_ascii(d->type);
	d->subtype = xstrdup("");
	params_parse(s, d);
	return 0;
}

void
mime_entity_ctype(const struct mime_entity *m, struct mime_ctype *ct)
{
	char *v = mime_header_get(m, "Content-Type", 0);

	if (mime_ctype_parse(v, ct, NULL) < 0)
		mime_ctype_parse(NULL, ct, NULL);
	free(v);
}

const char *
mime_ctype_param(const struct mime_ctype *ct, const char *name)
{
	size_t i;

	for (i = 0; i < ct->n; i++)
		if (strcmp(ct->names[i], name) == 0)
			return ct->values[i];
	return NULL;
}

bool
mime_ctype_is(const struct mime_ctype *ct, const char *type, const char *subtype)
{
	return ct->type && strcmp(ct->type, type) == 0 &&
	       (subtype == NULL || strcmp(ct->subtype, subtype) == 0);
}

void
mime_ctype_release(struct mime_ctype *ct)
{
	size_t i;

	for (i = 0; i < ct->n; i++) {
		free(ct->names[i]);
		free(ct->values[i]);
	}
	free(ct->names);
	free(ct->values);
	free(ct->type);
	free(ct->subtype);
	memset(ct, 0, sizeof *ct);
}

/* Is the line [s, s+l) a delimiter for boundary b?  1 for a delimiter,
 * 2 for the close delimiter, 0 otherwise.  Trailing white space is
 * transport padding. */
static int
delimiter_kind(const char *s, size_t l, const char *b, size_t bl)
{
	size_t i;
	int kind = 1;

	if (l < bl + 2 || s[0] != '-' || s[1] != '-' || memcmp(s + 2, b, bl) != 0)
		return 0;
	i = bl + 2;
	if (l >= i + 2 && s[i] == '-' && s[i + 1] == '-') {
		kind = 2;
		i += 2;
	}
	for (; i < l; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return kind;
}

int
mime_multipart_split(const char *body, size_t len, const char *boundary,
		     struct mime_range **parts, size_t *n, bool *closed,
		     struct err *e)
{
	size_t bl = strlen(boundary), i = 0, end, l, part_start = 0, np = 0;
	struct mime_range *v = NULL;
	bool in_part = false;

	*parts = NULL;
	*n = 0;
	*closed = false;
	if (bl == 0 || bl > 200)
		return err_set(e, ERR_INPUT, "multipart boundary is empty or too long");
	while (i < len) {
		int kind;

		end = line_end(body, len, i);
		l = line_len(body, i, end);
		kind = delimiter_kind(body + i, l, boundary, bl);
		if (kind) {
			if (in_part) {
				/* The line end before the delimiter is the delimiter's. */
				size_t stop = i;

				if (stop > part_start && body[stop - 1] == '\n')
					stop--;
				if (stop > part_start && body[stop - 1] == '\r')
					stop--;
				if (stop < part_start)
					stop = part_start;
				if (np >= SMIME_MAX_PARTS) {
					free(v);
					*n = np;
					return err_set(e, ERR_INPUT, "more than %d parts",
						       SMIME_MAX_PARTS);
				}
				v = xrealloc(v, (np + 1) * sizeof *v);
				v[np].p = body + part_start;
				v[np].n = stop - part_start;
				np++;
			}
			if (kind == 2) {
				*closed = true;
				in_part = false;
				break;
			}
			in_part = true;
			part_start = end;
		}
		i = end;
	}
	if (in_part) {
		/* No close delimiter: the last part runs to the end. */
		v = xrealloc(v, (np + 1) * sizeof *v);
		v[np].p = body + part_start;
		v[np].n = len - part_start;
		np++;
	}
	if (np == 0 && !*closed) {
		free(v);
		return err_set(e, ERR_INPUT, "multipart without its boundary \"%.70s\"",
			       boundary);
	}
	*parts = v;
	*n = np;
	return 0;
}

void
mime_copy_message_fields(const struct mime_entity *m, bool drop_bcc,
			 struct buf *out)
{
	struct mime_field f;
	size_t pos = 0;

	while (mime_field_next(&m->hdr, &pos, &f)) {
		if (mime_field_is_content(&f) || mime_field_is(&f, "MIME-Version"))
			continue;
		if (drop_bcc && mime_field_is(&f, "Bcc"))
			continue;
		buf_add(out, f.raw.p, f.raw.n);
		if (f.raw.n == 0 || f.raw.p[f.raw.n - 1] != '\n')
			buf_adds(out, m->eol);
	}
}

/* Content-Transfer-Encoding of m, lower case, "7bit" when absent. */
static char *
entity_cte(const struct mime_entity *m)
{
	char *v = mime_header_get(m, "Content-Transfer-Encoding", 0);

	if (v == NULL)
		return xstrdup("7bit");
	str_lower_ascii(v);
	return v;
}

static void
add_field_eol(struct buf *out, const struct mime_field *f, const char *eol)
{
	codec_eol(f->raw.p, f->raw.n, eol, out);
	if (f->raw.n == 0 || f->raw.p[f->raw.n - 1] != '\n')
		buf_adds(out, eol);
}

int
mime_make_7bit_entity(const struct mime_entity *m, const char *eol, int depth,
		      struct buf *out, struct err *e)
{
	struct mime_ctype ct;
	struct mime_field f;
	size_t pos = 0, i;
	char *cte = NULL;
	bool has_ct = false;
	int rc = -1;

	if (depth > SMIME_MAX_DEPTH)
		return err_set(e, ERR_INPUT, "MIME nesting deeper than %d", SMIME_MAX_DEPTH);
	mime_entity_ctype(m, &ct);
	cte = entity_cte(m);

	if (mime_ctype_is(&ct, "multipart", NULL) && mime_ctype_param(&ct, "boundary")) {
		const char *b = mime_ctype_param(&ct, "boundary");
		struct mime_range *parts = NULL;
		size_t np;
		bool closed;

		while (mime_field_next(&m->hdr, &pos, &f))
			if (mime_field_is_content(&f))
				add_field_eol(out, &f, eol);
		buf_adds(out, eol);
		if (mime_multipart_split(m->body.p, m->body.n, b, &parts, &np,
					 &closed, e) < 0)
			goto out;
		/* The preamble is dropped: it is not shown and not worth signing. */
		for (i = 0; i < np; i++) {
			struct mime_entity sub;

			buf_addf(out, "--%s%s", b, eol);
			mime_entity_parse(parts[i].p, parts[i].n, false, &sub, NULL);
			if (mime_make_7bit_entity(&sub, eol, depth + 1, out, e) < 0) {
				free(parts);
				goto out;
			}
			buf_adds(out, eol);
		}
		buf_addf(out, "--%s--%s", b, eol);
		free(parts);
		rc = 0;
		goto out;
	}

	if (!codec_needs_encoding(m->body.p, m->body.n) ||
	    strcmp(cte, "base64") == 0 || strcmp(cte, "quoted-printable") == 0) {
		while (mime_field_next(&m->hdr, &pos, &f)) {
			if (!mime_field_is_content(&f))
				continue;
			has_ct |= mime_field_is(&f, "Content-Type");
			add_field_eol(out, &f, eol);
		}
		if (!has_ct)
			buf_addf(out, "Content-Type: text/plain; charset=us-ascii%s", eol);
		buf_adds(out, eol);
		codec_eol(m->body.p, m->body.n, eol, out);
		rc = 0;
		goto out;
	}

	/* 8-bit or binary: re-encode, text as quoted-printable, the rest base64. */
	while (mime_field_next(&m->hdr, &pos, &f)) {
		if (!mime_field_is_content(&f) ||
		    mime_field_is(&f, "Content-Transfer-Encoding"))
			continue;
		has_ct |= mime_field_is(&f, "Content-Type");
		add_field_eol(out, &f, eol);
	}
	if (!has_ct)
		buf_addf(out, "Content-Type: text/plain; charset=utf-8%s", eol);
	if (mime_ctype_is(&ct, "text", NULL)) {
		struct buf lf = BUF_INIT;

		/* Text line ends are line ends, not data: encode the lines. */
		codec_eol(m->body.p, m->body.n, "\n", &lf);
		buf_addf(out, "Content-Transfer-Encoding: quoted-printable%s%s", eol, eol);
		codec_qp_encode(lf.data, lf.len, eol, out);
		buf_release(&lf);
	} else {
		buf_addf(out, "Content-Transfer-Encoding: base64%s%s", eol, eol);
		codec_base64_encode(m->body.p, m->body.n, eol, out);
	}
	rc = 0;
out:
	free(cte);
	mime_ctype_release(&ct);
	return rc;
}

char *
mime_new_boundary(void)
{
	unsigned char r[12];
	char hex[25];
	size_t i;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, r, sizeof r) != (ssize_t)sizeof r) {
		/* Uniqueness, not secrecy, is what a boundary needs. */
		for (i = 0; i < sizeof r; i++)
			r[i] = (unsigned char)(rand() ^ (int)getpid());
	}
	if (fd >= 0)
		close(fd);
	for (i = 0; i < sizeof r; i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	return xasprintf("cachet-%s", hex);
}
