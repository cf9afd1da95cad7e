/* cms_encrypt.c — EnvelopedData made in cachet's process: AES-256-CBC
 * with a fresh key and IV (GnuTLS), the key sent to each recipient by RSA
 * PKCS#1 v1.5 (GnuTLS) or RSAES-OAEP (libgcrypt) key transport, or ECDH
 * (nettle), the CMS built by libksba; AuthEnvelopedData with AES-256-GCM
 * around the same recipient infos (cms_envelope.c).  No private key is
 * involved, so neither gpgsm nor gpg-agent is asked. */
#include "crypto/agent_p.h"
#include "crypto/cms_p.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <gcrypt.h>
#include <pthread.h>
#include <ksba.h>
#include <nettle/aes.h>
#include <nettle/bignum.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/nist-keywrap.h>
#include <stdlib.h>
#include <string.h>

#define OID_AES256_CBC "2.16.840.1.101.3.4.1.42"
/* RFC 5753 key agreement: ephemeral-static ECDH, X9.63 KDF with SHA-256,
 * the content key wrapped with AES-256 (RFC 3394). */
#define OID_ECDH_SHA256KDF "1.3.132.1.11.1"
#define OID_AES256_WRAP "2.16.840.1.101.3.4.1.45"
#define ECDH_MAX_FIELD 66	/* P-521 */

/* "ADDRESS (certificate FPR)" for messages, from the keybox's listing. */
static char *
cert_name(struct smime_engine *eng, const char *fpr)
{
	gpgme_key_t key;
	gpgme_user_id_t uid;
	struct err ignored;
	size_t n;

	if (engine_key(eng, fpr, false, &key, &ignored) == 0)
		for (uid = key->uids; uid; uid = uid->next) {
			if (uid->email == NULL || (n = strlen(uid->email)) == 0)
				continue;
			if (uid->email[0] == '<' && n > 2 && uid->email[n - 1] == '>')
				return xasprintf("%.*s (certificate %s)", (int)(n - 2),
						 uid->email + 1, fpr);
			return xasprintf("%s (certificate %s)", uid->email, fpr);
		}
	return xasprintf("certificate %s", fpr);
}

static void
random_bytes(void *ctx, size_t n, uint8_t *dst)
{
	/* nettle's callback cannot fail; a machine without randomness
	 * must not encrypt at all. */
	if (gnutls_rnd(GNUTLS_RND_KEY, dst, n) < 0)
		abort();
}

/* ECC-CMS-SharedInfo (RFC 5753 7.2) for AES-256 key wrap: keyInfo, no
 * entityUInfo (cachet sends no ukm), suppPubInfo = the KEK's 256 bits. */
static void
ecdh_shared_info(struct buf *out)
{
	static const unsigned char wrap_oid[] = {
		0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2d };
	static const unsigned char bits[] = { 0x00, 0x00, 0x01, 0x00 };
	struct buf oid = BUF_INIT, alg = BUF_INIT, oct = BUF_INIT;

	cms_der_tlv(&oid, 0x06, wrap_oid, sizeof wrap_oid);
	cms_der_tlv(&alg, 0x30, oid.data, oid.len);
	cms_der_tlv(&oct, 0x04, bits, sizeof bits);
	cms_der_tlv(&alg, 0xa2, oct.data, oct.len);
	cms_der_tlv(out, 0x30, alg.data, alg.len);
	buf_release(&oid);
	buf_release(&alg);
	buf_release(&oct);
}

/* The content key for an EC recipient: an ephemeral key on the
 * recipient's curve, the shared point's x through the X9.63 KDF
 * (SHA-256) into an AES-256 key that wraps the content key; as the
 * (enc-val(ecdh(e)(s)(encr-algo)(wrap-algo))) libksba writes into a
 * KeyAgreeRecipientInfo. */
