/* send.c — the plan (policy, signer, certificates), then its perform: crypto,
 * submission and the copy in Sent. */
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
	struct mime_entity m;
	struct mime_field f;
	bool has_from = false, has_date = false, has_id = false;
	size_t pos = 0;

	/* The reader every verdict uses: what is sent is what is checked. */
	if (mime_entity_parse(msg, len, true, &m, e) < 0)
		return err_prefix(e, "the message is not an RFC 5322 message (fields "
				  "like 'To: ...', an empty line, then the body)");
	while (mime_field_next(&m.hdr, &pos, &f)) {
		if (mime_field_is(&f, "bcc"))
			continue;
		has_from |= mime_field_is(&f, "from");
		has_date |= mime_field_is(&f, "date");
		has_id |= mime_field_is(&f, "message-id");
		buf_add(&kept, f.raw.p, f.raw.n);
	}
	/* Added fields end their lines as the message's first line does. */
	if (!has_from)
		buf_addf(out, "From: %s%s", from_header, m.eol);
	if (!has_date) {
		add_date(out, now);
		buf_adds(out, m.eol);
	}
	if (!has_id) {
		add_message_id(out, domain);
		buf_adds(out, m.eol);
	}
	if (kept.len)
		buf_add(out, kept.data, kept.len);
	/* The empty line and the body as they are; a header that ends the
	 * file gets no body and no separator. */
	if (m.hdr.n < len)
		buf_add(out, msg + m.hdr.n, len - m.hdr.n);
	buf_release(&kept);
	return 0;
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

int
send_requests_apply(const struct policy *p, const struct send_options *o,
		    struct policy *out, struct err *e)
{
	*out = *p;
	if (o->sign == SEND_NO && policy_request_sign(out, POLICY_SIGN_NEVER, e) < 0)
		return err_prefix(e, "--no-sign refused");
	if (o->sign == SEND_YES && policy_request_sign(out, POLICY_SIGN_ALWAYS, e) < 0)
		return -1;
	if (o->encrypt == SEND_NO &&
	    policy_request_encrypt(out, POLICY_ENCRYPT_NEVER, e) < 0)
		return err_prefix(e, "--no-encrypt refused");
	if (o->encrypt == SEND_YES &&
	    policy_request_encrypt(out, POLICY_ENCRYPT_ALWAYS, e) < 0)
		return -1;
	return 0;
}

/* --- the plan --------------------------------------------------------- */

void
send_plan_release(struct send_plan *plan)
{
	size_t i;

	if (plan == NULL)
		return;
	free(plan->from);
	buf_release(&plan->prepared);
	for (i = 0; i < plan->n_rcpts; i++) {
		free(plan->rcpts[i].addr);
		free(plan->rcpts[i].cert);
		free(plan->rcpts[i].why_no_cert);
	}
	free(plan->rcpts);
	free(plan->signer);
	free(plan->why_unsigned);
	free(plan->sender_cert);
	free(plan->why_not_encrypted);
	free(plan->refusal);
	memset(plan, 0, sizeof *plan);
}

/* Records a refusal: e keeps the first, plan->refusal says them all. */
static void
refuse(struct send_plan *plan, struct err *first, const struct err *why)
{
	char *all;

	if (first->code == ERR_NONE)
		*first = *why;
	all = plan->refusal ? xasprintf("%s; %s", plan->refusal, why->msg) :
			      xstrdup(why->msg);
	free(plan->refusal);
	plan->refusal = all;
}

/*
 * The envelope: To and Cc in their order, then each address that only Bcc
 * names (prepared is the message without its Bcc fields).
 */
static int
plan_recipients(struct send_plan *plan, char *const *all, size_t n_all,
		struct err *e)
{
	char **shown = NULL;
	size_t n_shown = 0, i, j, k = 0;
	int pass;

	if (smime_message_recipients(plan->prepared.data, plan->prepared.len, &shown,
				     &n_shown, e) < 0)
		return -1;
	plan->rcpts = xcalloc(n_all + 1, sizeof *plan->rcpts);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n_all; i++) {
			bool in_header = false;

			for (j = 0; j < n_shown && !in_header; j++)
				in_header = str_casecmp_ascii(all[i], shown[j]) == 0;
			if (in_header != (pass == 0))
				continue;
			plan->rcpts[k].addr = xstrdup(all[i]);
			plan->rcpts[k].bcc = pass == 1;
			k++;
		}
	}
	plan->n_rcpts = k;
	smime_strv_free(&shown);
	return 0;
}

