/*
 * html.c — HTML shown as text, and the links of a message.
 *
 * The text keeps what a person reads: tags go, entities are decoded,
 * blocks start new lines, the cells of a table row are kept apart by " | ",
 * and each link's text is followed by its number, "[1]", the numbers and
 * their addresses listed under the text.  Scripts, styles, comments and
 * images are dropped.  Nothing here, nor anywhere in cachet, fetches what
 * an address names (EFAIL): the addresses are only text, opened by the
 * person's url_command when they ask.
 */
#include "ui/ui_p.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Links kept for one HTML part; addresses longer than this are cut off. */
#define MAX_LINKS 500
#define MAX_URL 2048

/* Appends code point c as UTF-8. */
static void
put_utf8(struct buf *out, unsigned long c)
{
	if (c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		c = 0xfffd;
	if (c < 0x80) {
		buf_addc(out, (char)c);
	} else if (c < 0x800) {
		buf_addc(out, (char)(0xc0 | (c >> 6)));
		buf_addc(out, (char)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		buf_addc(out, (char)(0xe0 | (c >> 12)));
		buf_addc(out, (char)(0x80 | ((c >> 6) & 0x3f)));
		buf_addc(out, (char)(0x80 | (c & 0x3f)));
	} else {
		buf_addc(out, (char)(0xf0 | (c >> 18)));
		buf_addc(out, (char)(0x80 | ((c >> 12) & 0x3f)));
		buf_addc(out, (char)(0x80 | ((c >> 6) & 0x3f)));
		buf_addc(out, (char)(0x80 | (c & 0x3f)));
	}
}

static const struct {
	const char *name;
	unsigned long cp;
} entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
	{ "apos", '\'' }, { "nbsp", ' ' }, { "copy", 0xa9 }, { "reg", 0xae },
	{ "hellip", 0x2026 }, { "mdash", 0x2014 }, { "ndash", 0x2013 },
	{ "laquo", 0xab }, { "raquo", 0xbb }, { "euro", 0x20ac },
};

/*
 * The entity at p ('&'), if it is one: its code point in *cp and its
 * length; 0 when it is not (the '&' is then text).
 */
static size_t
entity_at(const char *p, const char *end, unsigned long *cp)
{
	size_t room = (size_t)(end - p) < 12 ? (size_t)(end - p) : 12, i;
	const char *semi = memchr(p, ';', room);
	char num[12], *stop;

	if (semi == NULL)
		return 0;
	if (p[1] == '#') {
		size_t n = (size_t)(semi - p - 2);
		bool hex = n > 0 && (p[2] == 'x' || p[2] == 'X');

		if (n == 0 || n >= sizeof num)
			return 0;
		memcpy(num, p + 2 + hex, n - hex);
		num[n - hex] = '\0';
		if (num[0] == '\0')
			return 0;
		*cp = strtoul(num, &stop, hex ? 16 : 10);
		return *stop == '\0' ? (size_t)(semi - p + 1) : 0;
	}
	for (i = 0; i < sizeof(entities) / sizeof(entities[0]); i++)
		if ((size_t)(semi - p - 1) == strlen(entities[i].name) &&
		    memcmp(p + 1, entities[i].name, (size_t)(semi - p - 1)) == 0) {
			*cp = entities[i].cp;
			return (size_t)(semi - p + 1);
		}
	return 0;
}

/* Tags after which the text continues on a new line. */
static bool
is_block_tag(const char *tag)
{
	static const char *const block[] = {
		"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6",
		"blockquote", "table", "ul", "ol", "pre", "hr", "title",
	};
	size_t i;

	for (i = 0; i < sizeof(block) / sizeof(block[0]); i++)
		if (strcmp(tag, block[i]) == 0)
			return true;
	return false;
}

/*
 * The value of attribute name among a tag's attributes [p, end), entities
 * decoded and white space taken out (an address split over lines is one
 * address); NULL when absent or empty.
 */
static char *
attr_value(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name);

	while (p < end) {
		const char *k = p, *v, *vend;

		while (p < end && *p != '=' && *p != ' ' && *p != '\t' && *p != '\n' &&
		       *p != '\r' && *p != '/')
			p++;
		if (p == k) {
			p++;
			continue;
		}
		if (p >= end || *p != '=') {
			continue;	/* an attribute without a value */
		}
		p++;
		if (p < end && (*p == '"' || *p == '\'')) {
			char q = *p++;

			v = p;
			while (p < end && *p != q)
				p++;
			vend = p;
			if (p < end)
				p++;
		} else {
			v = p;
			while (p < end && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
				p++;
			vend = p;
		}
		if ((size_t)(p - k) > n && strncasecmp(k, name, n) == 0 && k[n] == '=') {
			struct buf b = BUF_INIT;
			unsigned long cp;
			size_t used;

			buf_adds(&b, "");
			while (v < vend && b.len < MAX_URL) {
				if (*v == '&' && (used = entity_at(v, vend, &cp)) > 0) {
					put_utf8(&b, cp);
					v += used;
				} else if ((unsigned char)*v <= ' ') {
					v++;
				} else {
					buf_addc(&b, *v++);
				}
			}
			if (b.len == 0) {
				buf_release(&b);
				return NULL;
			}
			return buf_detach(&b, NULL);
		}
	}
	return NULL;
}

struct html_state {
	struct buf *out;	/* foreign */
	char **links;		/* owned; the addresses, numbered from 1 */
	size_t n_links;
	size_t open_link;	/* the number of the <a> open, or 0 */
	unsigned cells;		/* cells so far in the table row */
	bool space, blank;
};

static bool
at_line_start(const struct html_state *h)
{
	return h->out->len == 0 || h->out->data[h->out->len - 1] == '\n';
}

/* The address's number: the one it has if it was linked before. */
static size_t
link_number(struct html_state *h, char *url)
{
	size_t i;

	for (i = 0; i < h->n_links; i++)
		if (strcmp(h->links[i], url) == 0) {
			free(url);
			return i + 1;
		}
	if (h->n_links == MAX_LINKS) {
		free(url);
		return 0;
	}
	h->links = xrealloc(h->links, (h->n_links + 1) * sizeof *h->links);
	h->links[h->n_links++] = url;
	return h->n_links;
}

/* Only addresses a person can open elsewhere; "#top" and scripts are not. */
static bool
linkable(const char *url)
{
	static const char *const schemes[] = { "http:", "https:", "ftp:", "mailto:" };
	size_t i;

	for (i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		if (strncasecmp(url, schemes[i], strlen(schemes[i])) == 0)
			return true;
	return false;
}

static void
html_tag(struct html_state *h, const char *tag, bool closing, const char *attrs,
	 const char *attrs_end)
{
	if (strcmp(tag, "a") == 0) {
		if (!closing) {
			char *url = attr_value(attrs, attrs_end, "href");

			h->open_link = url && linkable(url) ? link_number(h, url) : 0;
			if (h->open_link == 0)
				free(url);
		} else if (h->open_link) {
			buf_addf(h->out, "[%zu]", h->open_link);
			h->open_link = 0;
			h->blank = false;
		}
		return;
	}
	if (strcmp(tag, "td") == 0 || strcmp(tag, "th") == 0) {
		if (!closing && h->cells++ > 0) {
			if (!at_line_start(h))
				buf_adds(h->out, " | ");
			h->space = false;
		}
		return;
	}
	if (strcmp(tag, "tr") == 0 || strcmp(tag, "table") == 0)
		h->cells = 0;
	if (!is_block_tag(tag))
		return;
	if (!at_line_start(h)) {
		buf_addc(h->out, '\n');
		h->blank = false;
	} else if ((strcmp(tag, "p") == 0 || strcmp(tag, "br") == 0) && !h->blank &&
		   h->out->len > 0) {
		buf_addc(h->out, '\n');
		h->blank = true;
	}
	if (!closing && strcmp(tag, "li") == 0)
		buf_adds(h->out, "* ");
	h->space = false;
}

void
ui_html_to_text(struct buf *out, const char *html, size_t len)
{
	const char *p = html, *end = html + len, *close, *attrs;
	struct html_state h = { .out = out };
	char tag[16];
	size_t t, i, used;
	bool closing;
	unsigned long cp;

	buf_adds(out, "");
	while (p < end) {
		if (*p == '<') {
			if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
				close = memmem(p + 4, (size_t)(end - p - 4), "-->", 3);
				p = close ? close + 3 : end;
				continue;
			}
			p++;
			closing = p < end && *p == '/';
			if (closing)
				p++;
			for (t = 0; p < end && t + 1 < sizeof(tag) &&
			     ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9')); p++)
				tag[t++] = (char)(*p | 0x20);
			tag[t] = '\0';
			/* The attributes, minding quoted '>'. */
			attrs = p;
			while (p < end && *p != '>') {
				if (*p == '"' || *p == '\'') {
					char q = *p++;

					while (p < end && *p != q)
						p++;
				}
				if (p < end)
					p++;
			}
			html_tag(&h, tag, closing, attrs, p);
			if (p < end)
				p++;
			if (!closing && (strcmp(tag, "script") == 0 || strcmp(tag, "style") == 0)) {
				char pat[24];

				snprintf(pat, sizeof(pat), "</%s", tag);
				close = NULL;
				for (const char *s = p; s + strlen(pat) <= end; s++)
					if (strncasecmp(s, pat, strlen(pat)) == 0) {
						close = s;
						break;
					}
				p = close ? close : end;
			}
			continue;
		}
		if (*p == '&' && (used = entity_at(p, end, &cp)) > 0) {
			if (h.space)
				buf_addc(out, ' ');
			h.space = h.blank = false;
			put_utf8(out, cp);
			p += used;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			if (!at_line_start(&h) && out->data[out->len - 1] != ' ')
				h.space = true;
			p++;
			continue;
		}
		if (h.space)
			buf_addc(out, ' ');
		h.space = h.blank = false;
		buf_addc(out, *p++);
	}
	if (h.n_links) {
		if (!at_line_start(&h))
			buf_addc(out, '\n');
		buf_addc(out, '\n');
		for (i = 0; i < h.n_links; i++)
			buf_addf(out, "[%zu] %s\n", i + 1, h.links[i]);
	}
	for (i = 0; i < h.n_links; i++)
		free(h.links[i]);
	free(h.links);
}

/* --- the links of a message, for the list (^B) ------------------------- */

/* Where an address in text ends: white space, quotes, angle brackets. */
static size_t
url_span(const char *p)
{
	size_t n = 0;

	while (p[n] && (unsigned char)p[n] > ' ' && p[n] != '"' && p[n] != '<' &&
	       p[n] != '>' && p[n] != '\'' && n < MAX_URL)
		n++;
	/* Punctuation that ends a sentence is not part of the address. */
	while (n > 0 && strchr(".,;:!?)]", p[n - 1]))
		n--;
	return n;
}

size_t
ui_doc_urls(const struct ui_doc *d, char ***out)
{
	static const char *const schemes[] = { "https://", "http://", "ftp://", "mailto:" };
	char **urls = NULL;
	size_t n = 0, i, k, len, j;
	const char *p, *hit, *best;

	for (i = 0; i < d->n_lines; i++) {
		if (d->lines[i].kind != UI_LINE_BODY && d->lines[i].kind != UI_LINE_QUOTE)
			continue;
		for (p = d->lines[i].text; *p && n < MAX_LINKS; p = best + len) {
			best = NULL;
			for (k = 0; k < sizeof schemes / sizeof schemes[0]; k++) {
				hit = strcasestr(p, schemes[k]);
				if (hit && (best == NULL || hit < best))
					best = hit;
			}
			if (best == NULL)
				break;
			len = url_span(best);
			if (len == 0) {
				len = 1;
				continue;
			}
			for (j = 0; j < n; j++)
				if (strlen(urls[j]) == len && memcmp(urls[j], best, len) == 0)
					break;
			if (j < n)
				continue;
			urls = xrealloc(urls, (n + 1) * sizeof *urls);
			urls[n++] = xstrndup(best, len);
		}
	}
	*out = urls;
	return n;
}