static int
ecdh_wrap(const char *name, gnutls_pubkey_t pub, const gnutls_datum_t *key,
	  struct buf *enc_val, struct err *e)
{
	gnutls_ecc_curve_t curve;
	gnutls_datum_t x = { NULL, 0 }, y = { NULL, 0 };
	const struct ecc_curve *ec;
	struct ecc_point q, eph, z;
	struct ecc_scalar k;
	struct aes256_ctx aes;
	struct buf kdf = BUF_INIT;
	unsigned char point[1 + 2 * ECDH_MAX_FIELD], zx[ECDH_MAX_FIELD];
	unsigned char kek[32], wrapped[40];
	static const unsigned char counter[4] = { 0, 0, 0, 1 };
	static const uint8_t iv[8] = { 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6 };
	mpz_t mx, my;
	size_t flen;
	int rc = -1;

	if (gnutls_pubkey_export_ecc_raw2(pub, &curve, &x, &y, GNUTLS_EXPORT_FLAG_NO_LZ) < 0)
		return err_set(e, ERR_NOCERT, "%s: the EC public key cannot be read", name);
	switch (curve) {
	case GNUTLS_ECC_CURVE_SECP256R1: ec = nettle_get_secp_256r1(); break;
	case GNUTLS_ECC_CURVE_SECP384R1: ec = nettle_get_secp_384r1(); break;
	case GNUTLS_ECC_CURVE_SECP521R1: ec = nettle_get_secp_521r1(); break;
	default:
		gnutls_free(x.data);
		gnutls_free(y.data);
		return err_set(e, ERR_UNSUPPORTED, "%s: cachet encrypts to EC keys on "
			       "P-256, P-384 and P-521 only, not %s", name,
			       gnutls_ecc_curve_get_name(curve));
	}
	flen = (ecc_bit_size(ec) + 7) / 8;
	mpz_init(mx);
	mpz_init(my);
	ecc_point_init(&q, ec);
	ecc_point_init(&eph, ec);
	ecc_point_init(&z, ec);
	ecc_scalar_init(&k, ec);
	nettle_mpz_set_str_256_u(mx, x.size, x.data);
	nettle_mpz_set_str_256_u(my, y.size, y.data);
	if (!ecc_point_set(&q, mx, my)) {
		err_set(e, ERR_NOCERT, "%s: the EC public key is not a point of its curve",
			name);
		goto out;
	}
	ecc_scalar_random(&k, NULL, random_bytes);
	ecc_point_mul_g(&eph, &k);
	ecc_point_mul(&z, &k, &q);
	ecc_point_get(&eph, mx, my);
	point[0] = 0x04;	/* uncompressed */
	nettle_mpz_get_str_256(flen, point + 1, mx);
	nettle_mpz_get_str_256(flen, point + 1 + flen, my);
	ecc_point_get(&z, mx, my);
	nettle_mpz_get_str_256(flen, zx, mx);
	/* X9.63: one SHA-256 block gives the whole 256-bit KEK. */
	buf_add(&kdf, zx, flen);
	buf_add(&kdf, counter, sizeof counter);
	ecdh_shared_info(&kdf);
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, kdf.data, kdf.len, kek) < 0) {
		err_set(e, ERR_CRYPTO, "encrypting to %s: SHA-256 failed", name);
		goto out;
	}
	aes256_set_encrypt_key(&aes, kek);
	aes256_keywrap(&aes, iv, sizeof wrapped, wrapped, key->data);
	buf_adds(enc_val, "(7:enc-val(4:ecdh(1:e");
	agent_sexp_atom(enc_val, point, 1 + 2 * flen);
	buf_adds(enc_val, ")(1:s");
	agent_sexp_atom(enc_val, wrapped, sizeof wrapped);
	buf_adds(enc_val, ")(9:encr-algo");
	agent_sexp_atom(enc_val, OID_ECDH_SHA256KDF, strlen(OID_ECDH_SHA256KDF));
	buf_adds(enc_val, ")(9:wrap-algo");
	agent_sexp_atom(enc_val, OID_AES256_WRAP, strlen(OID_AES256_WRAP));
	buf_adds(enc_val, ")))");
	rc = 0;