/*
 * Looks up a certificate for every recipient and the sender (the copy in
 * Sent is encrypted to them too).  *missing names those without one and
 * why; *conflict is set when a conflict waits for the person.
 */
static int
plan_certificates(struct send_plan *plan, struct recipients *rr,
		  struct buf *missing, bool *conflict, struct err *e)
{
	const char *fpr, *why;
	bool c;
	size_t i;

	*conflict = false;
	for (i = 0; i <= plan->n_rcpts; i++) {
		const char *addr = i < plan->n_rcpts ? plan->rcpts[i].addr : plan->from;

		if (recipients_check(rr, addr, &fpr, &why, &c, e) < 0)
			return -1;
		if (fpr == NULL) {
			buf_addf(missing, "%s%s (%s)", missing->len ? ", " : "", addr, why);
			*conflict |= c;
		}
		if (i == plan->n_rcpts) {
			plan->sender_cert = fpr ? xstrdup(fpr) : NULL;
		} else if (fpr) {
			plan->rcpts[i].cert = xstrdup(fpr);
		} else {
			plan->rcpts[i].why_no_cert = xstrdup(why);
		}
	}
	return 0;
}

int
send_plan(const struct account *a, const struct policy *p, const char *msg,
	  size_t len, const struct send_options *o, struct send_plan *plan,
	  struct err *e)
{
	struct smime_engine *eng = NULL;
	struct recipients *rr = NULL;
	struct buf missing = BUF_INIT;
	struct err first = { 0 };
	char **all = NULL;
	const char *domain;
	size_t n = 0;
	int rc = -1;

	memset(plan, 0, sizeof *plan);
	if (send_requests_apply(p, o, &plan->policy, e) < 0)
		return -1;
	if (a->smtp.host == NULL)
		return err_set(e, ERR_CONFIG, "account %s has no smtp server", a->name);

	/* The envelope: every To, Cc and Bcc address; Bcc then leaves the header. */
	if (smime_message_recipients(msg, len, &all, &n, e) < 0)
		goto out;
	if (n == 0) {
		err_set(e, ERR_INPUT, "the message has no recipients (To, Cc or Bcc)");
		goto out;
	}
	domain = strchr(a->from_addr, '@') + 1;
	if (send_prepare_headers(msg, len, a->from, domain, time(NULL),
				 &plan->prepared, e) < 0)
		goto out;
	if (smime_message_from(plan->prepared.data, plan->prepared.len, &plan->from,
			       e) < 0)
		goto out;
	if (str_casecmp_ascii(plan->from, a->from_addr) != 0) {
		err_set(e, ERR_INPUT, "the message is From %s, but account %s sends as %s",
			plan->from, a->name, a->from_addr);
		goto out;
	}
	if (plan_recipients(plan, all, n, e) < 0)
		goto out;

	/* Look-ups in gpgsm's keybox only: the engine signs nothing here. */
	if (plan->policy.sign != POLICY_SIGN_NEVER ||
	    plan->policy.encrypt != POLICY_ENCRYPT_NEVER) {
		if (smime_engine_new(o->gnupg_home, &eng, e) < 0)
			goto out;
	}
	if (plan->policy.sign == POLICY_SIGN_NEVER) {
		plan->why_unsigned = xstrdup(o->sign == SEND_NO ? "--no-sign" :
					     "policy sign = never");
	} else {
		struct err le = { 0 };

		if (smime_find_signer(eng, a->signing_cert ? a->signing_cert :
				      a->from_addr, &plan->signer, &le) < 0) {
			plan->why_unsigned = xstrdup(le.msg);
			err_prefix(&le, "cannot sign, and the policy says sign (nothing "
				   "was sent)");
			refuse(plan, &first, &le);
		} else {
			plan->sign = true;
		}
	}
	if (plan->policy.encrypt == POLICY_ENCRYPT_NEVER) {
		plan->why_not_encrypted = xstrdup(o->encrypt == SEND_NO ? "--no-encrypt" :
						  "policy encrypt = never");
	} else {
		struct err le = { 0 };
		bool conflict;

		rr = recipients_new(eng, o->data_dir, o->gnupg_home);
		if (plan_certificates(plan, rr, &missing, &conflict, e) < 0)
			goto out;
		if (missing.len == 0) {
			plan->encrypt = true;
		} else {
			/*
			 * A conflict may be someone slipping in their own
			 * certificate: a question for the person, not a reason
			 * to send in the clear.
			 */
			err_set(&le, conflict ? ERR_POLICY : ERR_NOCERT,
				"no usable certificate for %s", missing.data);
			plan->why_not_encrypted = xstrdup(le.msg);
			if (conflict) {
				refuse(plan, &first, &le);
			} else if (plan->policy.encrypt == POLICY_ENCRYPT_ALWAYS) {
				err_prefix(&le, "encryption is required (encrypt = "
					   "always), nothing was sent");
				refuse(plan, &first, &le);
			}
		}
	}
	if (first.code != ERR_NONE) {
		if (e)
			*e = first;
		goto out;
	}
	rc = 0;
out:
	recipients_free(&rr);
	smime_engine_free(&eng);
	smime_strv_free(&all);
	buf_release(&missing);
	return rc;
}

