/* cms_sign.c — SignedData made in cachet's process: GnuTLS builds the
 * CMS, gpg-agent makes the one private-key operation (PKSIGN) through an
 * external GnuTLS private key. */
#include "crypto/agent_p.h"
#include "crypto/cms_p.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/pkcs7.h>
#include <gnutls/x509.h>
#include <stdlib.h>
#include <string.h>

struct cms_signer {
	char *fpr;			/* owned; the certificate's fingerprint */
	char *grip;			/* owned; the agent's name for the key */
	char *desc;			/* owned; the key, for the person */
	gnutls_x509_crt_t crt;		/* owned */
	gnutls_privkey_t key;		/* owned; calls agent_pksign */
	gnutls_pk_algorithm_t pk;
	unsigned bits;
	gnutls_digest_algorithm_t dig;
	gnutls_pkcs7_attrs_t attrs;	/* owned; cachet's signed attributes */
	struct agent *agent;		/* foreign; the engine's connection */
	struct err err;			/* the agent's refusal, for cms_sign */
};

void
cms_signer_free(struct cms_signer **sp)
{
	struct cms_signer *s;

	if (sp == NULL || (s = *sp) == NULL)
		return;
	if (s->key)
		gnutls_privkey_deinit(s->key);
	if (s->crt)
		gnutls_x509_crt_deinit(s->crt);
	gnutls_pkcs7_attrs_deinit(s->attrs);
	free(s->fpr);
	free(s->grip);
	free(s->desc);
	free(s);
	*sp = NULL;
}

void
smime_engine_set_passphrase(struct smime_engine *eng, const struct smime_passphrase *pp)
{
	if (pp)
		eng->pp = *pp;
	else
		memset(&eng->pp, 0, sizeof eng->pp);
	if (eng->key_agent)
		agent_set_passphrase(eng->key_agent, pp);
}

int
engine_key_agent(struct smime_engine *eng, struct agent **out, struct err *e)
{
	if (eng->key_agent == NULL) {
		if (agent_open(eng->home, &eng->key_agent, e) < 0)
			return -1;
		if (eng->pp.get)
			agent_set_passphrase(eng->key_agent, &eng->pp);
	}
	*out = eng->key_agent;
	return 0;
}

static const char *
agent_hash_name(gnutls_digest_algorithm_t dig)
{
	switch (dig) {
	case GNUTLS_DIG_SHA256: return "sha256";
	case GNUTLS_DIG_SHA384: return "sha384";
	case GNUTLS_DIG_SHA512: return "sha512";
	default: return NULL;
	}
}

/* Copies an atom of the agent's answer into a GnuTLS datum, left-padded
 * with zeros to width bytes (0: as it is). */
static int
atom_datum(const unsigned char *p, size_t n, size_t width, gnutls_datum_t *d)
{
	size_t pad = width > n ? width - n : 0;

	d->data = gnutls_malloc(pad + n);
	if (d->data == NULL)
		return GNUTLS_E_MEMORY_ERROR;
	memset(d->data, 0, pad);
	memcpy(d->data + pad, p, n);
	d->size = (unsigned)(pad + n);
	return 0;
}

/* GnuTLS's sign-hash callback: the hash (for RSA inside a DigestInfo) goes
 * to the agent; its (sig-val ...) comes back as PKCS#1 bytes or, for
 * ECDSA, the DER Ecdsa-Sig-Value. */
static int
sign_hash(gnutls_privkey_t key, gnutls_sign_algorithm_t algo, void *userdata,
	  unsigned flags, const gnutls_datum_t *hash, gnutls_datum_t *sig)
{
	struct cms_signer *s = userdata;
	gnutls_digest_algorithm_t dig = gnutls_sign_get_hash_algorithm(algo);
	unsigned char h[64];
	unsigned hlen = sizeof h;
	const unsigned char *r, *sv;
	size_t rlen, slen;
	gnutls_datum_t rd = { NULL, 0 }, sd = { NULL, 0 };
	struct buf sexp = BUF_INIT;
	const char *name;
	int rc = GNUTLS_E_PK_SIGN_FAILED;

	if (s->pk == GNUTLS_PK_RSA) {
		if (gnutls_decode_ber_digest_info(hash, &dig, h, &hlen) < 0)
			return GNUTLS_E_PK_SIGN_FAILED;
	} else {
		if (hash->size > sizeof h)
			return GNUTLS_E_PK_SIGN_FAILED;
		memcpy(h, hash->data, hash->size);
		hlen = hash->size;
	}
	if ((name = agent_hash_name(dig)) == NULL) {
		err_set(&s->err, ERR_UNSUPPORTED, "signing: gpg-agent is not asked for %s",
			gnutls_digest_get_name(dig));
		return GNUTLS_E_PK_SIGN_FAILED;
	}
	if (agent_pksign(s->agent, s->grip, s->desc, name, h, hlen, &sexp, &s->err) < 0)
		goto out;
	if (s->pk == GNUTLS_PK_RSA) {
		if (agent_sexp_find(sexp.data, sexp.len, "s", &sv, &slen) < 0)
			goto bad;
		/* A PKCS#1 signature is as long as the modulus (RFC 8017 8.2.1);
		 * the agent drops leading zeros. */
		rc = atom_datum(sv, slen, (s->bits + 7) / 8, sig);
	} else {
		if (agent_sexp_find(sexp.data, sexp.len, "r", &r, &rlen) < 0 ||
		    agent_sexp_find(sexp.data, sexp.len, "s", &sv, &slen) < 0)
			goto bad;
		rd.data = (unsigned char *)r;
		rd.size = (unsigned)rlen;
		sd.data = (unsigned char *)sv;
		sd.size = (unsigned)slen;
		rc = gnutls_encode_rs_value(sig, &rd, &sd);
	}
	goto out;
bad:
	err_set(&s->err, ERR_CRYPTO, "signing: gpg-agent's answer is not a %s signature",
		s->pk == GNUTLS_PK_RSA ? "RSA" : "ECDSA");
out:
	buf_release(&sexp);
	return rc;
}

