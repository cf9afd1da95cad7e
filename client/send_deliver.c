/*
 * send_deliver.c — delivery through the outbox: every copy is stored
 * before it leaves, made SENDING before the SMTP DATA and APPEND (or
 * removed) after the server's answer, its copy filed in Sent; and the
 * retry of what waits.
 */
#include "client/send.h"
#include "client/send_p.h"

#include <stdlib.h>
#include <string.h>

#include "client/imap.h"
#include "client/smtp.h"
#include "client/tls.h"
#include "crypto/smime.h"

#define REASON_SENDING "the transfer had begun when cachet stopped, so the " \
	"server may have the message"
#define REASON_FILE "submitted; the copy is not filed in Sent yet"

void
send_copies_free(struct send_copy **copies, size_t n)
{
	size_t i;

	if (*copies == NULL)
		return;
	for (i = 0; i < n; i++) {
		buf_release(&(*copies)[i].msg);
		free((*copies)[i].rcpts);
		outbox_entry_release(&(*copies)[i].ent);
	}
	free(*copies);
	*copies = NULL;
}

static void
set_reason(struct outbox_entry *ent, const char *reason)
{
	free(ent->reason);
	ent->reason = xstrdup(reason && *reason ? reason : "(no reason given)");
}

/*
 * Files msg in the account's Sent folder (the configured one, else the
 * one the server marks \Sent), creating it when the server says it does
 * not exist; *notice (owned) then says so.  With message_id (a retry), a
 * copy already there, filed before cachet stopped, is not filed again.
 * In a batch (b not NULL) the session and the folder are the batch's,
 * kept for the next copy (dropped after a failure).
 */
static int
file_copy(const struct account *a, struct send_batch *b, const char *msg,
	  size_t len, const char *message_id, char **notice, struct err *e)
{
	struct imap_session *own = NULL, **sp = b ? &b->imap : &own;
	struct imap_status st;
	struct err se = { 0 };
	char *own_folder = NULL, **fp = b ? &b->sent_folder : &own_folder;
	bool created = false;
	int rc = -1, has;

	if (*sp == NULL) {
		free(*fp);
		*fp = NULL;
		if (imap_open_account(a, sp, e) < 0)
			goto out;
	}
	if (*fp == NULL && imap_account_folder(*sp, a, IMAP_USE_SENT, fp, e) < 0)
		goto out;
	/* A folder that cannot be selected has no copy: APPEND says why. */
	if (message_id && imap_select(*sp, *fp, &st, &se) == 0) {
		has = imap_has_message_id(*sp, message_id, e);
		if (has < 0)
			goto out;
		if (has) {
			rc = 0;
			goto out;
		}
	}
	test_pause_at("during-append");
	if (imap_append_create(*sp, *fp, IMAP_USE_SENT, IMAP_FLAG_SEEN, msg, len,
			       &created, e) < 0)
		goto out;
	test_pause_at("after-append");
	if (created && notice) {
		free(*notice);
		*notice = xasprintf("the server had no folder %s: cachet created it "
				    "and filed the copy there", *fp);
	}
	rc = 0;
out:
	if (rc < 0 && b) {
		imap_close(&b->imap);
		free(b->sent_folder);
		b->sent_folder = NULL;
	}
	free(own_folder);
	imap_close(&own);
	return rc;
}

/* The entry becomes SENDING before DATA: 0, or -1 (not sent) when the
 * outbox cannot say so, for unmarked a transfer cut short could go twice. */
static int
mark_sending(struct outbox *ob, struct outbox_entry *ent, struct err *le)
{
	ent->state = OUTBOX_SENDING;
	set_reason(ent, REASON_SENDING);
	if (outbox_update(ob, ent, le) == 0)
		return 0;
	ent->state = OUTBOX_SUBMIT;
	err_prefix(le, "not sent: the outbox cannot record the transfer");
	return -1;
}

