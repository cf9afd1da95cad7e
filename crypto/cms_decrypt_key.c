/* cms_decrypt_key.c — the content-encryption key of one recipient (RSA
 * through gpg-agent, or ECDH: the agent's shared point, the X9.63 KDF and
 * the AES key unwrap) and the content decrypted with it (GnuTLS).  The
 * structure is read by cms_decrypt.c. */
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

/* --- the key-encryption key ---------------------------------------------- */

int
cms_recipient_check(const struct cms_recipient *r, struct err *e)
{
	const struct ec_curve *c;
	struct ecc_point pt;
	mpz_t x, y;
	int on_curve;

	if (r->km != CMS_KM_ECDH)
		return 0;
	/* The length chose the curve; the agent uses its key's own curve,
	 * so a point of another size fails there too. */
	c = cms_curve_of(r, NULL);
	if (c == NULL || r->point[0] != 0x04)
		return err_set(e, ERR_CRYPTO, "the sender's ephemeral EC key is not an "
			       "uncompressed point on P-256, P-384 or P-521");
	mpz_init(x);
	mpz_init(y);
	mpz_import(x, c->field_len, 1, 1, 1, 0, r->point + 1);
	mpz_import(y, c->field_len, 1, 1, 1, 0, r->point + 1 + c->field_len);
	ecc_point_init(&pt, c->get());
	on_curve = ecc_point_set(&pt, x, y);
	ecc_point_clear(&pt);
	mpz_clear(x);
	mpz_clear(y);
	if (!on_curve)
		return err_set(e, ERR_CRYPTO, "the sender's ephemeral EC key is not a point "
			       "on %s: the message is forged or damaged", c->name);
	return 0;
}

/* ECC-CMS-SharedInfo (RFC 5753): keyInfo (the wrap algorithm as the
 * message names it), entityUInfo [0] (the ukm), suppPubInfo [2] (the
 * key-wrap key's length in bits). */
static int
shared_info(const struct cms_recipient *r, unsigned char **der, size_t *len,
	    struct err *e)
{
	unsigned char bits[4];
	unsigned long n = (unsigned long)r->kek_len * 8;
	ksba_der_t d = ksba_der_builder_new(0);
	gpg_error_t g;

	bits[0] = (unsigned char)(n >> 24);
	bits[1] = (unsigned char)(n >> 16);
	bits[2] = (unsigned char)(n >> 8);
	bits[3] = (unsigned char)n;
	if (d == NULL)
		return err_set(e, ERR_CRYPTO, "key agreement: out of memory");
	ksba_der_add_tag(d, KSBA_CLASS_UNIVERSAL, KSBA_TYPE_SEQUENCE);
	ksba_der_add_der(d, r->wrap_alg, r->wrap_alg_len);
	if (r->ukm) {
		ksba_der_add_tag(d, KSBA_CLASS_CONTEXT, 0);
		ksba_der_add_val(d, KSBA_CLASS_UNIVERSAL, KSBA_TYPE_OCTET_STRING, r->ukm,
				 r->ukm_len);
		ksba_der_add_end(d);
	}
	ksba_der_add_tag(d, KSBA_CLASS_CONTEXT, 2);
	ksba_der_add_val(d, KSBA_CLASS_UNIVERSAL, KSBA_TYPE_OCTET_STRING, bits, 4);
	ksba_der_add_end(d);
	ksba_der_add_end(d);
	g = ksba_der_builder_get(d, der, len);
	ksba_der_release(d);
	if (g)
		return err_set(e, ERR_CRYPTO, "key agreement: %s", gpg_strerror(g));
	return 0;
}

/* ANSI X9.63 KDF: Hash(Z || counter || SharedInfo), counter from 1, until
 * kek has its length. */
static int
x963_kdf(gnutls_digest_algorithm_t hash, const unsigned char *z, size_t zlen,
	 const unsigned char *info, size_t infolen, unsigned char *kek, size_t keklen,
	 struct err *e)
{
	unsigned char block[64], ctr[4];
	size_t hlen = gnutls_hash_get_len(hash), done = 0, take;
	uint32_t i;
	gnutls_hash_hd_t h;

	for (i = 1; done < keklen; i++) {
		ctr[0] = (unsigned char)(i >> 24);
		ctr[1] = (unsigned char)(i >> 16);
		ctr[2] = (unsigned char)(i >> 8);
		ctr[3] = (unsigned char)i;
		if (hlen == 0 || hlen > sizeof block || gnutls_hash_init(&h, hash) < 0)
			return err_set(e, ERR_CRYPTO, "key agreement: no %s in GnuTLS",
				       gnutls_digest_get_name(hash));
		gnutls_hash(h, z, zlen);
		gnutls_hash(h, ctr, 4);
		gnutls_hash(h, info, infolen);
		gnutls_hash_deinit(h, block);
		take = keklen - done < hlen ? keklen - done : hlen;
		memcpy(kek + done, block, take);
		done += take;
	}
	explicit_bzero(block, sizeof block);
	return 0;
}

