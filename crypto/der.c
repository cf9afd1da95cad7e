/* der.c — a small BER/DER walker over CMS ContentInfo: enough to know what
 * a blob is (signed, enveloped, auth-enveloped), how many signers and
 * recipients it has, and which algorithms, before gpgsm sees it. */
#include "crypto/smime_p.h"

#include <stdio.h>
#include <string.h>

#define DER_MAX_DEPTH 32
/* Elements checked in one tree at most: a 64 MB message cannot hold a
 * legitimate CMS structure with more. */
#define DER_MAX_NODES 1000000

struct tlv {
	unsigned cls;		/* 0 universal, 1 application, 2 context, 3 private */
	bool constructed;
	unsigned long tag;
	const unsigned char *v;	/* contents */
	size_t n;		/* contents length (indefinite: up to the EOC) */
	size_t total;		/* header + contents (+ EOC) */
};

/* Reads one TLV at p[0..len).  Indefinite lengths are resolved by walking
 * the children up to the end-of-contents marker. */
static int
tlv_read(const unsigned char *p, size_t len, int depth, struct tlv *t,
	 struct err *e)
{
	size_t i = 0, n = 0;

	if (depth > DER_MAX_DEPTH)
		return err_set(e, ERR_INPUT, "CMS structure nested too deeply");
	if (len < 2)
		return err_set(e, ERR_INPUT, "CMS data is truncated");
	t->cls = p[0] >> 6;
	t->constructed = (p[0] & 0x20) != 0;
	t->tag = p[0] & 0x1f;
	i = 1;
	if (t->tag == 0x1f) {
		t->tag = 0;
		do {
			if (i >= len || t->tag > (1ul << 24))
				return err_set(e, ERR_INPUT, "CMS tag is malformed");
			t->tag = t->tag << 7 | (p[i] & 0x7f);
		} while (p[i++] & 0x80);
	}
	if (i >= len)
		return err_set(e, ERR_INPUT, "CMS data is truncated");
	if (p[i] == 0x80) {
		size_t off;

		if (!t->constructed)
			return err_set(e, ERR_INPUT, "CMS primitive with indefinite length");
		i++;
		off = i;
		for (;;) {
			struct tlv c;

			if (off + 2 > len)
				return err_set(e, ERR_INPUT, "CMS data is truncated");
			if (p[off] == 0 && p[off + 1] == 0)
				break;
			if (tlv_read(p + off, len - off, depth + 1, &c, e) < 0)
				return -1;
			off += c.total;
		}
		t->v = p + i;
		t->n = off - i;
		t->total = off + 2;
		return 0;
	}
	if (p[i] & 0x80) {
		size_t k = p[i] & 0x7f;

		if (k == 0 || k > sizeof(size_t) || k > 4)
			return err_set(e, ERR_INPUT, "CMS length is malformed");
		i++;
		if (i + k > len)
			return err_set(e, ERR_INPUT, "CMS data is truncated");
		while (k--)
			n = n << 8 | p[i++];
	} else {
		n = p[i++];
	}
	if (n > len - i)
		return err_set(e, ERR_INPUT, "CMS data is truncated (%zu bytes announced, %zu present)",
			       n, len - i);
	t->v = p + i;
	t->n = n;
	t->total = i + n;
	return 0;
}

/* Iterator over the children of a constructed TLV. */
struct kids {
	const unsigned char *p;
	size_t n, off;
	int depth;
};

static void
kids_init(struct kids *k, const struct tlv *t, int depth)
{
	k->p = t->v;
	k->n = t->n;
	k->off = 0;
	k->depth = depth;
}

/* 1 with c filled, 0 at the end, -1 on error. */
static int
kids_next(struct kids *k, struct tlv *c, struct err *e)
{
	if (k->off >= k->n)
		return 0;
	if (k->n - k->off >= 2 && k->p[k->off] == 0 && k->p[k->off + 1] == 0)
		return 0;
	if (tlv_read(k->p + k->off, k->n - k->off, k->depth, c, e) < 0)
		return -1;
	k->off += c->total;
	return 1;
}

static int
want(struct kids *k, struct tlv *c, unsigned cls, unsigned long tag,
     const char *what, struct err *e)
{
	int r = kids_next(k, c, e);

	if (r < 0)
		return -1;
	if (r == 0 || c->cls != cls || c->tag != tag)
		return err_set(e, ERR_INPUT, "CMS structure is malformed: %s expected", what);
	return 0;
}

