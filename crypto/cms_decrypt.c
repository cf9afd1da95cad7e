/* cms_decrypt.c — EnvelopedData and AuthEnvelopedData: parsed with libksba
 * and der.c, the content-encryption key from gpg-agent (plus the X9.63 KDF
 * and AES key unwrap for ECDH), the content decrypted with GnuTLS. */
#include "crypto/agent_p.h"
#include "crypto/cms_decrypt_p.h"
#include "crypto/smime_p.h"

#include <gmp.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <ksba.h>
#include <nettle/aes.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/nist-keywrap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libksba's parse loop stops a handful of times per message; more is a
 * structure it keeps going round in. */
#define CMS_MAX_STOPS 64
/* Recipients read from one message. */
#define CMS_MAX_RECIPIENTS 1024

#define OID_ENVELOPED "1.2.840.113549.1.7.3"
#define OID_AUTH_ENVELOPED "1.2.840.113549.1.9.16.1.23"
#define OID_RSA "1.2.840.113549.1.1.1"
#define OID_RSAES_OAEP "1.2.840.113549.1.1.7"
#define OID_MGF1 "1.2.840.113549.1.1.8"
#define OID_PSPECIFIED "1.2.840.113549.1.1.9"
#define OID_EC_PUBLIC_KEY "1.2.840.10045.2.1"

static const struct content_cipher {
	const char *oid, *name;
	gnutls_cipher_algorithm_t cipher;
	size_t key_len;
	bool gcm;
} content_ciphers[] = {
	{ "2.16.840.1.101.3.4.1.2", "AES-128-CBC", GNUTLS_CIPHER_AES_128_CBC, 16, false },
	{ "2.16.840.1.101.3.4.1.22", "AES-192-CBC", GNUTLS_CIPHER_AES_192_CBC, 24, false },
	{ "2.16.840.1.101.3.4.1.42", "AES-256-CBC", GNUTLS_CIPHER_AES_256_CBC, 32, false },
	{ "2.16.840.1.101.3.4.1.6", "AES-128-GCM", GNUTLS_CIPHER_AES_128_GCM, 16, true },
	{ "2.16.840.1.101.3.4.1.26", "AES-192-GCM", GNUTLS_CIPHER_AES_192_GCM, 24, true },
	{ "2.16.840.1.101.3.4.1.46", "AES-256-GCM", GNUTLS_CIPHER_AES_256_GCM, 32, true },
};

static const struct hash_alg {
	const char *oid, *agent_name;
	gnutls_digest_algorithm_t gnutls;
} hash_algs[] = {
	{ "1.3.14.3.2.26", "sha1", GNUTLS_DIG_SHA1 },
	{ "2.16.840.1.101.3.4.2.4", "sha224", GNUTLS_DIG_SHA224 },
	{ "2.16.840.1.101.3.4.2.1", "sha256", GNUTLS_DIG_SHA256 },
	{ "2.16.840.1.101.3.4.2.2", "sha384", GNUTLS_DIG_SHA384 },
	{ "2.16.840.1.101.3.4.2.3", "sha512", GNUTLS_DIG_SHA512 },
};

/* RFC 5753 / SEC 1 key-agreement schemes: the KDF's hash.  The cofactor
 * variants are the same computation on these curves (cofactor 1). */
static const struct kdf_scheme {
	const char *oid;
	gnutls_digest_algorithm_t hash;
} kdf_schemes[] = {
	{ "1.3.133.16.840.63.0.2", GNUTLS_DIG_SHA1 },	/* stdDH-sha1kdf */
	{ "1.3.132.1.11.0", GNUTLS_DIG_SHA224 },
	{ "1.3.132.1.11.1", GNUTLS_DIG_SHA256 },
	{ "1.3.132.1.11.2", GNUTLS_DIG_SHA384 },
	{ "1.3.132.1.11.3", GNUTLS_DIG_SHA512 },
	{ "1.3.133.16.840.63.0.3", GNUTLS_DIG_SHA1 },	/* cofactorDH-sha1kdf */
	{ "1.3.132.1.14.0", GNUTLS_DIG_SHA224 },
	{ "1.3.132.1.14.1", GNUTLS_DIG_SHA256 },
	{ "1.3.132.1.14.2", GNUTLS_DIG_SHA384 },
	{ "1.3.132.1.14.3", GNUTLS_DIG_SHA512 },
};

