/* cms_envelope.c — what libksba 1.6 cannot write, made from what it
 * wrote: RSAES-OAEP's algorithm identifier in a KeyTransRecipientInfo
 * (libksba names every RSA key transport rsaEncryption), and
 * AuthEnvelopedData (RFC 5083, RFC 5084: AES-256-GCM) around libksba's
 * recipient infos.  The DER is read with der.c's walker and written with
 * cms_der_tlv; no cryptography happens here. */
#include "crypto/cms_p.h"
#include "crypto/smime_p.h"

#include <string.h>

/* Object identifier bodies. */
static const unsigned char oid_auth_enveloped[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x17 };
static const unsigned char oid_data[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01 };
static const unsigned char oid_aes256_gcm[] = {
	0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2e };
static const unsigned char oid_rsaes_oaep[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x07 };
static const unsigned char oid_mgf1[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08 };
static const unsigned char oid_sha256[] = {
	0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 };

/* AlgorithmIdentifier { id-RSAES-OAEP, RSAES-OAEP-params { [0] SHA-256,
 * [1] MGF1 with SHA-256 } }, no label (pSourceAlgorithm left at its
 * default); SHA-256's parameters absent, as RFC 5754 says. */
static void
oaep_algorithm(struct buf *out)
{
	struct buf sha = BUF_INIT, tmp = BUF_INIT, mgf = BUF_INIT, params = BUF_INIT,
		alg = BUF_INIT;

	cms_der_tlv(&tmp, 0x06, oid_sha256, sizeof oid_sha256);
	cms_der_tlv(&sha, 0x30, tmp.data, tmp.len);		/* SHA-256 */
	buf_reset(&tmp);
	cms_der_tlv(&tmp, 0x06, oid_mgf1, sizeof oid_mgf1);
	buf_add(&tmp, sha.data, sha.len);
	cms_der_tlv(&mgf, 0x30, tmp.data, tmp.len);		/* MGF1(SHA-256) */
	cms_der_tlv(&params, 0xa0, sha.data, sha.len);
	cms_der_tlv(&params, 0xa1, mgf.data, mgf.len);
	cms_der_tlv(&alg, 0x06, oid_rsaes_oaep, sizeof oid_rsaes_oaep);
	cms_der_tlv(&alg, 0x30, params.data, params.len);
	cms_der_tlv(out, 0x30, alg.data, alg.len);
	buf_release(&sha);
	buf_release(&tmp);
	buf_release(&mgf);
	buf_release(&params);
	buf_release(&alg);
}

static int
malformed(struct err *e, const char *what)
{
	return err_set(e, ERR_CRYPTO, "encrypting: libksba's %s is not what cachet "
		       "expects", what);
}

/* One KeyTransRecipientInfo, its keyEncryptionAlgorithm made RSAES-OAEP
 * when its encryptedKey is one of the OAEP ciphertexts. */
static int
recipient_info(const struct der_tlv *ri, const struct cms_envelope *env,
	       struct buf *out, struct err *e)
{
	struct der_tlv version, rid, alg, key;
	struct buf body = BUF_INIT;
	size_t off = 0;

	if (env->n_oaep == 0 || ri->cls != 0 || ri->tag != 16) {
		buf_add(out, ri->raw, ri->total);	/* not a ktri: as it is */
		return 0;
	}
	if (der_next(ri, &off, &version, e) != 1 || der_next(ri, &off, &rid, e) != 1 ||
	    der_next(ri, &off, &alg, e) != 1 || der_next(ri, &off, &key, e) != 1 ||
	    key.cls != 0 || key.tag != 4 || key.constructed)
		return malformed(e, "KeyTransRecipientInfo");
	if (key.n < 64 || memmem(env->oaep_ct->data, env->oaep_ct->len, key.v, key.n) == NULL) {
		buf_add(out, ri->raw, ri->total);
		return 0;
	}
	buf_add(&body, version.raw, version.total);
	buf_add(&body, rid.raw, rid.total);
	oaep_algorithm(&body);
	buf_add(&body, key.raw, key.total);
	cms_der_tlv(out, 0x30, body.data, body.len);
	buf_release(&body);
	return 0;
}

