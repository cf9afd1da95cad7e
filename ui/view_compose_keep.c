/*
 * view_compose_keep.c — the message being written survives cachet: every
 * change on the compose screen is kept, encrypted to you, in the data
 * directory, removed once the message is sent, postponed or abandoned,
 * and offered again when cachet starts after it stopped in between.
 */
#include "ui/screen_p.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/send.h"

#define KEPT_NAME "compose.eml"
#define KEPT_MAX ((size_t)64 << 20)

static char *
kept_path(const struct screen *s)
{
	return s->opt->data_dir ? xasprintf("%s/%s", s->opt->data_dir, KEPT_NAME) : NULL;
}

void
compose_keep(struct screen *s)
{
	const struct account *a = s->opt->account;
	struct buf msg = BUF_INIT;
	char *path = kept_path(s), *why_clear;

	if (path == NULL || a == NULL || s->view != UI_VIEW_COMPOSE) {
		free(path);
		return;
	}
	ui_draft_message(&s->compose.draft, a->from, &msg);
	why_clear = compose_seal(s, &msg);
	/* Never readable on disk: without your certificate, nothing is kept. */
	if (why_clear == NULL && mkdir_private(s->opt->data_dir, NULL) == 0)
		file_write_atomic(path, msg.data, msg.len, 0600, NULL);
	free(why_clear);
	explicit_bzero(msg.data ? msg.data : (char *)"", msg.data ? msg.cap : 0);
	buf_release(&msg);
	free(path);
}

void
compose_keep_drop(struct screen *s)
{
	char *path = kept_path(s);

	if (path)
		unlink(path);
	free(path);
}

void
compose_recover(struct screen *s)
{
	const struct account *a = s->opt->account;
	char *path = kept_path(s), *answer = NULL;
	struct buf raw = BUF_INIT, inner = BUF_INIT;
	struct ui_doc doc;
	struct smime_engine *eng;
	struct err e = { 0 };

	if (path == NULL || a == NULL || access(path, F_OK) < 0)
		goto out;
	answer = screen_prompt(s, "A message was being written when cachet stopped: "
			       "resume it (Enter), drop it (d), or decide later (Esc)? ",
			       NULL);
	if (answer == NULL) {
		screen_status(s, false, "the message is kept for the next start");
		goto out;
	}
	if (answer[0] == 'd' || answer[0] == 'D') {
		unlink(path);
		screen_status(s, false, "dropped the message that was being written");
		goto out;
	}
	eng = screen_engine(s);
	if (file_read(path, KEPT_MAX, &raw, &e) < 0 || eng == NULL ||
	    smime_decrypt(eng, raw.data, raw.len, &inner, &e) < 0) {
		screen_status(s, true, "the message that was being written cannot be "
			      "read (%s); it is kept in %s", eng ? e.msg : s->eng_error,
			      path);
		goto out;
	}
	ui_doc_build(&doc, inner.data, inner.len, NULL, NULL, 0);
	ui_draft_release(&s->compose.draft);
	ui_draft_resume(&s->compose.draft, inner.data, inner.len, &doc);
	ui_doc_release(&doc);
	if (s->compose.draft.message_id == NULL)
		s->compose.draft.message_id =
			send_new_message_id(strchr(a->from_addr, '@') + 1);
	s->compose.from = s->view;
	s->compose.req_sign = s->compose.req_encrypt = SEND_DEFAULT;
	s->compose.reply_uid = 0;
	s->compose.reply_encrypted = false;
	s->compose.resumed_uid = 0;
	s->view = UI_VIEW_COMPOSE;
	compose_plan(s);
	if (s->status[0] == '\0')
		screen_status(s, false, "the message you were writing, as it was");
out:
	if (inner.data)
		explicit_bzero(inner.data, inner.cap);
	buf_release(&inner);
	buf_release(&raw);
	free(answer);
	free(path);
}