static const struct wrap_alg {
	const char *oid;
	size_t kek_len;
} wrap_algs[] = {
	{ "2.16.840.1.101.3.4.1.5", 16 },
	{ "2.16.840.1.101.3.4.1.25", 24 },
	{ "2.16.840.1.101.3.4.1.45", 32 },
};

static const struct ec_curve ec_curves[] = {
	{ "1.2.840.10045.3.1.7", "P-256", 32, nettle_get_secp_256r1 },
	{ "1.3.132.0.34", "P-384", 48, nettle_get_secp_384r1 },
	{ "1.3.132.0.35", "P-521", 66, nettle_get_secp_521r1 },
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* --- the DER the recipients are read from ------------------------------- */

static int
malformed(struct err *e, const char *what)
{
	return err_set(e, ERR_INPUT, "CMS structure is malformed: %s", what);
}

/* The next child of parent, which must be there and be [cls] tag. */
static int
next_is(const struct der_tlv *parent, size_t *off, struct der_tlv *c,
	unsigned cls, unsigned long tag, const char *what, struct err *e)
{
	int r = der_next(parent, off, c, e);

	if (r < 0)
		return -1;
	if (r == 0 || c->cls != cls || c->tag != tag)
		return malformed(e, what);
	return 0;
}

static int
oid_of(const struct der_tlv *t, char *out, size_t outlen, struct err *e)
{
	if (t->cls != 0 || t->tag != 6 || der_oid_string(t->v, t->n, out, outlen) < 0)
		return malformed(e, "bad object identifier");
	return 0;
}

/* AlgorithmIdentifier: its OID, and its parameters (has_params false when
 * absent). */
static int
alg_id(const struct der_tlv *t, char *oid, size_t oidlen, struct der_tlv *params,
       bool *has_params, struct err *e)
{
	struct der_tlv o;
	size_t off = 0;
	int r;

	if (t->cls != 0 || t->tag != 16)
		return malformed(e, "AlgorithmIdentifier expected");
	if (next_is(t, &off, &o, 0, 6, "algorithm OID expected", e) < 0 ||
	    oid_of(&o, oid, oidlen, e) < 0)
		return -1;
	r = der_next(t, &off, params, e);
	if (r < 0)
		return -1;
	*has_params = r == 1 && !(params->cls == 0 && params->tag == 5);	/* NULL */
	return 0;
}

static const struct hash_alg *
hash_by_oid(const char *oid)
{
	size_t i;

	for (i = 0; i < N_OF(hash_algs); i++)
		if (strcmp(hash_algs[i].oid, oid) == 0)
			return &hash_algs[i];
	return NULL;
}

/* A [n] EXPLICIT AlgorithmIdentifier's hash. */
static int
explicit_hash(const struct der_tlv *tagged, const struct hash_alg **h, struct err *e)
{
	struct der_tlv a, p;
	size_t off = 0;
	char oid[64];
	bool has;

	if (der_next(tagged, &off, &a, e) != 1)
		return malformed(e, "RSAES-OAEP parameters");
	if (alg_id(&a, oid, sizeof oid, &p, &has, e) < 0)
		return -1;
	*h = hash_by_oid(oid);
	return 0;
}

/* RSAES-OAEP-params (RFC 8017): hash, MGF1 over the same hash (the only
 * mask libgcrypt applies), optional label. */
static int
oaep_params(struct cms_recipient *r, const struct der_tlv *params, bool has_params,
	    struct err *e)
{
	const struct hash_alg *hash = &hash_algs[0], *mgf_hash = &hash_algs[0];
	struct der_tlv c, a, p, l;
	size_t off = 0, aoff;
	char oid[64];
	bool has;
	int rc;

	if (has_params) {
		if (params->cls != 0 || params->tag != 16)
			return malformed(e, "RSAES-OAEP parameters");
		while ((rc = der_next(params, &off, &c, e)) == 1) {
			if (c.cls != 2)
				return malformed(e, "RSAES-OAEP parameters");
			if (c.tag == 0) {
				if (explicit_hash(&c, &hash, e) < 0)
					return -1;
			} else if (c.tag == 1) {
				aoff = 0;
				if (der_next(&c, &aoff, &a, e) != 1 ||
				    alg_id(&a, oid, sizeof oid, &p, &has, e) < 0)
					return malformed(e, "RSAES-OAEP mask generation");
				if (strcmp(oid, OID_MGF1) != 0 || !has) {
					r->unsupported = "RSAES-OAEP with a mask generation other than MGF1";
					return 0;
				}
				if (alg_id(&p, oid, sizeof oid, &a, &has, e) < 0)
					return -1;
				mgf_hash = hash_by_oid(oid);
			} else if (c.tag == 2) {
				aoff = 0;
				if (der_next(&c, &aoff, &a, e) != 1 ||
				    alg_id(&a, oid, sizeof oid, &p, &has, e) < 0)
					return malformed(e, "RSAES-OAEP label");
				if (strcmp(oid, OID_PSPECIFIED) != 0 ||
				    (has && (p.cls != 0 || p.tag != 4)))
					return malformed(e, "RSAES-OAEP label");
				l = p;
				r->label = has ? l.v : NULL;
				r->label_len = has ? l.n : 0;
			} else {
				return malformed(e, "RSAES-OAEP parameters");
			}
		}
		if (rc < 0)
			return -1;
	}
	if (hash == NULL || mgf_hash == NULL) {
		r->unsupported = "RSAES-OAEP with a hash function cachet does not know";
		return 0;
	}
	if (hash != mgf_hash) {
		r->unsupported = "RSAES-OAEP whose MGF1 hash differs from its label hash";
		return 0;
	}
	r->oaep_hash = hash->agent_name;
	return 0;
}

static void
hex_upper(const unsigned char *p, size_t n, char **out)
{
	static const char digits[] = "0123456789ABCDEF";
	char *s = xmalloc(2 * n + 1);
	size_t i;

	for (i = 0; i < n; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 15];
	}
	s[2 * n] = '\0';
	*out = s;
}