/*
 * One transfer of ent's message over *sp (opened when NULL).  The entry
 * is SENDING before DATA; after it APPEND (removed when there is no copy
 * to file) when the server took it, SUBMIT when it refused or nothing
 * went out, still SENDING when the answer after the final dot was lost
 * (*maybe).  In a batch (b not NULL) the transfer is paced, and what the
 * server refuses for now is tried again on a fresh session: at once when
 * a session that had sent before broke, else after a pause
 * (send_batch_backoff); the entry is SUBMIT while it waits.  Returns 0
 * when the server took the message; *reply (may be NULL) is then its
 * answer.
 */
static int
transfer(struct outbox *ob, struct outbox_entry *ent, const struct account *a,
	 struct send_batch *b, struct smtp_session **sp, const char *msg,
	 size_t len, bool *maybe, char **reply, struct err *e)
{
	struct smtp_result res = { 0 };
	struct err le = { 0 };
	unsigned attempt = 0, waited = 0;
	bool reused, again, reopened = false;
	int rc;

	*maybe = false;
	for (;;) {
		memset(&le, 0, sizeof le);
		if (b && send_batch_pace(b) < 0) {
			err_set(&le, ERR_NETWORK, "interrupted before the transfer");
			set_reason(ent, le.msg);
			outbox_update(ob, ent, NULL);
			goto fail;
		}
		ent->attempts++;
		reused = *sp != NULL;
		if (*sp == NULL && smtp_open_account(a, sp, &le) < 0) {
			smtp_close(sp);
			set_reason(ent, le.msg);
			outbox_update(ob, ent, NULL);
			if (b && le.code == ERR_NETWORK && !tls_interrupted() &&
			    send_batch_backoff(b, attempt++, &waited) == 0)
				continue;
			goto fail;
		}
		if (mark_sending(ob, ent, &le) < 0)
			goto fail;
		rc = smtp_send(*sp, ent->from, (const char *const *)ent->rcpts,
			       ent->n_rcpts, msg, len, &res, &le);
		*maybe = rc < 0 && res.maybe_sent;
		again = rc < 0 && b && !*maybe && res.temporary && !tls_interrupted();
		smtp_result_release(&res);
		if (rc == 0)
			break;
		ent->state = *maybe ? OUTBOX_SENDING : OUTBOX_SUBMIT;
		set_reason(ent, le.msg);
		outbox_update(ob, ent, NULL);
		if (!again)
			goto fail;
		smtp_close(sp);
		/* The server closed a session after some messages: a new one. */
		if (reused && !reopened && le.code != ERR_PROTOCOL) {
			reopened = true;
			b->retries++;
			continue;
		}
		if (send_batch_backoff(b, attempt++, &waited) < 0)
			goto fail;
	}
	if (reply)
		*reply = xasprintf("250 %s", smtp_last_reply(*sp));
	if (ent->folder == NULL) {
		outbox_remove(ob, ent->id, NULL);
		return 0;
	}
	ent->state = OUTBOX_APPEND;
	set_reason(ent, REASON_FILE);
	/* Removing beats a second delivery. */
	if (outbox_update(ob, ent, NULL) < 0)
		outbox_remove(ob, ent->id, NULL);
	return 0;
fail:
	if (e)
		*e = le;
	return -1;
}

static void
entry_fill(struct outbox_entry *ent, const struct account *a, const char *from,
	   const struct send_copy *c, const char *message_id, const char *subject,
	   enum outbox_state state, bool file)
{
	size_t i;

	memset(ent, 0, sizeof *ent);
	ent->state = state;
	ent->message_id = message_id ? xstrdup(message_id) : NULL;
	ent->copy = c->bcc ? xstrdup(c->bcc) : NULL;
	ent->subject = subject ? xstrdup(subject) : NULL;
	ent->account = xstrdup(a->name);
	ent->from = xstrdup(from);
	ent->rcpts = xcalloc(c->n_rcpts + 1, sizeof *ent->rcpts);
	for (i = 0; i < c->n_rcpts; i++)
		ent->rcpts[i] = xstrdup(c->rcpts[i]);
	ent->n_rcpts = c->n_rcpts;
	ent->folder = c->filed && file ? xstrdup(a->sent) : NULL;
	ent->reason = xstrdup(state == OUTBOX_APPEND ? REASON_FILE : "not sent yet");
}

