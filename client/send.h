/*
 * send.h — the send pipeline, in two steps.  send_plan decides, with no
 * crypto operation (look-ups only: the signer in gpgsm's keybox, the
 * recipients in the certificate store), what sending a composed RFC 5322
 * message will do: the signer, whether it is signed and encrypted under
 * the policy and the person's requests, the recipients, and the refusals
 * in words.  send_perform carries a plan out: signing and encryption
 * (crypto/smime.h), submission (smtp.h), the copy in Sent (imap.h), the
 * outbox when something fails.  `send --dry-run` and the compose screen
 * show a plan; sending is a plan, then its perform.
 *
 * Guarantees:
 *   - never submitted unsigned when the policy says sign; when signing is
 *     impossible (no signing certificate) nothing is sent;
 *   - the administrator's locked policy wins over requests (--no-sign);
 *   - encrypt = opportunistic encrypts when every recipient and the
 *     sender have a usable certificate; always refuses otherwise, naming
 *     who lacks one;
 *   - a message whose submission fails is kept in the outbox with the
 *     reason (send_retry sends it again); when only the copy in Sent
 *     fails, the message is queued for that copy alone and never sent
 *     again;
 *   - Bcc is removed from what is transmitted; From (the account's),
 *     Date and Message-ID are added when missing;
 *   - an encrypted message names no Bcc recipient to the others: the
 *     To/Cc copy is encrypted to the To and Cc recipients and the sender,
 *     each Bcc recipient gets a copy encrypted to them and the sender, in
 *     a transaction of its own (envelope: that address alone); a signed
 *     one is signed once, and every copy carries that signature;
 *   - each copy the server does not accept waits in the outbox in an
 *     entry of its own, so a retry never sends an accepted copy again.
 *
 * Errors: those of the modules below plus ERR_POLICY (locked policy),
 * ERR_NOCERT (a recipient or the signer lacks a certificate), ERR_INPUT
 * (unparsable message, From not the account's).
 */
#ifndef CACHET_SEND_H
#define CACHET_SEND_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "base/base.h"
#include "client/config.h"

struct smime_passphrase;
struct send_batch;

/* What the person asked for on top of the policy. */
enum send_request { SEND_DEFAULT = 0, SEND_YES, SEND_NO };

struct send_options {
	enum send_request sign;		/* --sign / --no-sign */
	enum send_request encrypt;	/* --encrypt / --no-encrypt */
	const char *gnupg_home;		/* foreign */
	const char *data_dir;		/* foreign */
	/* Where a signing key's passphrase comes from when gpg-agent asks
	 * (foreign; NULL: nowhere, and a locked key fails naming itself). */
	const struct smime_passphrase *passphrase;
	/* Sessions and pacing shared by the messages of one run (foreign;
	 * NULL: one SMTP and one IMAP session per message, no pacing). */
	struct send_batch *batch;
	bool no_sent_copy;	/* --no-sent-copy: nothing filed in Sent */
};

/* One envelope recipient of a plan. */
struct send_plan_rcpt {
	char *addr;		/* owned */
	bool bcc;		/* named only in Bcc */
	char *cert;		/* owned; fingerprint to encrypt to, or NULL */
	char *why_no_cert;	/* owned; when cert is NULL and it was looked up */
	unsigned caps;		/* SMIME_CAP_* its binding announced */
	const char *transport;	/* static SMIME_KT_*, or NULL when not known */
};

/* What sending a message will do, decided before any crypto operation. */
struct send_plan {
	struct policy policy;	/* the policy with the person's requests applied */
	char *from;		/* owned; the From address */
	struct buf prepared;	/* owned; the header completed, Bcc removed */
	struct send_plan_rcpt *rcpts;	/* owned; To and Cc first, then each Bcc */
	size_t n_rcpts;
	bool sign;
	char *signer;		/* owned; fingerprint when sign */
	char *why_unsigned;	/* owned; when !sign */
	bool encrypt;		/* To/Cc copy to them and the sender; each Bcc
				 * a copy to it and the sender */
	char *sender_cert;	/* owned; the sender's fingerprint, when encrypt */
	unsigned sender_caps;	/* what the sender's certificate announces */
	const char *sender_transport;	/* static, or NULL */
	char *why_not_encrypted; /* owned; when !encrypt */
	char *refusal;		/* owned; why it cannot be sent as it is, or NULL */
};

/* What happened, for the person. */
struct send_report {
	bool signed_;
	bool encrypted;
	char *signer;		/* owned; fingerprint, or NULL */
	char **rcpts;		/* owned; envelope recipients */
	size_t n_rcpts;
	char *why_not_encrypted; /* owned; NULL when encrypted or not asked */
	bool submitted;		/* the To/Cc copy (or the one message) went out */
	bool filed;		/* the copy is in Sent */
	char *queued;		/* owned; outbox entry ids (", " between) when
				 * something waits */
	char *warning;		/* owned; a failure after submission, or NULL */
	char *notice;		/* owned; something done on the way the person
				 * should hear of (a folder created), or NULL */
	char *reply;		/* owned; the server's answer to the To/Cc
				 * copy ("250 2.0.0 Ok: queued as ..."), or NULL */
};

/*
 * The policy p with the person's requests in o applied to *out: ERR_POLICY
 * when a locked key refuses one ("--no-sign refused: signing is locked to
 * 'always' by the system policy...").
 */
int send_requests_apply(const struct policy *p, const struct send_options *o,
			struct policy *out, struct err *e);

