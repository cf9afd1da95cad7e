/*
 * cms_decrypt_p.h — EnvelopedData (RFC 5652) and AuthEnvelopedData
 * (RFC 5083, RFC 5084) read and decrypted in cachet's own process.
 *
 * libksba walks the structure and hands out the encrypted content and the
 * GCM tag (BER with indefinite lengths and constructed OCTET STRINGs, as
 * OpenSSL streams it).  The RecipientInfos and the content-encryption
 * parameters are read from the DER here, with der.c's walker: libksba 1.6
 * gives no enc-val for RSAES-OAEP, drops a key agreement's ukm and sees
 * only the first key of a KeyAgreeRecipientInfo.
 *
 * The one private-key operation is gpg-agent's (PKDECRYPT through
 * agent_p.h): the RSA decryption of a key-transport value, PKCS#1 v1.5 or
 * OAEP, or the ECDH shared point.  The key-encryption key (ANSI X9.63
 * KDF over the shared X coordinate and the ECC-CMS-SharedInfo, RFC 5753),
 * the AES key unwrap (RFC 3394, nettle) and the content decryption
 * (GnuTLS) happen here.
 *
 * Nothing is released before it is checked: AES-GCM content is decrypted
 * whole and appended only once its tag is right; CBC plaintext is
 * appended only once its padding is.
 *
 * Errors: ERR_INPUT for a structure that is truncated or malformed;
 * ERR_UNSUPPORTED for algorithms not read here; ERR_CRYPTO when a
 * decryption fails (the agent, a wrong key or OAEP label, an EC point off
 * its curve, a bad tag or padding).
 */
#ifndef CACHET_CMS_DECRYPT_P_H
#define CACHET_CMS_DECRYPT_P_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"

struct agent;

enum cms_key_mgmt {
	CMS_KM_OTHER = 0,	/* kekri, pwri, ori, unknown algorithms */
	CMS_KM_RSA,		/* RSAES-PKCS1-v1_5 key transport */
	CMS_KM_RSA_OAEP,	/* RSAES-OAEP key transport */
	CMS_KM_ECDH,		/* ephemeral-static ECDH key agreement */
};

/*
 * One recipient: a KeyTransRecipientInfo, or one RecipientEncryptedKey of
 * a KeyAgreeRecipientInfo.  Byte ranges are borrowed from the DER given
 * to cms_env_parse.
 */
struct cms_recipient {
	enum cms_key_mgmt km;
	const char *unsupported;	/* static; why it cannot be decrypted here */
	char *issuer;			/* owned; issuer DN as gpgsm writes it, or NULL */
	char *serial;			/* owned; upper-case hex of the serial, or NULL */
	const unsigned char *skid;	/* foreign; subject key identifier, or NULL */
	size_t skid_len;
	const unsigned char *ekey;	/* foreign; encryptedKey */
	size_t ekey_len;
	/* RSAES-OAEP */
	const char *oaep_hash;		/* static; gpg-agent's name: "sha1", "sha256" */
	const unsigned char *label;	/* foreign; the pSpecified label, or NULL */
	size_t label_len;
	/* ECDH */
	const unsigned char *point;	/* foreign; originator's key, uncompressed */
	size_t point_len;
	const unsigned char *ukm;	/* foreign; user keying material, or NULL */
	size_t ukm_len;
	int kdf_hash;			/* gnutls_digest_algorithm_t of the X9.63 KDF */
	const unsigned char *wrap_alg;	/* foreign; the wrap AlgorithmIdentifier TLV */
	size_t wrap_alg_len;
	size_t kek_len;			/* bytes of the AES key-wrap key */
};

/* An EnvelopedData or AuthEnvelopedData, parsed. */
struct cms_env {
	bool authenticated;		/* AuthEnvelopedData */
	char content_alg[64];		/* dotted OID of the content cipher */
	const char *content_name;	/* static; "AES-256-CBC"... or NULL */
	int cipher;			/* gnutls_cipher_algorithm_t, or 0 */
	size_t key_len;			/* bytes of the content-encryption key */
	bool gcm;
	unsigned char iv[16];		/* CBC IV, or GCM nonce */
	size_t iv_len;
	size_t icv_len;			/* GCM tag length the parameters announce */
	unsigned char *content;		/* owned; the encrypted content */
	size_t content_len;
	unsigned char *tag;		/* owned; AuthEnvelopedData's mac, or NULL */
	size_t tag_len;
	struct cms_recipient *rcpt;	/* owned */
	size_t n_rcpt;
};

/*
 * Parses der (BER allowed) as a ContentInfo holding EnvelopedData or
 * AuthEnvelopedData.  *env borrows from der: der must outlive it.
 * ERR_INPUT when truncated or malformed, ERR_UNSUPPORTED for another
 * content type, a content cipher not read here, or authenticated
 * attributes.  A recipient with an algorithm not read here is kept with
 * km CMS_KM_OTHER and its reason.
 */
int cms_env_parse(const unsigned char *der, size_t len, struct cms_env **env,
		  struct err *e);
void cms_env_free(struct cms_env **env);

/* "serial 0A1B of CN=..., O=..." (or what the recipient is), appended. */
void cms_recipient_describe(const struct cms_recipient *r, struct buf *out);

/*
 * Refuses (ERR_CRYPTO) an ECDH originator key that is not an uncompressed
 * point on P-256, P-384 or P-521; 0 for every other recipient.
 */
int cms_recipient_check(const struct cms_recipient *r, struct err *e);

/*
 * The content-encryption key of env for recipient r, with the agent's
 * key grip (desc names it for passphrase prompts): appended to cek, which
 * the caller wipes.
 */
int cms_recipient_cek(const struct cms_env *env, const struct cms_recipient *r,
		      struct agent *a, const char *grip, const char *desc,
		      struct buf *cek, struct err *e);

/* Decrypts env's content with cek and appends it to plain, only when the
 * tag (GCM) or the padding (CBC) is right. */
int cms_env_decrypt(const struct cms_env *env, const unsigned char *cek,
		    size_t cek_len, struct buf *plain, struct err *e);

/* Shared by the reading (cms_decrypt.c) and the key and content
 * (cms_decrypt_key.c). */
struct der_tlv;
struct ecc_curve;
/* A curve ECDH is read on: its OID, name, field size and nettle's curve. */
struct ec_curve {
	const char *oid, *name;
	size_t field_len;
	const struct ecc_curve *(*get)(void);
};
/* The curve r's originator point must be on: the one named (an OID TLV),
 * else the one its length says; NULL when none is read here. */
const struct ec_curve *cms_curve_of(const struct cms_recipient *r,
				    const struct der_tlv *named);

#endif