void
send_plan_print(const struct account *a, const struct send_plan *plan, FILE *out)
{
	size_t i, k;

	fprintf_text(out, "account:   %s\n", a->name);
	fprintf_text(out, "from:      %s\n", plan->from ? plan->from : "?");
	fprintf_text(out, "to:        ");
	for (i = k = 0; i < plan->n_rcpts; i++)
		if (!plan->rcpts[i].bcc)
			fprintf_text(out, "%s%s", k++ ? ", " : "", plan->rcpts[i].addr);
	fprintf_text(out, "\n");
	for (i = k = 0; i < plan->n_rcpts; i++)
		if (plan->rcpts[i].bcc)
			fprintf_text(out, "%s%s", k++ ? ", " : "bcc:       ", plan->rcpts[i].addr);
	if (k)
		fprintf_text(out, "\n");
	if (plan->sign)
		fprintf_text(out, "signed:    yes, certificate %s\n", plan->signer);
	else
		fprintf_text(out, "signed:    no: %s\n", plan->why_unsigned ? plan->why_unsigned : "");
	if (plan->encrypt) {
		fprintf_text(out, "encrypted: yes, to ");
		for (i = 0; i < plan->n_rcpts; i++)
			if (!plan->rcpts[i].bcc)
				fprintf_text(out, "%s, ", plan->rcpts[i].addr);
		fprintf_text(out, "%s (sender)", plan->from);
		/* The To/Cc copy names no Bcc recipient: each has a copy. */
		for (i = k = 0; i < plan->n_rcpts; i++)
			if (plan->rcpts[i].bcc)
				fprintf_text(out, "%s%s", k++ ? ", " : "; a copy of its own, "
					"to it and the sender, for each Bcc: ",
					plan->rcpts[i].addr);
		fprintf_text(out, "\n");
	} else {
		fprintf_text(out, "encrypted: no: %s\n",
			plan->why_not_encrypted ? plan->why_not_encrypted : "");
	}
	for (i = 0; i < plan->n_rcpts; i++) {
		const struct send_plan_rcpt *r = &plan->rcpts[i];

		if (r->cert)
			fprintf_text(out, "cert:      %s %s\n", r->addr, r->cert);
		else if (r->why_no_cert)
			fprintf_text(out, "cert:      %s none: %s\n", r->addr, r->why_no_cert);
	}
	if (plan->sender_cert)
		fprintf_text(out, "cert:      %s %s (sender)\n", plan->from, plan->sender_cert);
	fprintf_text(out, "via:       %s://%s:%u\n", a->smtp.scheme ? a->smtp.scheme : "?",
		a->smtp.host ? a->smtp.host : "?", a->smtp.port);
	fprintf_text(out, "copy in:   %s\n", a->imap.host ? a->sent : "(no imap server)");
	if (plan->refusal)
		fprintf_text(out, "refused:   %s\n", plan->refusal);
}

/* --- performing ------------------------------------------------------- */

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

/* filed: the entry's copy goes to Sent once submitted (the To/Cc copy). */
static void
entry_fill(struct outbox_entry *ent, const struct account *a, const char *from,
	   char *const *rcpts, size_t n, bool filed, enum outbox_state state,
	   const char *reason)
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
	ent->folder = filed && a->imap.host ? xstrdup(a->sent) : NULL;
	ent->reason = xstrdup(reason);
	ent->attempts = 1;
}