int
der_oid_string(const unsigned char *p, size_t n, char *out, size_t outlen)
{
	unsigned long v = 0;
	size_t i, used = 0;
	bool first = true;

	if (n == 0 || outlen == 0)
		return -1;
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (v > (1ul << 56))
			return -1;
		v = v << 7 | (p[i] & 0x7f);
		if (p[i] & 0x80)
			continue;
		{
			int w;

			if (first) {
				unsigned long a = v < 40 ? 0 : v < 80 ? 1 : 2;

				w = snprintf(out + used, outlen - used, "%lu.%lu", a, v - a * 40);
				first = false;
			} else {
				w = snprintf(out + used, outlen - used, ".%lu", v);
			}
			if (w < 0 || (size_t)w >= outlen - used)
				return -1;
			used += (size_t)w;
		}
		v = 0;
	}
	return (p[n - 1] & 0x80) ? -1 : 0;
}

static int
read_oid(const struct tlv *t, char *out, size_t outlen, struct err *e)
{
	if (t->cls != 0 || t->tag != 6 || der_oid_string(t->v, t->n, out, outlen) < 0)
		return err_set(e, ERR_INPUT, "CMS structure is malformed: bad object identifier");
	return 0;
}

#define OID_DATA "1.2.840.113549.1.7.1"
#define OID_SIGNED "1.2.840.113549.1.7.2"
#define OID_ENVELOPED "1.2.840.113549.1.7.3"
#define OID_AUTH_ENVELOPED "1.2.840.113549.1.9.16.1.23"
#define OID_COMPRESSED "1.2.840.113549.1.9.16.1.9"
#define OID_RSAES_OAEP "1.2.840.113549.1.1.7"

static int
inspect_signed(const struct tlv *sd, struct cms_info *info, struct err *e)
{
	struct kids k;
	struct tlv c, ec;
	int r;

	kids_init(&k, sd, 3);
	if (want(&k, &c, 0, 2, "SignedData version", e) < 0 ||
	    want(&k, &c, 0, 17, "digestAlgorithms", e) < 0 ||
	    want(&k, &ec, 0, 16, "encapContentInfo", e) < 0)
		return -1;
	{
		struct kids ek;
		struct tlv t;

		kids_init(&ek, &ec, 4);
		if (want(&ek, &t, 0, 6, "eContentType", e) < 0)
			return -1;
		r = kids_next(&ek, &t, e);
		if (r < 0)
			return -1;
		info->has_econtent = r == 1 && t.cls == 2 && t.tag == 0;
	}
	for (;;) {
		r = kids_next(&k, &c, e);
		if (r < 0)
			return -1;
		if (r == 0)
			return err_set(e, ERR_INPUT, "CMS SignedData has no signerInfos");
		if (c.cls == 2 && c.tag == 0) {	/* certificates [0] */
			struct kids ck;
			struct tlv ct;

			kids_init(&ck, &c, 4);
			while ((r = kids_next(&ck, &ct, e)) == 1)
				info->n_certs++;
			if (r < 0)
				return -1;
			continue;
		}
		if (c.cls == 2)	/* crls [1] */
			continue;
		if (c.cls == 0 && c.tag == 17)
			break;
		return err_set(e, ERR_INPUT, "CMS structure is malformed: signerInfos expected");
	}
	{
		struct kids sk;
		struct tlv si;

		kids_init(&sk, &c, 4);
		while ((r = kids_next(&sk, &si, e)) == 1)
			info->n_signer_infos++;
		if (r < 0)
			return -1;
	}
	return 0;
}