/* A recipient identifier: issuerAndSerialNumber, or a subject key
 * identifier ([0] IMPLICIT OCTET STRING in a KeyTransRecipientInfo, the
 * first field of [0] IMPLICIT RecipientKeyIdentifier in a key agreement). */
static int
rid(struct cms_recipient *r, const struct der_tlv *t, struct err *e)
{
	struct der_tlv name, serial, ski;
	size_t off = 0;
	char *dn = NULL;

	if (t->cls == 2 && t->tag == 0) {
		if (!t->constructed) {
			ski = *t;
		} else if (next_is(t, &off, &ski, 0, 4, "subjectKeyIdentifier expected", e) < 0) {
			return -1;
		}
		if (ski.constructed || ski.n == 0)
			return malformed(e, "subjectKeyIdentifier");
		r->skid = ski.v;
		r->skid_len = ski.n;
		return 0;
	}
	if (t->cls != 0 || t->tag != 16)
		return malformed(e, "recipient identifier");
	if (next_is(t, &off, &name, 0, 16, "issuer Name expected", e) < 0 ||
	    next_is(t, &off, &serial, 0, 2, "serialNumber expected", e) < 0)
		return -1;
	if (serial.n == 0 || serial.n > 64)
		return malformed(e, "serialNumber");
	if (ksba_dn_der2str(name.raw, name.total, &dn) != 0)
		return malformed(e, "issuer Name");
	r->issuer = xstrdup(dn);
	ksba_free(dn);
	hex_upper(serial.v, serial.n, &r->serial);
	return 0;
}