/* Puts final in the outbox; on success *id is the entry. */
static int
queue(const struct send_options *o, const struct account *a, const char *from,
      char *const *rcpts, size_t n, bool filed, enum outbox_state state,
      const char *reason, const char *final, size_t len, char **id, char **path,
      struct err *e)
{
	struct outbox *ob = NULL;
	struct outbox_entry ent;
	int rc = -1;

	entry_fill(&ent, a, from, rcpts, n, filed, state, reason);
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

/*
 * The certificates to encrypt to, now in gpgsm's keybox: the ones the plan
 * chose, or a refusal when the store changed in between.
 */
static int
perform_certificates(struct recipients *rr, const struct send_plan *plan,
		     const char *const *all, const char *const **fprs, struct err *e)
{
	size_t i;

	if (recipients_resolve(rr, all, plan->n_rcpts + 1, (const char ***)fprs, e) < 0)
		return err_prefix(e, "nothing was sent");
	for (i = 0; i <= plan->n_rcpts; i++) {
		const char *want = i < plan->n_rcpts ? plan->rcpts[i].cert :
			plan->sender_cert;

		if (want == NULL || strcmp(want, (*fprs)[i]) != 0)
			return err_set(e, ERR_POLICY, "the certificate for %s changed "
				       "while the message was being sent; nothing was "
				       "sent", all[i]);
	}
	return 0;
}

/*
 * One message as it is submitted: the To/Cc copy, filed in Sent, or, when
 * the message is encrypted, the copy of one Bcc recipient, whose
 * RecipientInfos name that recipient and the sender only.
 */
struct send_copy {
	struct buf msg;		/* owned; the bytes submitted */
	char **rcpts;		/* owned array of foreign addresses: the envelope */
	size_t n_rcpts;
	bool filed;		/* the copy that goes to Sent */
	bool accepted;		/* the server took it */
	struct err failure;	/* why not, when submission failed */
};

static void
copies_free(struct send_copy **copies, size_t n)
{
	size_t i;

	if (*copies == NULL)
		return;
	for (i = 0; i < n; i++) {
		buf_release(&(*copies)[i].msg);
		free((*copies)[i].rcpts);
	}
	free(*copies);
	*copies = NULL;
}

/*
 * The copies of plan to submit, signed and encrypted as planned.  Signed
 * once: the signature names no recipient, so every copy carries the same
 * one.  Encrypted, the To/Cc copy goes to the To/Cc recipients and the
 * sender, and each Bcc recipient gets a copy of their own; otherwise one
 * message goes to every address of the envelope, Bcc included.
 */
static int
make_copies(struct smime_engine *eng, struct recipients *rr,
	    const struct send_plan *plan, struct send_copy **out, size_t *n_out,
	    struct err *e)
{
	struct buf content = BUF_INIT;
	struct send_copy *c;
	const char **all = NULL, **to = NULL;
	const char *const *fprs = NULL;
	size_t n = plan->n_rcpts, nc = 1, n_to = 0, i, k;
	int rc = -1;

	for (i = 0; plan->encrypt && i < n; i++)
		nc += plan->rcpts[i].bcc;
	c = xcalloc(nc, sizeof *c);
	c[0].filed = true;
	c[0].rcpts = xcalloc(n + 1, sizeof *c[0].rcpts);
	for (i = 0; i < n; i++)
		if (!plan->encrypt || !plan->rcpts[i].bcc)
			c[0].rcpts[c[0].n_rcpts++] = plan->rcpts[i].addr;

	if (plan->sign) {
		if (smime_sign(eng, plan->prepared.data, plan->prepared.len, plan->signer,
			       &content, e) < 0)
			goto out;
	} else {
		buf_add(&content, plan->prepared.data, plan->prepared.len);
	}
	if (!plan->encrypt) {
		c[0].msg = content;
		content = (struct buf)BUF_INIT;
		rc = 0;
		goto out;
	}