static int
key_info(gnutls_privkey_t key, unsigned flags, void *userdata)
{
	struct cms_signer *s = userdata;
	gnutls_sign_algorithm_t algo;

	if (flags & GNUTLS_PRIVKEY_INFO_PK_ALGO)
		return (int)s->pk;
	if (flags & GNUTLS_PRIVKEY_INFO_PK_ALGO_BITS)
		return (int)s->bits;
	if (flags & GNUTLS_PRIVKEY_INFO_HAVE_SIGN_ALGO) {
		algo = GNUTLS_FLAGS_TO_SIGN_ALGO(flags);
		return gnutls_sign_get_pk_algorithm(algo) == s->pk &&
		       agent_hash_name(gnutls_sign_get_hash_algorithm(algo)) != NULL;
	}
	return -1;
}

/* The signed attributes that depend on the signer only: made once. */
static int
signer_attrs(struct cms_signer *s, const struct buf *der, struct err *e)
{
	unsigned char hash[32], serial[64];
	size_t serial_len = sizeof serial;
	gnutls_datum_t issuer = { NULL, 0 }, d;
	struct buf caps = BUF_INIT, scv2 = BUF_INIT, pref = BUF_INIT;
	int g, rc = -1;

	if ((g = gnutls_hash_fast(GNUTLS_DIG_SHA256, der->data, der->len, hash)) < 0 ||
	    (g = gnutls_x509_crt_get_raw_issuer_dn(s->crt, &issuer)) < 0 ||
	    (g = gnutls_x509_crt_get_serial(s->crt, serial, &serial_len)) < 0) {
		err_set(e, ERR_CRYPTO, "signing: the certificate %s: %s", s->fpr,
			gnutls_strerror(g));
		goto out;
	}
	cms_attr_smime_capabilities(&caps);
	cms_attr_signing_certificate_v2(hash, &scv2);
	cms_attr_encryption_key_preference(issuer.data, issuer.size, serial, serial_len,
					   &pref);
	d.data = (unsigned char *)caps.data;
	d.size = (unsigned)caps.len;
	g = gnutls_pkcs7_add_attr(&s->attrs, CMS_OID_SMIME_CAPABILITIES, &d, 0);
	d.data = (unsigned char *)scv2.data;
	d.size = (unsigned)scv2.len;
	if (g >= 0)
		g = gnutls_pkcs7_add_attr(&s->attrs, CMS_OID_SIGNING_CERTIFICATE_V2, &d, 0);
	d.data = (unsigned char *)pref.data;
	d.size = (unsigned)pref.len;
	if (g >= 0)
		g = gnutls_pkcs7_add_attr(&s->attrs, CMS_OID_ENCRYPTION_KEY_PREFERENCE, &d, 0);
	if (g < 0) {
		err_set(e, ERR_CRYPTO, "signing: %s", gnutls_strerror(g));
		goto out;
	}
	rc = 0;
out:
	gnutls_free(issuer.data);
	buf_release(&caps);
	buf_release(&scv2);
	buf_release(&pref);
	return rc;
}

/* The signer fpr: certificate, keygrip, external key, attributes; kept in
 * eng while the same certificate signs. */
static int
signer_get(struct smime_engine *eng, const char *fpr, struct cms_signer **out,
	   struct err *e)
{
	struct cms_signer *s;
	const struct buf *der;
	gnutls_datum_t d;
	gnutls_pubkey_t pub = NULL;
	gpgme_key_t key;
	gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
	const char *email = NULL;
	gpgme_user_id_t uid;
	int g, rc = -1;