static struct cms_recipient *
rcpt_add(struct cms_env *env, struct err *e)
{
	if (env->n_rcpt == CMS_MAX_RECIPIENTS) {
		err_set(e, ERR_INPUT, "CMS data names more than %d recipients", CMS_MAX_RECIPIENTS);
		return NULL;
	}
	env->rcpt = xrealloc(env->rcpt, (env->n_rcpt + 1) * sizeof *env->rcpt);
	memset(&env->rcpt[env->n_rcpt], 0, sizeof *env->rcpt);
	return &env->rcpt[env->n_rcpt++];
}

/* KeyTransRecipientInfo ::= SEQUENCE { version, rid, keyEncryptionAlgorithm,
 * encryptedKey } */
static int
ktri(struct cms_env *env, const struct der_tlv *ri, struct err *e)
{
	struct cms_recipient *r;
	struct der_tlv v, id, alg, params, ek;
	size_t off = 0;
	char oid[64];
	bool has;

	if ((r = rcpt_add(env, e)) == NULL)
		return -1;
	if (next_is(ri, &off, &v, 0, 2, "KeyTransRecipientInfo version", e) < 0 ||
	    der_next(ri, &off, &id, e) != 1 || rid(r, &id, e) < 0 ||
	    next_is(ri, &off, &alg, 0, 16, "keyEncryptionAlgorithm expected", e) < 0 ||
	    alg_id(&alg, oid, sizeof oid, &params, &has, e) < 0 ||
	    next_is(ri, &off, &ek, 0, 4, "encryptedKey expected", e) < 0)
		return malformed(e, "KeyTransRecipientInfo");
	r->ekey = ek.v;
	r->ekey_len = ek.n;
	if (strcmp(oid, OID_RSA) == 0) {
		r->km = CMS_KM_RSA;
	} else if (strcmp(oid, OID_RSAES_OAEP) == 0) {
		r->km = CMS_KM_RSA_OAEP;
		if (oaep_params(r, &params, has, e) < 0)
			return -1;
		if (r->unsupported)
			r->km = CMS_KM_OTHER;
	} else {
		r->unsupported = "a key-transport algorithm cachet does not know";
	}
	return 0;
}

/* OriginatorPublicKey: the uncompressed point, and the curve when the
 * algorithm names one. */
static int
originator_key(const struct der_tlv *ok, const struct der_tlv **curve_p,
	       struct cms_recipient *proto, struct der_tlv *curve, struct err *e)
{
	struct der_tlv alg, params, bits;
	size_t off = 0;
	char oid[64];
	bool has;

	if (next_is(ok, &off, &alg, 0, 16, "originatorKey algorithm", e) < 0 ||
	    alg_id(&alg, oid, sizeof oid, &params, &has, e) < 0 ||
	    next_is(ok, &off, &bits, 0, 3, "originatorKey publicKey", e) < 0)
		return -1;
	if (strcmp(oid, OID_EC_PUBLIC_KEY) != 0) {
		proto->unsupported = "key agreement with a key that is not elliptic-curve";
		return 0;
	}
	if (bits.n < 2 || bits.v[0] != 0)
		return malformed(e, "originatorKey publicKey");
	proto->point = bits.v + 1;
	proto->point_len = bits.n - 1;
	*curve = params;
	*curve_p = has ? curve : NULL;
	return 0;
}

/* The curve the originator's point must be on: the one its algorithm
 * names, else the one its length says. */
const struct ec_curve *
cms_curve_of(const struct cms_recipient *r, const struct der_tlv *named)
{
	char oid[64];
	size_t i;

	if (named) {
		if (named->cls != 0 || named->tag != 6 ||
		    der_oid_string(named->v, named->n, oid, sizeof oid) < 0)
			return NULL;
		for (i = 0; i < N_OF(ec_curves); i++)
			if (strcmp(ec_curves[i].oid, oid) == 0)
				return &ec_curves[i];
		return NULL;
	}
	for (i = 0; i < N_OF(ec_curves); i++)
		if (r->point_len == 2 * ec_curves[i].field_len + 1)
			return &ec_curves[i];
	return NULL;
}

