/* send.c — policy, crypto, submission and the copy in Sent. */
#include "client/send.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "client/imap.h"
#include "client/outbox.h"
#include "client/recipients.h"
#include "client/smtp.h"
#include "crypto/smime.h"

/* --- the header ------------------------------------------------------- */

static bool
field_name_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] < 33 || (unsigned char)p[i] > 126)
			return false;
	return true;
}

static bool
field_is(const char *line, size_t name_len, const char *name)
{
	size_t i;

	if (strlen(name) != name_len)
		return false;
	for (i = 0; i < name_len; i++) {
		char c = line[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != name[i])
			return false;
	}
	return true;
}

/* RFC 5322 date in English whatever the locale: "Fri, 27 Nov 2026 20:14:59 +0000". */
static void
add_date(struct buf *out, time_t now)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	long off;

	localtime_r(&now, &tm);
	off = tm.tm_gmtoff / 60;
	buf_addf(out, "Date: %s, %d %s %04d %02d:%02d:%02d %c%02ld%02ld",
		 days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
		 labs(off) / 60, labs(off) % 60);
}

static void
add_message_id(struct buf *out, const char *domain)
{
	unsigned char rnd[16];
	size_t i;

	if (gnutls_rnd(GNUTLS_RND_NONCE, rnd, sizeof rnd) < 0)
		abort();
	buf_adds(out, "Message-ID: <");
	for (i = 0; i < sizeof rnd; i++)
		buf_addf(out, "%02x", rnd[i]);
	buf_addf(out, ".cachet@%s>", domain);
}

int
send_prepare_headers(const char *msg, size_t len, const char *from_header,
		     const char *domain, time_t now, struct buf *out, struct err *e)
{
	struct buf kept = BUF_INIT;
	const char *eol = "\n";
	bool has_from = false, has_date = false, has_id = false, skipping = false;
	size_t i = 0, body = len;
	unsigned lineno = 0;

	/* Line ending of the first line decides the one of added fields. */
	{
		const char *nl = memchr(msg, '\n', len);

		if (nl && nl > msg && nl[-1] == '\r')
			eol = "\r\n";
	}
	while (i < len) {
		const char *line = msg + i, *nl = memchr(line, '\n', len - i);
		size_t n = nl ? (size_t)(nl - line) + 1 : len - i;
		size_t content = n;
		const char *colon;

		lineno++;
		while (content && (line[content - 1] == '\n' || line[content - 1] == '\r'))
			content--;
		if (content == 0) {
			body = i;	/* the empty line and the body follow as they are */
			break;
		}
		if (line[0] == ' ' || line[0] == '\t') {
			if (lineno == 1)
				goto bad;
			if (!skipping)
				buf_add(&kept, line, n);
			i += n;
			continue;
		}
		colon = memchr(line, ':', content);
		if (colon == NULL || !field_name_ok(line, (size_t)(colon - line)))
			goto bad;
		skipping = field_is(line, (size_t)(colon - line), "bcc");
		if (field_is(line, (size_t)(colon - line), "from"))
			has_from = true;
		else if (field_is(line, (size_t)(colon - line), "date"))
			has_date = true;
		else if (field_is(line, (size_t)(colon - line), "message-id"))
			has_id = true;
		if (!skipping)
			buf_add(&kept, line, n);
		i += n;
	}
	if (i >= len)
		body = len;
	if (!has_from) {
		buf_addf(out, "From: %s%s", from_header, eol);
	}
	if (!has_date) {
		add_date(out, now);
		buf_adds(out, eol);
	}
	if (!has_id) {
		add_message_id(out, domain);
		buf_adds(out, eol);
	}
	if (kept.len)
		buf_add(out, kept.data, kept.len);
	/* A header that ends the file gets no body; the separator stays absent. */
	if (body < len)
		buf_add(out, msg + body, len - body);
	buf_release(&kept);
	return 0;
bad:
	buf_release(&kept);
	return err_set(e, ERR_INPUT, "line %u of the header is not a header field "
		       "(a message starts with fields like 'To: ...', then an empty "
		       "line, then the body)", lineno);
}

/* --- the pipeline ----------------------------------------------------- */

void
send_report_release(struct send_report *rep)
{
	size_t i;

	if (rep == NULL)
		return;
	free(rep->signer);
	for (i = 0; i < rep->n_rcpts; i++)
		free(rep->rcpts[i]);
	free(rep->rcpts);
	free(rep->why_not_encrypted);
	free(rep->queued);
	free(rep->warning);
	memset(rep, 0, sizeof *rep);
}

