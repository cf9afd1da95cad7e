/*
 * complete.c — Tab in the To, Cc and Bcc prompts: the last address typed
 * is completed from the address book, through a menu when several match.
 */
#include "ui/screen_p.h"
#include "client/addrbook.h"

#include <stdlib.h>
#include <string.h>

/* One menu row: "N) value  alias NICK  can encrypt  (source)". */
static void
menu_row(struct buf *b, size_t i, const struct addrbook_entry *c)
{
	buf_reset(b);
	buf_addf(b, "%c%2zu) ", ' ', i + 1);
	utf8_sanitize(b, c->value, strlen(c->value));
	if (c->nick) {
		buf_adds(b, "  alias ");
		utf8_sanitize(b, c->nick, strlen(c->nick));
	}
	buf_addf(b, "  %s  (%s)", c->can_encrypt ? "can encrypt" : "cannot encrypt",
		 addrbook_source_name(c->source));
}

/*
 * The menu over the body: arrows (or j/k, Tab) move, a digit or Enter
 * chooses, Escape or Ctrl-G cancels.  The index chosen, or -1.
 */
static long
menu_choose(struct screen *s, const char *typed, const struct addrbook_entry *v,
	    size_t n)
{
	int rows = screen_body_rows(s) - 1;
	size_t cur = 0, top = 0, i;
	struct buf b = BUF_INIT;
	wint_t ch;
	int r;

	if (rows < 1)
		rows = 1;
	for (;;) {
		screen_scroll_to(cur, &top, rows);
		buf_reset(&b);
		buf_addf(&b, "%zu addresses match \"", n);
		utf8_sanitize(&b, typed, strlen(typed));
		buf_adds(&b, "\": Enter or a number chooses, Esc cancels");
		screen_put_row(1, b.data, s->paint[CONFIG_ELEM_NOTE]);
		for (i = 0; i < (size_t)rows; i++) {
			if (top + i < n) {
				menu_row(&b, top + i, &v[top + i]);
				screen_put_row((int)i + 2, b.data,
					       top + i == cur ? A_REVERSE : A_NORMAL);
			} else {
				screen_put_row((int)i + 2, "", A_NORMAL);
			}
		}
		refresh();
		r = get_wch(&ch);
		if (r == ERR)
			continue;
		if (r == KEY_CODE_YES) {
			if (ch == KEY_DOWN && cur + 1 < n)
				cur++;
			else if (ch == KEY_UP && cur > 0)
				cur--;
			else if (ch == KEY_ENTER)
				break;
			else if (ch == KEY_RESIZE)
				screen_draw(s);
			continue;
		}
		if (ch == 27 || ch == 7) {
			buf_release(&b);
			return -1;
		}
		if (ch == '\n' || ch == '\r')
			break;
		if ((ch == 'j' || ch == '\t') && n > 0)
			cur = (cur + 1) % n;
		else if (ch == 'k' && cur > 0)
			cur--;
		else if (ch >= '1' && ch <= '9' && (size_t)(ch - '0') <= n) {
			cur = (size_t)(ch - '1');
			break;
		}
	}
	buf_release(&b);
	return (long)cur;
}

char *
complete_address(struct screen *s, const char *text)
{
	struct addrbook_query q = {
		.account = s->opt->account,
		.data_dir = s->opt->data_dir,
		.gnupg_home = s->opt->gnupg_home,
	};
	struct addrbook_entry *v = NULL;
	const char *word = strrchr(text, ',');
	struct err e = { 0 };
	char *done = NULL;
	size_t n = 0, keep;
	long which = 0;

	word = word ? word + 1 : text;
	word += strspn(word, " \t");
	keep = (size_t)(word - text);
	screen_working(s, "looking up addresses");
	if (addrbook_find(&q, word, &v, &n, &e) < 0) {
		screen_status(s, true, "no completion: %s", e.msg);
		return NULL;
	}
	if (n == 0) {
		screen_status(s, false, "no address matches \"%s\"", word);
		return NULL;
	}
	if (n > 1) {
		screen_status(s, false, "choose an address");
		screen_draw(s);
		which = menu_choose(s, word, v, n);
	}
	screen_status(s, false, "%s", "");
	if (which >= 0) {
		done = xasprintf("%.*s%s%s", (int)keep, text,
				 keep > 0 && text[keep - 1] == ',' ? " " : "",
				 v[which].value);
		if (!v[which].can_encrypt)
			screen_status(s, false, "no certificate to encrypt to %s",
				      v[which].addr);
	}
	addrbook_entries_free(&v, n);
	return done;
}
