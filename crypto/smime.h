/*
 * smime.h — the S/MIME layer of cachet: MIME structure of the crypto layers,
 * sign / verify / encrypt / decrypt through GPGME's CMS protocol (gpgsm),
 * and the verdict of a message.
 *
 * Nothing here reads configuration or prints: callers pass what is needed
 * and get status plus a struct err.  A bad signature is a verdict, not an
 * error.
 *
 * Thread-safety: a struct smime_engine is used by one thread at a time.
 */
#ifndef CACHET_SMIME_H
#define CACHET_SMIME_H

#include <stddef.h>
#include <time.h>

#include "base/base.h"

/* Signature state, in order from best to worst: the weakest signer wins. */
enum smime_sig {
	SMIME_SIG_NONE = 0,
	SMIME_SIG_VALID,
	SMIME_SIG_UNTRUSTED,
	SMIME_SIG_EXPIRED,
	SMIME_SIG_REVOKED,
	SMIME_SIG_MISMATCH,
	SMIME_SIG_INVALID,
};

enum smime_coverage {
	SMIME_COVERAGE_NONE = 0,	/* nothing is signed */
	SMIME_COVERAGE_WHOLE,		/* the signature covers what is shown */
	SMIME_COVERAGE_PART,		/* only a part of the message is signed */
	SMIME_COVERAGE_CIPHERTEXT,	/* the signature covers ciphertext only */
};

enum smime_decryption {
	SMIME_DECRYPT_NONE = 0,
	SMIME_DECRYPT_OK,
	SMIME_DECRYPT_FAILED,
	SMIME_DECRYPT_REFUSED,	/* encrypted part that is not the top crypto layer */
};

struct smime_signer {
	enum smime_sig state;
	char *email;		/* owned; first address in the certificate, or NULL */
	char **emails;		/* owned; all addresses in the certificate */
	size_t n_emails;
	char *fingerprint;	/* owned; SHA-1 hex, upper case, no colons */
	char *subject;		/* owned; RFC 4514 string */
	char *issuer;		/* owned */
	time_t not_before, not_after;
	unsigned char *cert_der; /* owned; the signer's own certificate */
	size_t cert_der_len;
	char *detail;		/* owned; why the state is what it is, or NULL */
};

struct smime_verdict {
	enum smime_sig signature;	/* the weakest signer's state */
	enum smime_coverage coverage;
	enum smime_decryption decryption;
	struct smime_signer *signers;	/* owned */
	size_t n_signers;
	char *from;			/* owned; the From address, or NULL */
	char **warnings;		/* owned; short codes, e.g. "from-mismatch" */
	size_t n_warnings;
	char *error;			/* owned; NULL or a message */
};

struct smime_engine;

const char *smime_sig_name(enum smime_sig s);
const char *smime_coverage_name(enum smime_coverage c);
const char *smime_decryption_name(enum smime_decryption d);

void smime_verdict_free(struct smime_verdict **v);

#endif