/*
 * Says what was not sent (each copy waits in its entry): -1 with e saying
 * what was and was not sent when any copy waits, 0 otherwise.
 */
static int
report_unsent(struct outbox *ob, struct send_copy *c, size_t nc,
	      struct send_report *rep, struct err *e)
{
	struct buf ids = BUF_INIT, msg = BUF_INIT;
	char *path = NULL;
	const char *maybe_id = NULL;
	size_t i;
	int code = ERR_NONE;

	for (i = 0; i < nc; i++) {
		const struct err *why = &c[i].failure;

		if (c[i].accepted)
			continue;
		if (code == ERR_NONE)
			code = why->code;
		/* When the To/Cc copy failed, a Bcc copy that failed the same
		 * way adds nothing to its reason. */
		if (c[i].filed)
			buf_addf(&msg, "%s", why->msg);
		else if (c[0].accepted || strcmp(why->msg, c[0].failure.msg) != 0)
			buf_addf(&msg, "%sthe copy for %s (Bcc) was not sent: %s",
				 msg.len ? "; " : "", c[i].rcpts[0], why->msg);
		if (c[i].ent.id == NULL)
			continue;
		if (c[i].maybe_sent)
			maybe_id = c[i].ent.id;
		buf_addf(&ids, "%s%s", ids.len ? ", " : "", c[i].ent.id);
		free(path);
		path = outbox_message_path(ob, c[i].ent.id);
	}
	if (code == ERR_NONE)
		return 0;
	if (maybe_id)
		buf_addf(&msg, "\nThe server may have the message already: it is kept "
			 "in the outbox (%s) as possibly delivered, and only 'cachet "
			 "outbox retry --force %s' sends it again.", path, maybe_id);
	else if (path && !c[0].accepted)
		buf_addf(&msg, "\nThe message was not sent; it is kept in the outbox "
			 "(%s): 'cachet outbox retry' sends it again.", path);
	else if (path)
		buf_addf(&msg, "\nThe To and Cc recipients have the message; what was "
			 "not sent is kept in the outbox (%s): 'cachet outbox retry' "
			 "sends only that.", path);
	if (ids.len)
		rep->queued = xstrdup(ids.data);
	err_set(e, code, "%s", msg.data);
	free(path);
	buf_release(&ids);
	buf_release(&msg);
	return -1;
}

/* Files the To/Cc copy once it is submitted; its entry goes after. */
static void
deliver_copy(struct outbox *ob, const struct account *a, struct send_batch *b,
	     struct send_copy *c, struct send_report *rep)
{
	struct err ae = { 0 }, qe = { 0 };
	char *path, *ids;

	if (file_copy(a, b, c->msg.data, c->msg.len, NULL, &rep->notice, &ae) == 0) {
		rep->filed = true;
		if (c->ent.id)
			outbox_remove(ob, c->ent.id, NULL);
		return;
	}
	set_reason(&c->ent, ae.msg);
	if (c->ent.id == NULL || outbox_update(ob, &c->ent, &qe) < 0) {
		rep->warning = xasprintf("sent, but the copy could not be filed in %s "
			"(%s) nor kept in the outbox (%s)", a->sent, ae.msg,
			c->ent.id ? qe.msg : "no entry");
		return;
	}
	path = outbox_message_path(ob, c->ent.id);
	rep->warning = xasprintf("sent, but the copy could not be filed in %s (%s); "
		"it waits in the outbox (%s) for 'cachet outbox retry', which files "
		"it without sending again", a->sent, ae.msg, path);
	ids = rep->queued ? xasprintf("%s, %s", rep->queued, c->ent.id) :
		xstrdup(c->ent.id);
	free(rep->queued);
	rep->queued = ids;
	free(path);
}