/* KeyAgreeRecipientInfo ::= SEQUENCE { version, originator [0], ukm [1]
 * OPTIONAL, keyEncryptionAlgorithm, recipientEncryptedKeys }: one
 * recipient per RecipientEncryptedKey. */
static int
kari(struct cms_env *env, const struct der_tlv *ri, struct err *e)
{
	struct cms_recipient proto, *r;
	struct der_tlv v, orig, ok, c, alg, params, wrap, keys, rek, id, ek, curve;
	const struct der_tlv *named = NULL;
	size_t off = 0, ooff = 0, koff = 0, roff, i;
	char oid[64], woid[64];
	bool has, whas;
	int rc;

	memset(&proto, 0, sizeof proto);
	proto.km = CMS_KM_ECDH;
	if (next_is(ri, &off, &v, 0, 2, "KeyAgreeRecipientInfo version", e) < 0 ||
	    next_is(ri, &off, &orig, 2, 0, "KeyAgreeRecipientInfo originator", e) < 0 ||
	    der_next(&orig, &ooff, &ok, e) != 1)
		return malformed(e, "KeyAgreeRecipientInfo originator");
	if (ok.cls == 2 && ok.tag == 1) {
		if (originator_key(&ok, &named, &proto, &curve, e) < 0)
			return -1;
	} else {
		proto.unsupported = "key agreement with a static originator key";
	}
	if (der_next(ri, &off, &c, e) != 1)
		return malformed(e, "KeyAgreeRecipientInfo is truncated");
	if (c.cls == 2 && c.tag == 1) {
		struct der_tlv u;
		size_t uoff = 0;

		if (next_is(&c, &uoff, &u, 0, 4, "ukm OCTET STRING", e) < 0)
			return -1;
		proto.ukm = u.v;
		proto.ukm_len = u.n;
		if (der_next(ri, &off, &c, e) != 1)
			return malformed(e, "KeyAgreeRecipientInfo is truncated");
	}
	alg = c;
	if (alg_id(&alg, oid, sizeof oid, &params, &has, e) < 0)
		return -1;
	if (!has || alg_id(&params, woid, sizeof woid, &wrap, &whas, e) < 0)
		return malformed(e, "KeyAgreeRecipientInfo key wrap algorithm");
	proto.wrap_alg = params.raw;
	proto.wrap_alg_len = params.total;
	for (i = 0; i < N_OF(kdf_schemes); i++)
		if (strcmp(kdf_schemes[i].oid, oid) == 0)
			proto.kdf_hash = (int)kdf_schemes[i].hash;
	for (i = 0; i < N_OF(wrap_algs); i++)
		if (strcmp(wrap_algs[i].oid, woid) == 0)
			proto.kek_len = wrap_algs[i].kek_len;
	if (!proto.unsupported && proto.kdf_hash == 0)
		proto.unsupported = "key agreement with a scheme cachet does not know";
	if (!proto.unsupported && proto.kek_len == 0)
		proto.unsupported = "key agreement with a key wrap other than AES";
	if (!proto.unsupported && cms_curve_of(&proto, named) == NULL)
		proto.unsupported = "key agreement on a curve other than P-256, P-384, P-521";
	if (next_is(ri, &off, &keys, 0, 16, "recipientEncryptedKeys", e) < 0)
		return -1;
	while ((rc = der_next(&keys, &koff, &rek, e)) == 1) {
		if (rek.cls != 0 || rek.tag != 16)
			return malformed(e, "RecipientEncryptedKey");
		roff = 0;
		if ((r = rcpt_add(env, e)) == NULL)
			return -1;
		*r = proto;
		if (proto.unsupported)
			r->km = CMS_KM_OTHER;
		if (der_next(&rek, &roff, &id, e) != 1 || rid(r, &id, e) < 0 ||
		    next_is(&rek, &roff, &ek, 0, 4, "encryptedKey expected", e) < 0)
			return malformed(e, "RecipientEncryptedKey");
		r->ekey = ek.v;
		r->ekey_len = ek.n;
	}
	return rc;
}