static int
apply_requests(struct policy *pol, const struct send_options *o, struct err *e)
{
	if (o->sign == SEND_NO && policy_request_sign(pol, POLICY_SIGN_NEVER, e) < 0)
		return err_prefix(e, "--no-sign refused");
	if (o->sign == SEND_YES && policy_request_sign(pol, POLICY_SIGN_ALWAYS, e) < 0)
		return -1;
	if (o->encrypt == SEND_NO &&
	    policy_request_encrypt(pol, POLICY_ENCRYPT_NEVER, e) < 0)
		return err_prefix(e, "--no-encrypt refused");
	if (o->encrypt == SEND_YES &&
	    policy_request_encrypt(pol, POLICY_ENCRYPT_ALWAYS, e) < 0)
		return -1;
	return 0;
}

static void
print_plan(FILE *info, const struct account *a, const char *from,
	   const struct send_report *rep)
{
	size_t i;

	if (info == NULL)
		return;
	fprintf(info, "account:   %s\n", a->name);
	fprintf(info, "from:      %s\n", from);
	fprintf(info, "to:        ");
	for (i = 0; i < rep->n_rcpts; i++)
		fprintf(info, "%s%s", i ? ", " : "", rep->rcpts[i]);
	fprintf(info, "\n");
	fprintf(info, "signed:    %s%s%s\n", rep->signed_ ? "yes, certificate " : "no",
		rep->signed_ ? rep->signer : "", "");
	if (rep->encrypted) {
		fprintf(info, "encrypted: yes, to ");
		for (i = 0; i < rep->n_rcpts; i++)
			fprintf(info, "%s, ", rep->rcpts[i]);
		fprintf(info, "%s (sender)\n", from);
	} else {
		fprintf(info, "encrypted: no%s%s\n", rep->why_not_encrypted ? ": " : "",
			rep->why_not_encrypted ? rep->why_not_encrypted : "");
	}
	fprintf(info, "via:       %s://%s:%u\n", a->smtp.scheme ? a->smtp.scheme : "?",
		a->smtp.host ? a->smtp.host : "?", a->smtp.port);
	fprintf(info, "copy in:   %s\n", a->imap.host ? a->sent : "(no imap server)");
}

/* Submits final; on failure the message goes to the outbox. */
static int
submit(const struct account *a, const char *from, char *const *rcpts, size_t n,
       const char *final, size_t len, struct err *e)
{
	struct smtp_session *s = NULL;
	int rc = -1;

	if (smtp_open_account(a, &s, e) < 0)
		goto out;
	if (smtp_send(s, from, (const char *const *)rcpts, n, final, len, NULL, e) < 0)
		goto out;
	rc = 0;
out:
	smtp_close(&s);
	return rc;
}

static int
file_copy(const struct account *a, const char *final, size_t len, struct err *e)
{
	struct imap_session *s = NULL;
	int rc = -1;

	if (imap_open_account(a, &s, e) < 0)
		goto out;
	if (imap_append(s, a->sent, IMAP_FLAG_SEEN, final, len, e) < 0)
		goto out;
	rc = 0;
out:
	imap_close(&s);
	return rc;
}

static void
entry_fill(struct outbox_entry *ent, const struct account *a, const char *from,
	   char *const *rcpts, size_t n, enum outbox_state state, const char *reason)
{
	size_t i;

	memset(ent, 0, sizeof *ent);
	ent->state = state;
	ent->account = xstrdup(a->name);
	ent->from = xstrdup(from);
	ent->rcpts = xcalloc(n + 1, sizeof *ent->rcpts);
	for (i = 0; i < n; i++)
		ent->rcpts[i] = xstrdup(rcpts[i]);
	ent->n_rcpts = n;
	ent->folder = a->imap.host ? xstrdup(a->sent) : NULL;
	ent->reason = xstrdup(reason);
	ent->attempts = 1;
}

/* Says after the cause where the message is and how to send it again. */
static void
note_queued(struct err *e, const char *path)
{
	struct buf msg = BUF_INIT;

	buf_addf(&msg, "%s\nThe message was not sent; it is kept in the outbox "
		 "(%s): 'cachet send --retry' sends it again.", e->msg, path);
	err_set(e, e->code, "%s", msg.data);
	buf_release(&msg);
}

/* Puts final in the outbox; on success *id is the entry. */
static int
queue(const struct send_options *o, const struct account *a, const char *from,
      char *const *rcpts, size_t n, enum outbox_state state, const char *reason,
      const char *final, size_t len, char **id, char **path, struct err *e)
{
	struct outbox *ob = NULL;
	struct outbox_entry ent;
	int rc = -1;

	entry_fill(&ent, a, from, rcpts, n, state, reason);
	if (outbox_open(o->data_dir, &ob, e) < 0 ||
	    outbox_add(ob, &ent, final, len, e) < 0)
		goto out;
	*id = xstrdup(ent.id);
	*path = outbox_message_path(ob, ent.id);
	rc = 0;
out:
	outbox_entry_release(&ent);
	outbox_close(&ob);
	return rc;
}

