/*
 * index.c — one line of the message index, and what it is made of; the
 * match of the index's search (/, T), case folded by Unicode's rules.
 */
#include "ui/ui_p.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

enum ui_crypto_mark
ui_crypto_mark_of(const char *content_type)
{
	char *type, *st;
	enum ui_crypto_mark m = UI_CRYPTO_NONE;

	if (content_type == NULL || *content_type == '\0')
		return UI_CRYPTO_NONE;
	type = ui_content_type(content_type);
	if (strcmp(type, "multipart/signed") == 0) {
		m = UI_CRYPTO_SIGNED;
	} else if (strcmp(type, "application/pkcs7-mime") == 0 ||
		   strcmp(type, "application/x-pkcs7-mime") == 0) {
		st = ui_ctype_param(content_type, "smime-type");
		m = st && str_casecmp_ascii(st, "signed-data") == 0 ?
		    UI_CRYPTO_SIGNED : UI_CRYPTO_ENCRYPTED;
		free(st);
	} else if (strcmp(type, "application/octet-stream") == 0) {
		/* Some mailers send S/MIME as application/octet-stream named *.p7m. */
		char *name = ui_ctype_param(content_type, "name");
		size_t n = name ? strlen(name) : 0;

		if (n >= 4 && str_casecmp_ascii(name + n - 4, ".p7m") == 0) {
			st = ui_ctype_param(content_type, "smime-type");
			m = st && str_casecmp_ascii(st, "signed-data") == 0 ?
			    UI_CRYPTO_SIGNED : UI_CRYPTO_ENCRYPTED;
			free(st);
		}
		free(name);
	}
	free(type);
	return m;
}

void
ui_date_short(struct buf *out, time_t date, time_t now)
{
	struct tm d, n;
	char s[32];

	if (date == 0 || localtime_r(&date, &d) == NULL || localtime_r(&now, &n) == NULL) {
		buf_adds(out, "?");
		return;
	}
	if (d.tm_year == n.tm_year && d.tm_yday == n.tm_yday)
		strftime(s, sizeof(s), "%H:%M", &d);
	else if (d.tm_year == n.tm_year)
		strftime(s, sizeof(s), "%b %d", &d);
	else
		strftime(s, sizeof(s), "%b %Y", &d);
	buf_adds(out, s);
}

void
ui_size_short(struct buf *out, size_t size)
{
	if (size < 1000)
		buf_addf(out, "%zu", size);
	else if (size < 10 * 1024)
		buf_addf(out, "%.1fK", (double)size / 1024);
	else if (size < 1000 * 1024)
		buf_addf(out, "%zuK", (size + 512) / 1024);
	else if (size < (size_t)10 * 1024 * 1024)
		buf_addf(out, "%.1fM", (double)size / (1024 * 1024));
	else
		buf_addf(out, "%zuM", (size + 512 * 1024) / (1024 * 1024));
}

static const char *
mark_text(enum ui_crypto_mark m)
{
	switch (m) {
	case UI_CRYPTO_SIGNED: return "S ";
	case UI_CRYPTO_ENCRYPTED: return "E ";
	case UI_CRYPTO_VALID: return "S+";
	case UI_CRYPTO_PROBLEM: return "S!";
	case UI_CRYPTO_DMARC_FAIL: return "D!";
	case UI_CRYPTO_UNSIGNED_SIGNER: return "U!";
	case UI_CRYPTO_NONE: break;
	}
	return "  ";
}

/* Fixed columns: number 4, flags 2, crypto 2, date 8, size 5, and spaces. */
#define FIXED_COLS (4 + 1 + 2 + 1 + 2 + 1 + 8 + 1 + 1 + 1 + 5)

void
ui_index_line(struct buf *out, size_t number, const struct mail_envelope *env,
	      enum ui_crypto_mark mark, int cols, time_t now)
{
	struct buf tmp = BUF_INIT, line = BUF_INIT;
	int room = cols - FIXED_COLS, from_cols, subj_cols;
	char flags[3];

	flags[0] = env->flags & MAIL_FLAG_DELETED ? 'D' :
		   !(env->flags & MAIL_FLAG_SEEN) ? 'N' : ' ';
	flags[1] = env->flags & MAIL_FLAG_FLAGGED ? '!' :
		   env->flags & MAIL_FLAG_ANSWERED ? 'r' :
		   env->flags & MAIL_FLAG_FORWARDED ? 'f' : ' ';
	flags[2] = '\0';
	from_cols = room >= 40 ? 20 : room > 10 ? room / 2 : room > 0 ? room : 0;
	subj_cols = room - from_cols;
	if (subj_cols < 0)
		subj_cols = 0;

	buf_addf(&line, "%4zu %s %s ", number % 10000, flags, mark_text(mark));
	buf_adds(&tmp, "");
	ui_date_short(&tmp, env->date, now);
	ui_text_fit(&line, tmp.data, 8);
	buf_addc(&line, ' ');
	/* The address crypto reads in From, or a display name that cannot
	 * pass for one (mime_from_display): never a pick from a list. */
	ui_text_fit(&line, env->sender ? env->sender : "", from_cols);
	buf_addc(&line, ' ');
	ui_text_fit(&line, env->subject ? env->subject : "", subj_cols);
	buf_addc(&line, ' ');
	buf_reset(&tmp);
	buf_adds(&tmp, "");
	ui_size_short(&tmp, env->size);
	buf_addf(&line, "%5s", tmp.data);
	/* The whole line again through the fitter: exact width, even when narrow. */
	ui_text_fit(out, line.data, cols);
	buf_release(&tmp);
	buf_release(&line);
}

/*
 * The text as a search compares it: Unicode full case folding (GLib's
 * table of CaseFolding.txt: "GRÜ" and "grü" are one, "STRASSE" and
 * "Straße" too), in NFKC so that a precomposed letter and the same letter
 * with a combining mark are one.  Bytes that are not UTF-8 become U+FFFD.
 */
static char *
search_fold(const char *text)
{
	gchar *valid = g_utf8_make_valid(text, -1);
	gchar *folded = g_utf8_casefold(valid, -1);
	gchar *norm = g_utf8_normalize(folded, -1, G_NORMALIZE_NFKC);
	char *out = xstrdup(norm ? norm : folded);

	g_free(norm);
	g_free(folded);
	g_free(valid);
	return out;
}

static bool
contains_folded(const char *hay, const char *folded_needle)
{
	char *h;
	bool found;

	if (hay == NULL)
		return *folded_needle == '\0';
	h = search_fold(hay);
	found = strstr(h, folded_needle) != NULL;
	free(h);
	return found;
}

bool
ui_text_matches(const char *text, const char *needle)
{
	char *n = search_fold(needle);
	bool found = contains_folded(text, n);

	free(n);
	return found;
}

bool
ui_envelope_matches(const struct mail_envelope *env, const char *needle)
{
	char *n = search_fold(needle);
	bool found = contains_folded(env->subject, n) || contains_folded(env->from, n);

	free(n);
	return found;
}