	all = xcalloc(n + 2, sizeof *all);
	for (i = 0; i < n; i++)
		all[i] = plan->rcpts[i].addr;
	all[n] = plan->from;	/* the sender can read every copy, Sent's too */
	if (perform_certificates(rr, plan, all, &fprs, e) < 0)
		goto out;
	to = xcalloc(n + 2, sizeof *to);
	for (i = 0; i < n; i++)
		if (!plan->rcpts[i].bcc)
			to[n_to++] = fprs[i];
	to[n_to++] = fprs[n];
	if (smime_encrypt(eng, content.data, content.len, to, n_to, NULL, &c[0].msg,
			  e) < 0)
		goto out;
	for (i = 0, k = 1; i < n; i++) {
		const char *pair[2];

		if (!plan->rcpts[i].bcc)
			continue;
		pair[0] = fprs[i];
		pair[1] = fprs[n];
		c[k].rcpts = xcalloc(2, sizeof *c[k].rcpts);
		c[k].rcpts[0] = plan->rcpts[i].addr;
		c[k].n_rcpts = 1;
		if (smime_encrypt(eng, content.data, content.len, pair, 2, NULL,
				  &c[k++].msg, e) < 0) {
			err_prefix(e, "the copy for %s (Bcc); nothing was sent",
				   plan->rcpts[i].addr);
			goto out;
		}
	}
	rc = 0;
out:
	free(all);
	free(to);
	buf_release(&content);
	if (rc < 0)
		copies_free(&c, nc);
	*out = c;
	*n_out = rc < 0 ? 0 : nc;
	return rc;
}

/*
 * Submits each copy in its own transaction over one session.  A copy the
 * server refuses does not stop the others; a session that fails (network,
 * TLS, login) leaves the rest unsent with the same reason.
 */
static void
submit_copies(const struct account *a, const char *from, struct send_copy *c,
	      size_t nc)
{
	struct smtp_session *s = NULL;
	struct err broken = { 0 };
	size_t i;

	for (i = 0; i < nc; i++) {
		if (c[i].n_rcpts == 0) {	/* only Bcc recipients: Sent's copy */
			c[i].accepted = true;
			continue;
		}
		if (s == NULL && broken.code == ERR_NONE &&
		    smtp_open_account(a, &s, &broken) < 0)
			smtp_close(&s);
		if (broken.code != ERR_NONE) {
			c[i].failure = broken;
			continue;
		}
		if (smtp_send(s, from, (const char *const *)c[i].rcpts, c[i].n_rcpts,
			      c[i].msg.data, c[i].msg.len, NULL, &c[i].failure) == 0) {
			c[i].accepted = true;
		} else if (c[i].failure.code != ERR_PROTOCOL) {
			broken = c[i].failure;
			smtp_close(&s);
		}
	}
	smtp_close(&s);
}

/*
 * Keeps every copy the server did not accept in the outbox, one entry
 * each, so that a retry sends only those.  Returns -1 with e saying what
 * was and was not sent when any copy waits.
 */
static int
queue_unsent(const struct send_options *o, const struct account *a,
	     const char *from, struct send_copy *c, size_t nc,
	     struct send_report *rep, struct err *e)
{
	struct buf ids = BUF_INIT, msg = BUF_INIT;
	char *last_path = NULL;
	size_t i;
	int code = ERR_NONE;

	for (i = 0; i < nc; i++) {
		const struct err *why = &c[i].failure;
		char *id = NULL, *path = NULL;
		struct err qe = { 0 };

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
		if (queue(o, a, from, c[i].rcpts, c[i].n_rcpts, c[i].filed,
			  OUTBOX_SUBMIT, why->msg, c[i].msg.data, c[i].msg.len, &id,
			  &path, &qe) < 0) {
			buf_addf(&msg, "; %s, and the outbox failed too (%s)",
				 c[i].filed ? "not sent" : "that copy was not sent",
				 qe.msg);
			continue;
		}
		buf_addf(&ids, "%s%s", ids.len ? ", " : "", id);
		free(last_path);
		last_path = path;
		free(id);
	}
	if (code == ERR_NONE)
		return 0;
	if (last_path && !c[0].accepted)
		buf_addf(&msg, "\nThe message was not sent; it is kept in the outbox "
			 "(%s): 'cachet send --retry' sends it again.", last_path);
	else if (last_path)
		buf_addf(&msg, "\nThe To and Cc recipients have the message; what was "
			 "not sent is kept in the outbox (%s): 'cachet send --retry' "
			 "sends only that.", last_path);
	if (ids.len)
		rep->queued = xstrdup(ids.data);
	err_set(e, code, "%s", msg.data);
	free(last_path);
	buf_release(&ids);
	buf_release(&msg);
	return -1;
}

int
send_perform(const struct account *a, const struct send_plan *plan,
	     const struct send_options *o, struct send_report *rep, FILE *info,
	     struct err *e)
{
	struct smime_engine *eng = NULL;
	struct recipients *rr = NULL;
	struct send_copy *copies = NULL;
	const char *from = plan->from;
	size_t n = plan->n_rcpts, n_copies = 0, n_sent = 0, i;
	int rc = -1;