int
send_pipeline_run(const struct account *a, const struct policy *p,
		  const char *msg, size_t len, const struct send_options *o,
		  struct send_report *rep, FILE *info, struct err *e)
{
	struct policy pol = *p;
	struct smime_engine *eng = NULL;
	struct recipients *rr = NULL;
	struct buf prepared = BUF_INIT, final = BUF_INIT;
	char **rcpts = NULL, *from = NULL, *signer = NULL;
	const char **all = NULL;
	const char *const *fprs = NULL;
	const char *domain;
	size_t n = 0, i;
	int rc = -1;

	memset(rep, 0, sizeof *rep);
	if (apply_requests(&pol, o, e) < 0)
		return -1;
	if (a->smtp.host == NULL)
		return err_set(e, ERR_CONFIG, "account %s has no smtp server", a->name);

	/* The envelope: every To, Cc and Bcc address; Bcc then leaves the header. */
	if (smime_message_recipients(msg, len, &rcpts, &n, e) < 0)
		goto out;
	if (n == 0) {
		err_set(e, ERR_INPUT, "the message has no recipients (To, Cc or Bcc)");
		goto out;
	}
	domain = strchr(a->from_addr, '@') + 1;
	if (send_prepare_headers(msg, len, a->from, domain, time(NULL), &prepared, e) < 0)
		goto out;
	if (smime_message_from(prepared.data, prepared.len, &from, e) < 0)
		goto out;
	if (str_casecmp_ascii(from, a->from_addr) != 0) {
		err_set(e, ERR_INPUT, "the message is From %s, but account %s sends as %s",
			from, a->name, a->from_addr);
		goto out;
	}
	rep->rcpts = xcalloc(n + 1, sizeof *rep->rcpts);
	for (i = 0; i < n; i++)
		rep->rcpts[i] = xstrdup(rcpts[i]);
	rep->n_rcpts = n;

	if (pol.sign != POLICY_SIGN_NEVER || pol.encrypt != POLICY_ENCRYPT_NEVER) {
		if (smime_engine_new(o->gnupg_home, &eng, e) < 0)
			goto out;
		smime_engine_set_passphrase(eng, o->passphrase);
	}
	/* "ask" without an answer signs: the safe side of the question. */
	if (pol.sign != POLICY_SIGN_NEVER) {
		if (smime_find_signer(eng, a->signing_cert ? a->signing_cert : a->from_addr,
				      &signer, e) < 0) {
			err_prefix(e, "cannot sign, and the policy says sign (nothing was "
				   "sent)");
			goto out;
		}
		rep->signed_ = true;
		rep->signer = xstrdup(signer);
	}
	if (pol.encrypt != POLICY_ENCRYPT_NEVER) {
		struct err le = { 0 };

		all = xcalloc(n + 2, sizeof *all);
		for (i = 0; i < n; i++)
			all[i] = rcpts[i];
		all[n] = from;	/* the sender can read the copy in Sent */
		rr = recipients_new(eng, o->data_dir, o->gnupg_home);
		if (recipients_resolve(rr, all, n + 1, (const char ***)&fprs, &le) < 0) {
			if (le.code != ERR_NOCERT) {
				*e = le;
				goto out;
			}
			if (pol.encrypt == POLICY_ENCRYPT_ALWAYS) {
				*e = le;
				err_prefix(e, "encryption is required (encrypt = always), "
					   "nothing was sent");
				goto out;
			}
			rep->why_not_encrypted = xstrdup(le.msg);
			fprs = NULL;
		} else {
			rep->encrypted = true;
		}
	} else {
		rep->why_not_encrypted = xstrdup(o->encrypt == SEND_NO ?
			"--no-encrypt" : "policy encrypt = never");
	}

	if (rep->encrypted) {
		if (smime_encrypt(eng, prepared.data, prepared.len, fprs, n + 1,
				  rep->signed_ ? signer : NULL, &final, e) < 0)
			goto out;
	} else if (rep->signed_) {
		if (smime_sign(eng, prepared.data, prepared.len, signer, &final, e) < 0)
			goto out;
	} else {
		buf_add(&final, prepared.data, prepared.len);
	}
	/* Done with the engine before the network: no agent waits on a socket. */
	recipients_free(&rr);
	smime_engine_free(&eng);

	if (o->dry_run) {
		print_plan(info, a, from, rep);
		if (info)
			fprintf(info, "dry run: nothing was sent\n");
		rc = 0;
		goto out;
	}

