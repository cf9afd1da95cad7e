/* codec.c — base64, quoted-printable, line ends, and RFC 5322 addresses. */
#include "crypto/smime_p.h"

#include <stdlib.h>
#include <string.h>

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
codec_base64_encode(const void *in, size_t n, const char *eol, struct buf *out)
{
	const unsigned char *p = in;
	size_t el = strlen(eol), quads = (n + 2) / 3, i, col = 0;
	unsigned v;
	char *o;

	/* Written in place, 19 groups (76 characters) a line: encoding is a
	 * good part of what a batch of encryptions spends. */
	buf_grow(out, quads * 4 + (quads + 18) / 19 * el);
	o = out->data + out->len;
	for (i = 0; i + 3 <= n; i += 3) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		o[0] = b64[v >> 18];
		o[1] = b64[(v >> 12) & 63];
		o[2] = b64[(v >> 6) & 63];
		o[3] = b64[v & 63];
		o += 4;
		if (++col == 19) {
			memcpy(o, eol, el);
			o += el;
			col = 0;
		}
	}
	if (i < n) {
		v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0);
		o[0] = b64[v >> 18];
		o[1] = b64[(v >> 12) & 63];
		o[2] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		o[3] = '=';
		o += 4;
		col++;
	}
	if (col) {
		memcpy(o, eol, el);
		o += el;
	}
	out->len = (size_t)(o - out->data);
	out->data[out->len] = '\0';
}

/* The value of a base64 digit, or -1 for a byte outside the alphabet. */
static int
b64_digit(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * The one base64 reader.  Strict (for what a verdict depends on): white
 * space is skipped, anything else outside the alphabet and bad padding are
 * ERR_INPUT.  Lenient (for display): every byte outside the alphabet is
 * skipped, the first "=" ends the data, and a last group without its
 * padding gives the bytes its digits hold.
 */
static int
base64_decode(const char *in, size_t n, bool lenient, struct buf *out,
	      struct err *e)
{
	unsigned v = 0;
	size_t i, k = 0, pad = 0;

	buf_grow(out, n / 4 * 3 + 3);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		int d;

		if (c == '=') {
			if (lenient)
				break;
			pad++;
			continue;
		}
		d = b64_digit(c);
		if (d < 0 && (lenient || c == ' ' || c == '\t' || c == '\r' || c == '\n'))
			continue;
		if (d < 0 || pad)
			return err_set(e, ERR_INPUT, "invalid base64 at byte %zu", i);
		v = v << 6 | (unsigned)d;
		if (++k == 4) {
			buf_addc(out, (char)(v >> 16));
			buf_addc(out, (char)(v >> 8));
			buf_addc(out, (char)v);
			k = 0;
			v = 0;
		}
	}
	if (!lenient &&
	    (k == 1 || pad > 2 || (k == 0 && pad) || (k && k + pad != 4 && pad)))
		return err_set(e, ERR_INPUT, "base64 data is truncated");
	if (k == 2) {
		buf_addc(out, (char)(v >> 4));
	} else if (k == 3) {
		buf_addc(out, (char)(v >> 10));
		buf_addc(out, (char)(v >> 2));
	}
	return 0;
}

int
codec_base64_decode(const char *in, size_t n, struct buf *out, struct err *e)
{
	return base64_decode(in, n, false, out, e);
}

void
codec_base64_decode_lenient(const char *in, size_t n, struct buf *out)
{
	buf_adds(out, "");
	base64_decode(in, n, true, out, NULL);
}

int
codec_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Ways of reading quoted-printable (qp_decode). */
enum qp_mode {
	QP_STRICT,	/* a body a verdict depends on */
	QP_LENIENT,	/* a body shown to a person */
	QP_WORD,	/* the "Q" encoding of an RFC 2047 word, leniently */
};

/* True when only white space and at most one CR follow p[i] up to end. */
static bool
qp_soft_break(const char *p, size_t i, size_t end)
{
	while (i < end && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i < end && p[i] == '\r')
		i++;
	return i == end;
}