	memset(rep, 0, sizeof *rep);
	if (plan->refusal || from == NULL)
		return err_set(e, ERR_POLICY, "%s", plan->refusal ? plan->refusal :
			       "the message has no plan");
	rep->rcpts = xcalloc(n + 1, sizeof *rep->rcpts);
	for (i = 0; i < n; i++)
		rep->rcpts[i] = xstrdup(plan->rcpts[i].addr);
	rep->n_rcpts = n;
	rep->signed_ = plan->sign;
	rep->signer = plan->signer ? xstrdup(plan->signer) : NULL;
	rep->encrypted = plan->encrypt;
	rep->why_not_encrypted = plan->why_not_encrypted ?
		xstrdup(plan->why_not_encrypted) : NULL;

	if (plan->sign || plan->encrypt) {
		if (smime_engine_new(o->gnupg_home, &eng, e) < 0)
			goto out;
		smime_engine_set_passphrase(eng, o->passphrase);
	}
	if (plan->encrypt)
		rr = recipients_new(eng, o->data_dir, o->gnupg_home);
	if (make_copies(eng, rr, plan, &copies, &n_copies, e) < 0)
		goto out;
	/* Done with the engine before the network: no agent waits on a socket. */
	recipients_free(&rr);
	smime_engine_free(&eng);

	submit_copies(a, from, copies, n_copies);
	for (i = 0; i < n_copies; i++)
		if (copies[i].accepted)
			n_sent += copies[i].n_rcpts;
	rep->submitted = copies[0].accepted;
	if (info && n_sent)
		fprintf_text(info, "cachet: sent to %zu recipient%s%s%s%s\n", n_sent,
			n_sent == 1 ? "" : "s", n_copies > 1 ? " (each Bcc in a copy of "
			"its own)" : "", rep->signed_ ? ", signed" : "",
			rep->encrypted ? ", encrypted" : "");
	rc = queue_unsent(o, a, from, copies, n_copies, rep, e);

	if (copies[0].accepted && a->imap.host) {
		struct send_copy *c = &copies[0];
		struct err ae = { 0 };

		if (file_copy(a, c->msg.data, c->msg.len, &ae) < 0) {
			char *id = NULL, *path = NULL, *ids;
			struct err qe = { 0 };

			if (queue(o, a, from, c->rcpts, c->n_rcpts, true, OUTBOX_APPEND,
				  ae.msg, c->msg.data, c->msg.len, &id, &path, &qe) < 0)
				rep->warning = xasprintf("sent, but the copy could not be "
					"filed in %s (%s) nor kept in the outbox (%s)",
					a->sent, ae.msg, qe.msg);
			else
				rep->warning = xasprintf("sent, but the copy could not be "
					"filed in %s (%s); it waits in the outbox (%s) for "
					"'cachet send --retry', which files it without sending "
					"again", a->sent, ae.msg, path);
			if (id) {
				ids = rep->queued ? xasprintf("%s, %s", rep->queued, id) :
					xstrdup(id);
				free(rep->queued);
				rep->queued = ids;
			}
			free(id);
			free(path);
		} else {
			rep->filed = true;
		}
	}
out:
	recipients_free(&rr);
	smime_engine_free(&eng);
	copies_free(&copies, n_copies);
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
			fprintf_text(info, "cachet: sent %s to %zu recipient%s\n", ent->id,
				ent->n_rcpts, ent->n_rcpts == 1 ? "" : "s");
	}
	if (ent->folder && a->imap.host) {
		if (file_copy(a, msg.data, msg.len, e) < 0)
			goto failed;
		if (info)
			fprintf_text(info, "cachet: filed %s in %s\n", ent->id, ent->folder);
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
			fprintf_text(info, "cachet: %s still waits: %s\n", ents[i].id, le.msg);
		rc = -1;
	}
	if (rc < 0 && e)
		*e = first;
	outbox_entries_free(&ents, n);
	outbox_close(&ob);
	return rc;
}
