/*
 * send.h — the send pipeline: a composed RFC 5322 message goes through
 * policy (sign, encrypt), the recipients' certificates, signing and
 * encryption (crypto/smime.h), submission (smtp.h) and the copy in Sent
 * (imap.h).
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
 *     Date and Message-ID are added when missing.
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

/* What the person asked for on top of the policy. */
enum send_request { SEND_DEFAULT = 0, SEND_YES, SEND_NO };

struct send_options {
	enum send_request sign;		/* --sign / --no-sign */
	enum send_request encrypt;	/* --encrypt / --no-encrypt */
	bool dry_run;
	const char *gnupg_home;		/* foreign */
	const char *data_dir;		/* foreign */
	/* Where a signing key's passphrase comes from when gpg-agent asks
	 * (foreign; NULL: nowhere, and a locked key fails naming itself). */
	const struct smime_passphrase *passphrase;
};

/* What happened (or, with dry_run, would happen), for the person. */
struct send_report {
	bool signed_;
	bool encrypted;
	char *signer;		/* owned; fingerprint, or NULL */
	char **rcpts;		/* owned; envelope recipients */
	size_t n_rcpts;
	char *why_not_encrypted; /* owned; NULL when encrypted or not asked */
	bool submitted;
	bool filed;		/* the copy is in Sent */
	char *queued;		/* owned; outbox entry id when something waits */
	char *warning;		/* owned; a failure after submission, or NULL */
};

/*
 * Runs the pipeline for msg with account a under policy p (a copy is
 * changed by the requests).  Progress and the dry-run description are
 * written to info (may be NULL).
 */
int send_pipeline_run(const struct account *a, const struct policy *p,
		      const char *msg, size_t len, const struct send_options *o,
		      struct send_report *rep, FILE *info, struct err *e);

/*
 * Sends again what waits in the outbox for account a (all accounts of cfg
 * when a is NULL).  Returns 0 when everything went out; -1 with the first
 * failure in e otherwise (the rest is still tried).  *done and *left
 * count entries.
 */
int send_retry(const struct config *cfg, const struct account *a,
	       const struct send_options *o, size_t *done, size_t *left,
	       FILE *info, struct err *e);

void send_report_release(struct send_report *rep);

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