static int
recipients(struct cms_env *env, const struct der_tlv *set, struct err *e)
{
	struct cms_recipient *r;
	struct der_tlv ri;
	size_t off = 0;
	int rc;

	while ((rc = der_next(set, &off, &ri, e)) == 1) {
		if (ri.cls == 0 && ri.tag == 16) {
			if (ktri(env, &ri, e) < 0)
				return -1;
		} else if (ri.cls == 2 && ri.tag == 1) {
			if (kari(env, &ri, e) < 0)
				return -1;
		} else {
			if ((r = rcpt_add(env, e)) == NULL)
				return -1;
			r->unsupported = ri.cls == 2 && ri.tag == 2 ? "a key-encryption key (kekri)"
				: ri.cls == 2 && ri.tag == 3 ? "a password (pwri)"
				: "another kind of recipient (ori)";
		}
	}
	return rc;
}

/* CBC: the IV; GCM: GCMParameters ::= SEQUENCE { nonce, ICVlen DEFAULT 12 }. */
static int
content_params(struct cms_env *env, const struct der_tlv *p, bool has, struct err *e)
{
	struct der_tlv n, l;
	size_t off = 0;
	unsigned long icv = 0;
	size_t i;
	int r;

	if (!has)
		return malformed(e, "content cipher without parameters");
	if (!env->gcm) {
		if (p->cls != 0 || p->tag != 4 || p->n != 16)
			return malformed(e, "content cipher IV");
		memcpy(env->iv, p->v, 16);
		env->iv_len = 16;
		return 0;
	}
	if (p->cls != 0 || p->tag != 16 ||
	    next_is(p, &off, &n, 0, 4, "GCM nonce", e) < 0 || n.n == 0 || n.n > 16)
		return malformed(e, "GCM parameters");
	memcpy(env->iv, n.v, n.n);
	env->iv_len = n.n;
	env->icv_len = 12;
	r = der_next(p, &off, &l, e);
	if (r < 0)
		return -1;
	if (r == 1) {
		if (l.cls != 0 || l.tag != 2 || l.n == 0 || l.n > 2)
			return malformed(e, "GCM tag length");
		for (i = 0; i < l.n; i++)
			icv = icv << 8 | l.v[i];
		if (icv < 12 || icv > 16)
			return err_set(e, ERR_UNSUPPORTED, "a GCM tag of %lu bytes", icv);
		env->icv_len = icv;
	}
	return 0;
}

/* ContentInfo { contentType, [0] { EnvelopedData | AuthEnvelopedData } }:
 * the recipients and the content cipher with its parameters. */
