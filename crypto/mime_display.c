/*
 * mime_display.c — reading a message's header fields and undoing its
 * encodings for display, leniently: what cannot be decoded is shown as it
 * is (or as U+FFFD), never refused.
 */
#include "crypto/smime_p.h"
#include "crypto/smime.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t
mime_header_end(const char *msg, size_t len)
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

/*
 * Header fields are read by crypto's parser (smime.h), the one every
 * verdict is computed with, over the block up to the first empty line.
 */
char *
mime_header_first(const char *hdr, size_t len, const char *name)
{
	struct mime_entity m;

	memset(&m, 0, sizeof m);
	m.raw.p = m.hdr.p = hdr;
	m.raw.n = m.hdr.n = mime_header_end(hdr, len);
	m.body.p = hdr + m.hdr.n;
	return mime_header_get(&m, name, 0);
}

char *
mime_header_joined(const char *hdr, size_t len, const char *name)
{
	struct mime_range h = { hdr, mime_header_end(hdr, len) };
	struct mime_field f;
	struct buf out = BUF_INIT;
	size_t pos = 0;

	while (mime_field_next(&h, &pos, &f)) {
		char *v;

		if (!mime_field_is(&f, name))
			continue;
		v = mime_field_value(&f);
		buf_addf(&out, "%s%s", out.len ? ", " : "", v);
		free(v);
	}
	if (out.data == NULL)
		return NULL;
	return buf_detach(&out, NULL);
}

void
mime_transfer_decode_lenient(struct buf *out, const char *encoding,
			     const char *src, size_t len)
{
	buf_adds(out, "");
	if (encoding && str_casecmp_ascii(encoding, "base64") == 0)
		codec_base64_decode_lenient(src, len, out);
	else if (encoding && str_casecmp_ascii(encoding, "quoted-printable") == 0)
		codec_qp_decode_lenient(src, len, out);
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
		codec_base64_decode_lenient(q2, (size_t)(end - q2), &raw);
	else
		codec_q_word_decode(q2, (size_t)(end - q2), &raw);
	utf8_from_charset(out, charset, raw.data, raw.len);
	free(charset);
	buf_release(&raw);
	return (size_t)(end + 2 - p);
}

char *
mime_header_decode(const char *value)
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
		utf8_from_charset(&out, NULL, ws, (size_t)(p - ws));
		last_was_word = 0;
	}
	return buf_detach(&out, NULL);
}

char *
mime_header_first_decoded(const char *hdr, size_t len, const char *name)
{
	char *v = mime_header_first(hdr, len, name), *d;

	if (v == NULL)
		return NULL;
	d = mime_header_decode(v);
	free(v);
	return d;
}

/* A name that could pass for an address once shown. */
static bool
looks_like_address(const char *s)
{
	return strchr(s, '@') || strstr(s, "\xef\xbc\xa0") /* U+FF20 */ ||
	       strstr(s, "\xef\xb9\xab") /* U+FE6B */;
}

/* The display name before '<' in a one-mailbox value, decoded, unquoted. */
static char *
display_name(const char *value)
{
	const char *s, *lt = NULL;
	bool quoted = false;
	int depth = 0;
	char *raw, *d, *t;
	size_t n;

	for (s = value; *s && lt == NULL; s++) {
		if (quoted) {
			if (*s == '\\' && s[1])
				s++;
			else if (*s == '"')
				quoted = false;
		} else if (*s == '\\' && depth && s[1]) {
			s++;
		} else if (*s == '"' && !depth) {
			quoted = true;
		} else if (*s == '(') {
			depth++;
		} else if (*s == ')' && depth) {
			depth--;
		} else if (*s == '<' && !depth) {
			lt = s;
		}
	}
	if (lt == NULL)
		return xstrdup("");
	raw = xstrndup(value, (size_t)(lt - value));
	d = mime_header_decode(raw);
	free(raw);
	t = str_trim(d);
	n = strlen(t);
	if (n >= 2 && t[0] == '"' && t[n - 1] == '"') {
		t[n - 1] = '\0';
		t++;
	}
	t = xstrdup(str_trim(t));
	free(d);
	return t;
}

char *
mime_from_display(const char *value, enum mime_from_form form)
{
	struct buf out = BUF_INIT;
	char **a = NULL, *name, *d;
	size_t n = 0, i;
	bool group = false;

	if (value == NULL)
		return xstrdup("");
	addr_list_parse_group(value, &a, &n, &group);
	buf_adds(&out, "");
	if (n == 0) {
		d = mime_header_decode(value);
		if (looks_like_address(d))
			buf_adds(&out, "(no address) ");
		buf_adds(&out, d);
		free(d);
	} else if (n > 1 || group) {
		for (i = 0; i < n; i++)
			buf_addf(&out, "%s%s", i ? ", " : "", a[i]);
		if (group)
			buf_adds(&out, " (a group)");
	} else {
		name = display_name(value);
		if (form == MIME_FROM_ADDRESS || *name == '\0')
			buf_adds(&out, a[0]);
		else if (looks_like_address(name))
			buf_addf(&out, "%s (%s)", a[0], name);
		else if (form == MIME_FROM_SHORT)
			buf_adds(&out, name);
		else
			buf_addf(&out, "%s <%s>", name, a[0]);
		free(name);
	}
	for (i = 0; i < n; i++)
		free(a[i]);
	free(a);
	/* The address parts come raw from the header: sanitised like the rest. */
	d = buf_detach(&out, NULL);
	buf_adds(&out, "");
	utf8_sanitize_line(&out, d, strlen(d));
	free(d);
	return buf_detach(&out, NULL);
}

static const char *const months[] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec",
};

time_t
mime_date_parse(const char *s)
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
