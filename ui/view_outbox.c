/*
 * view_outbox.c — what waits in the outbox: one line per entry (its state,
 * when it was stored, the recipients, the subject); Enter says all about
 * the current one, r sends it again (a typed yes first when the server may
 * have it already), d drops it.
 */
#include "ui/screen_p.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/send.h"

static const char *
state_words(enum outbox_state st)
{
	switch (st) {
	case OUTBOX_SUBMIT: return "waiting";
	case OUTBOX_SENDING: return "maybe delivered";
	default: return "sent, not filed";
	}
}

static void
load(struct screen *s)
{
	struct outbox *ob = NULL;
	struct err e = { 0 };

	outbox_entries_free(&s->outbox.ents, s->outbox.n);
	s->outbox.n = 0;
	if (s->opt->data_dir == NULL)
		return;
	if (outbox_open(s->opt->data_dir, &ob, &e) < 0 ||
	    outbox_list(ob, &s->outbox.ents, &s->outbox.n, &e) < 0)
		screen_status(s, true, "the outbox cannot be read: %s", e.msg);
	outbox_close(&ob);
	if (s->outbox.cur >= s->outbox.n)
		s->outbox.cur = s->outbox.n ? s->outbox.n - 1 : 0;
}

void
outbox_view_open(struct screen *s)
{
	if (s->view != UI_VIEW_OUTBOX)
		s->outbox.from = s->view;
	s->outbox.cur = 0;
	load(s);
	s->view = UI_VIEW_OUTBOX;
	if (s->outbox.n == 0)
		screen_status(s, false, "nothing waits in the outbox");
}

void
outbox_view_close(struct screen *s)
{
	outbox_entries_free(&s->outbox.ents, s->outbox.n);
	s->outbox.n = s->outbox.cur = s->outbox.top = 0;
}

static void
add_recipients(struct buf *b, const struct outbox_entry *ent)
{
	size_t i;

	for (i = 0; i < ent->n_rcpts; i++)
		buf_addf(b, "%s%s", i ? ", " : "", ent->rcpts[i]);
}

void
outbox_view_draw(struct screen *s)
{
	int rows = screen_body_rows(s), y;
	struct buf b = BUF_INIT;
	size_t i;

	screen_scroll_to(s->outbox.cur, &s->outbox.top, rows);
	for (y = 0; y < rows; y++) {
		const struct outbox_entry *ent;
		char when[32], *subject;
		struct tm tm;

		i = s->outbox.top + (size_t)y;
		if (i >= s->outbox.n)
			break;
		ent = &s->outbox.ents[i];
		localtime_r(&ent->created, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
		subject = ent->subject ? mime_header_decode(ent->subject) : xstrdup("");
		buf_reset(&b);
		buf_addf(&b, "%-16s %s  ", state_words(ent->state), when);
		add_recipients(&b, ent);
		buf_addf(&b, "  %s", subject);
		/* The entry's words are the server's and the message's: sanitised. */
		{
			struct buf safe = BUF_INIT;

			utf8_sanitize(&safe, b.data, b.len);
			screen_put_row(y + 1, safe.data ? safe.data : "",
				       i == s->outbox.cur ?
				       s->paint[CONFIG_ELEM_INDEX_SELECTED] : A_NORMAL);
			buf_release(&safe);
		}
		free(subject);
	}
	buf_reset(&b);
	screen_key_hint(s, &b, CONFIG_ACTION_OPEN, "show");
	screen_key_hint(s, &b, CONFIG_ACTION_RETRY, "retry");
	screen_key_hint(s, &b, CONFIG_ACTION_DROP, "drop");
	screen_key_hint(s, &b, CONFIG_ACTION_QUIT, "back");
	buf_addf(&b, "(%zu)", s->outbox.n);
	screen_bars(s, "outbox", b.data);
	buf_release(&b);
}

/* All about the current entry, on the status line. */
static void
show(struct screen *s)
{
	const struct outbox_entry *ent = &s->outbox.ents[s->outbox.cur];
	char *subject = ent->subject ? mime_header_decode(ent->subject) : xstrdup("");
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s: %s; \"%s\" to ", ent->id, state_words(ent->state), subject);
	add_recipients(&b, ent);
	buf_addf(&b, "%s; %u attempt%s; %s", ent->copy ? " (a Bcc copy)" : "",
		 ent->attempts, ent->attempts == 1 ? "" : "s",
		 ent->reason ? ent->reason : "");
	if (ent->state == OUTBOX_SENDING)
		buf_adds(&b, "; the server may have it already");
	screen_status(s, ent->state == OUTBOX_SENDING, "%s", b.data);
	buf_release(&b);
	free(subject);
}

static void
retry(struct screen *s)
{
	const struct outbox_entry *ent = &s->outbox.ents[s->outbox.cur];
	struct send_options o = { 0 };
	struct err e = { 0 };
	size_t done = 0, left = 0;
	bool force = false;
	char *id;

	if (s->opt->config == NULL) {
		screen_status(s, true, "sending needs the configuration's accounts");
		return;
	}
	if (ent->state == OUTBOX_SENDING) {
		char *yes = screen_prompt(s, "The server may have this message already: "
					  "type yes to send it again: ", NULL);

		force = yes && strcmp(yes, "yes") == 0;
		free(yes);
		if (!force) {
			screen_status(s, false, "not sent again");
			return;
		}
	}
	o.gnupg_home = s->opt->gnupg_home;
	o.data_dir = s->opt->data_dir;
	id = xstrdup(ent->id);
	screen_working(s, "sending what waits in the outbox");
	if (send_retry(s->opt->config, NULL, &o, id, force, &done, &left, NULL, &e) < 0)
		screen_status(s, true, "still waits: %s", e.msg);
	else
		screen_status(s, false, "%s done", id);
	free(id);
	load(s);
}

static void
drop(struct screen *s)
{
	const struct outbox_entry *ent = &s->outbox.ents[s->outbox.cur];
	struct outbox *ob = NULL;
	struct err e = { 0 };
	char *yn, *id;

	yn = screen_prompt(s, ent->state == OUTBOX_APPEND ?
			   "Drop this entry? Its copy is then not filed in Sent (y/n) " :
			   "Drop this message? It is then never sent (y/n) ", NULL);
	if (yn == NULL || (yn[0] != 'y' && yn[0] != 'Y')) {
		free(yn);
		screen_status(s, false, "kept");
		return;
	}
	free(yn);
	id = xstrdup(ent->id);
	if (outbox_open(s->opt->data_dir, &ob, &e) < 0 || outbox_remove(ob, id, &e) < 0)
		screen_status(s, true, "not dropped: %s", e.msg);
	else
		screen_status(s, false, "dropped %s", id);
	outbox_close(&ob);
	free(id);
	load(s);
}

void
outbox_view_key(struct screen *s, int action)
{
	if (screen_list_move(s, &s->outbox.cur, s->outbox.n, action))
		return;
	if (action == CONFIG_ACTION_QUIT) {
		outbox_view_close(s);
		s->view = s->outbox.from;
		return;
	}
	if (s->outbox.n == 0)
		return;
	switch (action) {
	case CONFIG_ACTION_OPEN: show(s); break;
	case CONFIG_ACTION_RETRY: retry(s); break;
	case CONFIG_ACTION_DROP: drop(s); break;
	}
}
