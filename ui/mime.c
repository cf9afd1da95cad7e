/* mime.c — reading header fields and undoing MIME encodings for display. */
#include "ui/ui_p.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t
ui_header_end(const char *msg, size_t len)
{
	size_t i;

	if (len > 0 && msg[0] == '\n')
		return 1;
	if (len > 1 && msg[0] == '\r' && msg[1] == '\n')
		return 2;
	for (i = 0; i + 1 < len; i++) {
		if (msg[i] != '\n')
			continue;
		if (msg[i + 1] == '\n')
			return i + 2;
		if (msg[i + 1] == '\r' && i + 2 < len && msg[i + 2] == '\n')
			return i + 3;
	}
	return len;
}

/* Length of the line at p (up to end), without its line break. */
static size_t
line_len(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n;

	if (nl == NULL) {
		*next = end;
		n = (size_t)(end - p);
	} else {
		*next = nl + 1;
		n = (size_t)(nl - p);
	}
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return n;
}

char *
ui_header_get(const char *hdr, size_t len, const char *name)
{
	const char *p = hdr, *end = hdr + len, *next, *q;
	size_t nlen = strlen(name), n;
	struct buf v = BUF_INIT;
	int found = 0;

	while (p < end) {
		n = line_len(p, end, &next);
		if (n == 0)
			break;	/* end of the header block */
		if (found) {
			if (*p != ' ' && *p != '\t')
				break;
			buf_add(&v, p, n);	/* unfold: drop the line break only */
		} else if (n > nlen && strncasecmp(p, name, nlen) == 0) {
			q = p + nlen;
			while (q < p + n && (*q == ' ' || *q == '\t'))
				q++;
			if (q < p + n && *q == ':') {
				found = 1;
				buf_add(&v, q + 1, (size_t)(p + n - q - 1));
			}
		}
		p = next;
	}
	if (!found)
		return NULL;
	buf_adds(&v, "");
	{
		char *t = str_trim(v.data);
		char *r = xstrdup(t);
		size_t rl = strlen(r);

		while (rl > 0 && (r[rl - 1] == ' ' || r[rl - 1] == '\t'))
			r[--rl] = '\0';
		buf_release(&v);
		return r;
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
b64val(int c)
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

static void
base64_decode(struct buf *out, const char *src, size_t len)
{
	unsigned acc = 0;
	int bits = 0, v;
	size_t i;

	for (i = 0; i < len; i++) {
		if (src[i] == '=')
			break;
		v = b64val((unsigned char)src[i]);
		if (v < 0)
			continue;	/* line breaks and other noise */
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(out, (char)((acc >> bits) & 0xff));
		}
	}
}

static void
qp_decode(struct buf *out, const char *src, size_t len, int header_q)
{
	size_t i = 0, j;
	int h, l;

	while (i < len) {
		char c = src[i];

		if (header_q && c == '_') {
			buf_addc(out, ' ');
			i++;
		} else if (c == '=') {
			if (i + 2 < len && (h = hexval((unsigned char)src[i + 1])) >= 0 &&
			    (l = hexval((unsigned char)src[i + 2])) >= 0) {
				buf_addc(out, (char)(h * 16 + l));
				i += 3;
				continue;
			}
			if (i + 2 == len && hexval((unsigned char)src[i + 1]) >= 0) {
				i++;
				continue;
			}
			/* Soft line break: "=" then optional spaces then CRLF/LF. */
			j = i + 1;
			while (j < len && (src[j] == ' ' || src[j] == '\t'))
				j++;
			if (j < len && src[j] == '\r')
				j++;
			if (j < len && src[j] == '\n') {
				i = j + 1;
				continue;
			}
			if (j >= len) {
				i = len;
				continue;
			}
			buf_addc(out, '=');
			i++;
		} else {
			buf_addc(out, c);
			i++;
		}
	}
}

void
ui_transfer_decode(struct buf *out, const char *encoding, const char *src,
		   size_t len)
{
	buf_adds(out, "");
	if (encoding && str_casecmp_ascii(encoding, "base64") == 0)
		base64_decode(out, src, len);
	else if (encoding && str_casecmp_ascii(encoding, "quoted-printable") == 0)
		qp_decode(out, src, len, 0);
	else
		buf_add(out, src, len);
}

/*
 * Decodes one encoded word "=?cs?e?text?=" at p; returns its length, or 0
 * when p does not start a well-formed one.
 */
static size_t
encoded_word(const char *p, struct buf *out)
{
	const char *cs, *q1, *q2, *end;
	struct buf raw = BUF_INIT;
	char *charset, *star;
	char enc;

	if (p[0] != '=' || p[1] != '?')
		return 0;
	cs = p + 2;
	q1 = strchr(cs, '?');
	if (q1 == NULL || q1 == cs || q1[1] == '\0' || q1[2] != '?')
		return 0;
	enc = (char)toupper((unsigned char)q1[1]);
	if (enc != 'B' && enc != 'Q')
		return 0;
	q2 = q1 + 3;
	end = strstr(q2, "?=");
	if (end == NULL || memchr(q2, ' ', (size_t)(end - q2)) != NULL)
		return 0;
	charset = xstrndup(cs, (size_t)(q1 - cs));
	star = strchr(charset, '*');	/* RFC 2231 language suffix */
	if (star)
		*star = '\0';
	buf_adds(&raw, "");
	if (enc == 'B')
		base64_decode(&raw, q2, (size_t)(end - q2));
	else
		qp_decode(&raw, q2, (size_t)(end - q2), 1);
	ui_text_to_utf8(out, charset, raw.data, raw.len);
	free(charset);
	buf_release(&raw);
	return (size_t)(end + 2 - p);
}

char *
ui_header_decode(const char *value)
{
	struct buf out = BUF_INIT;
	const char *p = value, *ws;
	size_t k;
	int last_was_word = 0;

	buf_adds(&out, "");
	while (*p) {
		k = encoded_word(p, &out);
		if (k > 0) {
			p += k;
			last_was_word = 1;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
				p++;
			/* Space between two encoded words is not part of the text. */
			if (last_was_word && p[0] == '=' && p[1] == '?') {
				struct buf probe = BUF_INIT;

				if (encoded_word(p, &probe) > 0) {
					buf_release(&probe);
					continue;
				}
				buf_release(&probe);
			}
			buf_addc(&out, ' ');
			last_was_word = 0;
			continue;
		}
		ws = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' &&
		       !(p[0] == '=' && p[1] == '?' && p > ws))
			p++;
		ui_text_to_utf8(&out, NULL, ws, (size_t)(p - ws));
		last_was_word = 0;
	}
	return buf_detach(&out, NULL);
}