/*
 * The one quoted-printable reader, a line at a time.  Strict: white space
 * at the end of a line is transport padding and dropped, a hard line break
 * becomes CRLF, a bad "=" escape is ERR_INPUT.  Lenient: the bytes are kept
 * as they are (line ends too), a bad escape stays literally, except "=X" at
 * the very end, which loses its "=".
 */
static int
qp_decode(const char *in, size_t n, enum qp_mode mode, struct buf *out,
	  struct err *e)
{
	size_t i = 0, line = 1;

	while (i < n) {
		size_t end = i, text_end;
		bool soft = false;

		while (end < n && in[end] != '\n')
			end++;
		text_end = end;
		if (mode == QP_STRICT) {
			/* Transport padding: white space at the end of a line is not data. */
			if (text_end > i && in[text_end - 1] == '\r')
				text_end--;
			while (text_end > i &&
			       (in[text_end - 1] == ' ' || in[text_end - 1] == '\t'))
				text_end--;
		}
		for (; i < text_end; i++) {
			if (mode == QP_WORD && in[i] == '_') {
				buf_addc(out, ' ');
				continue;
			}
			if (in[i] != '=') {
				buf_addc(out, in[i]);
				continue;
			}
			if (i + 2 < text_end && codec_hex_digit(in[i + 1]) >= 0 &&
			    codec_hex_digit(in[i + 2]) >= 0) {
				buf_addc(out, (char)(codec_hex_digit(in[i + 1]) * 16 +
						     codec_hex_digit(in[i + 2])));
				i += 2;
				continue;
			}
			if (mode == QP_STRICT ? i + 1 == text_end
					      : qp_soft_break(in, i + 1, text_end)) {
				soft = true;
				break;
			}
			if (mode == QP_STRICT)
				return err_set(e, ERR_INPUT,
					       "quoted-printable: bad escape on line %zu", line);
			if (!(end == n && i + 2 == end && codec_hex_digit(in[i + 1]) >= 0))
				buf_addc(out, '=');
		}
		/* A hard line break is a line end of the data (canonical when strict). */
		if (end < n && !soft)
			buf_adds(out, mode == QP_STRICT ? "\r\n" : "\n");
		i = end < n ? end + 1 : n;
		line++;
	}
	return 0;
}

int
codec_qp_decode(const char *in, size_t n, struct buf *out, struct err *e)
{
	return qp_decode(in, n, QP_STRICT, out, e);
}

void
codec_qp_decode_lenient(const char *in, size_t n, struct buf *out)
{
	buf_adds(out, "");
	qp_decode(in, n, QP_LENIENT, out, NULL);
}

void
codec_q_word_decode(const char *in, size_t n, struct buf *out)
{
	buf_adds(out, "");
	qp_decode(in, n, QP_WORD, out, NULL);
}

void
codec_qp_encode(const char *in, size_t n, const char *eol, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, col = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		bool line_end = i + 1 == n || in[i + 1] == '\n';
		bool literal;

		if (c == '\n') {
			buf_adds(out, eol);
			col = 0;
			continue;
		}
		/* Trailing white space and a leading "From " / "." are encoded:
		 * transports change them, and the signature would break. */
		literal = (c >= 33 && c <= 126 && c != '=') ||
			  ((c == ' ' || c == '\t') && !line_end);
		if (col == 0 && (c == '.' || (c == 'F' && n - i >= 5 &&
					      memcmp(in + i, "From ", 5) == 0)))
			literal = false;
		if (col + (literal ? 1 : 3) > 75 && !(line_end && col + (literal ? 1 : 3) <= 76)) {
			buf_addc(out, '=');
			buf_adds(out, eol);
			col = 0;
		}
		if (literal) {
			buf_addc(out, (char)c);
			col++;
		} else {
			buf_addc(out, '=');
			buf_addc(out, hex[c >> 4]);
			buf_addc(out, hex[c & 15]);
			col += 3;
		}
	}
}

void
codec_crlf(const char *in, size_t n, struct buf *out)
{
	codec_eol(in, n, "\r\n", out);
}

