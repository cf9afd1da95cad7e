/* text.c — charsets to UTF-8, terminal-safe text, display width. */
#include "ui/ui_p.h"

#include "client/imap.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD */

/*
 * Decodes one UTF-8 sequence at s (n bytes left); returns its length and
 * sets *cp, or 0 when the bytes are not valid UTF-8 (overlong, surrogate,
 * truncated, out of range).
 */
static size_t
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

/*
 * Characters a message must not send to the terminal: controls (C0 but
 * tab and newline, DEL, C1) and the bidirectional overrides that can make
 * text read differently from what it is.
 */
static int
is_unsafe(uint32_t c)
{
	if (c == '\t' || c == '\n')
		return 0;
	if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
		return 1;
	return unicode_is_bidi_control(c);
}

/* Appends UTF-8 bytes, replacing invalid ones and dropping unsafe ones. */
static void
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
		if (!is_unsafe(c))
			buf_add(out, s + i, k);
		i += k;
	}
}

static int
charset_is_utf8(const char *cs)
{
	return cs == NULL || *cs == '\0' || str_casecmp_ascii(cs, "utf-8") == 0 ||
	       str_casecmp_ascii(cs, "utf8") == 0 ||
	       str_casecmp_ascii(cs, "us-ascii") == 0 ||
	       str_casecmp_ascii(cs, "ascii") == 0;
}

void
ui_text_to_utf8(struct buf *out, const char *charset, const char *src, size_t len)
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

/* Width of one code point; unknown widths count as one column. */
static int
cp_width(uint32_t c)
{
	int w;

	if (c < 0x80)
		return c >= 0x20 && c != 0x7f ? 1 : 0;
	w = wcwidth((wchar_t)c);
	return w < 0 ? 1 : w;
}

int
ui_text_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	uint32_t c;
	int w = 0;

	while (i < n) {
		k = utf8_decode(p + i, n - i, &c);
		if (k == 0) {
			w++;
			i++;
			continue;
		}
		w += c == '\t' ? 1 : cp_width(c);
		i += k;
	}
	return w;
}

void
ui_text_fit(struct buf *out, const char *s, int cols)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	uint32_t c;
	int used = 0, w;

	while (i < n && used < cols) {
		k = utf8_decode(p + i, n - i, &c);
		if (k == 0 || is_unsafe(c) || c == '\t' || c == '\n') {
			/* Never pass such bytes on; a space keeps the columns. */
			buf_addc(out, ' ');
			used++;
			i += k ? k : 1;
			continue;
		}
		w = cp_width(c);
		if (used + w > cols)
			break;
		buf_add(out, p + i, k);
		used += w;
		i += k;
	}
	while (used++ < cols)
		buf_addc(out, ' ');
}

size_t
ui_text_wrap(const char *s, int cols,
	     void (*fn)(void *arg, const char *piece, size_t len), void *arg)
{
	struct buf line = BUF_INIT;
	const unsigned char *p;
	size_t n, i, k, start, last_space, pieces = 0;
	uint32_t c;
	int col, w, col_at_space;

	if (cols < 1)
		cols = 1;
	/* Expand tabs first, so that widths below are plain. */
	col = 0;
	p = (const unsigned char *)s;
	n = strlen(s);
	buf_adds(&line, "");
	for (i = 0; i < n; i += k) {
		k = utf8_decode(p + i, n - i, &c);
		if (k == 0) {
			buf_adds(&line, REPLACEMENT);
			col++;
			k = 1;
		} else if (c == '\t') {
			do
				buf_addc(&line, ' ');
			while (++col % 8);
		} else {
			buf_add(&line, p + i, k);
			col += cp_width(c);
		}
	}

	p = (const unsigned char *)line.data;
	n = line.len;
	start = 0;
	while (start < n || pieces == 0) {
		col = 0;
		last_space = 0;
		col_at_space = 0;
		for (i = start; i < n; i += k) {
			k = utf8_decode(p + i, n - i, &c);
			if (k == 0) {
				k = 1;
				c = '?';
			}
			w = cp_width(c);
			if (col + w > cols)
				break;
			if (c == ' ') {
				last_space = i;
				col_at_space = col;
			}
			col += w;
		}
		if (i >= n) {
			fn(arg, line.data + start, n - start);
			pieces++;
			break;
		}
		if (i == start) {
			/* A character wider than the screen: give it a line. */
			k = utf8_decode(p + i, n - i, &c);
			if (k == 0)
				k = 1;
			fn(arg, line.data + start, k);
			pieces++;
			start += k;
			continue;
		}
		if (last_space > start && col_at_space > 0) {
			fn(arg, line.data + start, last_space - start);
			start = last_space + 1;
		} else {
			fn(arg, line.data + start, i - start);
			start = i;
		}
		pieces++;
	}
	buf_release(&line);
	return pieces;
}

char *
ui_imap_utf7_decode(const char *name)
{
	char *raw = imap_utf7_decode(name);
	struct buf out = BUF_INIT;

	buf_adds(&out, "");
	utf8_sanitize(&out, raw, strlen(raw));
	free(raw);
	return buf_detach(&out, NULL);
}
