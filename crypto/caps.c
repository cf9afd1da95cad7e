/* caps.c — sMIMECapabilities (RFC 8551 2.5.2) as a correspondent announced
 * them, and the encryption they allow: the content cipher for a set of
 * recipients and the key transport for each recipient's key. */
#include "crypto/cms_p.h"
#include "crypto/smime_p.h"

#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <stdlib.h>
#include <string.h>

#define OID_AES256_GCM "2.16.840.1.101.3.4.1.46"
#define OID_RSAES_OAEP "1.2.840.113549.1.1.7"

static const struct {
	const char *oid, *name;
} known[] = {
	{ OID_AES256_GCM, "AES-256-GCM" },
	{ "2.16.840.1.101.3.4.1.26", "AES-192-GCM" },
	{ "2.16.840.1.101.3.4.1.6", "AES-128-GCM" },
	{ "2.16.840.1.101.3.4.1.42", "AES-256-CBC" },
	{ "2.16.840.1.101.3.4.1.22", "AES-192-CBC" },
	{ "2.16.840.1.101.3.4.1.2", "AES-128-CBC" },
	{ "1.2.840.113549.3.7", "3DES-CBC" },
	{ "1.2.840.113549.3.2", "RC2-CBC" },
	{ OID_RSAES_OAEP, "RSAES-OAEP" },
	{ "1.2.840.113549.1.1.1", "RSA" },
	{ "1.2.840.113549.1.1.10", "RSASSA-PSS" },
	{ "1.3.132.1.11.1", "ECDH-SHA256KDF" },
	{ "1.3.132.1.11.2", "ECDH-SHA384KDF" },
	{ "1.3.132.1.11.3", "ECDH-SHA512KDF" },
	{ "1.2.840.113549.1.9.16.3.9", "PRF-HMAC-SHA1" },
	{ "1.2.840.113549.1.9.22.1", "preferBinaryInside" },
	{ "2.16.840.1.101.3.4.2.1", "SHA-256" },
	{ "2.16.840.1.101.3.4.2.2", "SHA-384" },
	{ "2.16.840.1.101.3.4.2.3", "SHA-512" },
	{ "1.2.840.113549.1.1.11", "sha256WithRSAEncryption" },
	{ "1.2.840.10045.4.3.2", "ecdsa-with-SHA256" },
};

/* What cms_attr_smime_capabilities announces, in its order: the tests
 * hold the two together. */
const char *
smime_own_capabilities(void)
{
	return OID_AES256_GCM " 2.16.840.1.101.3.4.1.6 2.16.840.1.101.3.4.1.42 "
		"2.16.840.1.101.3.4.1.22 2.16.840.1.101.3.4.1.2 " OID_RSAES_OAEP;
}

const char *
smime_capability_name(const char *oid)
{
	size_t i;

	for (i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(known[i].oid, oid) == 0)
			return known[i].name;
	return NULL;
}

unsigned
smime_capabilities_flags(const char *oids)
{
	unsigned f = 0;
	size_t n;

	while (oids && *oids) {
		n = strcspn(oids, " ");
		if (n == strlen(OID_AES256_GCM) && strncmp(oids, OID_AES256_GCM, n) == 0)
			f |= SMIME_CAP_AES256_GCM;
		else if (n == strlen(OID_RSAES_OAEP) && strncmp(oids, OID_RSAES_OAEP, n) == 0)
			f |= SMIME_CAP_RSAES_OAEP;
		oids += n;
		oids += strspn(oids, " ");
	}
	return f;
}

int
cms_capabilities_parse(const unsigned char *der, size_t len, char **out,
		       struct err *e)
{
	struct der_tlv seq, one, oid;
	struct buf b = BUF_INIT;
	char dotted[SMIME_MAX_CAPABILITY_OID];
	size_t off = 0, k, count = 0;
	int r;

	*out = NULL;
	if (der_read(der, len, &seq, e) < 0)
		return -1;
	if (seq.cls != 0 || seq.tag != 16 || seq.total != len)
		return err_set(e, ERR_INPUT, "sMIMECapabilities is not one SEQUENCE");
	/* SMIMECapability ::= SEQUENCE { capabilityID OID, parameters ANY
	 * OPTIONAL }: the parameters (RC2's key size...) are not kept. */
	while ((r = der_next(&seq, &off, &one, e)) == 1) {
		if (++count > SMIME_MAX_CAPABILITIES) {
			buf_release(&b);
			return err_set(e, ERR_INPUT, "sMIMECapabilities lists more than %d "
				       "capabilities", SMIME_MAX_CAPABILITIES);
		}
		k = 0;
		if (one.cls != 0 || one.tag != 16 || der_next(&one, &k, &oid, e) != 1 ||
		    oid.cls != 0 || oid.tag != 6 ||
		    der_oid_string(oid.v, oid.n, dotted, sizeof dotted) < 0) {
			buf_release(&b);
			return err_set(e, ERR_INPUT, "sMIMECapabilities holds a capability "
				       "that is not an object identifier");
		}
		buf_addf(&b, "%s%s", b.len ? " " : "", dotted);
	}
	if (r < 0) {
		buf_release(&b);
		return -1;
	}
	*out = b.len ? buf_detach(&b, NULL) : xstrdup("");
	buf_release(&b);
	return 0;
}

const char *
smime_key_transport(const void *der, size_t len, unsigned caps)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d = { (unsigned char *)der, (unsigned)len };
	const char *kt = NULL;
	int pk;

	if (gnutls_x509_crt_init(&crt) < 0)
		return NULL;
	if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) == 0) {
		pk = gnutls_x509_crt_get_pk_algorithm(crt, NULL);
		if (pk == GNUTLS_PK_RSA)
			kt = (caps & SMIME_CAP_RSAES_OAEP) ? SMIME_KT_RSAES_OAEP
				: SMIME_KT_RSA_PKCS1;
		else if (pk == GNUTLS_PK_ECDSA)
			kt = SMIME_KT_ECDH;
	}
	gnutls_x509_crt_deinit(crt);
	return kt;
}

const char *
smime_keybox_transport(struct smime_engine *eng, const char *fpr, unsigned caps)
{
	const struct buf *der;

	if (engine_cert_der(eng, fpr, &der, NULL) < 0)
		return NULL;
	return smime_key_transport(der->data, der->len, caps);
}

void
smime_encryption_choose(const unsigned *caps, size_t n, struct smime_encryption *out)
{
	size_t i, without = 0;

	memset(out, 0, sizeof *out);
	for (i = 0; i < n; i++)
		if (caps == NULL || !(caps[i] & SMIME_CAP_AES256_GCM))
			without++;
	out->gcm = n > 0 && without == 0;
	out->cipher = out->gcm ? "AES-256-GCM" : "AES-256-CBC";
	if (out->gcm)
		out->why = xstrdup("every recipient announced AES-256-GCM");
	else if (n > 0 && without == n)
		out->why = xasprintf("%s announced AES-256-GCM", n == 1 ?
				     "the recipient has not" : "no recipient has");
	else
		out->why = xasprintf("%zu of %zu recipients did not announce AES-256-GCM",
				     without, n);
}

void
smime_encryption_release(struct smime_encryption *c)
{
	if (c == NULL)
		return;
	free(c->why);
	free(c->transports);
	memset(c, 0, sizeof *c);
}