/*
 * Plans sending msg with account a under policy p and the requests in o:
 * no signature, no encryption, nothing leaves.  "ask" without an answer
 * plans a signature (the safe side of the question).  With encrypt =
 * opportunistic the plan encrypts when every recipient and the sender
 * have a usable certificate.  Returns 0 when the message can be sent as
 * planned.  Returns -1 with plan->refusal set (the plan is then complete,
 * to be shown) and e the first refusal when it cannot: ERR_NOCERT or
 * ERR_CRYPTO (no signing certificate while the policy says sign; encrypt
 * = always and a recipient without a usable certificate), ERR_POLICY (a
 * certificate conflict waits for the person's decision).  Returns -1
 * without a refusal on other errors: ERR_POLICY (a locked key refuses a
 * request), ERR_CONFIG (no smtp server), ERR_INPUT, ERR_STORE, ERR_CRYPTO
 * (the engine does not start).
 * Release the plan with send_plan_release in every case.
 */
int send_plan(const struct account *a, const struct policy *p, const char *msg,
	      size_t len, const struct send_options *o, struct send_plan *plan,
	      struct err *e);
void send_plan_release(struct send_plan *plan);

/*
 * The plan for the person, one "key: value" line each: account, from,
 * to (To and Cc), bcc (when any), signed, encrypted, certificates, via,
 * copy in, and refused when it cannot be sent.
 */
void send_plan_print(const struct account *a, const struct send_plan *plan,
		     FILE *out);

/*
 * Carries out plan (which send_plan returned 0 for) with account a: signs
 * and encrypts as planned (encrypted: one copy for To and Cc, one per Bcc
 * recipient), submits each copy in its own transaction, files the To/Cc
 * copy in Sent, and keeps what submission or filing failed for in the
 * outbox.  Returns -1 when any copy was not submitted (rep->submitted
 * says whether the To/Cc copy was, rep->queued what waits); a failure to
 * file alone is rep->warning.  Progress goes to info (may be NULL).
 */
int send_perform(const struct account *a, const struct send_plan *plan,
		 const struct send_options *o, struct send_report *rep, FILE *info,
		 struct err *e);

/*
 * send_perform in two halves, for a batch that stores every message
 * before it sends any: send_stage signs and encrypts as planned and
 * stores every copy in the outbox (waiting), filling rep's plan half;
 * send_transmit submits and files them as send_perform does, filling the
 * rest of rep.  A staged message not transmitted waits in the outbox for
 * `outbox retry`.  send_staged_free accepts NULL and clears the pointer.
 */
struct send_staged;
int send_stage(const struct account *a, const struct send_plan *plan,
	       const struct send_options *o, struct send_staged **out,
	       struct send_report *rep, FILE *info, struct err *e);
int send_transmit(const struct account *a, struct send_staged *st,
		  const struct send_options *o, struct send_report *rep,
		  FILE *info, struct err *e);
void send_staged_free(struct send_staged **st);

/*
 * Sends again what waits in the outbox for account a (all accounts of cfg
 * when a is NULL), or only the entry id (when not NULL, whatever its
 * account): SUBMIT entries are sent and filed, APPEND entries only filed
 * (not twice: a copy already in Sent is left alone), SENDING entries
 * (possibly delivered) are sent again only with force, and refused with
 * ERR_POLICY otherwise.  Returns 0 when everything went out; -1 with the
 * first failure in e otherwise (the rest is still tried).  *done and
 * *left count entries.
 */
int send_retry(const struct config *cfg, const struct account *a,
	       const struct send_options *o, const char *id, bool force,
	       size_t *done, size_t *left, FILE *info, struct err *e);

void send_report_release(struct send_report *rep);

/*
 * A batch: the messages of one run share one SMTP session (opened at the
 * first transfer, opened again when the server closes it after some
 * messages) and one IMAP session for the Sent copies.  interval_ms paces
 * the transfers (at least that long from the start of one to the start of
 * the next; 0: no pacing).  A transfer the server refuses for now (4xx:
 * 421, 450, 451, 452, or a session that cannot be opened for a network
 * reason) is tried again within the run after a growing pause (1 s, 2 s,
 * 4 s ... at most 60 s), for at most max_wait seconds per message, on a
 * fresh session; then the copy waits in the outbox.  A transfer whose
 * answer after the final dot was lost is never tried again here.
 * Pauses end early on tls_interrupt().
 */
#define SEND_BATCH_MAX_WAIT 300	/* seconds of backoff per message */
int send_batch_new(const struct account *a, unsigned interval_ms,
		   unsigned max_wait, struct send_batch **out, struct err *e);
/*
 * send_stage signs and encrypts the messages of a batch with one engine
 * (one gpgsm context, one gpg-agent connection); send_batch_signed closes
 * it once they are all staged, so no agent waits on the network.
 */
void send_batch_signed(struct send_batch *b);
/* Transfers tried again after a 4xx or a closed session, so far. */
size_t send_batch_retries(const struct send_batch *b);
void send_batch_free(struct send_batch **b);

/* A new Message-ID, "<32 hex digits.cachet@domain>", owned. */
char *send_new_message_id(const char *domain);

/*
 * Exposed for the unit tests.  send_prepare_headers copies msg to out
 * without its Bcc fields, adding From (from_header), Date and Message-ID
 * (at domain) when missing; ERR_INPUT when the header does not end or a
 * line is not a header field.  now is the time for Date.
 */
int send_prepare_headers(const char *msg, size_t len, const char *from_header,
			 const char *domain, time_t now, struct buf *out,
			 struct err *e);

#endif