static int
read_der(struct cms_env *env, const unsigned char *der, size_t len, struct err *e)
{
	struct der_tlv ci, t, content, ed, c, eci, alg, params;
	size_t off = 0, coff = 0, eoff = 0, xoff = 0, i;
	char oid[64];
	bool has;

	if (der_read(der, len, &ci, e) < 0)
		return -1;
	if (ci.cls != 0 || ci.tag != 16)
		return err_set(e, ERR_INPUT, "not a CMS ContentInfo");
	if (next_is(&ci, &off, &t, 0, 6, "contentType expected", e) < 0 ||
	    oid_of(&t, oid, sizeof oid, e) < 0)
		return -1;
	if (strcmp(oid, OID_AUTH_ENVELOPED) == 0)
		env->authenticated = true;
	else if (strcmp(oid, OID_ENVELOPED) != 0)
		return err_set(e, ERR_UNSUPPORTED, "CMS content type %s is not enveloped data", oid);
	if (next_is(&ci, &off, &content, 2, 0, "content [0] expected", e) < 0 ||
	    next_is(&content, &coff, &ed, 0, 16, "EnvelopedData expected", e) < 0 ||
	    next_is(&ed, &eoff, &c, 0, 2, "version expected", e) < 0)
		return -1;
	if (der_next(&ed, &eoff, &c, e) != 1)
		return malformed(e, "recipientInfos expected");
	if (c.cls == 2 && c.tag == 0 && der_next(&ed, &eoff, &c, e) != 1)	/* originatorInfo */
		return malformed(e, "recipientInfos expected");
	if (c.cls != 0 || c.tag != 17)
		return malformed(e, "recipientInfos expected");
	if (recipients(env, &c, e) < 0)
		return -1;
	if (env->n_rcpt == 0)
		return malformed(e, "no recipientInfos");
	if (next_is(&ed, &eoff, &eci, 0, 16, "encryptedContentInfo expected", e) < 0 ||
	    next_is(&eci, &xoff, &t, 0, 6, "contentType expected", e) < 0 ||
	    next_is(&eci, &xoff, &alg, 0, 16, "contentEncryptionAlgorithm expected", e) < 0 ||
	    alg_id(&alg, env->content_alg, sizeof env->content_alg, &params, &has, e) < 0)
		return -1;
	for (i = 0; i < N_OF(content_ciphers); i++)
		if (strcmp(content_ciphers[i].oid, env->content_alg) == 0) {
			env->content_name = content_ciphers[i].name;
			env->cipher = content_ciphers[i].cipher;
			env->key_len = content_ciphers[i].key_len;
			env->gcm = content_ciphers[i].gcm;
		}
	if (env->content_name == NULL)
		return err_set(e, ERR_UNSUPPORTED, "content encrypted with %s, which cachet "
			       "does not decrypt (it reads AES-128/192/256 in CBC and GCM)",
			       env->content_alg);
	if (env->gcm != env->authenticated)
		return err_set(e, ERR_UNSUPPORTED, "%s in %s", env->content_name,
			       env->authenticated ? "AuthEnvelopedData" : "EnvelopedData");
	return content_params(env, &params, has, e);
}

/* libksba's error, in words: what the structure lacks, or what it holds
 * that libksba does not read. */
static int
ksba_fail(struct err *e, gpg_error_t g)
{
	switch (gpg_err_code(g)) {
	case GPG_ERR_NOT_IMPLEMENTED:
		return err_set(e, ERR_UNSUPPORTED, "authenticated attributes in "
			       "AuthEnvelopedData, which cachet does not read");
	case GPG_ERR_UNSUPPORTED_CMS_OBJ:
	case GPG_ERR_UNSUPPORTED_ALGORITHM:
	case GPG_ERR_UNKNOWN_ALGORITHM:
		return err_set(e, ERR_UNSUPPORTED, "CMS data: %s", gpg_strerror(g));
	case GPG_ERR_ENOMEM:
		return err_set(e, ERR_CRYPTO, "CMS data: out of memory");
	default:
		return err_set(e, ERR_INPUT, "CMS data is truncated or malformed (%s)",
			       gpg_strerror(g));
	}
}

/* libksba's walk: the encrypted content (whatever way it is encoded) and
 * AuthEnvelopedData's mac. */