/* RFC 3394 AES key unwrap of wrapped with kek (nettle). */
static int
aes_unwrap(const unsigned char *kek, size_t keklen, const unsigned char *wrapped,
	   size_t len, struct buf *cek, struct err *e)
{
	static const unsigned char iv[8] = { 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6 };
	union {
		struct aes128_ctx a128;
		struct aes192_ctx a192;
		struct aes256_ctx a256;
	} ctx;
	nettle_cipher_func *decrypt;
	unsigned char out[64];
	int ok;

	if (len < 24 || len % 8 != 0 || len - 8 > sizeof out)
		return err_set(e, ERR_CRYPTO, "key agreement: the wrapped key has %zu bytes", len);
	if (keklen == 16) {
		aes128_set_decrypt_key(&ctx.a128, kek);
		decrypt = (nettle_cipher_func *)aes128_decrypt;
	} else if (keklen == 24) {
		aes192_set_decrypt_key(&ctx.a192, kek);
		decrypt = (nettle_cipher_func *)aes192_decrypt;
	} else {
		aes256_set_decrypt_key(&ctx.a256, kek);
		decrypt = (nettle_cipher_func *)aes256_decrypt;
	}
	ok = nist_keyunwrap16(&ctx, decrypt, iv, len - 8, out, wrapped);
	explicit_bzero(&ctx, sizeof ctx);
	if (!ok) {
		explicit_bzero(out, sizeof out);
		return err_set(e, ERR_CRYPTO, "key agreement: the content key does not unwrap "
			       "(the message was not made for this key, or it was altered)");
	}
	buf_add(cek, out, len - 8);
	explicit_bzero(out, sizeof out);
	return 0;
}

static void
enc_val_rsa(const struct cms_recipient *r, struct buf *ev)
{
	buf_adds(ev, "(7:enc-val");
	if (r->km == CMS_KM_RSA_OAEP) {
		buf_adds(ev, "(5:flags4:oaep)(9:hash-algo");
		agent_sexp_atom(ev, r->oaep_hash, strlen(r->oaep_hash));
		buf_adds(ev, ")");
		if (r->label_len) {
			buf_adds(ev, "(5:label");
			agent_sexp_atom(ev, r->label, r->label_len);
			buf_adds(ev, ")");
		}
	} else {
		buf_adds(ev, "(5:flags5:pkcs1)");
	}
	buf_adds(ev, "(3:rsa(1:a");
	agent_sexp_mpi(ev, r->ekey, r->ekey_len);
	buf_adds(ev, ")))");
}

/* The agent's PKDECRYPT of the ephemeral point gives the shared point;
 * its X coordinate is the ECDH secret Z. */
static int
ecdh_cek(const struct cms_recipient *r, struct agent *a, const char *grip,
	 const char *desc, struct buf *cek, struct err *e)
{
	const struct ec_curve *c = cms_curve_of(r, NULL);
	struct buf ev = BUF_INIT, point = BUF_INIT;
	unsigned char *info = NULL, kek[32];
	const unsigned char *z;
	size_t infolen = 0;
	int rc = -1;

	buf_adds(&ev, "(7:enc-val(4:ecdh(1:s");
	agent_sexp_atom(&ev, r->ekey, r->ekey_len);
	buf_adds(&ev, ")(1:e");
	agent_sexp_atom(&ev, r->point, r->point_len);
	buf_adds(&ev, ")))");
	if (agent_pkdecrypt(a, grip, desc, ev.data, ev.len, &point, e) < 0)
		goto out;
	z = (const unsigned char *)point.data;
	if (point.len == 2 * c->field_len + 1 && z[0] == 0x04) {
		z++;
	} else if (point.len != c->field_len) {
		err_set(e, ERR_CRYPTO, "key agreement: gpg-agent's shared point has %zu "
			"bytes, not a point on %s", point.len, c->name);
		goto out;
	}
	if (shared_info(r, &info, &infolen, e) < 0 ||
	    x963_kdf((gnutls_digest_algorithm_t)r->kdf_hash, z, c->field_len, info, infolen,
		     kek, r->kek_len, e) < 0 ||
	    aes_unwrap(kek, r->kek_len, r->ekey, r->ekey_len, cek, e) < 0)
		goto out;
	rc = 0;
out:
	explicit_bzero(kek, sizeof kek);
	ksba_free(info);
	buf_wipe(&point);
	buf_release(&ev);
	return rc;
}

int
cms_recipient_cek(const struct cms_env *env, const struct cms_recipient *r,
		  struct agent *a, const char *grip, const char *desc,
		  struct buf *cek, struct err *e)
{
	struct buf ev = BUF_INIT;
	size_t start = cek->len;
	int rc;