out:
	gnutls_memset(kek, 0, sizeof kek);
	gnutls_memset(zx, 0, sizeof zx);
	gnutls_memset(&aes, 0, sizeof aes);
	if (kdf.data)
		gnutls_memset(kdf.data, 0, kdf.len);
	buf_release(&kdf);
	ecc_scalar_clear(&k);
	ecc_point_clear(&q);
	ecc_point_clear(&eph);
	ecc_point_clear(&z);
	mpz_clear(mx);
	mpz_clear(my);
	gnutls_free(x.data);
	gnutls_free(y.data);
	return rc;
}

static pthread_once_t gcrypt_once = PTHREAD_ONCE_INIT;
static bool gcrypt_ready;

static void
gcrypt_init(void)
{
	/* Only public-key operations: no secret key ever lives in libgcrypt,
	 * so it needs no secure memory. */
	if (gcry_check_version(GCRYPT_VERSION) == NULL)
		return;
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	gcrypt_ready = true;
}

/* RSAES-OAEP with SHA-256 (and MGF1 with SHA-256, no label) of key to
 * pub, the ciphertext as long as the modulus, appended to ct. */
static int
oaep_encrypt(const char *fpr, gnutls_pubkey_t pub, const gnutls_datum_t *key,
	     struct buf *ct, struct err *e)
{
	gnutls_datum_t m = { NULL, 0 }, x = { NULL, 0 };
	gcry_mpi_t gm = NULL, gx = NULL, ga = NULL;
	gcry_sexp_t spub = NULL, sdata = NULL, sres = NULL, sa = NULL;
	unsigned char *out = NULL;
	size_t written = 0;
	gcry_error_t g;
	int rc = -1;

	pthread_once(&gcrypt_once, gcrypt_init);
	if (!gcrypt_ready)
		return err_set(e, ERR_CRYPTO, "encrypting: libgcrypt is older than the "
			       "version cachet was built with");
	if (gnutls_pubkey_export_rsa_raw2(pub, &m, &x, GNUTLS_EXPORT_FLAG_NO_LZ) < 0)
		return err_set(e, ERR_NOCERT, "certificate %s: the RSA key cannot be read", fpr);
	if ((g = gcry_mpi_scan(&gm, GCRYMPI_FMT_USG, m.data, m.size, NULL)) ||
	    (g = gcry_mpi_scan(&gx, GCRYMPI_FMT_USG, x.data, x.size, NULL)) ||
	    (g = gcry_sexp_build(&spub, NULL, "(public-key(rsa(n%m)(e%m)))", gm, gx)) ||
	    (g = gcry_sexp_build(&sdata, NULL, "(data(flags oaep)(hash-algo sha256)"
				 "(value%b))", (int)key->size, key->data)) ||
	    (g = gcry_pk_encrypt(&sres, sdata, spub))) {
		err_set(e, ERR_CRYPTO, "encrypting to %s: RSAES-OAEP: %s", fpr, gcry_strerror(g));
		goto out;
	}
	if ((sa = gcry_sexp_find_token(sres, "a", 0)) == NULL ||
	    (ga = gcry_sexp_nth_mpi(sa, 1, GCRYMPI_FMT_USG)) == NULL) {
		err_set(e, ERR_CRYPTO, "encrypting to %s: RSAES-OAEP gave no ciphertext", fpr);
		goto out;
	}
	/* I2OSP: as many bytes as the modulus, leading zeros included. */
	out = xcalloc(1, m.size);
	if ((g = gcry_mpi_print(GCRYMPI_FMT_USG, out, m.size, &written, ga)) ||
	    written > m.size) {
		err_set(e, ERR_CRYPTO, "encrypting to %s: RSAES-OAEP: %s", fpr, gcry_strerror(g));
		goto out;
	}
	memmove(out + (m.size - written), out, written);
	memset(out, 0, m.size - written);
	buf_add(ct, out, m.size);
	rc = 0;
out:
	free(out);
	gcry_mpi_release(gm);
	gcry_mpi_release(gx);
	gcry_mpi_release(ga);
	gcry_sexp_release(spub);
	gcry_sexp_release(sdata);
	gcry_sexp_release(sres);
	gcry_sexp_release(sa);
	gnutls_free(m.data);
	gnutls_free(x.data);
	return rc;
}