/* Percent-decoding of an RFC 2231 extended value. */
static void
pct_decode(struct buf *out, const char *s)
{
	int h, l;

	for (; *s; s++) {
		if (*s == '%' && (h = hexval((unsigned char)s[1])) >= 0 &&
		    (l = hexval((unsigned char)s[2])) >= 0) {
			buf_addc(out, (char)(h * 16 + l));
			s += 2;
		} else {
			buf_addc(out, *s);
		}
	}
}

#define MAX_SECTIONS 64

char *
ui_header_param(const char *value, const char *param)
{
	const char *p = strchr(value, ';');
	size_t plen = strlen(param);
	char *plain = NULL, *ext = NULL, *sect[MAX_SECTIONS] = { 0 };
	int sect_ext[MAX_SECTIONS] = { 0 };
	struct buf name = BUF_INIT, val = BUF_INIT, raw = BUF_INIT, out = BUF_INIT;
	char *result = NULL, *charset = NULL, *q1, *q2;
	int i, have_sections = 0;

	while (p && *p) {
		p++;	/* past ';' */
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		buf_reset(&name);
		buf_reset(&val);
		buf_adds(&name, "");
		buf_adds(&val, "");
		while (*p && *p != '=' && *p != ';' && *p != ' ' && *p != '\t')
			buf_addc(&name, *p++);
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=') {
			p = strchr(p, ';');
			continue;
		}
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				buf_addc(&val, *p);
			}
			if (*p == '"')
				p++;
		} else {
			while (*p && *p != ';' && *p != ' ' && *p != '\t')
				buf_addc(&val, *p++);
		}
		p = strchr(p, ';');

		if (name.len == plen && strncasecmp(name.data, param, plen) == 0) {
			if (plain == NULL)
				plain = xstrdup(val.data);
		} else if (name.len == plen + 1 && strncasecmp(name.data, param, plen) == 0 &&
			   name.data[plen] == '*') {
			if (ext == NULL)
				ext = xstrdup(val.data);
		} else if (name.len > plen + 1 && strncasecmp(name.data, param, plen) == 0 &&
			   name.data[plen] == '*' && isdigit((unsigned char)name.data[plen + 1])) {
			char *endp;
			long idx = strtol(name.data + plen + 1, &endp, 10);

			if (idx >= 0 && idx < MAX_SECTIONS && sect[idx] == NULL &&
			    (*endp == '\0' || (endp[0] == '*' && endp[1] == '\0'))) {
				sect[idx] = xstrdup(val.data);
				sect_ext[idx] = *endp == '*';
				have_sections = 1;
			}
		}
	}

	buf_adds(&raw, "");
	buf_adds(&out, "");
	if (ext || (have_sections && sect[0] && sect_ext[0])) {
		/* charset'language'%XX... */
		const char *s = ext ? ext : sect[0];

		q1 = strchr(s, '\'');
		q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
		if (q1 && q2) {
			charset = xstrndup(s, (size_t)(q1 - s));
			pct_decode(&raw, q2 + 1);
		} else {
			pct_decode(&raw, s);
		}
		if (!ext) {
			for (i = 1; i < MAX_SECTIONS && sect[i]; i++) {
				if (sect_ext[i])
					pct_decode(&raw, sect[i]);
				else
					buf_adds(&raw, sect[i]);
			}
		}
		ui_text_to_utf8(&out, charset, raw.data, raw.len);
		result = buf_detach(&out, NULL);
	} else if (have_sections && sect[0]) {
		for (i = 0; i < MAX_SECTIONS && sect[i]; i++)
			buf_adds(&raw, sect[i]);
		result = buf_detach(&raw, NULL);
	} else if (plain) {
		result = plain;
		plain = NULL;
	}
	free(plain);
	free(ext);
	free(charset);
	for (i = 0; i < MAX_SECTIONS; i++)
		free(sect[i]);
	buf_release(&name);
	buf_release(&val);
	buf_release(&raw);
	buf_release(&out);
	return result;
}

