/* send.c — the plan (policy, signer, certificates), then its perform: the
 * copies signed and encrypted, handed to delivery (send_deliver.c). */
#include "client/send.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "client/recipients.h"
#include "client/send_p.h"
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

char *
send_new_message_id(const char *domain)
{
	unsigned char rnd[16];
	struct buf b = BUF_INIT;
	size_t i;

	if (gnutls_rnd(GNUTLS_RND_NONCE, rnd, sizeof rnd) < 0)
		abort();
	buf_adds(&b, "<");
	for (i = 0; i < sizeof rnd; i++)
		buf_addf(&b, "%02x", rnd[i]);
	buf_addf(&b, ".cachet@%s>", domain);
	return buf_detach(&b, NULL);
}

static void
add_message_id(struct buf *out, const char *domain)
{
	char *id = send_new_message_id(domain);

	buf_addf(out, "Message-ID: %s", id);
	free(id);
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
	free(rep->notice);
	free(rep->reply);
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
	const char *fpr, *why, *kt;
	unsigned caps;
	bool c;
	size_t i;

	*conflict = false;
	for (i = 0; i <= plan->n_rcpts; i++) {
		const char *addr = i < plan->n_rcpts ? plan->rcpts[i].addr : plan->from;

		if (recipients_check(rr, addr, &fpr, &why, &c, &caps, &kt, e) < 0)
			return -1;
		if (i == plan->n_rcpts) {
			plan->sender_caps = caps;
			plan->sender_transport = kt;
		} else {
			plan->rcpts[i].caps = caps;
			plan->rcpts[i].transport = kt;
		}
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
	struct smime_engine *eng = NULL, *use = NULL;
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

	/* Look-ups in gpgsm's keybox only: the engine signs nothing here.
	 * A batch plans with the engine it signs with. */
	if (plan->policy.sign != POLICY_SIGN_NEVER ||
	    plan->policy.encrypt != POLICY_ENCRYPT_NEVER) {
		if (o->batch && o->batch->eng) {
			use = o->batch->eng;
		} else if (smime_engine_new(o->gnupg_home, &eng, e) < 0) {
			goto out;
		} else {
			smime_engine_set_passphrase(eng, o->passphrase);
			use = eng;
			if (o->batch) {
				o->batch->eng = eng;
				eng = NULL;
			}
		}
	}
	if (plan->policy.sign == POLICY_SIGN_NEVER) {
		plan->why_unsigned = xstrdup(o->sign == SEND_NO ? "--no-sign" :
					     "policy sign = never");
	} else {
		struct err le = { 0 };

		if (smime_find_signer(use, a->signing_cert ? a->signing_cert :
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

		rr = recipients_new(use, o->data_dir, o->gnupg_home);
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

/* ", key transport RSAES-OAEP (announced)" and the end of a cert line. */
static void
print_transport(const char *kt, unsigned caps, FILE *out)
{
	if (kt == NULL)
		fprintf(out, "\n");
	else if (strcmp(kt, SMIME_KT_RSAES_OAEP) == 0)
		fprintf(out, ", key transport %s (announced)\n", kt);
	else if (strcmp(kt, SMIME_KT_RSA_PKCS1) == 0)
		fprintf(out, ", key transport %s (RSAES-OAEP not announced)\n", kt);
	else
		fprintf(out, ", key transport %s (an EC key)\n", kt);
}

/* The content cipher of the To/Cc copy and of each Bcc copy, and why. */
static void
print_ciphers(const struct send_plan *plan, FILE *out)
{
	struct smime_encryption how;
	unsigned *caps = xcalloc(plan->n_rcpts + 1, sizeof *caps), pair[2];
	size_t i, n = 0;

	for (i = 0; i < plan->n_rcpts; i++)
		if (!plan->rcpts[i].bcc)
			caps[n++] = plan->rcpts[i].caps;
	caps[n++] = plan->sender_caps;
	smime_encryption_choose(caps, n, &how);
	fprintf(out, "cipher:    %s: %s\n", how.cipher, how.why);
	smime_encryption_release(&how);
	for (i = 0; i < plan->n_rcpts; i++) {
		if (!plan->rcpts[i].bcc)
			continue;
		pair[0] = plan->rcpts[i].caps;
		pair[1] = plan->sender_caps;
		smime_encryption_choose(pair, 2, &how);
		fprintf(out, "cipher:    %s for the copy of %s: %s\n", how.cipher,
			plan->rcpts[i].addr, how.why);
		smime_encryption_release(&how);
	}
	free(caps);
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
	if (plan->encrypt)
		print_ciphers(plan, out);
	for (i = 0; i < plan->n_rcpts; i++) {
		const struct send_plan_rcpt *r = &plan->rcpts[i];

		if (r->cert) {
			fprintf_text(out, "cert:      %s %s", r->addr, r->cert);
			print_transport(r->transport, r->caps, out);
		} else if (r->why_no_cert) {
			fprintf_text(out, "cert:      %s none: %s\n", r->addr, r->why_no_cert);
		}
	}
	if (plan->sender_cert) {
		fprintf_text(out, "cert:      %s %s (sender)", plan->from, plan->sender_cert);
		print_transport(plan->sender_transport, plan->sender_caps, out);
	}
	fprintf_text(out, "via:       %s://%s:%u\n", a->smtp.scheme ? a->smtp.scheme : "?",
		a->smtp.host ? a->smtp.host : "?", a->smtp.port);
	fprintf_text(out, "copy in:   %s\n", a->imap.host ? a->sent : "(no imap server)");
	if (plan->refusal)
		fprintf_text(out, "refused:   %s\n", plan->refusal);
}

/* --- performing ------------------------------------------------------- */

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
	const unsigned *caps;
	unsigned *to_caps = NULL;
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
		/* Signed to be encrypted: the signed part hides the Subject
		 * the encryption's outer header will not show. */
		if (smime_sign(eng, plan->prepared.data, plan->prepared.len, plan->signer,
			       plan->encrypt ? SMIME_SIGN_TO_ENCRYPT : 0, &content, e) < 0)
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
	caps = recipients_capabilities(rr);
	to = xcalloc(n + 2, sizeof *to);
	to_caps = xcalloc(n + 2, sizeof *to_caps);
	for (i = 0; i < n; i++)
		if (!plan->rcpts[i].bcc) {
			to_caps[n_to] = caps[i];
			to[n_to++] = fprs[i];
		}
	to_caps[n_to] = caps[n];
	to[n_to++] = fprs[n];
	if (smime_encrypt(eng, content.data, content.len, to, to_caps, n_to, NULL,
			  &c[0].msg, NULL, e) < 0)
		goto out;
	for (i = 0, k = 1; i < n; i++) {
		const char *pair[2];
		unsigned pair_caps[2];

		if (!plan->rcpts[i].bcc)
			continue;
		pair[0] = fprs[i];
		pair[1] = fprs[n];
		pair_caps[0] = caps[i];
		pair_caps[1] = caps[n];
		c[k].rcpts = xcalloc(2, sizeof *c[k].rcpts);
		c[k].rcpts[0] = plan->rcpts[i].addr;
		c[k].n_rcpts = 1;
		c[k].bcc = plan->rcpts[i].addr;
		if (smime_encrypt(eng, content.data, content.len, pair, pair_caps, 2, NULL,
				  &c[k++].msg, NULL, e) < 0) {
			err_prefix(e, "the copy for %s (Bcc); nothing was sent",
				   plan->rcpts[i].addr);
			goto out;
		}
	}
	rc = 0;
out:
	free(all);
	free(to);
	free(to_caps);
	buf_release(&content);
	if (rc < 0)
		send_copies_free(&c, nc);
	*out = c;
	*n_out = rc < 0 ? 0 : nc;
	return rc;
}

int
send_stage(const struct account *a, const struct send_plan *plan,
	   const struct send_options *o, struct send_staged **out,
	   struct send_report *rep, FILE *info, struct err *e)
{
	struct smime_engine *eng = NULL, *use = NULL;
	struct recipients *rr = NULL;
	struct send_copy *copies = NULL;
	size_t n = plan->n_rcpts, n_copies = 0, i;
	int rc = -1;

	*out = NULL;
	memset(rep, 0, sizeof *rep);
	if (plan->refusal || plan->from == NULL)
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

	/* A batch signs every message with one engine, before the network. */
	if (o->batch && o->batch->eng)
		use = o->batch->eng;
	if ((plan->sign || plan->encrypt) && use == NULL) {
		if (smime_engine_new(o->gnupg_home, &eng, e) < 0)
			goto out;
		smime_engine_set_passphrase(eng, o->passphrase);
		use = eng;
		if (o->batch) {
			o->batch->eng = eng;
			eng = NULL;
		}
	}
	if (plan->encrypt)
		rr = recipients_new(use, o->data_dir, o->gnupg_home);
	if (make_copies(use, rr, plan, &copies, &n_copies, e) < 0)
		goto out;
	/* Done with the engine before the network: no agent waits on a socket. */
	recipients_free(&rr);
	smime_engine_free(&eng);
	if (send_store(a, plan, o, copies, n_copies, info, e) < 0)
		goto out;
	*out = xcalloc(1, sizeof **out);
	(*out)->copies = copies;
	(*out)->n_copies = n_copies;
	copies = NULL;
	rc = 0;
out:
	recipients_free(&rr);
	smime_engine_free(&eng);
	send_copies_free(&copies, n_copies);
	return rc;
}

int
send_transmit(const struct account *a, struct send_staged *st,
	      const struct send_options *o, struct send_report *rep, FILE *info,
	      struct err *e)
{
	return send_submit(a, o, st->copies, st->n_copies, rep, info, e);
}

void
send_staged_free(struct send_staged **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	send_copies_free(&(*sp)->copies, (*sp)->n_copies);
	free(*sp);
	*sp = NULL;
}

int
send_perform(const struct account *a, const struct send_plan *plan,
	     const struct send_options *o, struct send_report *rep, FILE *info,
	     struct err *e)
{
	struct send_staged *st = NULL;
	int rc;

	if (send_stage(a, plan, o, &st, rep, info, e) < 0)
		return -1;
	test_pause_at("after-sign");
	rc = send_transmit(a, st, o, rep, info, e);
	send_staged_free(&st);
	return rc;
}
