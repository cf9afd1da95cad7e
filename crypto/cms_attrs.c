/* cms_attrs.c — the DER of the signed attributes cachet adds to its
 * SignedData (RFC 8551, RFC 5035): small fixed shapes written directly. */
#include "crypto/cms_p.h"

#include <string.h>

void
cms_der_tlv(struct buf *out, unsigned char tag, const void *p, size_t n)
{
	unsigned char hdr[6];
	size_t i = 0, k, len = n;

	hdr[i++] = tag;
	if (n < 0x80) {
		hdr[i++] = (unsigned char)n;
	} else {
		for (k = 0; len; k++)
			len >>= 8;
		hdr[i++] = (unsigned char)(0x80 | k);
		while (k--)
			hdr[i++] = (unsigned char)(n >> (8 * k));
	}
	buf_add(out, hdr, i);
	buf_add(out, p, n);
}

/* The OID bodies (no tag, no length). */
static const unsigned char oid_aes256_gcm[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2e };
static const unsigned char oid_aes128_gcm[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x06 };
static const unsigned char oid_aes256_cbc[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a };
static const unsigned char oid_aes192_cbc[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x16 };
static const unsigned char oid_aes128_cbc[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02 };
static const unsigned char oid_rsaes_oaep[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x07 };

void
cms_attr_smime_capabilities(struct buf *out)
{
	static const struct {
		const unsigned char *oid;
		size_t n;
	} caps[] = {
		{ oid_aes256_gcm, sizeof oid_aes256_gcm },
		{ oid_aes128_gcm, sizeof oid_aes128_gcm },
		{ oid_aes256_cbc, sizeof oid_aes256_cbc },
		{ oid_aes192_cbc, sizeof oid_aes192_cbc },
		{ oid_aes128_cbc, sizeof oid_aes128_cbc },
		{ oid_rsaes_oaep, sizeof oid_rsaes_oaep },
	};
	struct buf seq = BUF_INIT, one = BUF_INIT, oid = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof caps / sizeof caps[0]; i++) {
		buf_reset(&oid);
		buf_reset(&one);
		cms_der_tlv(&oid, 0x06, caps[i].oid, caps[i].n);
		/* SMIMECapability ::= SEQUENCE { capabilityID, parameters
		 * OPTIONAL }: none of these has parameters. */
		cms_der_tlv(&one, 0x30, oid.data, oid.len);
		buf_add(&seq, one.data, one.len);
	}
	cms_der_tlv(out, 0x30, seq.data, seq.len);
	buf_release(&seq);
	buf_release(&one);
	buf_release(&oid);
}

void
cms_attr_signing_certificate_v2(const unsigned char sha256[32], struct buf *out)
{
	struct buf hash = BUF_INIT, id = BUF_INIT, ids = BUF_INIT;

	/* ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash,
	 * issuerSerial OPTIONAL }: DER leaves the default out. */
	cms_der_tlv(&hash, 0x04, sha256, 32);
	cms_der_tlv(&id, 0x30, hash.data, hash.len);
	cms_der_tlv(&ids, 0x30, id.data, id.len);	/* certs SEQUENCE OF */
	cms_der_tlv(out, 0x30, ids.data, ids.len);	/* SigningCertificateV2 */
	buf_release(&hash);
	buf_release(&id);
	buf_release(&ids);
}

void
cms_attr_encryption_key_preference(const void *issuer, size_t issuer_len,
				   const void *serial, size_t serial_len,
				   struct buf *out)
{
	struct buf ias = BUF_INIT;

	buf_add(&ias, issuer, issuer_len);
	cms_der_tlv(&ias, 0x02, serial, serial_len);
	/* issuerAndSerialNumber [0] IMPLICIT: the SEQUENCE's tag becomes a
	 * constructed context-specific 0. */
	cms_der_tlv(out, 0xa0, ias.data, ias.len);
	buf_release(&ias);
}