int
send_store(const struct account *a, const struct send_plan *plan,
	   const struct send_options *o, struct send_copy *c, size_t nc,
	   FILE *info, struct err *e)
{
	const char *data = plan->prepared.data;
	size_t hdr = mime_header_end(data, plan->prepared.len);
	char *message_id = mime_header_first(data, hdr, "message-id");
	char *subject = mime_header_first(data, hdr, "subject");
	const char **keep = xcalloc(nc + 1, sizeof *keep);
	bool file = a->imap.host && !o->no_sent_copy;
	struct outbox *ob = NULL;
	size_t i, k, n_keep = 0, dropped = 0;
	int rc = -1;

	if (outbox_open(o->data_dir, &ob, e) < 0) {
		err_prefix(e, "nothing was sent: the outbox, where a message waits "
			   "until it is sent, cannot be used");
		goto out;
	}
	/* Stored before anything leaves: from here on nothing is lost. */
	for (i = 0; i < nc; i++) {
		bool only_file = c[i].n_rcpts == 0;	/* only Bcc recipients */

		if (only_file && !(c[i].filed && file)) {
			c[i].accepted = true;
			continue;
		}
		entry_fill(&c[i].ent, a, plan->from, &c[i], message_id, subject,
			   only_file ? OUTBOX_APPEND : OUTBOX_SUBMIT, file);
		if (outbox_put(ob, &c[i].ent, c[i].msg.data, c[i].msg.len, e) < 0) {
			for (k = 0; k < i; k++)
				if (c[k].ent.id)
					outbox_remove(ob, c[k].ent.id, NULL);
			err_prefix(e, "nothing was sent: the outbox failed");
			goto out;
		}
		keep[n_keep++] = c[i].ent.id;
		c[i].accepted = only_file;
	}
	/* This send replaces the copies of the same message still waiting. */
	if (message_id && outbox_supersede(ob, message_id, keep, n_keep, &dropped,
					   NULL) == 0 && dropped && info)
		fprintf_text(info, "cachet: %zu older unsent cop%s of this message left "
			"the outbox\n", dropped, dropped == 1 ? "y" : "ies");
	rc = 0;
out:
	outbox_close(&ob);
	free(keep);
	free(message_id);
	free(subject);
	return rc;
}

int
send_submit(const struct account *a, const struct send_options *o,
	    struct send_copy *c, size_t nc, struct send_report *rep, FILE *info,
	    struct err *e)
{
	struct smtp_session *smtp = NULL, **sp = o->batch ? &o->batch->smtp : &smtp;
	bool file = a->imap.host && !o->no_sent_copy;
	struct outbox *ob = NULL;
	struct err broken = { 0 };
	size_t i, n_sent = 0;
	int rc;

	if (outbox_open(o->data_dir, &ob, e) < 0) {
		err_prefix(e, "not sent: the outbox, where the message waits, cannot "
			   "be used");
		return -1;
	}
	/* A copy the server refuses does not stop the others; a session that
	 * fails leaves the rest unsent with the same reason. */
	for (i = 0; i < nc; i++) {
		if (c[i].accepted)
			continue;
		if (broken.code != ERR_NONE) {
			c[i].failure = broken;
			set_reason(&c[i].ent, broken.msg);
			outbox_update(ob, &c[i].ent, NULL);
			continue;
		}
		if (transfer(ob, &c[i].ent, a, o->batch, sp, c[i].msg.data,
			     c[i].msg.len, &c[i].maybe_sent,
			     c[i].filed && rep->reply == NULL ? &rep->reply : NULL,
			     &c[i].failure) == 0) {
			c[i].accepted = true;
			n_sent += c[i].n_rcpts;
		} else if (c[i].failure.code != ERR_PROTOCOL) {
			broken = c[i].failure;
			smtp_close(sp);
		}
	}
	smtp_close(&smtp);
	rep->submitted = c[0].accepted;
	if (info && n_sent)
		fprintf_text(info, "cachet: sent to %zu recipient%s%s%s%s\n", n_sent,
			n_sent == 1 ? "" : "s", nc > 1 ? " (each Bcc in a copy of "
			"its own)" : "", rep->signed_ ? ", signed" : "",
			rep->encrypted ? ", encrypted" : "");
	rc = report_unsent(ob, c, nc, rep, e);
	if (c[0].accepted && c[0].filed && file)
		deliver_copy(ob, a, o->batch, &c[0], rep);
	outbox_close(&ob);
	return rc;
}