	if (r->km == CMS_KM_OTHER)
		return err_set(e, ERR_UNSUPPORTED, "decrypting: the message's key for you is "
			       "wrapped with %s, which cachet does not read",
			       r->unsupported ? r->unsupported : "an unknown algorithm");
	if (cms_recipient_check(r, e) < 0)
		return err_prefix(e, "decrypting");
	if (r->km == CMS_KM_ECDH) {
		rc = ecdh_cek(r, a, grip, desc, cek, e);
	} else {
		enc_val_rsa(r, &ev);
		rc = agent_pkdecrypt(a, grip, desc, ev.data, ev.len, cek, e);
		buf_release(&ev);
		if (rc < 0 && r->km == CMS_KM_RSA_OAEP && e && e->code == ERR_CRYPTO &&
		    strstr(e->msg, "passphrase") == NULL)
			err_prefix(e, "the RSA-OAEP key does not decode with this key, hash "
				   "and label (altered, or not for this key)");
	}
	if (rc < 0)
		return -1;
	if (cek->len - start != env->key_len) {
		size_t got = cek->len - start;

		explicit_bzero(cek->data + start, got);
		cek->len = start;
		return err_set(e, ERR_CRYPTO, "decrypting: the content key has %zu bytes, "
			       "%s needs %zu (the message was altered, or is not for this key)",
			       got, env->content_name, env->key_len);
	}
	return 0;
}

/* --- the content --------------------------------------------------------- */

static int
decrypt_cbc(const struct cms_env *env, const gnutls_datum_t *key, struct buf *plain,
	    struct err *e)
{
	gnutls_datum_t iv = { (unsigned char *)env->iv, (unsigned)env->iv_len };
	gnutls_cipher_hd_t h;
	unsigned char *out, pad, bad = 0;
	size_t n = env->content_len, i;

	if (n == 0 || n % 16 != 0)
		return err_set(e, ERR_CRYPTO, "decrypting: the %s content is %zu bytes, not "
			       "whole blocks (truncated or altered)", env->content_name, n);
	if (gnutls_cipher_init(&h, (gnutls_cipher_algorithm_t)env->cipher, key, &iv) < 0)
		return err_set(e, ERR_CRYPTO, "decrypting: GnuTLS has no %s", env->content_name);
	out = xmalloc(n);
	if (gnutls_cipher_decrypt2(h, env->content, n, out, n) < 0) {
		gnutls_cipher_deinit(h);
		free(out);
		return err_set(e, ERR_CRYPTO, "decrypting: %s failed", env->content_name);
	}
	gnutls_cipher_deinit(h);
	/* PKCS#7 padding, every byte checked whatever the first wrong one. */
	pad = out[n - 1];
	bad |= (unsigned char)(pad == 0) | (unsigned char)(pad > 16);
	for (i = 0; i < 16; i++)
		bad |= (unsigned char)((i < pad) & (out[n - 1 - i] != pad));
	if (bad) {
		explicit_bzero(out, n);
		free(out);
		return err_set(e, ERR_CRYPTO, "decrypting: the %s padding is wrong (a wrong key, "
			       "or the message was altered)", env->content_name);
	}
	buf_add(plain, out, n - pad);
	explicit_bzero(out, n);
	free(out);
	return 0;
}

static int
decrypt_gcm(const struct cms_env *env, const gnutls_datum_t *key, struct buf *plain,
	    struct err *e)
{
	gnutls_aead_cipher_hd_t h;
	unsigned char *in, *out;
	size_t inlen = env->content_len + env->tag_len, outlen = env->content_len + 16;
	int g;

	if (env->tag_len != env->icv_len)
		return err_set(e, ERR_CRYPTO, "decrypting: the %s tag has %zu bytes, the "
			       "parameters say %zu (truncated or altered)", env->content_name,
			       env->tag_len, env->icv_len);
	if (gnutls_aead_cipher_init(&h, (gnutls_cipher_algorithm_t)env->cipher, key) < 0)
		return err_set(e, ERR_CRYPTO, "decrypting: GnuTLS has no %s", env->content_name);
	in = xmalloc(inlen);
	memcpy(in, env->content, env->content_len);
	memcpy(in + env->content_len, env->tag, env->tag_len);
	out = xmalloc(outlen);
	g = gnutls_aead_cipher_decrypt(h, env->iv, env->iv_len, NULL, 0, env->tag_len, in,
				       inlen, out, &outlen);
	gnutls_aead_cipher_deinit(h);
	free(in);
	if (g < 0) {
		explicit_bzero(out, env->content_len + 16);
		free(out);
		if (g == GNUTLS_E_DECRYPTION_FAILED)
			return err_set(e, ERR_CRYPTO, "decrypting: the %s authentication tag "
				       "does not match: the message was altered (nothing of it "
				       "is shown)", env->content_name);
		return err_set(e, ERR_CRYPTO, "decrypting: %s: %s", env->content_name,
			       gnutls_strerror(g));
	}
	buf_add(plain, out, outlen);
	explicit_bzero(out, outlen);
	free(out);
	return 0;
}

int
cms_env_decrypt(const struct cms_env *env, const unsigned char *cek, size_t cek_len,
		struct buf *plain, struct err *e)
{
	gnutls_datum_t key = { (unsigned char *)cek, (unsigned)cek_len };

	if (cek_len != env->key_len)
		return err_set(e, ERR_CRYPTO, "decrypting: a %zu-byte key for %s", cek_len,
			       env->content_name);
	return env->gcm ? decrypt_gcm(env, &key, plain, e) : decrypt_cbc(env, &key, plain, e);
}