/* The public key of c and libksba's copy of c, read once per batch. */
static int
cert_keys(struct engine_cert *c, struct err *e)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d = { (unsigned char *)c->der.data, (unsigned)c->der.len };
	ksba_cert_t kc = NULL;
	gpg_error_t kg;
	int g;

	if (c->pub && c->ksba)
		return 0;
	if ((g = gnutls_x509_crt_init(&crt)) < 0 ||
	    (g = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER)) < 0 ||
	    (g = gnutls_pubkey_init(&c->pub)) < 0 ||
	    (g = gnutls_pubkey_import_x509(c->pub, crt, 0)) < 0) {
		if (crt)
			gnutls_x509_crt_deinit(crt);
		if (c->pub)
			gnutls_pubkey_deinit(c->pub);
		c->pub = NULL;
		return err_set(e, ERR_NOCERT, "certificate %s cannot be read: %s", c->fpr,
			       gnutls_strerror(g));
	}
	gnutls_x509_crt_deinit(crt);
	c->pk = gnutls_pubkey_get_pk_algorithm(c->pub, NULL);
	if ((kg = ksba_cert_new(&kc)) ||
	    (kg = ksba_cert_init_from_mem(kc, c->der.data, c->der.len))) {
		ksba_cert_release(kc);
		return err_set(e, ERR_NOCERT, "recipient certificate %s cannot be read: %s",
			       c->fpr, gpg_strerror(kg));
	}
	c->ksba = kc;
	return 0;
}

/* The content key for the certificate c, as the enc-val S-expression
 * libksba writes into a recipient info: RSA key transport (PKCS#1 v1.5,
 * or RSAES-OAEP when the recipient announced it: the ciphertext also
 * appended to oaep_ct, for cms_envelope_rewrite), or ECDH key agreement
 * for an EC key.  *kt names the key transport. */
static int
wrap_key(struct smime_engine *eng, struct engine_cert *c, unsigned caps,
	 const gnutls_datum_t *key, struct buf *enc_val, struct buf *oaep_ct,
	 const char **kt, struct err *e)
{
	gnutls_datum_t ct = { NULL, 0 };
	char *name;
	int g, rc;

	if (c->pk == GNUTLS_PK_ECDSA) {
		*kt = SMIME_KT_ECDH;
		name = cert_name(eng, c->fpr);
		rc = ecdh_wrap(name, c->pub, key, enc_val, e);
		free(name);
		return rc;
	}
	if (c->pk != GNUTLS_PK_RSA) {
		name = cert_name(eng, c->fpr);
		err_set(e, ERR_UNSUPPORTED, "%s: cachet encrypts to RSA and EC keys only, "
			"not %s", name, gnutls_pk_get_name((gnutls_pk_algorithm_t)c->pk));
		free(name);
		return -1;
	}
	buf_adds(enc_val, "(7:enc-val(3:rsa(1:a");
	if (caps & SMIME_CAP_RSAES_OAEP) {
		size_t at = oaep_ct->len;

		*kt = SMIME_KT_RSAES_OAEP;
		if (oaep_encrypt(c->fpr, c->pub, key, oaep_ct, e) < 0)
			return -1;
		agent_sexp_atom(enc_val, oaep_ct->data + at, oaep_ct->len - at);
	} else {
		*kt = SMIME_KT_RSA_PKCS1;
		if ((g = gnutls_pubkey_encrypt_data(c->pub, 0, key, &ct)) < 0)
			return err_set(e, ERR_CRYPTO, "encrypting to %s: %s", c->fpr,
				       gnutls_strerror(g));
		agent_sexp_atom(enc_val, ct.data, ct.size);
		gnutls_free(ct.data);
	}
	buf_adds(enc_val, ")))");
	return 0;
}

