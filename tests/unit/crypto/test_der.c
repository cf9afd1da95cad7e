/* test_der.c — the BER/DER walker: OIDs, and CMS structures assembled
 * here from their ASN.1 definitions (RFC 5652, RFC 5083), definite and
 * indefinite lengths, every truncation. */
#include "crypto/cms_p.h"
#include "crypto/smime_p.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>

/* Encodings of real OIDs (X.690 8.19), as every CMS implementation writes them. */
static const unsigned char oid_signed[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02 };
static const unsigned char oid_enveloped[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03 };
static const unsigned char oid_data[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01 };
static const unsigned char oid_auth_env[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x17 };
static const unsigned char oid_rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };
static const unsigned char oid_oaep[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x07 };
static const unsigned char oid_aes256_cbc[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a };
static const unsigned char oid_aes256_gcm[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2e };

static void
test_oids(void)
{
	static const struct {
		const unsigned char *p;
		size_t n;
		int rc;
		const char *s;
	} t[] = {
		{ oid_signed, sizeof oid_signed, 0, "1.2.840.113549.1.7.2" },
		{ oid_auth_env, sizeof oid_auth_env, 0, "1.2.840.113549.1.9.16.1.23" },
		{ oid_oaep, sizeof oid_oaep, 0, "1.2.840.113549.1.1.7" },
		{ oid_aes256_gcm, sizeof oid_aes256_gcm, 0, "2.16.840.1.101.3.4.1.46" },
		{ (const unsigned char *)"\x55\x04\x03", 3, 0, "2.5.4.3" },
		{ (const unsigned char *)"\x88\x37\x03", 3, 0, "2.999.3" },
		{ (const unsigned char *)"\x2a\x86", 2, -1, NULL },	/* ends mid-arc */
		{ (const unsigned char *)"", 0, -1, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		char s[64];
		int rc = der_oid_string(t[i].p, t[i].n, s, sizeof s);

		CHECK_INT(rc, t[i].rc);
		if (rc == 0)
			CHECK_STR(s, t[i].s);
	}
}

/* A tiny DER writer: each call wraps content in tag + length. */
static bool indefinite;

static void
put(struct buf *out, unsigned char tag, const void *content, size_t n)
{
	buf_addc(out, (char)tag);
	if (indefinite && (tag & 0x20)) {
		buf_addc(out, (char)0x80);
		buf_add(out, content, n);
		buf_add(out, "\0\0", 2);
		return;
	}
	if (n < 128) {
		buf_addc(out, (char)n);
	} else if (n < 256) {
		buf_addc(out, (char)0x81);
		buf_addc(out, (char)n);
	} else {
		buf_addc(out, (char)0x82);
		buf_addc(out, (char)(n >> 8));
		buf_addc(out, (char)n);
	}
	buf_add(out, content, n);
}

static void
wrap(struct buf *b, unsigned char tag)
{
	struct buf w = BUF_INIT;

	put(&w, tag, b->data, b->len);
	buf_release(b);
	*b = w;
}

static void
add_oid(struct buf *b, const unsigned char *oid, size_t n)
{
	put(b, 0x06, oid, n);
}

/* ContentInfo { oid, [0] { inner } } */
static void
content_info(struct buf *out, const unsigned char *oid, size_t n, struct buf *inner)
{
	struct buf ci = BUF_INIT;

	wrap(inner, 0xa0);
	add_oid(&ci, oid, n);
	buf_add(&ci, inner->data, inner->len);
	put(out, 0x30, ci.data, ci.len);
	buf_release(&ci);
}

static void
signed_data(struct buf *out, int n_signers, bool econtent)
{
	struct buf sd = BUF_INIT, eci = BUF_INIT, sis = BUF_INIT;
	int i;

	put(&sd, 0x02, "\x01", 1);
	put(&sd, 0x31, "", 0);			/* digestAlgorithms */
	add_oid(&eci, oid_data, sizeof oid_data);
	if (econtent) {
		struct buf oc = BUF_INIT;

		put(&oc, 0x04, "hello", 5);
		put(&eci, 0xa0, oc.data, oc.len);
		buf_release(&oc);
	}
	put(&sd, 0x30, eci.data, eci.len);
	put(&sd, 0xa0, "\x30\x00", 2);		/* certificates [0] */
	for (i = 0; i < n_signers; i++)
		put(&sis, 0x30, "\x02\x01\x01", 3);
	put(&sd, 0x31, sis.data ? sis.data : "", sis.len);
	wrap(&sd, 0x30);
	content_info(out, oid_signed, sizeof oid_signed, &sd);
	buf_release(&eci);
	buf_release(&sis);
	buf_release(&sd);
}

static void
ktri(struct buf *ris, const unsigned char *alg, size_t n)
{
	struct buf k = BUF_INIT, a = BUF_INIT;

	put(&k, 0x02, "\x00", 1);
	put(&k, 0x30, "\x30\x00\x02\x01\x05", 5);	/* issuerAndSerialNumber */
	add_oid(&a, alg, n);
	put(&a, 0x05, "", 0);
	put(&k, 0x30, a.data, a.len);
	put(&k, 0x04, "wrappedkey", 10);
	put(ris, 0x30, k.data, k.len);
	buf_release(&k);
	buf_release(&a);
}

static void
enveloped(struct buf *out, const unsigned char *type, size_t tn, struct buf *ris,
	  const unsigned char *alg, size_t an)
{
	struct buf ed = BUF_INIT, eci = BUF_INIT, a = BUF_INIT;

	put(&ed, 0x02, "\x00", 1);
	put(&ed, 0x31, ris->data ? ris->data : "", ris->len);
	add_oid(&eci, oid_data, sizeof oid_data);
	add_oid(&a, alg, an);
	put(&a, 0x04, "0123456789abcdef", 16);
	put(&eci, 0x30, a.data, a.len);
	put(&eci, 0x80, "ciphertext", 10);
	put(&ed, 0x30, eci.data, eci.len);
	wrap(&ed, 0x30);
	content_info(out, type, tn, &ed);
	buf_release(&ed);
	buf_release(&eci);
	buf_release(&a);
}

enum ri_kind { RI_RSA, RI_OAEP, RI_OAEP_AND_RSA, RI_KARI };

static void
make_enveloped(struct buf *out, bool auth, enum ri_kind k, const unsigned char *alg,
	       size_t an)
{
	struct buf ris = BUF_INIT;

	if (k == RI_RSA || k == RI_OAEP_AND_RSA)
		ktri(&ris, oid_rsa, sizeof oid_rsa);
	if (k == RI_OAEP || k == RI_OAEP_AND_RSA)
		ktri(&ris, oid_oaep, sizeof oid_oaep);
	if (k == RI_KARI)
		put(&ris, 0xa1, "\x02\x01\x03", 3);
	if (auth)
		enveloped(out, oid_auth_env, sizeof oid_auth_env, &ris, alg, an);
	else
		enveloped(out, oid_enveloped, sizeof oid_enveloped, &ris, alg, an);
	buf_release(&ris);
}

struct der_case {
	const char *name;
	int kind;		/* 0 signed, 1 enveloped */
	int n_signers;
	bool econtent, auth;
	enum ri_kind ri;
	const unsigned char *alg;
	enum cms_type type;
	const char *reason;	/* substring, or NULL when cachet can try */
};

static void
build(const struct der_case *c, struct buf *out)
{
	if (c->kind == 0)
		signed_data(out, c->n_signers, c->econtent);
	else
		make_enveloped(out, c->auth, c->ri, c->alg, 9);
}

static void
test_cms(void)
{
	static const struct der_case t[] = {
		{ "detached, one signer", 0, 1, false, false, 0, NULL, CMS_SIGNED, NULL },
		{ "zero signers", 0, 0, false, false, 0, NULL, CMS_SIGNED, NULL },
		{ "two signers, eContent", 0, 2, true, false, 0, NULL, CMS_SIGNED, NULL },
		{ "RSA + AES-256-CBC", 1, 0, false, false, RI_RSA, oid_aes256_cbc, CMS_ENVELOPED, NULL },
		{ "RSA-OAEP", 1, 0, false, false, RI_OAEP, oid_aes256_cbc, CMS_ENVELOPED, NULL },
		{ "OAEP and PKCS#1", 1, 0, false, false, RI_OAEP_AND_RSA, oid_aes256_cbc, CMS_ENVELOPED, NULL },
		{ "ECDH", 1, 0, false, false, RI_KARI, oid_aes256_cbc, CMS_ENVELOPED, NULL },
		{ "AuthEnvelopedData", 1, 0, false, true, RI_RSA, oid_aes256_gcm, CMS_AUTH_ENVELOPED, NULL },
		{ "GCM in EnvelopedData", 1, 0, false, false, RI_RSA, oid_aes256_gcm, CMS_ENVELOPED, "AES-GCM" },
	};
	size_t i, cut;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		indefinite = pass == 1;	/* gpgsm writes BER with indefinite lengths */
		for (i = 0; i < sizeof t / sizeof t[0]; i++) {
			struct buf b = BUF_INIT;
			struct cms_info info;
			struct err e = { 0 };
			const char *why;
			int rc;

			build(&t[i], &b);
			rc = cms_inspect((unsigned char *)b.data, b.len, &info, &e);
			if (rc != 0)
				fprintf(stderr, "%s (%s): %s\n", t[i].name, pass ? "BER" : "DER", e.msg);
			CHECK_INT(rc, 0);
			CHECK_INT(info.type, t[i].type);
			if (t[i].kind == 0) {
				CHECK_INT(info.n_signer_infos, t[i].n_signers);
				CHECK_INT(info.has_econtent, t[i].econtent);
			}
			why = cms_unsupported_reason(&info);
			if (t[i].reason)
				CHECK_CONTAINS(why, t[i].reason);
			else
				CHECK(why == NULL);
			/* Every truncation is an error, never a crash or a success. */
			for (cut = 0; cut < b.len; cut++) {
				err_clear(&e);
				rc = cms_inspect((unsigned char *)b.data, cut, &info, &e);
				CHECK_INT(rc, -1);
				CHECK(e.code == ERR_INPUT);
			}
			buf_release(&b);
		}
	}
	indefinite = false;
	{
		struct cms_info info;
		struct err e = { 0 };

		CHECK_INT(cms_inspect((const unsigned char *)"not CMS", 7, &info, &e), -1);
		CHECK_STR(e.msg, "not a CMS structure (no ContentInfo)");
		CHECK_INT(cms_inspect((const unsigned char *)"\x30\x84\xff\xff\xff\xff", 6, &info, &e), -1);
		CHECK_CONTAINS(e.msg, "truncated");
	}
}