	if (submit(a, from, rcpts, n, final.data, final.len, e) < 0) {
		char *id = NULL, *path = NULL;
		struct err qe = { 0 };

		if (queue(o, a, from, rcpts, n, OUTBOX_SUBMIT, e->msg, final.data,
			  final.len, &id, &path, &qe) < 0) {
			err_prefix(e, "not sent, and the outbox failed too (%s)", qe.msg);
			goto out;
		}
		rep->queued = id;
		note_queued(e, path);
		free(path);
		goto out;
	}
	rep->submitted = true;
	if (info)
		fprintf(info, "cachet: sent to %zu recipient%s%s%s\n", n, n == 1 ? "" : "s",
			rep->signed_ ? ", signed" : "", rep->encrypted ? ", encrypted" : "");

	if (a->imap.host) {
		struct err ae = { 0 };

		if (file_copy(a, final.data, final.len, &ae) < 0) {
			char *id = NULL, *path = NULL;
			struct err qe = { 0 };

			if (queue(o, a, from, rcpts, n, OUTBOX_APPEND, ae.msg, final.data,
				  final.len, &id, &path, &qe) < 0)
				rep->warning = xasprintf("sent, but the copy could not be "
					"filed in %s (%s) nor kept in the outbox (%s)",
					a->sent, ae.msg, qe.msg);
			else
				rep->warning = xasprintf("sent, but the copy could not be "
					"filed in %s (%s); it waits in the outbox (%s) for "
					"'cachet send --retry', which files it without sending "
					"again", a->sent, ae.msg, path);
			rep->queued = id;
			free(path);
		} else {
			rep->filed = true;
		}
	}
	rc = 0;
out:
	recipients_free(&rr);
	smime_engine_free(&eng);
	free(all);
	free(signer);
	free(from);
	smime_strv_free(&rcpts);
	buf_release(&prepared);
	buf_release(&final);
	return rc;
}

/* --- retrying --------------------------------------------------------- */

static int
retry_one(struct outbox *ob, struct outbox_entry *ent, const struct account *a,
	  FILE *info, struct err *e)
{
	struct buf msg = BUF_INIT;
	int rc = -1;

	if (outbox_read_message(ob, ent->id, &msg, e) < 0)
		goto out;
	if (ent->state == OUTBOX_SUBMIT) {
		if (submit(a, ent->from, ent->rcpts, ent->n_rcpts, msg.data, msg.len,
			   e) < 0)
			goto failed;
		/* Sent: from now on this entry is only ever filed, never sent. */
		ent->state = OUTBOX_APPEND;
		free(ent->reason);
		ent->reason = xstrdup("submitted; the copy is not filed yet");
		if (outbox_update(ob, ent, e) < 0) {
			/* Removing beats a second delivery. */
			outbox_remove(ob, ent->id, NULL);
			goto out;
		}
		if (info)
			fprintf(info, "cachet: sent %s to %zu recipient%s\n", ent->id,
				ent->n_rcpts, ent->n_rcpts == 1 ? "" : "s");
	}
	if (ent->folder && a->imap.host) {
		if (file_copy(a, msg.data, msg.len, e) < 0)
			goto failed;
		if (info)
			fprintf(info, "cachet: filed %s in %s\n", ent->id, ent->folder);
	}
	rc = outbox_remove(ob, ent->id, e);
	goto out;
failed:
	ent->attempts++;
	free(ent->reason);
	ent->reason = xstrdup(e->msg);
	outbox_update(ob, ent, NULL);
out:
	buf_release(&msg);
	return rc;
}

int
send_retry(const struct config *cfg, const struct account *a,
	   const struct send_options *o, size_t *done, size_t *left, FILE *info,
	   struct err *e)
{
	struct outbox *ob = NULL;
	struct outbox_entry *ents = NULL;
	struct err first = { 0 };
	size_t n = 0, i;
	int rc = 0;

	*done = *left = 0;
	if (outbox_open(o->data_dir, &ob, e) < 0 || outbox_list(ob, &ents, &n, e) < 0) {
		outbox_close(&ob);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const struct account *acc = config_account(cfg, ents[i].account);
		struct err le = { 0 };

		if (a && acc != a)
			continue;
		if (acc == NULL) {
			err_set(&le, ERR_CONFIG, "outbox entry %s belongs to account %s, "
				"which the configuration no longer has", ents[i].id,
				ents[i].account);
		} else if (retry_one(ob, &ents[i], acc, info, &le) == 0) {
			(*done)++;
			continue;
		}
		(*left)++;
		if (first.code == ERR_NONE)
			first = le;
		if (info)
			fprintf(info, "cachet: %s still waits: %s\n", ents[i].id, le.msg);
		rc = -1;
	}
	if (rc < 0 && e)
		*e = first;
	outbox_entries_free(&ents, n);
	outbox_close(&ob);
	return rc;
}