/* data encrypted with AES-256-CBC, padded as RFC 5652 6.3 says. */
static int
encrypt_cbc(const void *data, size_t len, const gnutls_datum_t *key,
	    const gnutls_datum_t *iv, struct buf *out, struct err *e)
{
	gnutls_cipher_hd_t h = NULL;
	size_t pad = 16 - len % 16;
	int g;

	buf_reset(out);
	buf_add(out, data, len);
	buf_grow(out, pad);
	memset(out->data + out->len, (int)pad, pad);
	out->len += pad;
	if ((g = gnutls_cipher_init(&h, GNUTLS_CIPHER_AES_256_CBC, key, iv)) < 0 ||
	    (g = gnutls_cipher_encrypt(h, out->data, out->len)) < 0) {
		if (h)
			gnutls_cipher_deinit(h);
		return err_set(e, ERR_CRYPTO, "encrypting: AES-256-CBC: %s", gnutls_strerror(g));
	}
	gnutls_cipher_deinit(h);
	return 0;
}

/* data encrypted with AES-256-GCM under a 12-byte nonce, no additional
 * data (cachet sends no authAttrs); out is the ciphertext followed by the
 * 16-byte tag. */
static int
encrypt_gcm(const void *data, size_t len, const gnutls_datum_t *key,
	    const unsigned char nonce[CMS_GCM_NONCE], struct buf *out, struct err *e)
{
	gnutls_aead_cipher_hd_t h = NULL;
	size_t outlen = len + CMS_GCM_TAG;
	int g;

	buf_reset(out);
	buf_grow(out, outlen);
	if ((g = gnutls_aead_cipher_init(&h, GNUTLS_CIPHER_AES_256_GCM, key)) < 0 ||
	    (g = gnutls_aead_cipher_encrypt(h, nonce, CMS_GCM_NONCE, NULL, 0, CMS_GCM_TAG,
					    data, len, out->data, &outlen)) < 0) {
		if (h)
			gnutls_aead_cipher_deinit(h);
		return err_set(e, ERR_CRYPTO, "encrypting: AES-256-GCM: %s", gnutls_strerror(g));
	}
	gnutls_aead_cipher_deinit(h);
	out->len = outlen;
	return 0;
}

static int
ksba_fail(struct err *e, gpg_error_t g, const char *what)
{
	return err_set(e, ERR_CRYPTO, "encrypting: %s: %s", what, gpg_strerror(g));
}

int
cms_encrypt(struct smime_engine *eng, const char *const *fprs, const unsigned *caps,
	    size_t n, const void *data, size_t len, struct buf *der,
	    struct smime_encryption *how, struct err *e)
{
	unsigned char k[32], ivb[16], nonce[CMS_GCM_NONCE];
	gnutls_datum_t key = { k, sizeof k }, iv = { ivb, sizeof ivb };
	struct buf ct = BUF_INIT, enc_val = BUF_INIT, oaep_ct = BUF_INIT, built = BUF_INIT;
	struct smime_encryption choice;
	struct engine_cert *c;
	ksba_cms_t cms = NULL;
	ksba_reader_t reader = NULL;
	ksba_writer_t writer = NULL;
	ksba_stop_reason_t stop;
	gpg_error_t g;
	size_t i, outlen = 0, n_oaep = 0;
	void *outp;
	int rc = -1;

