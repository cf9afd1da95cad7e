/* text.c — display width, fitting and wrapping of UTF-8 for the screen. */
#include "ui/ui_p.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD */

/*
 * Width of one code point; unknown widths count as one column, and so
 * does an unsafe one: ui_text_fit draws its one-column placeholder.
 */
static int
cp_width(uint32_t c)
{
	int w;

	if (unicode_is_unsafe(c))
		return 1;
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
		if (k == 0 || unicode_is_unsafe(c)) {
			/* Never pass such bytes on: a placeholder of one column. */
			buf_adds(out, k ? unicode_placeholder(c) : REPLACEMENT);
			used++;
			i += k ? k : 1;
			continue;
		}
		if (c == '\t' || c == '\n') {
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
