/* engine_p.h — crypto/'s private view of the GPGME context. */
#ifndef CACHET_ENGINE_P_H
#define CACHET_ENGINE_P_H

#include <gpgme.h>

#include "crypto/smime.h"

struct agent;

struct smime_engine {
	gpgme_ctx_t ctx;	/* owned */
	char *home;		/* owned; NULL = GnuPG's default */
	unsigned n_encrypt;	/* encryptions done in ctx */
	char *agent_socket;	/* owned; looked up once, "" when unknown */
	gpgme_ctx_t agent;	/* owned; assuan connection to gpg-agent, or NULL */
	/* Keys looked up in this batch (gpgme_get_key would start a fresh
	 * gpgsm for every lookup). */
	struct engine_key {
		char *fpr;		/* owned */
		bool secret;
		gpgme_key_t key;	/* owned reference */
	} *keys;
	size_t n_keys;
	gpgme_key_t *secret;	/* owned references; the keybox's secret keys */
	size_t n_secret;
	bool secret_listed;
	/* Where the agent's passphrase inquiries go (decryption). */
	struct smime_passphrase passphrase;
	bool has_passphrase;
	/* cachet's own connection to gpg-agent for decryption, opened on
	 * first use: this engine's only, as the engine is one thread's. */
	struct agent *decrypt_agent;	/* owned, or NULL */
};

/* The certificate fpr from the keybox (secret: with its secret key), through
 * eng's own context and cached; the key stays owned by eng. */
int engine_key(struct smime_engine *eng, const char *fpr, bool secret,
	       gpgme_key_t *key, struct err *e);

/* Fails (ERR_CRYPTO, with what to do) when key's secret part is protected
 * by a passphrase gpg-agent does not hold: asking would start a pinentry
 * on the terminal.  Returns 0 when the agent cannot tell. */
int engine_check_unlocked(struct smime_engine *eng, gpgme_key_t key,
			  const char *what, struct err *e);

/* Fills e from a GPGME error in words a person can act on; returns -1. */
int engine_fail(struct err *e, gpgme_error_t gerr, const char *what);

/* Detached CMS signature (DER) of data by the key fpr; *micalg is static. */
int engine_sign(struct smime_engine *eng, const char *fpr, const char *data,
		size_t len, struct buf *der, const char **micalg, struct err *e);
int engine_encrypt(struct smime_engine *eng, const char *const *fprs, size_t n,
		   const char *data, size_t len, struct buf *der, struct err *e);
int engine_decrypt(struct smime_engine *eng, const unsigned char *der,
		   size_t len, struct buf *plain, struct err *e);

/* One signature as GPGME reported it, copied out of its result. */
struct engine_sig {
	char *fpr;		/* owned; may be NULL */
	gpgme_error_t status;
	gpgme_sigsum_t summary;
	gpgme_validity_t validity;
	gpgme_error_t validity_reason;
	gpgme_hash_algo_t hash_algo;	/* the SignerInfo's digest */
	unsigned long timestamp, exp_timestamp;
};

/* Verifies a detached (text != NULL) or opaque (plain != NULL) signature.
 * Returns 0 with *sigs (owned array) even when signatures are bad; -1 on
 * an engine failure, -2 when gpgsm rejects the CMS data itself. */
int engine_verify(struct smime_engine *eng, const unsigned char *sig,
		  size_t siglen, const char *text, size_t textlen,
		  struct buf *plain, struct engine_sig **sigs, size_t *n,
		  struct err *e);
void engine_sigs_free(struct engine_sig *sigs, size_t n);

/* Looks up the certificate fpr in the keybox and fills the signer's
 * addresses, names, validity period and (want_der) certificate. */
int engine_describe(struct smime_engine *eng, const char *fpr, bool want_der,
		    struct smime_signer *s, struct err *e);

#endif