char *
ui_content_type(const char *value)
{
	const char *end;
	char *t, *r;
	size_t n;

	if (value == NULL)
		return xstrdup("text/plain");
	end = strchr(value, ';');
	t = xstrndup(value, end ? (size_t)(end - value) : strlen(value));
	r = xstrdup(str_trim(t));
	free(t);
	for (n = strlen(r); n > 0 && (r[n - 1] == ' ' || r[n - 1] == '\t'); n--)
		r[n - 1] = '\0';
	str_lower_ascii(r);
	if (*r == '\0' || strchr(r, '/') == NULL) {
		free(r);
		return xstrdup("text/plain");
	}
	return r;
}

static const char *const months[] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec",
};

time_t
ui_date_parse(const char *s)
{
	struct tm tm = { 0 };
	char mon[4] = { 0 };
	int day, year, hh, mm, ss = 0, n = 0, i, off = 0, sign = 1;
	const char *p = s;
	time_t t;

	if (s == NULL)
		return 0;
	while (*p == ' ')
		p++;
	if (isalpha((unsigned char)*p)) {	/* "Fri," */
		p = strchr(p, ',');
		if (p == NULL)
			return 0;
		p++;
	}
	/* Field widths bound every number: no overflow from hostile dates. */
	if (sscanf(p, " %2d %3s %4d %2d:%2d%n", &day, mon, &year, &hh, &mm, &n) != 5)
		return 0;
	p += n;
	if (*p == ':') {
		if (sscanf(p, ":%2d%n", &ss, &n) != 1)
			return 0;
		p += n;
	}
	if (day < 1 || day > 31 || hh < 0 || hh > 23 || mm < 0 || mm > 59 ||
	    ss < 0 || ss > 60 || year < 0)
		return 0;
	for (i = 0; i < 12; i++)
		if (strncasecmp(mon, months[i], 3) == 0)
			break;
	if (i == 12)
		return 0;
	if (year < 50)
		year += 2000;
	else if (year < 1000)
		year += 1900;
	while (*p == ' ')
		p++;
	if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) &&
	    isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) &&
	    isdigit((unsigned char)p[4])) {
		sign = *p == '-' ? -1 : 1;
		off = (p[1] - '0') * 10 + (p[2] - '0');
		off = sign * (off * 3600 + ((p[3] - '0') * 10 + (p[4] - '0')) * 60);
	}
	tm.tm_year = year - 1900;
	tm.tm_mon = i;
	tm.tm_mday = day;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return 0;
	return t - off;
}