static int
inspect_recipients(const struct tlv *set, struct cms_info *info, struct err *e)
{
	struct kids k;
	struct tlv ri;
	int r;

	kids_init(&k, set, 4);
	while ((r = kids_next(&k, &ri, e)) == 1) {
		if (ri.cls == 0 && ri.tag == 16) {
			struct kids rk;
			struct tlv t;
			char oid[64];

			info->n_ktri++;
			kids_init(&rk, &ri, 5);
			if (want(&rk, &t, 0, 2, "KeyTransRecipientInfo version", e) < 0)
				return -1;
			if (kids_next(&rk, &t, e) != 1)	/* rid */
				return err_set(e, ERR_INPUT, "CMS KeyTransRecipientInfo is truncated");
			if (t.cls == 0 && t.tag == 16 && info->n_rid_serials < CMS_MAX_RIDS) {
				/* issuerAndSerialNumber: the serial, in gpgsm's hex. */
				struct kids ik;
				struct tlv is;
				char *hex = info->rid_serials[info->n_rid_serials];
				size_t i;

				kids_init(&ik, &t, 5);
				if (kids_next(&ik, &is, e) == 1 && kids_next(&ik, &is, e) == 1 &&
				    is.cls == 0 && is.tag == 2 && is.n > 0 &&
				    is.n * 2 < sizeof info->rid_serials[0]) {
					for (i = 0; i < is.n; i++)
						snprintf(hex + 2 * i, 3, "%02X", is.v[i]);
					info->n_rid_serials++;
				}
			}
			if (want(&rk, &t, 0, 16, "keyEncryptionAlgorithm", e) < 0)
				return -1;
			{
				struct kids ak;
				struct tlv o;

				kids_init(&ak, &t, 6);
				if (want(&ak, &o, 0, 6, "algorithm", e) < 0 ||
				    read_oid(&o, oid, sizeof oid, e) < 0)
					return -1;
				if (strcmp(oid, OID_RSAES_OAEP) == 0)
					info->n_oaep++;
			}
		} else if (ri.cls == 2 && ri.tag == 1) {
			info->n_kari++;
		} else if (ri.cls == 2 && ri.tag == 2) {
			info->n_kekri++;
		} else if (ri.cls == 2 && ri.tag == 3) {
			info->n_pwri++;
		} else {
			info->n_ori++;
		}
	}
	return r;
}

static int
inspect_enveloped(const struct tlv *ed, struct cms_info *info, struct err *e)
{
	struct kids k, ek;
	struct tlv c, t;

	kids_init(&k, ed, 3);
	if (want(&k, &c, 0, 2, "EnvelopedData version", e) < 0)
		return -1;
	if (kids_next(&k, &c, e) != 1)
		return err_set(e, ERR_INPUT, "CMS EnvelopedData is truncated");
	if (c.cls == 2 && c.tag == 0 && kids_next(&k, &c, e) != 1)	/* originatorInfo */
		return err_set(e, ERR_INPUT, "CMS EnvelopedData is truncated");
	if (c.cls != 0 || c.tag != 17)
		return err_set(e, ERR_INPUT, "CMS structure is malformed: recipientInfos expected");
	if (inspect_recipients(&c, info, e) < 0)
		return -1;
	if (want(&k, &c, 0, 16, "encryptedContentInfo", e) < 0)
		return -1;
	kids_init(&ek, &c, 4);
	if (want(&ek, &t, 0, 6, "contentType", e) < 0 ||
	    want(&ek, &t, 0, 16, "contentEncryptionAlgorithm", e) < 0)
		return -1;
	{
		struct kids ak;
		struct tlv o;

		kids_init(&ak, &t, 5);
		if (want(&ak, &o, 0, 6, "algorithm", e) < 0 ||
		    read_oid(&o, info->content_alg, sizeof info->content_alg, e) < 0)
			return -1;
	}
	return 0;
}

int
cms_inspect(const unsigned char *der, size_t len, struct cms_info *info,
	    struct err *e)
{
	struct tlv ci, t, content, inner;
	struct kids k, ck;
	char oid[64];