/* sMIMECapabilities: what cachet announces reads back as
 * smime_own_capabilities says; the list is bounded and malformed
 * entries are refused; the flags and names of the choice. */
static void
test_capabilities(void)
{
	struct buf der = BUF_INIT, big = BUF_INIT, one = BUF_INIT;
	struct err e = { 0 };
	char *oids = NULL;
	size_t i;
	/* One SMIMECapability (AES-128-CBC) inside its SEQUENCE OF. */
	static const unsigned char aes128cbc[] = { 0x30, 0x0d, 0x30, 0x0b, 0x06, 0x09,
		0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02 };
	static const unsigned char not_oid[] = { 0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x05 };
	static const unsigned char rc2[] = { 0x30, 0x0f, 0x30, 0x0d, 0x06, 0x08, 0x2a,
		0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x02, 0x02, 0x01, 0x28 };
	unsigned caps[2];
	struct smime_encryption how;

	cms_attr_smime_capabilities(&der);
	CHECK_INT(cms_capabilities_parse((const unsigned char *)der.data, der.len, &oids, &e), 0);
	CHECK_STR(oids, smime_own_capabilities());
	free(oids);
	CHECK_INT(smime_capabilities_flags(smime_own_capabilities()),
		  SMIME_CAP_AES256_GCM | SMIME_CAP_RSAES_OAEP);
	CHECK_INT(smime_capabilities_flags("2.16.840.1.101.3.4.1.42 2.16.840.1.101.3.4.1.6"), 0);
	CHECK_INT(smime_capabilities_flags(NULL), 0);
	CHECK_STR(smime_capability_name("2.16.840.1.101.3.4.1.46"), "AES-256-GCM");
	CHECK(smime_capability_name("1.2.3") == NULL);

	/* RC2 with its key size: the parameters are not kept. */
	CHECK_INT(cms_capabilities_parse(rc2, sizeof rc2, &oids, &e), 0);
	CHECK_STR(oids, "1.2.840.113549.3.2");
	free(oids);
	CHECK_INT(cms_capabilities_parse(not_oid, sizeof not_oid, &oids, &e), -1);
	CHECK_CONTAINS(e.msg, "not an object identifier");
	CHECK_INT(cms_capabilities_parse(der.data ? (const unsigned char *)der.data : NULL,
					 der.len - 1, &oids, &e), -1);
	/* SMIME_MAX_CAPABILITIES entries are read, one more is refused. */
	for (i = 0; i < SMIME_MAX_CAPABILITIES; i++)
		buf_add(&one, aes128cbc + 2, sizeof aes128cbc - 2);
	cms_der_tlv(&big, 0x30, one.data, one.len);
	CHECK_INT(cms_capabilities_parse((const unsigned char *)big.data, big.len, &oids, &e), 0);
	free(oids);
	buf_add(&one, aes128cbc + 2, sizeof aes128cbc - 2);
	buf_reset(&big);
	cms_der_tlv(&big, 0x30, one.data, one.len);
	CHECK_INT(cms_capabilities_parse((const unsigned char *)big.data, big.len, &oids, &e), -1);
	CHECK_CONTAINS(e.msg, "more than 32");

	/* GCM only when every recipient announced it. */
	caps[0] = SMIME_CAP_AES256_GCM;
	caps[1] = SMIME_CAP_AES256_GCM | SMIME_CAP_RSAES_OAEP;
	smime_encryption_choose(caps, 2, &how);
	CHECK(how.gcm);
	CHECK_STR(how.cipher, "AES-256-GCM");
	smime_encryption_release(&how);
	caps[0] = SMIME_CAP_RSAES_OAEP;
	smime_encryption_choose(caps, 2, &how);
	CHECK(!how.gcm);
	CHECK_STR(how.why, "1 of 2 recipients did not announce AES-256-GCM");
	smime_encryption_release(&how);
	smime_encryption_choose(NULL, 2, &how);
	CHECK(!how.gcm);
	CHECK_STR(how.why, "no recipient has announced AES-256-GCM");
	smime_encryption_release(&how);
	buf_release(&der);
	buf_release(&big);
	buf_release(&one);
}

int
main(void)
{
	test_oids();
	test_cms();
	test_capabilities();
	return check_exit();
}