	if (eng->signer && strcmp(eng->signer->fpr, fpr) == 0) {
		*out = eng->signer;
		return 0;
	}
	cms_signer_free(&eng->signer);
	if (engine_key(eng, fpr, true, &key, e) < 0)
		return err_prefix(e, "signing key");
	if (key->subkeys == NULL || key->subkeys->keygrip == NULL)
		return err_set(e, ERR_CRYPTO, "signing: the keybox gives no keygrip for %s", fpr);
	s = xcalloc(1, sizeof *s);
	s->fpr = xstrdup(fpr);
	s->grip = xstrdup(key->subkeys->keygrip);
	for (uid = key->uids; uid && email == NULL; uid = uid->next)
		if (uid->email && *uid->email)
			email = uid->email;
	if (email) {
		size_t n = strlen(email);

		/* gpgsm gives the address as "<a@b>". */
		if (email[0] == '<' && n > 2 && email[n - 1] == '>')
			s->desc = xasprintf("%.*s (certificate %s)", (int)(n - 2), email + 1, fpr);
		else
			s->desc = xasprintf("%s (certificate %s)", email, fpr);
	} else {
		s->desc = xasprintf("certificate %s", fpr);
	}
	if (engine_cert_der(eng, fpr, &der, e) < 0)
		goto out;
	d.data = (unsigned char *)der->data;
	d.size = (unsigned)der->len;
	if ((g = gnutls_x509_crt_init(&s->crt)) < 0 ||
	    (g = gnutls_x509_crt_import(s->crt, &d, GNUTLS_X509_FMT_DER)) < 0 ||
	    (g = gnutls_pubkey_init(&pub)) < 0 ||
	    (g = gnutls_pubkey_import_x509(pub, s->crt, 0)) < 0) {
		err_set(e, ERR_CRYPTO, "signing: the certificate %s cannot be read: %s", fpr,
			gnutls_strerror(g));
		goto out;
	}
	s->pk = (gnutls_pk_algorithm_t)gnutls_pubkey_get_pk_algorithm(pub, &s->bits);
	s->dig = GNUTLS_DIG_SHA256;
	if (s->pk == GNUTLS_PK_ECDSA) {
		if (gnutls_pubkey_export_ecc_raw(pub, &curve, NULL, NULL) < 0)
			curve = GNUTLS_ECC_CURVE_INVALID;
		/* gpg-agent wants a hash at least as long as the curve's order. */
		if (curve == GNUTLS_ECC_CURVE_SECP384R1)
			s->dig = GNUTLS_DIG_SHA384;
		else if (curve == GNUTLS_ECC_CURVE_SECP521R1)
			s->dig = GNUTLS_DIG_SHA512;
		else if (curve != GNUTLS_ECC_CURVE_SECP256R1) {
			err_set(e, ERR_UNSUPPORTED, "signing: the curve of %s is not P-256, "
				"P-384 or P-521", fpr);
			goto out;
		}
	} else if (s->pk != GNUTLS_PK_RSA) {
		err_set(e, ERR_UNSUPPORTED, "signing: %s keys are not supported (%s)",
			gnutls_pk_get_name(s->pk), fpr);
		goto out;
	}
	if ((g = gnutls_privkey_init(&s->key)) < 0 ||
	    (g = gnutls_privkey_import_ext4(s->key, s, NULL, sign_hash, NULL, NULL,
					    key_info, 0)) < 0) {
		err_set(e, ERR_CRYPTO, "signing: %s", gnutls_strerror(g));
		goto out;
	}
	if (signer_attrs(s, der, e) < 0)
		goto out;
	eng->signer = s;
	s = NULL;
	*out = eng->signer;
	rc = 0;
out:
	gnutls_pubkey_deinit(pub);
	cms_signer_free(&s);
	return rc;
}

static const char *
micalg_of(gnutls_digest_algorithm_t dig)
{
	switch (dig) {
	case GNUTLS_DIG_SHA384: return "sha-384";
	case GNUTLS_DIG_SHA512: return "sha-512";
	default: return "sha-256";
	}
}

int
cms_sign(struct smime_engine *eng, const char *fpr, const void *data, size_t len,
	 struct buf *der, const char **micalg, struct err *e)
{
	struct cms_signer *s = NULL;
	gnutls_pkcs7_t p7 = NULL;
	gnutls_datum_t in, out = { NULL, 0 };
	int g, rc = -1;

	if (signer_get(eng, fpr, &s, e) < 0)
		return -1;
	if (engine_key_agent(eng, &s->agent, e) < 0)
		return err_prefix(e, "signing");
	memset(&s->err, 0, sizeof s->err);
	in.data = (unsigned char *)data;
	in.size = (unsigned)len;
	if ((g = gnutls_pkcs7_init(&p7)) < 0 ||
	    (g = gnutls_pkcs7_sign(p7, s->crt, s->key, &in, s->attrs, NULL, s->dig,
				   GNUTLS_PKCS7_INCLUDE_TIME | GNUTLS_PKCS7_INCLUDE_CERT)) < 0 ||
	    (g = gnutls_pkcs7_export2(p7, GNUTLS_X509_FMT_DER, &out)) < 0) {
		if (s->err.code)
			err_set(e, s->err.code, "%s", s->err.msg);
		else
			err_set(e, ERR_CRYPTO, "signing with %s: %s", fpr, gnutls_strerror(g));
		goto out;
	}
	buf_add(der, out.data, out.size);
	*micalg = micalg_of(s->dig);
	rc = 0;
out:
	gnutls_free(out.data);
	if (p7)
		gnutls_pkcs7_deinit(p7);
	return rc;
}
