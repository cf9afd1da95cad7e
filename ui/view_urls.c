/*
 * view_urls.c — the links of the message in the pager (^B): every
 * address its text shows (an HTML part's links are listed under it), one
 * a line; Enter hands the one under the cursor to the url_command of the
 * account (else the one before the sections).  cachet itself never opens
 * or fetches an address (EFAIL); only the person's command does, when
 * they ask.
 */
#include "ui/screen_p.h"

#include <stdlib.h>
#include <string.h>

void
urls_close(struct screen *s)
{
	size_t i;

	for (i = 0; i < s->urls.n; i++)
		free(s->urls.list[i]);
	free(s->urls.list);
	memset(&s->urls, 0, sizeof s->urls);
}

void
urls_open(struct screen *s)
{
	urls_close(s);
	s->urls.n = ui_doc_urls(&s->pager.doc, &s->urls.list);
	if (s->urls.n == 0) {
		screen_status(s, false, "this message shows no link");
		return;
	}
	s->view = UI_VIEW_URLS;
	screen_status(s, false, "%zu link%s", s->urls.n, s->urls.n == 1 ? "" : "s");
}

void
urls_draw(struct screen *s)
{
	struct urls_view *u = &s->urls;
	int rows = screen_body_rows(s), y;
	struct buf b = BUF_INIT, hint = BUF_INIT;
	size_t i;

	screen_scroll_to(u->cur, &u->top, rows);
	for (y = 0; y < rows; y++) {
		i = u->top + (size_t)y;
		if (i >= u->n)
			break;
		buf_reset(&b);
		buf_addf(&b, "%4zu  ", i + 1);
		/* An address is the message's text: made safe for the terminal. */
		utf8_sanitize(&b, u->list[i], strlen(u->list[i]));
		screen_put_row(y + 1, b.data, i == u->cur ?
			       s->paint[CONFIG_ELEM_INDEX_SELECTED] : A_NORMAL);
	}
	screen_key_hint(s, &hint, CONFIG_ACTION_OPEN, "open");
	screen_key_hint(s, &hint, CONFIG_ACTION_QUIT, "back");
	screen_key_hint(s, &hint, CONFIG_ACTION_HELP, "help");
	screen_bars(s, "links of the message", hint.data);
	buf_release(&b);
	buf_release(&hint);
}

static const char *
url_command(const struct screen *s)
{
	if (s->opt->account && s->opt->account->url_command)
		return s->opt->account->url_command;
	if (s->opt->config && s->opt->config->url_command)
		return s->opt->config->url_command;
	return NULL;
}

static void
open_url(struct screen *s)
{
	const char *cmd = url_command(s), *url = s->urls.list[s->urls.cur];
	struct err e = { 0 };
	char *script;
	int rc;

	if (cmd == NULL) {
		screen_status(s, true, "no url_command is set (see cachet(5)); "
			      "cachet opens no link itself");
		return;
	}
	/* The address is the command's last argument, never shell text. */
	script = xasprintf("%s \"$1\"", cmd);
	rc = screen_run(s, script, url, -1, &e);
	free(script);
	if (rc < 0)
		screen_status(s, true, "url_command: %s", e.msg);
	else if (rc != 0)
		screen_status(s, true, "url_command failed (status %d)", rc);
	else
		screen_status(s, false, "opened with url_command: %s", url);
}

void
urls_key(struct screen *s, int action)
{
	if (screen_list_move(s, &s->urls.cur, s->urls.n, action))
		return;
	switch (action) {
	case CONFIG_ACTION_OPEN:
		if (s->urls.n)
			open_url(s);
		break;
	case CONFIG_ACTION_QUIT:
		urls_close(s);
		s->view = UI_VIEW_PAGER;
		screen_status(s, false, "%s", "");
		break;
	}
}
