/*
 * cms_p.h — CMS built in cachet's process: SignedData signed through
 * gpg-agent (GnuTLS pkcs7 with an external private key whose operation is
 * PKSIGN), and the DER of the signed attributes cachet adds.  Only the
 * private-key operation leaves the process; no gpgsm is asked to sign.
 *
 * Errors: ERR_CRYPTO (agent refusals, GnuTLS failures, a key that needs a
 * passphrase nobody can give: the message names the key), ERR_NOCERT (the
 * certificate is not in the keybox), ERR_UNSUPPORTED (a key type cachet
 * cannot sign with).
 */
#ifndef CACHET_CMS_P_H
#define CACHET_CMS_P_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"
#include "crypto/engine_p.h"

/* Appends one DER TLV: tag byte, definite length, contents. */
void cms_der_tlv(struct buf *out, unsigned char tag, const void *p, size_t n);

/*
 * Attribute values (the one element of the attribute's SET), DER:
 * sMIMECapabilities (RFC 8551 2.5.2): what cachet decrypts, strongest
 * first — AES-256-GCM, AES-128-GCM, AES-256-CBC, AES-192-CBC,
 * AES-128-CBC, RSAES-OAEP;
 * signingCertificateV2 (RFC 5035): one ESSCertIDv2 with the SHA-256 hash
 * (the default algorithm, so not written) of the signer's certificate;
 * SMIMEEncryptionKeyPreference (RFC 8551 2.5.3): issuerAndSerialNumber
 * ([0] IMPLICIT) of the certificate to encrypt to, from its issuer Name
 * (DER) and the serial number's INTEGER contents.
 */
void cms_attr_smime_capabilities(struct buf *out);
void cms_attr_signing_certificate_v2(const unsigned char sha256[32],
				     struct buf *out);
void cms_attr_encryption_key_preference(const void *issuer, size_t issuer_len,
					const void *serial, size_t serial_len,
					struct buf *out);

#define CMS_OID_SMIME_CAPABILITIES "1.2.840.113549.1.9.15"
#define CMS_OID_SIGNING_CERTIFICATE_V2 "1.2.840.113549.1.9.16.2.47"
#define CMS_OID_ENCRYPTION_KEY_PREFERENCE "1.2.840.113549.1.9.16.2.11"

/*
 * Detached SignedData (DER) over data by the certificate fpr, whose
 * secret key gpg-agent holds: contentType, messageDigest, signingTime and
 * the three attributes above are signed; the signer's certificate is
 * included.  SHA-256 (SHA-384 for P-384, SHA-512 for P-521 keys); *micalg
 * is the matching static name.  The agent connection and the signer's
 * certificate are kept in eng for the rest of the batch.
 */
int cms_sign(struct smime_engine *eng, const char *fpr, const void *data,
	     size_t len, struct buf *der, const char **micalg, struct err *e);

/*
 * EnvelopedData (DER) of data to the certificates fprs (n >= 1), read
 * from the keybox, whose bindings announced caps[i] (SMIME_CAP_*; caps
 * NULL: nothing announced): AES-256-CBC with a fresh key and IV, or
 * AES-256-GCM in AuthEnvelopedData when every recipient announced it; per
 * certificate a KeyTransRecipientInfo (issuerAndSerialNumber, RSA PKCS#1
 * v1.5, or RSAES-OAEP with SHA-256 when announced) or, for an EC key, a
 * KeyAgreeRecipientInfo (ECDH).  *how (may be NULL) gets what was chosen
 * and why (smime_encryption_release).  ERR_UNSUPPORTED for a key neither
 * RSA nor EC.
 */
int cms_encrypt(struct smime_engine *eng, const char *const *fprs,
		const unsigned *caps, size_t n, const void *data, size_t len,
		struct buf *der, struct smime_encryption *how, struct err *e);

#define CMS_GCM_NONCE 12
#define CMS_GCM_TAG 16

/* What cms_envelope_rewrite changes in libksba's EnvelopedData. */
struct cms_envelope {
	const struct buf *oaep_ct;	/* foreign; the OAEP ciphertexts, one after another */
	size_t n_oaep;
	bool gcm;			/* make it AuthEnvelopedData */
	const unsigned char *nonce;	/* foreign; CMS_GCM_NONCE bytes */
	const struct buf *gcm_ct;	/* foreign; ciphertext, then the tag */
};

/*
 * in is libksba's ContentInfo of EnvelopedData; out gets the same with the
 * KeyTransRecipientInfos whose encryptedKey is an OAEP ciphertext named
 * RSAES-OAEP (SHA-256, MGF1-SHA-256), and with env->gcm an
 * AuthEnvelopedData of those recipient infos around env->gcm_ct (libksba's
 * content is then dropped).  ERR_CRYPTO when in is not what libksba
 * writes.
 */
int cms_envelope_rewrite(const struct buf *in, const struct cms_envelope *env,
			 struct buf *out, struct err *e);

/*
 * The capability identifiers of an sMIMECapabilities attribute value (DER
 * SMIMECapabilities), dotted, separated by one space, in the order given
 * (*out owned; "" when the list is empty); parameters are not kept.
 * ERR_INPUT when malformed or over SMIME_MAX_CAPABILITIES entries.
 */
int cms_capabilities_parse(const unsigned char *der, size_t len, char **out,
			   struct err *e);

/* The DER of the certificate fpr from the keybox (read-only, through
 * eng's GPGME context), kept in eng (engine_certs.c); *der is borrowed
 * from eng. */
int engine_cert_der(struct smime_engine *eng, const char *fpr,
		    const struct buf **der, struct err *e);
/* The same, the whole entry (its key fields filled by cms_encrypt); valid
 * until the next engine_cert_get on eng. */
int engine_cert_get(struct smime_engine *eng, const char *fpr,
		    struct engine_cert **out, struct err *e);
void engine_certs_free(struct smime_engine *eng);

/* What cms_sign keeps in an engine (the signer, the agent connection). */
void cms_signer_free(struct cms_signer **s);

#endif
