/*
 * view_compose.c — writing a message: the draft's headers, what sending
 * will do (the send plan: nothing is signed or encrypted before 'send'),
 * attachments, the text in $VISUAL or $EDITOR; then sending, postponing to Drafts (encrypted to
 * the author when it can be) or abandoning.
 */
#include "ui/screen_p.h"
#include "client/addrbook.h"
#include "client/outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct plan_rows {
	int y, rows;
	attr_t a;
};

static void
put_plan_row(void *arg, const char *piece, size_t len)
{
	struct plan_rows *pr = arg;
	char *row;

	if (pr->y >= pr->rows)
		return;
	row = xstrndup(piece, len);
	screen_put_row(++pr->y, row, pr->a);
	free(row);
}

void
compose_draw(struct screen *s)
{
	struct ui_draft *d = &s->compose.draft;
	const struct account *a = s->opt->account;
	const char *labels[] = { "   From: ", "     To: ", "     Cc: ", "    Bcc: ",
				 "Subject: " };
	const char *values[5];
	struct buf b = BUF_INIT;
	const char *p, *nl;
	int y, rows = screen_body_rows(s);
	size_t i;

	values[0] = a ? a->from : "";
	values[1] = d->to ? d->to : "";
	values[2] = d->cc ? d->cc : "";
	values[3] = d->bcc ? d->bcc : "";
	values[4] = d->subject ? d->subject : "";
	for (y = 0; y < 5 && y < rows; y++) {
		buf_reset(&b);
		buf_adds(&b, labels[y]);
		if (y < 4) {
			/* Addresses stay encoded in the draft, as they are sent;
			 * their names are shown decoded (RFC 2047). */
			char *shown = mime_header_decode(values[y]);

			buf_adds(&b, shown);
			free(shown);
		} else {
			utf8_from_charset(&b, NULL, values[y], strlen(values[y]));
		}
		screen_put_row(y + 1, b.data, s->paint[CONFIG_ELEM_HEADER]);
	}
	if (y < rows) {
		struct plan_rows pr = { .y = y, .rows = rows,
					.a = s->compose.plan_bad ?
					     s->paint[CONFIG_ELEM_BANNER_BAD] :
					     s->paint[CONFIG_ELEM_BANNER_GOOD] };

		/* Wrapped, not cut: its end names who blocks encryption. */
		if (ui_text_wrap(s->compose.plan ? s->compose.plan : "", COLS,
				 put_plan_row, &pr) == 0)
			screen_put_row(++pr.y, "", pr.a);
		y = pr.y;
	}
	for (i = 0; i < d->n_parts && y < rows; i++, y++) {
		const struct ui_draft_part *part = &d->parts[i];
		struct buf size = BUF_INIT;

		buf_reset(&b);
		buf_adds(&size, "");
		ui_size_short(&size, part->len);
		buf_addf(&b, "Attachment %zu: ", i + 1);
		utf8_from_charset(&b, NULL, part->name, strlen(part->name));
		buf_addf(&b, " (%s, %s)", part->type, size.data);
		screen_put_row(y + 1, b.data, s->paint[CONFIG_ELEM_ATTACHMENT]);
		buf_release(&size);
	}
	if (y < rows) {
		{
			struct buf t = BUF_INIT;

			buf_adds(&t, "-- text (");
			ui_keymap_keys(&s->keys, CONFIG_ACTION_EDIT_BODY, &t);
			buf_adds(&t, ": edit) --");
			screen_put_row(y + 1, t.data, s->paint[CONFIG_ELEM_NOTE]);
			buf_release(&t);
		}
		y++;
	}
	for (p = d->body ? d->body : ""; *p && y < rows; y++) {
		nl = strchr(p, '\n');
		buf_reset(&b);
		buf_adds(&b, "");
		utf8_from_charset(&b, NULL, p, nl ? (size_t)(nl - p) : strlen(p));
		screen_put_row(y + 1, b.data, A_NORMAL);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	buf_release(&b);
	buf_reset(&b);
	screen_key_hint(s, &b, CONFIG_ACTION_SEND, "send");
	screen_key_hint(s, &b, CONFIG_ACTION_POSTPONE, "postpone");
	screen_key_hint(s, &b, CONFIG_ACTION_EDIT_BODY, "edit");
	screen_key_hint(s, &b, CONFIG_ACTION_ATTACH, "attach");
	screen_key_hint(s, &b, CONFIG_ACTION_QUIT, "abandon");
	screen_key_hint(s, &b, CONFIG_ACTION_HELP, "help");
	screen_bars(s, "compose", b.data ? b.data : "");
}

/* The largest signature file. */
#define SIGNATURE_MAX (64u * 1024)

/* The largest file the compose screen attaches. */
#define ATTACH_MAX (50u * 1024 * 1024)

/*
 * Runs $VISUAL or $EDITOR (vi) on text, in a private temporary file that
 * is wiped and removed afterwards.  The screen is handed over and back.
 */
static int
run_editor(struct screen *s, struct buf *text, struct err *e)
{
	const char *tmpdir = getenv("TMPDIR");
	char *path = xasprintf("%s/cachet-draft-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	struct buf edited = BUF_INIT;
	int fd = mkstemp(path), status, rc = -1;

	if (fd < 0) {
		err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (write(fd, text->data ? text->data : "", text->len) != (ssize_t)text->len ||
	    close(fd) < 0) {
		err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	status = screen_run(s, "exec ${VISUAL:-${EDITOR:-vi}} \"$1\"", path, -1, e);
	if (status < 0) {
		err_prefix(e, "the editor");
		goto out;
	}
	if (status != 0) {
		err_set(e, ERR_IO, "the editor failed (status %d); the text is unchanged",
			status);
		goto out;
	}
	if (file_read(path, 0, &edited, e) < 0)
		goto out;
	buf_release(text);
	*text = edited;
	rc = 0;
out:
	/* It may hold quoted decrypted text: no copy stays on disk. */
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		struct stat st;

		if (fstat(fd, &st) == 0 && st.st_size > 0) {
			char zero[4096] = { 0 };
			off_t left = st.st_size;

			while (left > 0) {
				ssize_t w = write(fd, zero, left < (off_t)sizeof(zero) ?
						  (size_t)left : sizeof(zero));

				if (w <= 0)
					break;
				left -= w;
			}
		}
		close(fd);
	}
	unlink(path);
	free(path);
	return rc;
}

static void
edit_body(struct screen *s)
{
	struct buf text = BUF_INIT;
	struct err e = { 0 };

	buf_adds(&text, s->compose.draft.body ? s->compose.draft.body : "");
	if (run_editor(s, &text, &e) < 0) {
		screen_status(s, true, "%s", e.msg);
	} else {
		free(s->compose.draft.body);
		s->compose.draft.body = buf_detach(&text, NULL);
	}
	explicit_bzero(text.data ? text.data : (char *)"", text.data ? text.cap : 0);
	buf_release(&text);
}

/* The draft's send plan: what sending will do, with no crypto operation. */
static int
draft_plan(struct screen *s, struct send_options *o, struct send_plan *plan,
	   struct err *e)
{
	const struct account *a = s->opt->account;
	struct buf msg = BUF_INIT;
	int rc;

	ui_draft_message(&s->compose.draft, a->from, &msg);
	memset(o, 0, sizeof *o);
	o->sign = s->compose.req_sign;
	o->encrypt = s->compose.req_encrypt;
	o->gnupg_home = s->opt->gnupg_home;
	o->data_dir = s->opt->data_dir;
	o->passphrase = &s->passphrase;
	rc = send_plan(a, s->opt->policy, msg.data, msg.len, o, plan, e);
	explicit_bzero(msg.data ? msg.data : (char *)"", msg.data ? msg.cap : 0);
	buf_release(&msg);
	return rc;
}

/* The plan's line: signer, encryption and recipients, or why it cannot go. */
void
compose_plan(struct screen *s)
{
	struct ui_draft *d = &s->compose.draft;
	struct send_options o;
	struct send_plan plan;
	struct buf words = BUF_INIT;
	struct err e = { 0 };

	free(s->compose.plan);
	s->compose.plan = NULL;
	if (d->to == NULL || (!*d->to && !*d->cc && !*d->bcc)) {
		s->compose.plan = xstrdup("no recipients yet (t: To)");
		s->compose.plan_bad = true;
		return;
	}
	screen_working(s, "looking up certificates");
	if (draft_plan(s, &o, &plan, &e) < 0) {
		s->compose.plan = xasprintf("cannot send: %s", e.msg);
		s->compose.plan_bad = true;
	} else {
		if (!plan.encrypt && s->compose.req_encrypt == SEND_NO) {
			free(plan.why_not_encrypted);
			plan.why_not_encrypted = xstrdup("turned off for this message (E)");
		}
		ui_send_plan_text(&plan, s->compose.reply_encrypted, &words,
				  &s->compose.plan_bad);
		s->compose.plan = buf_detach(&words, NULL);
	}
	send_plan_release(&plan);
	screen_status(s, false, "%s", "");
	compose_keep(s);
}

/*
 * The account's signature file goes under the text, after "-- ", before
 * the editor opens: it is part of what is signed, and can be edited.
 * NULL, or why there is none (owned).
 */
static char *
add_signature(struct screen *s)
{
	const struct account *a = s->opt->account;
	struct ui_draft *d = &s->compose.draft;
	struct buf body = BUF_INIT, sig = BUF_INIT;
	struct err e = { 0 };
	char *path;

	if (a->signature == NULL)
		return NULL;
	path = addrbook_expand_home(a->signature);
	if (file_read(path, SIGNATURE_MAX, &sig, &e) < 0) {
		free(path);
		return xasprintf("no signature added: %s", e.msg);
	}
	free(path);
	buf_adds(&body, d->body ? d->body : "");
	if (body.len > 0 && body.data[body.len - 1] != '\n')
		buf_addc(&body, '\n');
	buf_adds(&body, "\n-- \n");
	buf_add(&body, sig.data ? sig.data : "", sig.len);
	if (sig.len > 0 && sig.data[sig.len - 1] != '\n')
		buf_addc(&body, '\n');
	free(d->body);
	d->body = buf_detach(&body, NULL);
	buf_release(&sig);
	return NULL;
}

void
compose_start(struct screen *s, enum ui_compose_kind kind)
{
	const struct account *a = s->opt->account;
	char *answer, *why_no_sig;

	if (a == NULL || s->opt->policy == NULL) {
		screen_status(s, true, "writing mail needs an account in the configuration");
		return;
	}
	if (kind != UI_COMPOSE_NEW && s->view == UI_VIEW_INDEX) {
		if (s->index.n == 0)
			return;
		pager_open(s);
		if (s->view != UI_VIEW_PAGER)
			return;
	}
	s->compose.from = s->view;
	s->compose.req_sign = s->compose.req_encrypt = SEND_DEFAULT;
	s->compose.resumed_uid = 0;
	ui_draft_release(&s->compose.draft);
	ui_draft_init(&s->compose.draft, kind,
		      kind == UI_COMPOSE_NEW ? NULL : s->pager.raw.data, s->pager.raw.len,
		      kind == UI_COMPOSE_NEW ? NULL : &s->pager.doc,
		      kind == UI_COMPOSE_NEW ? NULL : s->pager.verdict, a->from_addr);
	s->compose.reply_uid = kind == UI_COMPOSE_REPLY || kind == UI_COMPOSE_REPLY_ALL ?
		       s->index.rows[s->index.cur].env.uid : 0;
	s->compose.reply_encrypted = kind != UI_COMPOSE_NEW && s->pager.encrypted;
	s->compose.draft.message_id = send_new_message_id(strchr(a->from_addr, '@') + 1);
	if (kind == UI_COMPOSE_NEW || kind == UI_COMPOSE_FORWARD ||
	    kind == UI_COMPOSE_FORWARD_ATTACHED) {
		answer = screen_prompt_complete(s, "To: ", s->compose.draft.to,
						complete_address);
		if (answer == NULL) {
			screen_status(s, false, "not sent");
			ui_draft_release(&s->compose.draft);
			return;
		}
		free(s->compose.draft.to);
		s->compose.draft.to = answer;
	}
	if (kind == UI_COMPOSE_NEW) {
		answer = screen_prompt(s, "Subject: ", s->compose.draft.subject);
		if (answer == NULL) {
			screen_status(s, false, "not sent");
			ui_draft_release(&s->compose.draft);
			return;
		}
		free(s->compose.draft.subject);
		s->compose.draft.subject = answer;
	}
	why_no_sig = add_signature(s);
	edit_body(s);
	s->view = UI_VIEW_COMPOSE;
	compose_plan(s);
	if (why_no_sig)
		screen_status(s, true, "%s", why_no_sig);
	free(why_no_sig);
}

static void
compose_end(struct screen *s)
{
	compose_keep_drop(s);
	s->compose.resumed_uid = 0;
	free(s->compose.resumed_folder);
	s->compose.resumed_folder = NULL;
	ui_draft_release(&s->compose.draft);
	free(s->compose.plan);
	s->compose.plan = NULL;
	/* Back where writing began. */
	s->view = s->compose.from;
	if (s->view == UI_VIEW_PAGER && s->pager.doc.lines == NULL)
		s->view = UI_VIEW_INDEX;
	if (s->view == UI_VIEW_INDEX && s->index.folder_id == NULL)
		s->view = UI_VIEW_FOLDERS;
}

/*
 * The account's Drafts in the folder list: the configured one, else the
 * one the server marks \Drafts, else "Drafts"; s->folders.n when none.
 */
static size_t
drafts_folder(const struct screen *s)
{
	const struct account *a = s->opt->account;
	size_t i;

	for (i = 0; a->drafts_default && i < s->folders.n; i++)
		if (s->folders.list[i].drafts)
			return i;
	for (i = 0; i < s->folders.n; i++)
		if (strcmp(s->folders.list[i].name, a->drafts) == 0)
			break;
	return i;
}

/* Whether the index shows the account's Drafts. */
static bool
in_drafts(const struct screen *s)
{
	size_t i = drafts_folder(s);

	return s->opt->account && s->index.folder_id && i < s->folders.n &&
	       strcmp(s->folders.list[i].id, s->index.folder_id) == 0;
}

/*
 * Once a resumed draft is sent or postponed again, the old one leaves
 * Drafts (that UID alone); when it cannot, the status says so.
 */
static void
forget_resumed(struct screen *s)
{
	struct err e = { 0 };
	uint32_t uid = s->compose.resumed_uid;

	if (uid == 0)
		return;
	if (s->index.folder_id == NULL || s->compose.resumed_folder == NULL ||
	    strcmp(s->index.folder_id, s->compose.resumed_folder) != 0) {
		screen_status(s, true, "the old draft stays in Drafts: its folder "
			      "is no longer open");
		return;
	}
	if (mail_source_remove(s->src, uid, &e) < 0) {
		screen_status(s, true, "the old draft stays in Drafts: %s", e.msg);
		return;
	}
	index_rescan(s, true);
}

static void
compose_send(struct screen *s)
{
	struct send_options o;
	struct send_plan plan;
	struct send_report rep = { 0 };
	struct err e = { 0 };
	size_t i;
	int rc;

	screen_working(s, "signing, encrypting and sending");
	rc = draft_plan(s, &o, &plan, &e);
	if (rc == 0)
		rc = send_perform(s->opt->account, &plan, &o, &rep, NULL, &e);
	send_plan_release(&plan);
	if (rc < 0) {
		char *locked = ui_locked_key_text(e.msg);

		if (rep.queued && rep.submitted)	/* a Bcc copy waits */
			screen_status(s, true, "sent, but not to everyone: %s", e.msg);
		else if (rep.queued)
			screen_status(s, true, "not sent, kept in the outbox (y tries "
				      "again, q asks whether to keep it there): %s",
				      locked ? locked : e.msg);
		else
			screen_status(s, true, "not sent: %s", locked ? locked : e.msg);
		free(locked);
		/* Sent to To and Cc: done.  Not sent: the draft stays, and
		 * sending it again replaces its outbox entry (same Message-ID). */
		if (rep.queued && rep.submitted)
			compose_end(s);
		send_report_release(&rep);
		return;
	}
	if (s->compose.reply_uid) {
		struct err fe = { 0 };

		for (i = 0; i < s->index.n; i++)
			if (s->index.rows[i].env.uid == s->compose.reply_uid &&
			    mail_source_set_flags(s->src, s->compose.reply_uid,
						  MAIL_FLAG_ANSWERED, 0, &fe) == 0)
				s->index.rows[i].env.flags |= MAIL_FLAG_ANSWERED;
	}
	screen_status(s, false, "%s", "");
	forget_resumed(s);
	if (!s->status_bad)
		screen_status(s, rep.warning != NULL, "sent%s%s%s%s%s%s",
		      rep.signed_ ? ", signed" : "",
		      rep.encrypted ? ", encrypted" : ", not encrypted",
		      rep.notice ? "; " : "", rep.notice ? rep.notice : "",
		      rep.warning ? "; " : "", rep.warning ? rep.warning : "");
	send_report_release(&rep);
	compose_end(s);
}

/*
 * A draft kept on a server is encrypted to its author's own certificate
 * when there is one: msg is replaced by the enveloped message.  Returns
 * NULL then, else why it stays in the clear (owned).
 */
char *
compose_seal(struct screen *s, struct buf *msg)
{
	const struct account *a = s->opt->account;
	struct smime_engine *eng = screen_engine(s);
	struct buf sealed = BUF_INIT;
	struct err e = { 0 };
	const char *fprs[1];
	char *fpr = NULL;

	if (eng == NULL)
		return xasprintf("the S/MIME engine did not start (%s)", s->eng_error);
	if (smime_find_recipient(eng, a->from_addr, &fpr, &e) < 0)
		return xasprintf("no certificate of yours to encrypt to (%s)", e.msg);
	fprs[0] = fpr;
	/* Caps NULL: the person may open Drafts with another client, which
	 * announced nothing to cachet, so the draft gets what every client
	 * reads. */
	if (smime_encrypt(eng, msg->data, msg->len, fprs, NULL, 1, NULL, &sealed, NULL,
			  &e) < 0) {
		free(fpr);
		buf_release(&sealed);
		return xasprintf("encryption failed (%s)", e.msg);
	}
	free(fpr);
	explicit_bzero(msg->data ? msg->data : (char *)"", msg->data ? msg->cap : 0);
	buf_release(msg);
	*msg = sealed;
	return NULL;
}

static void
compose_postpone(struct screen *s)
{
	const struct account *a = s->opt->account;
	struct buf msg = BUF_INIT;
	struct err e = { 0 };
	char *why_clear, *made = NULL;
	size_t i;

	i = drafts_folder(s);
	/* A server without Drafts: the IMAP source creates it ([TRYCREATE]). */
	if (i == s->folders.n && strcmp(s->src->ops->kind, "imap") != 0) {
		screen_status(s, true, "no folder \"%s\" to keep drafts in", a->drafts);
		return;
	}
	ui_draft_message(&s->compose.draft, a->from, &msg);
	screen_working(s, "postponing");
	why_clear = compose_seal(s, &msg);
	if (mail_source_append(s->src, i < s->folders.n ? s->folders.list[i].id :
			       a->drafts, msg.data, msg.len,
			       MAIL_FLAG_DRAFT | MAIL_FLAG_SEEN, &e) < 0) {
		screen_status(s, true, "not postponed: %s", e.msg);
	} else {
		char *name;
		bool shown = in_drafts(s);

		if (i == s->folders.n) {
			made = xasprintf("the server had no folder %s: cachet created "
					 "it; ", a->drafts);
			folders_reload(s);
		}
		name = xstrdup(a->drafts);
		if (i < s->folders.n) {
			free(name);
			name = xstrdup(s->folders.list[i].name);
		}

		screen_status(s, false, "%s", "");
		forget_resumed(s);
		/* Drafts open: the index shows the new draft (and not the old). */
		if (shown && s->compose.resumed_uid == 0)
			index_rescan(s, true);
		if (s->status_bad)
			;	/* the old draft could not be removed: said */
		else if (why_clear)
			screen_status(s, true, "%spostponed to %s in the clear: %s",
				      made ? made : "", name, why_clear);
		else
			screen_status(s, false, "%spostponed to %s, encrypted to you",
				      made ? made : "", name);
		free(name);
		compose_end(s);
	}
	free(made);
	free(why_clear);
	explicit_bzero(msg.data ? msg.data : (char *)"", msg.data ? msg.cap : 0);
	buf_release(&msg);
}

/* An address field (addresses true: Tab completes) or the Subject. */
static void
edit_field(struct screen *s, const char *label, char **field, bool addresses)
{
	char *answer = screen_prompt_complete(s, label, *field,
					      addresses ? complete_address : NULL);

	if (answer == NULL) {
		screen_status(s, false, "%s", "");
		return;
	}
	free(*field);
	*field = answer;
	compose_plan(s);
}

/*
 * S and E turn signing and encryption off for this message, or back to
 * the policy; a locked policy refuses, and the screen says so.
 */
static void
toggle_request(struct screen *s, bool sign)
{
	struct send_options o = { 0 };
	struct policy p;
	struct err e = { 0 };
	enum send_request *r = sign ? &s->compose.req_sign : &s->compose.req_encrypt;

	if (*r == SEND_NO) {
		*r = SEND_DEFAULT;
	} else {
		*(sign ? &o.sign : &o.encrypt) = SEND_NO;
		if (send_requests_apply(s->opt->policy, &o, &p, &e) < 0) {
			screen_status(s, true, "%s", e.msg);
			return;
		}
		*r = SEND_NO;
	}
	compose_plan(s);
}

/* Asks for a file and attaches it, its type guessed from name and bytes. */
static void
compose_attach(struct screen *s)
{
	struct ui_draft *d = &s->compose.draft;
	struct buf data = BUF_INIT;
	struct err e = { 0 };
	const char *home = getenv("HOME"), *type;
	char *answer, *path;

	answer = screen_prompt(s, "Attach file: ", NULL);
	if (answer == NULL || *answer == '\0') {
		free(answer);
		screen_status(s, false, "nothing attached");
		return;
	}
	if (answer[0] == '~' && answer[1] == '/' && home && *home) {
		path = xasprintf("%s%s", home, answer + 1);
		free(answer);
	} else {
		path = answer;
	}
	if (file_read(path, ATTACH_MAX, &data, &e) < 0) {
		screen_status(s, true, "not attached: %s", e.msg);
	} else {
		type = ui_media_type_guess(path, data.data ? data.data : "", data.len);
		ui_draft_attach(d, path, type, data.data ? data.data : "", data.len);
		/* The plan first: it sets the status line of its own. */
		compose_plan(s);
		if (!s->status_bad)
			screen_status(s, false, "attached %s (%s, %zu bytes)",
				      d->parts[d->n_parts - 1].name, type, data.len);
	}
	buf_release(&data);
	free(path);
}

static void
compose_detach(struct screen *s)
{
	size_t which;
	char *name;

	if (s->compose.draft.n_parts == 0) {
		screen_status(s, false, "there is no attachment to remove");
		return;
	}
	if (!screen_ask_attachment(s, "Remove", s->compose.draft.n_parts, &which))
		return;
	name = xstrdup(s->compose.draft.parts[which].name);
	ui_draft_detach(&s->compose.draft, which);
	compose_plan(s);
	if (!s->status_bad)
		screen_status(s, false, "removed %s", name);
	free(name);
}

/* Whether the draft's message waits in the outbox, not sent yet. */
static bool
compose_queued(struct screen *s)
{
	struct outbox *ob = NULL;
	struct outbox_entry *ents = NULL;
	const char *mid = s->compose.draft.message_id;
	size_t n = 0, i;
	bool queued = false;

	if (mid == NULL || s->opt->data_dir == NULL || outbox_count(s->opt->data_dir) == 0)
		return false;
	if (outbox_open(s->opt->data_dir, &ob, NULL) == 0 &&
	    outbox_list(ob, &ents, &n, NULL) == 0)
		for (i = 0; i < n && !queued; i++)
			queued = ents[i].state != OUTBOX_APPEND && ents[i].message_id &&
				 strcmp(ents[i].message_id, mid) == 0;
	outbox_entries_free(&ents, n);
	outbox_close(&ob);
	return queued;
}

/*
 * Leaving a draft whose message waits in the outbox: keep it queued (the
 * default: a retry sends it), drop it (it is then never sent), or stay.
 */
static void
compose_leave_queued(struct screen *s)
{
	struct outbox *ob = NULL;
	struct err e = { 0 };
	size_t dropped = 0;
	char *answer = screen_prompt(s, "This message waits in the outbox: keep it "
				     "there to be sent later (Enter, the default), drop "
				     "it (d), or go on writing (n)? ", NULL);

	if (answer == NULL || answer[0] == 'n' || answer[0] == 'N') {
		free(answer);
		screen_status(s, false, "%s", "");
		return;
	}
	if (answer[0] == 'd' || answer[0] == 'D') {
		if (outbox_open(s->opt->data_dir, &ob, &e) < 0 ||
		    outbox_supersede(ob, s->compose.draft.message_id, NULL, 0,
				     &dropped, &e) < 0) {
			screen_status(s, true, "not dropped: %s", e.msg);
			outbox_close(&ob);
			free(answer);
			return;
		}
		outbox_close(&ob);
		compose_end(s);
		screen_status(s, false, "dropped from the outbox: not sent");
	} else {
		compose_end(s);
		screen_status(s, false, "kept in the outbox: it is sent when you retry "
			      "(outbox view, or cachet outbox retry)");
	}
	free(answer);
}

void
compose_key(struct screen *s, int action)
{
	switch (action) {
	case CONFIG_ACTION_EDIT_TO: edit_field(s, "To: ", &s->compose.draft.to, true); break;
	case CONFIG_ACTION_EDIT_CC: edit_field(s, "Cc: ", &s->compose.draft.cc, true); break;
	case CONFIG_ACTION_EDIT_BCC: edit_field(s, "Bcc: ", &s->compose.draft.bcc, true); break;
	case CONFIG_ACTION_EDIT_SUBJECT:
		edit_field(s, "Subject: ", &s->compose.draft.subject, false);
		break;
	case CONFIG_ACTION_EDIT_BODY:
		edit_body(s);
		compose_plan(s);
		break;
	case CONFIG_ACTION_TOGGLE_SIGN:
		toggle_request(s, true);
		break;
	case CONFIG_ACTION_TOGGLE_ENCRYPT:
		toggle_request(s, false);
		break;
	case CONFIG_ACTION_SEND:
		compose_send(s);
		break;
	case CONFIG_ACTION_POSTPONE:
		compose_postpone(s);
		break;
	case CONFIG_ACTION_ATTACH:
		compose_attach(s);
		break;
	case CONFIG_ACTION_DETACH:
		compose_detach(s);
		break;
	case CONFIG_ACTION_QUIT:
		if (compose_queued(s)) {
			compose_leave_queued(s);
			break;
		}
		if (screen_yes_no(s, "Abandon this message (y/n)? ")) {
			compose_end(s);
			screen_status(s, false, "not sent");
		}
		break;
	}
}

/*
 * The current message of Drafts on the compose screen again: decrypted
 * first when it was postponed encrypted to you, with its headers, text and
 * attachments; the old draft leaves Drafts once this one is sent or
 * postponed.
 */
static void
compose_resume(struct screen *s)
{
	const struct account *a = s->opt->account;
	struct buf inner = BUF_INIT;
	struct err e = { 0 };
	const char *msg;
	size_t len;
	uint32_t uid;
	enum ui_view from = s->view;

	if (s->view == UI_VIEW_INDEX) {
		if (s->index.n == 0)
			return;
		pager_open(s);
		if (s->view != UI_VIEW_PAGER)
			return;
	}
	uid = s->index.rows[s->index.cur].env.uid;
	msg = s->pager.raw.data;
	len = s->pager.raw.len;
	if (s->pager.encrypted) {
		struct smime_engine *eng = screen_engine(s);

		screen_working(s, "decrypting the draft");
		if (eng == NULL || smime_decrypt(eng, msg, len, &inner, &e) < 0) {
			screen_status(s, true, "the draft cannot be resumed: it cannot be "
				      "decrypted (%s)", eng ? e.msg : s->eng_error);
			buf_release(&inner);
			return;
		}
		msg = inner.data;
		len = inner.len;
	}
	ui_draft_release(&s->compose.draft);
	ui_draft_resume(&s->compose.draft, msg, len, &s->pager.doc);
	if (inner.data)
		explicit_bzero(inner.data, inner.cap);
	buf_release(&inner);
	if (s->compose.draft.message_id == NULL)
		s->compose.draft.message_id =
			send_new_message_id(strchr(a->from_addr, '@') + 1);
	s->compose.from = from;
	s->compose.req_sign = s->compose.req_encrypt = SEND_DEFAULT;
	s->compose.reply_uid = 0;
	s->compose.reply_encrypted = false;
	s->compose.resumed_uid = uid;
	free(s->compose.resumed_folder);
	s->compose.resumed_folder = xstrdup(s->index.folder_id);
	s->view = UI_VIEW_COMPOSE;
	compose_plan(s);
	if (s->status[0] == '\0')
		screen_status(s, false, "resumed the draft: once sent or postponed, "
			      "the old one leaves Drafts");
}

/* R outside Drafts: opens Drafts to pick the draft from. */
static void
recall_postponed(struct screen *s)
{
	size_t i = drafts_folder(s);

	if (s->opt->account == NULL || i == s->folders.n) {
		screen_status(s, true, "no Drafts folder to resume a draft from");
		return;
	}
	if (index_open_folder(s, i) < 0)
		return;
	s->view = UI_VIEW_INDEX;
	screen_status(s, false, "the postponed messages: e or R on one resumes it");
}

/* The keys that write a message, from the index and the pager. */
bool
compose_start_by_key(struct screen *s, int action)
{
	static const struct {
		int action;
		enum ui_compose_kind kind;
	} keys[] = {
		{ CONFIG_ACTION_COMPOSE, UI_COMPOSE_NEW },
		{ CONFIG_ACTION_REPLY, UI_COMPOSE_REPLY },
		{ CONFIG_ACTION_REPLY_ALL, UI_COMPOSE_REPLY_ALL },
		{ CONFIG_ACTION_FORWARD, UI_COMPOSE_FORWARD },
		{ CONFIG_ACTION_FORWARD_ATTACHED, UI_COMPOSE_FORWARD_ATTACHED },
	};
	size_t i;

	/* In Drafts, writing starts from the draft shown. */
	if (action == CONFIG_ACTION_RESUME ||
	    (action == CONFIG_ACTION_COMPOSE && s->view != UI_VIEW_FOLDERS)) {
		if (in_drafts(s) && s->index.n) {
			compose_resume(s);
			return true;
		}
		if (action == CONFIG_ACTION_RESUME) {
			recall_postponed(s);
			return true;
		}
	}
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (keys[i].action == action) {
			compose_start(s, keys[i].kind);
			return true;
		}
	}
	return false;
}