	if (n == 0)
		return err_set(e, ERR_USAGE, "no recipient to encrypt to");
	smime_encryption_choose(caps, n, &choice);
	choice.transports = xcalloc(n, sizeof *choice.transports);
	choice.n = n;
	if (gnutls_rnd(GNUTLS_RND_KEY, k, sizeof k) < 0 ||
	    gnutls_rnd(GNUTLS_RND_NONCE, ivb, sizeof ivb) < 0 ||
	    gnutls_rnd(GNUTLS_RND_NONCE, nonce, sizeof nonce) < 0) {
		err_set(e, ERR_CRYPTO, "encrypting: no random numbers");
		goto out;
	}
	/* With GCM, libksba builds the recipient infos only (around no
	 * content); cms_envelope_rewrite puts them in AuthEnvelopedData. */
	if (choice.gcm ? encrypt_gcm(data, len, &key, nonce, &ct, e) < 0
		       : encrypt_cbc(data, len, &key, &iv, &ct, e) < 0)
		goto out;
	if ((g = ksba_cms_new(&cms)) || (g = ksba_reader_new(&reader)) ||
	    (g = ksba_reader_set_mem(reader, choice.gcm ? "" : ct.data,
				     choice.gcm ? 0 : ct.len)) ||
	    (g = ksba_writer_new(&writer)) ||
	    (g = ksba_writer_set_mem(writer, (choice.gcm ? 0 : ct.len) + 4096)) ||
	    (g = ksba_cms_set_reader_writer(cms, reader, writer)) ||
	    (g = ksba_cms_set_content_type(cms, 0, KSBA_CT_ENVELOPED_DATA)) ||
	    (g = ksba_cms_set_content_type(cms, 1, KSBA_CT_DATA)) ||
	    (g = ksba_cms_set_content_enc_algo(cms, OID_AES256_CBC, ivb, sizeof ivb))) {
		ksba_fail(e, g, "building the CMS");
		goto out;
	}
	for (i = 0; i < n; i++) {
		size_t before = oaep_ct.len;

		if (engine_cert_get(eng, fprs[i], &c, e) < 0) {
			err_prefix(e, "recipient certificate");
			goto out;
		}
		buf_reset(&enc_val);
		if (cert_keys(c, e) < 0 ||
		    wrap_key(eng, c, caps ? caps[i] : 0, &key, &enc_val, &oaep_ct,
			     &choice.transports[i], e) < 0)
			goto out;
		if (oaep_ct.len != before)
			n_oaep++;
		/* The CMS takes its own reference to the engine's certificate. */
		if ((g = ksba_cms_add_recipient(cms, c->ksba)) ||
		    (g = ksba_cms_set_enc_val(cms, (int)i, (const unsigned char *)enc_val.data))) {
			ksba_fail(e, g, "adding a recipient");
			goto out;
		}
	}
	do {
		if ((g = ksba_cms_build(cms, &stop))) {
			ksba_fail(e, g, "writing the CMS");
			goto out;
		}
	} while (stop != KSBA_SR_READY);
	outp = ksba_writer_snatch_mem(writer, &outlen);
	if (outp == NULL) {
		err_set(e, ERR_CRYPTO, "encrypting: libksba wrote nothing");
		goto out;
	}
	if (n_oaep == 0 && !choice.gcm) {
		buf_add(der, outp, outlen);
		ksba_free(outp);
	} else {
		struct cms_envelope env = {
			.oaep_ct = &oaep_ct, .n_oaep = n_oaep,
			.gcm = choice.gcm, .nonce = nonce, .gcm_ct = &ct,
		};

		buf_add(&built, outp, outlen);
		ksba_free(outp);
		if (cms_envelope_rewrite(&built, &env, der, e) < 0)
			goto out;
	}
	if (how) {
		*how = choice;
		memset(&choice, 0, sizeof choice);
	}
	rc = 0;
out:
	gnutls_memset(k, 0, sizeof k);
	ksba_cms_release(cms);
	ksba_reader_release(reader);
	ksba_writer_release(writer);
	smime_encryption_release(&choice);
	buf_release(&ct);
	buf_release(&enc_val);
	buf_release(&oaep_ct);
	buf_release(&built);
	return rc;
}
