/* text.c — UTF-8 stepping, charsets to UTF-8, text safe for a terminal. */
#include "base/base.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <string.h>

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD */

size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

bool
unicode_is_unsafe(unsigned long c)
{
	if (c == '\t' || c == '\n')
		return false;
	if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
		return true;
	return unicode_is_bidi_control(c);
}

void
utf8_sanitize(struct buf *out, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, k;
	uint32_t c;

	while (i < len) {
		k = utf8_decode(s + i, len - i, &c);
		if (k == 0) {
			buf_adds(out, REPLACEMENT);
			i++;
			continue;
		}
		if (!unicode_is_unsafe(c))
			buf_add(out, s + i, k);
		i += k;
	}
}

static bool
charset_is_utf8(const char *cs)
{
	return cs == NULL || *cs == '\0' || str_casecmp_ascii(cs, "utf-8") == 0 ||
	       str_casecmp_ascii(cs, "utf8") == 0 ||
	       str_casecmp_ascii(cs, "us-ascii") == 0 ||
	       str_casecmp_ascii(cs, "ascii") == 0;
}

void
utf8_from_charset(struct buf *out, const char *charset, const char *src,
		  size_t len)
{
	struct buf tmp = BUF_INIT;
	iconv_t cd;
	char *in, *o;
	size_t inleft, oleft, r;

	if (charset_is_utf8(charset)) {
		utf8_sanitize(out, src, len);
		return;
	}
	cd = iconv_open("UTF-8", charset);
	if (cd == (iconv_t)-1) {
		/* Unknown charset: UTF-8 is the likeliest truth, and is checked. */
		utf8_sanitize(out, src, len);
		return;
	}
	in = (char *)src;
	inleft = len;
	while (inleft > 0) {
		buf_grow(&tmp, inleft * 4 + 16);
		o = tmp.data + tmp.len;
		oleft = tmp.cap - tmp.len - 1;
		r = iconv(cd, &in, &inleft, &o, &oleft);
		tmp.len = (size_t)(o - tmp.data);
		tmp.data[tmp.len] = '\0';
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		/* EILSEQ or EINVAL (truncated at the end): mark it, go on. */
		buf_adds(&tmp, REPLACEMENT);
		in++;
		inleft--;
	}
	iconv_close(cd);
	utf8_sanitize(out, tmp.data ? tmp.data : "", tmp.len);
	buf_release(&tmp);
}