int
cms_envelope_rewrite(const struct buf *in, const struct cms_envelope *env,
		     struct buf *out, struct err *e)
{
	struct der_tlv ci, type, content, ed, version, c, ri;
	struct buf ris = BUF_INIT, body = BUF_INIT, tmp = BUF_INIT, eci = BUF_INIT,
		inner = BUF_INIT;
	size_t off = 0, off2 = 0, off3 = 0, riff = 0;
	int r, rc = -1;

	if (der_read((const unsigned char *)in->data, in->len, &ci, e) < 0 ||
	    der_next(&ci, &off, &type, e) != 1 || der_next(&ci, &off, &content, e) != 1 ||
	    der_next(&content, &off2, &ed, e) != 1 || der_next(&ed, &off3, &version, e) != 1 ||
	    der_next(&ed, &off3, &c, e) != 1 || c.cls != 0 || c.tag != 17) {
		malformed(e, "EnvelopedData");
		goto out;
	}
	while ((r = der_next(&c, &riff, &ri, e)) == 1)
		if (recipient_info(&ri, env, &ris, e) < 0)
			goto out;
	if (r < 0)
		goto out;
	cms_der_tlv(&body, 0x31, ris.data, ris.len);	/* recipientInfos */
	if (!env->gcm) {
		/* EnvelopedData as libksba wrote it, but its recipient infos. */
		struct der_tlv rest;

		while ((r = der_next(&ed, &off3, &rest, e)) == 1)
			buf_add(&body, rest.raw, rest.total);
		if (r < 0)
			goto out;
		buf_add(&tmp, version.raw, version.total);
		buf_add(&tmp, body.data, body.len);
		cms_der_tlv(&inner, 0x30, tmp.data, tmp.len);
		buf_reset(&tmp);
		buf_add(&tmp, type.raw, type.total);
	} else {
		/* AuthEnvelopedData { version 0, recipientInfos,
		 * authEncryptedContentInfo, mac }: GCMParameters { nonce,
		 * ICV length 16 (not the default 12) }. */
		static const unsigned char v0[] = { 0x02, 0x01, 0x00 };
		static const unsigned char icv16[] = { 0x10 };
		size_t ctlen = env->gcm_ct->len - CMS_GCM_TAG;
		struct buf params = BUF_INIT, alg = BUF_INIT;

		cms_der_tlv(&params, 0x04, env->nonce, CMS_GCM_NONCE);
		cms_der_tlv(&params, 0x02, icv16, sizeof icv16);
		cms_der_tlv(&alg, 0x06, oid_aes256_gcm, sizeof oid_aes256_gcm);
		cms_der_tlv(&alg, 0x30, params.data, params.len);
		cms_der_tlv(&eci, 0x06, oid_data, sizeof oid_data);
		cms_der_tlv(&eci, 0x30, alg.data, alg.len);
		cms_der_tlv(&eci, 0x80, env->gcm_ct->data, ctlen);	/* [0] IMPLICIT */
		buf_release(&params);
		buf_release(&alg);
		buf_add(&tmp, v0, sizeof v0);
		buf_add(&tmp, body.data, body.len);
		cms_der_tlv(&tmp, 0x30, eci.data, eci.len);
		cms_der_tlv(&tmp, 0x04, env->gcm_ct->data + ctlen, CMS_GCM_TAG);	/* mac */
		cms_der_tlv(&inner, 0x30, tmp.data, tmp.len);
		buf_reset(&tmp);
		cms_der_tlv(&tmp, 0x06, oid_auth_enveloped, sizeof oid_auth_enveloped);
	}
	cms_der_tlv(&tmp, 0xa0, inner.data, inner.len);
	cms_der_tlv(out, 0x30, tmp.data, tmp.len);
	rc = 0;
out:
	buf_release(&ris);
	buf_release(&body);
	buf_release(&tmp);
	buf_release(&eci);
	buf_release(&inner);
	return rc;
}