	memset(info, 0, sizeof *info);
	if (len == 0)
		return err_set(e, ERR_INPUT, "CMS data is empty");
	if (der[0] != 0x30)
		return err_set(e, ERR_INPUT, "not a CMS structure (no ContentInfo)");
	if (tlv_read(der, len, 0, &ci, e) < 0)
		return -1;
	if (ci.cls != 0 || ci.tag != 16 || !ci.constructed)
		return err_set(e, ERR_INPUT, "not a CMS ContentInfo");
	kids_init(&k, &ci, 1);
	if (want(&k, &t, 0, 6, "contentType", e) < 0 || read_oid(&t, oid, sizeof oid, e) < 0)
		return -1;
	if (strcmp(oid, OID_SIGNED) == 0)
		info->type = CMS_SIGNED;
	else if (strcmp(oid, OID_ENVELOPED) == 0)
		info->type = CMS_ENVELOPED;
	else if (strcmp(oid, OID_AUTH_ENVELOPED) == 0)
		info->type = CMS_AUTH_ENVELOPED;
	else if (strcmp(oid, OID_COMPRESSED) == 0)
		info->type = CMS_COMPRESSED;
	else if (strcmp(oid, OID_DATA) == 0)
		info->type = CMS_DATA;
	else
		return err_set(e, ERR_UNSUPPORTED, "unknown CMS content type %s", oid);
	if (info->type == CMS_DATA || info->type == CMS_COMPRESSED)
		return 0;
	if (want(&k, &content, 2, 0, "content [0]", e) < 0)
		return -1;
	kids_init(&ck, &content, 2);
	if (want(&ck, &inner, 0, 16, "content SEQUENCE", e) < 0)
		return -1;
	if (info->type == CMS_SIGNED)
		return inspect_signed(&inner, info, e);
	return inspect_enveloped(&inner, info, e);	/* same prefix in AuthEnvelopedData */
}

const char *
cms_unsupported_reason(const struct cms_info *info)
{
	const char *a = info->content_alg;
	bool gcm = strcmp(a, "2.16.840.1.101.3.4.1.6") == 0 ||
		strcmp(a, "2.16.840.1.101.3.4.1.26") == 0 ||
		strcmp(a, "2.16.840.1.101.3.4.1.46") == 0;

	if (info->type == CMS_COMPRESSED)
		return "compressed CMS data, which cachet cannot read";
	if (info->type != CMS_ENVELOPED && info->type != CMS_AUTH_ENVELOPED)
		return NULL;
	/* RFC 5084: GCM only where the tag has its place. */
	if (gcm && info->type == CMS_ENVELOPED)
		return "encrypted with AES-GCM outside AuthEnvelopedData, where its "
			"authentication tag has no place";
	if (info->n_ktri == 0 && info->n_kari == 0)
		return "encrypted with a key or password rather than a certificate, which "
			"cachet cannot decrypt";
	return NULL;
}

/* Every TLV under t, recursively: each child within its parent, and the
 * children of a constructed value filling it exactly (an indefinite
 * length's contents end where its end-of-contents marker is). */
static int
tree_check(const struct tlv *t, int depth, size_t *nodes, struct err *e)
{
	size_t off = 0;

	if (!t->constructed)
		return 0;
	while (off < t->n) {
		struct tlv c;

		if (++*nodes > DER_MAX_NODES)
			return err_set(e, ERR_INPUT, "CMS structure has more than %d elements",
				       DER_MAX_NODES);
		if (tlv_read(t->v + off, t->n - off, depth + 1, &c, e) < 0 ||
		    tree_check(&c, depth + 1, nodes, e) < 0)
			return -1;
		off += c.total;
	}
	return 0;
}

int
der_check_tree(const unsigned char *p, size_t len, struct err *e)
{
	struct tlv t;
	size_t nodes = 0;

	if (tlv_read(p, len, 1, &t, e) < 0 || tree_check(&t, 1, &nodes, e) < 0)
		return -1;
	return 0;
}

int
der_read(const unsigned char *p, size_t len, struct der_tlv *out, struct err *e)
{
	struct tlv t;

	if (tlv_read(p, len, 1, &t, e) < 0)
		return -1;
	out->cls = t.cls;
	out->constructed = t.constructed;
	out->tag = t.tag;
	out->raw = p;
	out->v = t.v;
	out->n = t.n;
	out->total = t.total;
	return 0;
}

int
der_next(const struct der_tlv *parent, size_t *off, struct der_tlv *child,
	 struct err *e)
{
	const unsigned char *p = parent->v;
	size_t n = parent->n;

	if (!parent->constructed)
		return err_set(e, ERR_INPUT, "CMS structure is malformed: a primitive where "
			       "a constructed value belongs");
	if (*off >= n || (n - *off >= 2 && p[*off] == 0 && p[*off + 1] == 0))
		return 0;
	if (der_read(p + *off, n - *off, child, e) < 0)
		return -1;
	*off += child->total;
	return 1;
}
