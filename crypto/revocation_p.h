/*
 * revocation_p.h — between the two halves of the revocation check: the
 * questions to dirmngr (revocation.c) and the answers to what dirmngr
 * inquires while it works on one (revocation_inquire.c).
 *
 * dirmngr asks its client for certificates it does not hold: the one being
 * checked (TARGETCERT, or SENDCERT with no name), its issuer
 * (SENDISSUERCERT), one by fingerprint, by "#SERIAL/ISSUER", by "/SUBJECT"
 * (SENDCERT) or by subject key identifier (SENDCERT_SKI), and whether a
 * root is trusted (ISTRUSTED).  They are answered from the verified chain
 * being checked and the engine's anchors only: nothing else a message
 * carried, and "trusted" only for an anchor.  A certificate not there is
 * an empty answer, which dirmngr takes as "not available".
 *
 * While an OCSP answer is checked, dirmngr names its signer in the status
 * line ONLY_VALID_IF_CERT_VALID: the answer counts only if the client finds
 * that certificate fit to sign it; the status callback keeps the name.
 */
#ifndef CACHET_REVOCATION_P_H
#define CACHET_REVOCATION_P_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto/engine_p.h"

struct revocation_inquiry {
	const unsigned char *der;	/* foreign; chain[idx]'s DER */
	size_t len;
	struct smime_engine *eng;	/* foreign; its anchors */
	gnutls_x509_crt_t *chain;	/* foreign; the verified chain */
	size_t n;
	size_t idx;			/* the certificate being checked */
	/* Set by revocation_status during one command. */
	char responder[41];	/* the OCSP answer's signer (SHA-1 hex), or "" */
	bool responder_bad;	/* named twice, or not as a fingerprint */
};

/* Forgets what a command's status lines said, before the next command. */
void revocation_inquiry_reset(struct revocation_inquiry *q);

/* GPGME callbacks: inquiries (opaque: struct revocation_inquiry), status
 * lines (the same), data lines (opaque: struct buf, appended to). */
gpgme_error_t revocation_answer(void *opaque, const char *name, const char *args,
				gpgme_data_t *r_data);
gpgme_error_t revocation_status(void *opaque, const char *status, const char *args);
gpgme_error_t revocation_data(void *opaque, const void *data, size_t len);

/* crt's SHA-1 fingerprint in upper-case hex ("" when it cannot be had). */
void revocation_sha1_hex(gnutls_x509_crt_t crt, char hex[41]);

/* The certificate that issued chain[idx]: chain[idx + 1] when it did,
 * else an anchor whose key verifies chain[idx]'s signature; NULL when
 * neither (foreign). */
gnutls_x509_crt_t revocation_issuer(struct smime_engine *eng, gnutls_x509_crt_t *chain,
				    size_t n, size_t idx);

#endif
