/* engine_p.h — crypto/'s private view of the GPGME context. */
#ifndef CACHET_ENGINE_P_H
#define CACHET_ENGINE_P_H

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gpgme.h>

#include "crypto/smime.h"

struct agent;
struct cms_signer;

struct smime_engine {
	gpgme_ctx_t ctx;	/* owned */
	char *home;		/* owned; NULL = GnuPG's default */
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
	/* Trust anchors of in-process verification (anchors.c): the trust
	 * list owns its own copies; anchors are kept for finding a signer
	 * that is itself an anchor. */
	gnutls_x509_trust_list_t trust;	/* owned, or NULL before the anchors */
	gnutls_x509_crt_t *anchors;	/* owned */
	size_t n_anchors;
	bool anchors_set;	/* given by the caller, or seeded once */
	/* Chains already checked against these anchors (cms_verify.c): a
	 * batch from one correspondent checks one chain once.  Cleared with
	 * the anchors. */
	struct engine_chain_memo {
		unsigned char key[32];	/* SHA-256 over the chain's DER */
		unsigned status;	/* gnutls_certificate_status_t */
		time_t until;		/* good while now is before this */
		time_t from;		/* ... and not before this */
	} *chain_memo;			/* owned */
	size_t n_chain_memo;
	/* Revocation (revocation.c): gpgsm.conf's choices, read once (CRLs,
	 * and OCSP first when it says enable-ocsp), and the Assuan
	 * connection to dirmngr. */
	enum { ENGINE_CRL_UNREAD = 0, ENGINE_CRL_OFF, ENGINE_CRL_ON } crl;
	bool ocsp;
	gpgme_ctx_t dirmngr;	/* owned, or NULL */
	char *dirmngr_error;	/* owned; why dirmngr cannot be asked, or NULL */
	bool dirmngr_launched;	/* gpgconf --launch dirmngr tried */
	/* In-process signing (cms_sign.c). */
	struct agent *key_agent;	/* owned; opened on first use, kept */
	struct smime_passphrase pp;	/* what key_agent asks, or zeros */
	char open_grip[41];	/* the last keygrip KEYINFO found without a
				 * passphrase, or "" (engine_check_unlocked) */
	struct cms_signer *signer;	/* owned; the last signer's key */
	/* Certificates handed over (smime_engine_add_cert) or exported from
	 * the keybox (engine_certs.c). */
	struct engine_cert {
		char *fpr;		/* owned */
		struct buf der;		/* owned */
		bool given;		/* handed over: kept for the engine's life */
		/* Read from der once per batch by cms_encrypt: the public
		 * key, its algorithm, and libksba's certificate (a
		 * ksba_cert_t; the CMS it goes in takes its own reference). */
		gnutls_pubkey_t pub;	/* owned, or NULL */
		int pk;			/* gnutls_pk_algorithm_t of pub */
		void *ksba;		/* owned, or NULL */
	} *certs;
	size_t n_certs;
};

/* Opens eng's GPGME CMS context (and so gpgsm) on first need; ERR_CRYPTO
 * when gpgsm is missing or too old. */
int engine_ctx(struct smime_engine *eng, struct err *e);

/* eng's connection to gpg-agent for private-key operations, opened on
 * first use with eng's passphrase source; borrowed. */
int engine_key_agent(struct smime_engine *eng, struct agent **a, struct err *e);

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
int engine_encrypt(struct smime_engine *eng, const char *const *fprs,
		   const unsigned *caps, size_t n, const char *data, size_t len,
		   struct buf *der, struct smime_encryption *how, struct err *e);
int engine_decrypt(struct smime_engine *eng, const unsigned char *der,
		   size_t len, struct buf *plain, struct err *e);

/* The engine's trust list: the anchors given with smime_engine_set_anchors,
 * or else those seeded once from the gnupg home (smime_anchors_seed). */
int engine_trust(struct smime_engine *eng, gnutls_x509_trust_list_t *tl,
		 struct err *e);
void engine_anchors_free(struct smime_engine *eng);

/*
 * One SignerInfo checked in process (cms_verify.c).  state and detail say
 * what the signature and the chain are worth; weak names a digest broken
 * for signatures (NULL when fit); crt is the signer's certificate when the
 * message (or the anchors) hold it.
 */
struct cms_sig {
	enum smime_sig state;
	char *detail;		/* owned, or NULL */
	const char *weak;	/* static, or NULL */
	gnutls_x509_crt_t crt;	/* owned, or NULL */
	char *revocation;	/* owned; why revocation is unknown, or NULL */
	/* The certificates the signer's chain was built through (DER, the
	 * signer's issuer first; owned, gnutls_free). */
	gnutls_datum_t issuers[16];
	size_t n_issuers;
	char *capabilities;	/* owned; sMIMECapabilities of a verified
				 * signature, or NULL */
	time_t signing_time;	/* its signingTime, or 0 */
};

/*
 * Asks dirmngr about each certificate of chain[0..n) but a self-signed
 * one, as gpgsm does: with enable-ocsp in gpgsm.conf, CHECKOCSP first
 * (CHECKCRL after it only when no responder is known for the certificate
 * and CRL checks are on); otherwise CHECKCRL, unless gpgsm.conf says
 * disable-crl-checks.  An OCSP answer counts only when its signer is the
 * certificate's issuer or a responder that issuer made (OCSPSigning).
 * Returns 0 when none is revoked and every one was checked (or checks are
 * off), 1 when one is revoked (*why, owned, says so and how it is known),
 * 2 when some could not be checked (*why says why: no CRL, no responder,
 * dirmngr not running...).
 */
int engine_revocation(struct smime_engine *eng, gnutls_x509_crt_t *chain,
		      size_t n, char **why);
void engine_revocation_free(struct smime_engine *eng);

/*
 * Verifies every SignerInfo of a SignedData: detached over text (text !=
 * NULL) or over its own eContent (then appended to plain, when plain is not
 * NULL).  The message's certificates are intermediates for this call only.
 * The caller has checked the counts against SMIME_MAX_CERTIFICATES and
 * SMIME_MAX_SIGNERS (cms_inspect); they are checked again here.  Returns 0
 * with *sigs (owned, free with cms_sigs_free) whatever the signatures are
 * worth; -2 when GnuTLS cannot read the data (e says why); -1 when the
 * trust anchors cannot be had.
 */
int cms_verify(struct smime_engine *eng, const unsigned char *der, size_t len,
	       const char *text, size_t textlen, struct buf *plain,
	       struct cms_sig **sigs, size_t *n, struct err *e);
/* The eContent of a SignedData, unverified (for taking a signature over
 * ciphertext off); ERR_INPUT when there is none or it cannot be read. */
int cms_content(const unsigned char *der, size_t len, struct buf *out,
		struct err *e);
void cms_sigs_free(struct cms_sig *sigs, size_t n);
/* Fills s's fingerprint, addresses, names, validity and (want_der) DER
 * from crt. */
void cms_describe(gnutls_x509_crt_t crt, bool want_der, struct smime_signer *s);

#endif
