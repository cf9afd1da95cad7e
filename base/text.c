/* text.c — UTF-8 stepping, charsets to UTF-8, text safe for a terminal. */
#include "base/base.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stddef.h>
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

const char *
unicode_placeholder(unsigned long c)
{
	/* The Control Pictures block: U+2400 + c for C0, U+2421 for DEL. */
	static const char pictures[32][4] = {
		"\xe2\x90\x80", "\xe2\x90\x81", "\xe2\x90\x82", "\xe2\x90\x83",
		"\xe2\x90\x84", "\xe2\x90\x85", "\xe2\x90\x86", "\xe2\x90\x87",
		"\xe2\x90\x88", "\xe2\x90\x89", "\xe2\x90\x8a", "\xe2\x90\x8b",
		"\xe2\x90\x8c", "\xe2\x90\x8d", "\xe2\x90\x8e", "\xe2\x90\x8f",
		"\xe2\x90\x90", "\xe2\x90\x91", "\xe2\x90\x92", "\xe2\x90\x93",
		"\xe2\x90\x94", "\xe2\x90\x95", "\xe2\x90\x96", "\xe2\x90\x97",
		"\xe2\x90\x98", "\xe2\x90\x99", "\xe2\x90\x9a", "\xe2\x90\x9b",
		"\xe2\x90\x9c", "\xe2\x90\x9d", "\xe2\x90\x9e", "\xe2\x90\x9f",
	};

	if (c < 0x20)
		return pictures[c];
	if (c == 0x7f)
		return "\xe2\x90\xa1";
	return REPLACEMENT;
}

/*
 * The one loop behind every sanitiser: lines keeps '\n' and '\t' (a CR
 * just before a line end goes, as a line end's part); without it, tab,
 * CR and LF are one space each.  Everything else unsafe becomes its
 * placeholder, an invalid byte U+FFFD.
 */
static void
sanitize(struct buf *out, const char *src, size_t len, bool lines)
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
		if (c == '\t' || c == '\n' || c == '\r') {
			if (!lines)
				buf_addc(out, ' ');
			else if (c != '\r')
				buf_addc(out, (char)c);
			else if (i + 1 >= len || s[i + 1] != '\n')
				buf_adds(out, unicode_placeholder(c));
		} else if (unicode_is_unsafe(c)) {
			buf_adds(out, unicode_placeholder(c));
		} else {
			buf_add(out, s + i, k);
		}
		i += k;
	}
}

void
utf8_sanitize(struct buf *out, const char *src, size_t len)
{
	sanitize(out, src, len, true);
}

void
utf8_sanitize_line(struct buf *out, const char *src, size_t len)
{
	sanitize(out, src, len, false);
}

void
fprintf_text(FILE *f, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf_text(&b, fmt, ap);
	va_end(ap);
	if (b.len)
		fwrite(b.data, 1, b.len, f);
	buf_release(&b);
}

void
buf_addf_text(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf_text(b, fmt, ap);
	va_end(ap);
}

/*
 * A printf whose %s arguments come from outside: each conversion is
 * formatted on its own, and a string's result goes through
 * utf8_sanitize_line (width and precision count its bytes, as printf's).
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void
buf_vaddf_text(struct buf *b, const char *fmt, va_list ap)
{
	struct buf piece = BUF_INIT;
	const char *p = fmt, *start;
	char spec[32];

	while (*p) {
		const char *pct = strchr(p, '%');
		int lng = 0, width = -1, prec = -1;
		bool star_w = false, star_p = false;
		size_t n;

		if (pct == NULL) {
			buf_adds(b, p);
			break;
		}
		buf_add(b, p, (size_t)(pct - p));
		start = pct++;
		if (*pct == '%') {
			buf_addc(b, '%');
			p = pct + 1;
			continue;
		}
		pct += strspn(pct, "-+ #0");
		if (*pct == '*') {
			star_w = true;
			pct++;
		} else {
			pct += strspn(pct, "0123456789");
		}
		if (*pct == '.') {
			pct++;
			if (*pct == '*') {
				star_p = true;
				pct++;
			} else {
				pct += strspn(pct, "0123456789");
			}
		}
		while (*pct && strchr("hlzjt", *pct)) {
			lng = *pct == 'l' ? lng + 1 : (*pct == 'h' ? lng : *pct);
			pct++;
		}
		if (*pct == '\0')
			break;
		n = (size_t)(pct - start) + 1;
		if (n >= sizeof spec)
			n = sizeof spec - 1;
		memcpy(spec, start, n);
		spec[n] = '\0';
		if (star_w)
			width = va_arg(ap, int);
		if (star_p)
			prec = va_arg(ap, int);
		buf_reset(&piece);
		switch (*pct) {
		case 's': {
			const char *arg = va_arg(ap, const char *);
			struct buf clean = BUF_INIT;

			if (arg == NULL)
				arg = "(null)";
			utf8_sanitize_line(&clean, arg, strlen(arg));
			if (star_w && star_p)
				buf_addf(&piece, spec, width, prec, clean.data ? clean.data : "");
			else if (star_w || star_p)
				buf_addf(&piece, spec, star_w ? width : prec,
					 clean.data ? clean.data : "");
			else
				buf_addf(&piece, spec, clean.data ? clean.data : "");
			buf_release(&clean);
			break;
		}
#define ONE(T) do { T v_ = va_arg(ap, T); \
		if (star_w && star_p) buf_addf(&piece, spec, width, prec, v_); \
		else if (star_w || star_p) buf_addf(&piece, spec, star_w ? width : prec, v_); \
		else buf_addf(&piece, spec, v_); } while (0)
		case 'd': case 'i':
			if (lng == 'z' || lng == 't') ONE(ptrdiff_t);
			else if (lng == 'j') ONE(intmax_t);
			else if (lng >= 2) ONE(long long);
			else if (lng == 1) ONE(long);
			else ONE(int);
			break;
		case 'u': case 'x': case 'X': case 'o':
			if (lng == 'z' || lng == 't') ONE(size_t);
			else if (lng == 'j') ONE(uintmax_t);
			else if (lng >= 2) ONE(unsigned long long);
			else if (lng == 1) ONE(unsigned long);
			else ONE(unsigned);
			break;
		case 'c': {
			struct buf one = BUF_INIT;

			ONE(int);
			utf8_sanitize_line(&one, piece.data, piece.len);
			buf_reset(&piece);
			if (one.len)
				buf_add(&piece, one.data, one.len);
			buf_release(&one);
			break;
		}
		case 'p':
			ONE(void *);
			break;
		case 'f': case 'g': case 'e':
			ONE(double);
			break;
#undef ONE
		default:
			break;
		}
		if (piece.len)
			buf_add(b, piece.data, piece.len);
		p = pct + 1;
	}
	buf_release(&piece);
}
#pragma GCC diagnostic pop

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
