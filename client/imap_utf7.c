/*
 * imap_utf7.c — folder names between UTF-8 (what people read and type)
 * and IMAP's modified UTF-7 (RFC 3501 5.1.3: what goes over the wire).
 */
#include "client/imap.h"

#include <stdlib.h>
#include <string.h>

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int
b64_val(unsigned char c)
{
	const char *p;

	if (c == 0 || (p = strchr(b64, c)) == NULL)
		return -1;
	return (int)(p - b64);
}

static void
put_utf8(struct buf *out, uint32_t cp)
{
	if (cp < 0x80) {
		buf_addc(out, (char)cp);
	} else if (cp < 0x800) {
		buf_addc(out, (char)(0xc0 | (cp >> 6)));
		buf_addc(out, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_addc(out, (char)(0xe0 | (cp >> 12)));
		buf_addc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(out, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_addc(out, (char)(0xf0 | (cp >> 18)));
		buf_addc(out, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_addc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(out, (char)(0x80 | (cp & 0x3f)));
	}
}

/*
 * The base64 run of one "&...-" sequence as UTF-8; false when it is not
 * valid modified UTF-7 (bad character, lone surrogate, an ASCII character
 * that should not have been encoded, leftover bits that are not zero).
 */
static bool
decode_run(struct buf *out, const char *p, size_t n)
{
	uint32_t acc = 0, hi = 0, u;
	int bits = 0, v;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		v = b64_val((unsigned char)p[i]);
		if (v < 0)
			return false;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits < 16)
			continue;
		bits -= 16;
		u = (acc >> bits) & 0xffff;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (hi)
				return false;
			hi = u;
		} else if (u >= 0xdc00 && u <= 0xdfff) {
			if (hi == 0)
				return false;
			put_utf8(out, 0x10000 + ((hi - 0xd800) << 10) + (u - 0xdc00));
			hi = 0;
		} else {
			if (hi || (u >= 0x20 && u < 0x7f))
				return false;
			put_utf8(out, u);
		}
	}
	return hi == 0 && bits < 6 && (acc & ((1u << bits) - 1)) == 0;
}

char *
imap_utf7_decode(const char *name)
{
	struct buf out = BUF_INIT;
	const char *p = name, *end;

	buf_adds(&out, "");
	while (*p) {
		size_t mark = out.len;

		if (*p != '&') {
			buf_addc(&out, *p++);
			continue;
		}
		if (p[1] == '-') {
			buf_addc(&out, '&');
			p += 2;
			continue;
		}
		end = strchr(p + 1, '-');
		if (end == NULL || !decode_run(&out, p + 1, (size_t)(end - p - 1))) {
			/* Not modified UTF-7: kept as the server sent it. */
			out.len = mark;
			out.data[mark] = '\0';
			buf_addc(&out, *p++);
			continue;
		}
		p = end + 1;
	}
	return buf_detach(&out, NULL);
}

/* The next code point of UTF-8 s (advanced); -1 for an invalid sequence. */
static long
next_cp(const unsigned char **s)
{
	const unsigned char *p = *s;
	uint32_t cp;
	size_t k;

	if (p[0] < 0x80) {
		*s = p + 1;
		return p[0];
	}
	k = utf8_decode(p, strnlen((const char *)p, 4), &cp);
	if (k == 0)
		return -1;
	*s = p + k;
	return (long)cp;
}

static void
flush_bits(struct buf *out, uint32_t *acc, int *bits)
{
	if (*bits > 0)
		buf_addc(out, b64[(*acc << (6 - *bits)) & 0x3f]);
	*acc = 0;
	*bits = 0;
}

int
imap_utf7_encode(const char *utf8, char **out, struct err *e)
{
	const unsigned char *s = (const unsigned char *)utf8;
	struct buf b = BUF_INIT;
	bool shifted = false;
	uint32_t acc = 0;
	int bits = 0;

	*out = NULL;
	buf_adds(&b, "");
	while (*s) {
		long cp = next_cp(&s);
		uint32_t units[2];
		int nu, i;

		if (cp < 0) {
			buf_release(&b);
			return err_set(e, ERR_USAGE, "folder name \"%s\" is not valid UTF-8",
				       utf8);
		}
		if (cp >= 0x20 && cp < 0x7f) {
			if (shifted) {
				flush_bits(&b, &acc, &bits);
				buf_addc(&b, '-');
				shifted = false;
			}
			if (cp == '&')
				buf_adds(&b, "&-");
			else
				buf_addc(&b, (char)cp);
			continue;
		}
		if (!shifted) {
			buf_addc(&b, '&');
			shifted = true;
		}
		if (cp >= 0x10000) {
			units[0] = 0xd800 + (((uint32_t)cp - 0x10000) >> 10);
			units[1] = 0xdc00 + (((uint32_t)cp - 0x10000) & 0x3ff);
			nu = 2;
		} else {
			units[0] = (uint32_t)cp;
			nu = 1;
		}
		for (i = 0; i < nu; i++) {
			acc = (acc << 16) | units[i];
			bits += 16;
			while (bits >= 6) {
				bits -= 6;
				buf_addc(&b, b64[(acc >> bits) & 0x3f]);
			}
			acc &= (1u << bits) - 1;
		}
	}
	if (shifted) {
		flush_bits(&b, &acc, &bits);
		buf_addc(&b, '-');
	}
	*out = buf_detach(&b, NULL);
	return 0;
}

char *
imap_folder_name_shown(const char *name)
{
	char *raw = imap_utf7_decode(name);
	struct buf out = BUF_INIT;

	buf_adds(&out, "");
	utf8_sanitize(&out, raw, strlen(raw));
	free(raw);
	return buf_detach(&out, NULL);
}