/* --- retrying --------------------------------------------------------- */

static int
retry_one(struct outbox *ob, struct outbox_entry *ent, const struct account *a,
	  bool force, FILE *info, struct err *e)
{
	struct smtp_session *smtp = NULL;
	struct buf msg = BUF_INIT;
	char *notice = NULL;
	bool maybe;
	int rc = -1;

	if (ent->state == OUTBOX_SENDING && !force)
		return err_set(e, ERR_POLICY, "%s may have been delivered already (%s); "
			       "'cachet outbox retry --force %s' sends it again",
			       ent->id, ent->reason ? ent->reason : "", ent->id);
	if (outbox_read_message(ob, ent->id, &msg, e) < 0)
		goto out;
	if (ent->state != OUTBOX_APPEND) {
		rc = transfer(ob, ent, a, NULL, &smtp, msg.data, msg.len, &maybe, NULL, e);
		smtp_close(&smtp);
		if (rc < 0)
			goto out;
		rc = -1;
		if (info)
			fprintf_text(info, "cachet: sent %s to %zu recipient%s\n", ent->id,
				ent->n_rcpts, ent->n_rcpts == 1 ? "" : "s");
	}
	if (ent->folder && a->imap.host) {
		if (file_copy(a, NULL, msg.data, msg.len, ent->message_id, &notice, e) < 0) {
			ent->attempts++;
			set_reason(ent, e ? e->msg : NULL);
			outbox_update(ob, ent, NULL);
			goto out;
		}
		if (info && notice)
			fprintf_text(info, "cachet: %s\n", notice);
		if (info)
			fprintf_text(info, "cachet: filed %s in Sent\n", ent->id);
	}
	rc = outbox_remove(ob, ent->id, e);
out:
	free(notice);
	buf_release(&msg);
	return rc;
}

int
send_retry(const struct config *cfg, const struct account *a,
	   const struct send_options *o, const char *id, bool force,
	   size_t *done, size_t *left, FILE *info, struct err *e)
{
	struct outbox *ob = NULL;
	struct outbox_entry *ents = NULL;
	struct err first = { 0 };
	size_t n = 0, i;
	int rc = 0;

	*done = *left = 0;
	if (outbox_open(o->data_dir, &ob, e) < 0)
		return -1;
	if (id) {
		ents = xcalloc(1, sizeof *ents);
		if (outbox_get(ob, id, ents, e) < 0) {
			free(ents);
			outbox_close(&ob);
			return -1;
		}
		n = 1;
	} else if (outbox_list(ob, &ents, &n, e) < 0) {
		outbox_close(&ob);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const struct account *acc = config_account(cfg, ents[i].account);
		struct err le = { 0 };

		if (a && acc != a && id == NULL)
			continue;
		if (acc == NULL) {
			err_set(&le, ERR_CONFIG, "outbox entry %s belongs to account %s, "
				"which the configuration no longer has", ents[i].id,
				ents[i].account);
		} else if (retry_one(ob, &ents[i], acc, force, info, &le) == 0) {
			(*done)++;
			continue;
		}
		(*left)++;
		if (first.code == ERR_NONE)
			first = le;
		if (info)
			fprintf_text(info, "cachet: %s still waits: %s\n", ents[i].id, le.msg);
		rc = -1;
	}
	if (rc < 0 && e)
		*e = first;
	outbox_entries_free(&ents, n);
	outbox_close(&ob);
	return rc;
}