static int
read_ksba(struct cms_env *env, const unsigned char *der, size_t len, struct err *e)
{
	ksba_reader_t reader = NULL;
	ksba_writer_t writer = NULL;
	ksba_cms_t cms = NULL;
	ksba_stop_reason_t stop = KSBA_SR_NONE;
	ksba_content_type_t ct;
	const char *alg;
	char *tag = NULL;
	void *mem;
	size_t n = 0, stops = 0;
	gpg_error_t g;
	int rc = -1;

	g = ksba_reader_new(&reader);
	if (!g)
		g = ksba_reader_set_mem(reader, der, len);
	if (!g)
		g = ksba_writer_new(&writer);
	if (!g)
		g = ksba_writer_set_mem(writer, len < 4096 ? 4096 : len);
	if (!g)
		g = ksba_cms_new(&cms);
	if (!g)
		g = ksba_cms_set_reader_writer(cms, reader, writer);
	if (g) {
		ksba_fail(e, g);
		goto out;
	}
	do {
		if (++stops > CMS_MAX_STOPS) {
			err_set(e, ERR_INPUT, "CMS data is malformed (no end)");
			goto out;
		}
		if ((g = ksba_cms_parse(cms, &stop)) != 0) {
			ksba_fail(e, g);
			goto out;
		}
		if (stop == KSBA_SR_GOT_CONTENT) {
			ct = ksba_cms_get_content_type(cms, 0);
			if (ct != (env->authenticated ? KSBA_CT_AUTHENVELOPED_DATA
				   : KSBA_CT_ENVELOPED_DATA)) {
				err_set(e, ERR_INPUT, "CMS data is malformed (its content type "
					"is not what it says)");
				goto out;
			}
		} else if (stop == KSBA_SR_DETACHED_DATA) {
			err_set(e, ERR_INPUT, "CMS data has no encrypted content");
			goto out;
		} else if (stop == KSBA_SR_BEGIN_DATA) {
			alg = ksba_cms_get_content_oid(cms, 2);
			if (alg == NULL || strcmp(alg, env->content_alg) != 0) {
				err_set(e, ERR_INPUT, "CMS data is malformed (content cipher)");
				goto out;
			}
		}
	} while (stop != KSBA_SR_READY);
	mem = ksba_writer_snatch_mem(writer, &n);
	if (mem == NULL && n != 0) {
		err_set(e, ERR_CRYPTO, "CMS data: out of memory");
		goto out;
	}
	env->content = xmalloc(n ? n : 1);
	if (n)
		memcpy(env->content, mem, n);
	env->content_len = n;
	ksba_free(mem);
	if (env->authenticated) {
		n = 0;
		g = ksba_cms_get_message_digest(cms, 0, &tag, &n);
		if (g || tag == NULL || n == 0) {
			err_set(e, ERR_INPUT, "AuthEnvelopedData has no authentication tag");
			goto out;
		}
		env->tag = xmalloc(n);
		memcpy(env->tag, tag, n);
		env->tag_len = n;
		ksba_free(tag);
	}
	rc = 0;
out:
	ksba_cms_release(cms);
	ksba_writer_release(writer);
	ksba_reader_release(reader);
	return rc;
}

int
cms_env_parse(const unsigned char *der, size_t len, struct cms_env **out,
	      struct err *e)
{
	struct cms_env *env = xcalloc(1, sizeof *env);

	*out = NULL;
	if (len == 0) {
		cms_env_free(&env);
		return err_set(e, ERR_INPUT, "CMS data is empty");
	}
	if (read_der(env, der, len, e) < 0 || der_check_tree(der, len, e) < 0 ||
	    read_ksba(env, der, len, e) < 0) {
		cms_env_free(&env);
		return -1;
	}
	*out = env;
	return 0;
}

void
cms_env_free(struct cms_env **envp)
{
	struct cms_env *env;
	size_t i;

	if (envp == NULL || (env = *envp) == NULL)
		return;
	for (i = 0; i < env->n_rcpt; i++) {
		free(env->rcpt[i].issuer);
		free(env->rcpt[i].serial);
	}
	free(env->rcpt);
	free(env->content);
	free(env->tag);
	free(env);
	*envp = NULL;
}

void
cms_recipient_describe(const struct cms_recipient *r, struct buf *out)
{
	size_t i;

	if (r->serial) {
		buf_addf(out, "serial %s of %s", r->serial, r->issuer ? r->issuer : "?");
	} else if (r->skid) {
		buf_adds(out, "subject key identifier ");
		for (i = 0; i < r->skid_len && i < 32; i++)
			buf_addf(out, "%02X", r->skid[i]);
	} else {
		buf_addf(out, "%s", r->unsupported ? r->unsupported : "an unnamed key");
	}
}