void
codec_eol(const char *in, size_t n, const char *eol, struct buf *out)
{
	size_t start = 0, end, c, el = strlen(eol);
	const char *nl, *cr;

	buf_grow(out, n + n / 32);
	/* A line at a time (memchr), since batches spend their time here. */
	while (start < n) {
		nl = memchr(in + start, '\n', n - start);
		end = nl ? (size_t)(nl - in) : n;
		/* A bare CR (not right before the LF) is a line end too. */
		while (start < end && (cr = memchr(in + start, '\r', end - start)) != NULL) {
			c = (size_t)(cr - in);
			if (nl && c + 1 == end)
				break;
			buf_add(out, in + start, c - start);
			buf_add(out, eol, el);
			start = c + 1;
		}
		if (nl == NULL) {
			buf_add(out, in + start, n - start);
			return;
		}
		buf_add(out, in + start, (end > start && in[end - 1] == '\r' ? end - 1 : end) - start);
		buf_add(out, eol, el);
		start = end + 1;
	}
}

bool
codec_needs_encoding(const char *in, size_t n)
{
	size_t i, col = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '\n') {
			col = 0;
			continue;
		}
		if (c == 0 || c >= 128)
			return true;
		if (c == '\r' && (i + 1 == n || in[i + 1] != '\n'))
			return true;
		if (c != '\r' && ++col > 998)
			return true;
	}
	return false;
}

static void
strv_push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof **v);
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

/* Adds the addr-spec in [s, s+l) after removing comments, quotes around
 * the local part are kept as written. */
static void
add_addr(const char *s, size_t l, char ***v, size_t *n)
{
	struct buf b = BUF_INIT;
	size_t i;
	int depth = 0;
	bool quoted = false;
	char *a, *at;

	for (i = 0; i < l; i++) {
		char c = s[i];

		if (quoted) {
			buf_addc(&b, c);
			if (c == '\\' && i + 1 < l)
				buf_addc(&b, s[++i]);
			else if (c == '"')
				quoted = false;
			continue;
		}
		if (c == '(') {
			depth++;
		} else if (c == ')' && depth) {
			depth--;
		} else if (depth == 0 && c == '"') {
			quoted = true;
			buf_addc(&b, c);
		} else if (depth == 0 && c != ' ' && c != '\t' && c != '\r' && c != '\n') {
			buf_addc(&b, c);
		}
	}
	buf_grow(&b, 0);
	a = buf_detach(&b, NULL);
	at = strrchr(a, '@');
	if (*a == '\0' || at == NULL || at == a || at[1] == '\0') {
		free(a);
		return;
	}
	str_lower_ascii(at + 1);
	strv_push(v, n, a);
}

void
addr_list_parse(const char *value, char ***v, size_t *n)
{
	const char *s = value, *start = value, *lt = NULL;
	bool quoted = false;
	int depth = 0;

	for (;; s++) {
		char c = *s;

		if (quoted) {
			if (c == '\\' && s[1])
				s++;
			else if (c == '"')
				quoted = false;
			else if (c == '\0')
				break;
			continue;
		}
		if (depth && c != '\0') {
			if (c == '\\' && s[1])
				s++;
			else if (c == '(')
				depth++;
			else if (c == ')')
				depth--;
			continue;
		}
		if (c == '"') {
			quoted = true;
		} else if (c == '(') {
			depth++;
		} else if (c == '<') {
			lt = s;
		} else if (c == ':' && lt == NULL) {
			/* A group's display name: the addresses follow. */
			start = s + 1;
		} else if (c == ',' || c == ';' || c == '\0') {
			if (lt) {
				const char *gt = memchr(lt, '>', (size_t)(s - lt));

				if (gt)
					add_addr(lt + 1, (size_t)(gt - lt - 1), v, n);
			} else {
				add_addr(start, (size_t)(s - start), v, n);
			}
			lt = NULL;
			start = s + 1;
			if (c == '\0')
				break;
		}
	}
}

bool
addr_equal(const char *a, const char *b)
{
	const char *ea = strrchr(a, '@'), *eb = strrchr(b, '@');

	if (ea == NULL || eb == NULL || ea - a != eb - b)
		return false;
	return memcmp(a, b, (size_t)(ea - a)) == 0 && str_casecmp_ascii(ea, eb) == 0;
}
