/*
 * cms_verify.c — SignedData checked in cachet's own process with GnuTLS:
 * each SignerInfo against the signer's certificate from the message, the
 * signer's chain against the engine's trust anchors with the message's
 * certificates as intermediates for this message only.  Nothing is
 * written anywhere: no keybox learns what a message carries.
 */
#include "crypto/cms_p.h"
#include "crypto/engine_p.h"
#include "crypto/smime_p.h"

#include <gnutls/crypto.h>
#include <gnutls/pkcs7.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Longest chain followed from the signer to an anchor. */
#define CMS_MAX_CHAIN 16

void
cms_sigs_free(struct cms_sig *sigs, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		free(sigs[i].detail);
		free(sigs[i].revocation);
		for (j = 0; j < sigs[i].n_issuers; j++)
			gnutls_free(sigs[i].issuers[j].data);
		free(sigs[i].capabilities);
		if (sigs[i].crt)
			gnutls_x509_crt_deinit(sigs[i].crt);
	}
	free(sigs);
}

/* Digests broken for signatures (collisions can be made): the name to
 * show, or NULL for a digest still fit.  The micalg parameter is never
 * consulted: the SignerInfo's own digest is what was signed. */
static const char *
weak_digest(gnutls_digest_algorithm_t d)
{
	switch (d) {
	case GNUTLS_DIG_MD5: return "MD5";
	case GNUTLS_DIG_SHA1: return "SHA-1";
	case GNUTLS_DIG_RMD160: return "RIPEMD-160";
	case GNUTLS_DIG_MD2: return "MD2";
	default: return NULL;
	}
}

static bool
datum_eq(const gnutls_datum_t *a, const void *p, size_t n)
{
	return a->size == n && (n == 0 || memcmp(a->data, p, n) == 0);
}

/* Does crt carry the identifier the SignerInfo names (issuer and serial,
 * or subject key identifier)? */
static bool
names_signer(gnutls_x509_crt_t crt, const gnutls_pkcs7_signature_info_st *si)
{
	unsigned char buf[256];
	size_t n = sizeof buf;

	if (si->issuer_dn.size) {
		gnutls_datum_t dn = { NULL, 0 };
		bool same;

		if (gnutls_x509_crt_get_raw_issuer_dn(crt, &dn) < 0)
			return false;
		same = datum_eq(&si->issuer_dn, dn.data, dn.size);
		gnutls_free(dn.data);
		return same && gnutls_x509_crt_get_serial(crt, buf, &n) == 0 &&
		       datum_eq(&si->signer_serial, buf, n);
	}
	if (si->issuer_keyid.size)
		return gnutls_x509_crt_get_subject_key_id(crt, buf, &n, NULL) == 0 &&
		       datum_eq(&si->issuer_keyid, buf, n);
	return false;
}

static int
crt_copy(gnutls_x509_crt_t from, gnutls_x509_crt_t *to)
{
	gnutls_datum_t d = { NULL, 0 };
	int r;

	if (gnutls_x509_crt_export2(from, GNUTLS_X509_FMT_DER, &d) < 0)
		return -1;
	r = gnutls_x509_crt_init(to);
	if (r == 0 && gnutls_x509_crt_import(*to, &d, GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crt_deinit(*to);
		r = -1;
	}
	gnutls_free(d.data);
	return r < 0 ? -1 : 0;
}

/*
 * The chain from crts[signer] up through the message's certificates: at
 * each step the first certificate that names the current one's issuer and
 * whose key verifies its signature.  A look-alike with the right name but
 * the wrong key is never taken, so it cannot stand between a genuine
 * certificate and its anchor.
 */
static size_t
build_chain(gnutls_x509_crt_t signer, gnutls_x509_crt_t *crts, size_t n,
	    gnutls_x509_crt_t *chain)
{
	bool used[SMIME_MAX_CERTIFICATES] = { false };
	gnutls_x509_crt_t cur = signer;
	size_t k = 0, j;

	chain[k++] = signer;
	while (k < CMS_MAX_CHAIN && !gnutls_x509_crt_check_issuer(cur, cur)) {
		gnutls_x509_crt_t next = NULL;

		for (j = 0; j < n && next == NULL; j++) {
			unsigned st = 0;

			if (used[j] || crts[j] == signer ||
			    !gnutls_x509_crt_check_issuer(cur, crts[j]))
				continue;
			if (gnutls_x509_crt_verify(cur, &crts[j], 1,
						   GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
						   GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
						   GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 |
						   GNUTLS_VERIFY_ALLOW_ANY_X509_V1_CA_CRT,
						   &st) == 0 &&
			    !(st & GNUTLS_CERT_SIGNATURE_FAILURE)) {
				used[j] = true;
				next = crts[j];
			}
		}
		if (next == NULL)
			break;
		chain[k++] = next;
		cur = next;
	}
	return k;
}

/* The state of a chain GnuTLS checked, and why in words. */
static enum smime_sig
chain_state(unsigned st, const char **detail)
{
	if (st == 0)
		return SMIME_SIG_VALID;
	if (st & GNUTLS_CERT_REVOKED) {
		*detail = "a certificate in the chain is revoked";
		return SMIME_SIG_REVOKED;
	}
	if (st & GNUTLS_CERT_EXPIRED) {
		*detail = "a certificate in the chain is expired";
		return SMIME_SIG_EXPIRED;
	}
	if (st & GNUTLS_CERT_NOT_ACTIVATED)
		*detail = "a certificate in the chain is not valid yet";
	else if (st & GNUTLS_CERT_SIGNER_NOT_FOUND)
		*detail = "the certificate chain does not reach a trusted root";
	else if (st & GNUTLS_CERT_SIGNATURE_FAILURE)
		*detail = "the certificate chain does not reach a trusted root (a "
			  "certificate's signature does not verify with its issuer's key)";
	else if (st & GNUTLS_CERT_SIGNER_NOT_CA)
		*detail = "a certificate in the chain is signed by a certificate that "
			  "is not a CA";
	else if (st & GNUTLS_CERT_INSECURE_ALGORITHM)
		*detail = "a certificate in the chain is signed with an insecure algorithm";
	else if (st & GNUTLS_CERT_PURPOSE_MISMATCH)
		*detail = "a certificate in the chain is not for e-mail protection";
	else if (st & GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE)
		*detail = "a certificate in the chain breaks its issuer's constraints";
	else if (st & GNUTLS_CERT_UNKNOWN_CRIT_EXTENSIONS)
		*detail = "a certificate in the chain has a critical extension cachet "
			  "does not know";
	else
		*detail = "the certificate chain does not verify";
	return SMIME_SIG_UNTRUSTED;
}

/* How many chain results an engine remembers, and for how long at most. */
#define CHAIN_MEMO_MAX 64
#define CHAIN_MEMO_SECONDS 300

/* The memo's key for chain: SHA-256 over each certificate's DER with its
 * length, so the same certificates in the same order and nothing else.
 * -1 when a certificate cannot be encoded (no memo then). */
static int
chain_key(gnutls_x509_crt_t *chain, size_t k, unsigned char key[32])
{
	gnutls_hash_hd_t h;
	size_t i;

	if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) < 0)
		return -1;
	for (i = 0; i < k; i++) {
		gnutls_datum_t der = { NULL, 0 };
		unsigned char len[4];

		if (gnutls_x509_crt_export2(chain[i], GNUTLS_X509_FMT_DER, &der) < 0) {
			gnutls_hash_deinit(h, NULL);
			return -1;
		}
		len[0] = (unsigned char)(der.size >> 24);
		len[1] = (unsigned char)(der.size >> 16);
		len[2] = (unsigned char)(der.size >> 8);
		len[3] = (unsigned char)der.size;
		gnutls_hash(h, len, sizeof len);
		gnutls_hash(h, der.data, der.size);
		gnutls_free(der.data);
	}
	gnutls_hash_deinit(h, key);
	return 0;
}

/*
 * The trust list's verdict on chain, remembered per engine: the same
 * certificates against the same anchors give the same answer while no
 * validity period of theirs, nor of an anchor, begins or ends, and for
 * CHAIN_MEMO_SECONDS at most.  Only the chain's check is remembered; every
 * signature is checked every time.
 */
static int
chain_verify(struct smime_engine *eng, gnutls_x509_trust_list_t tl,
	     gnutls_x509_crt_t *chain, size_t k, gnutls_typed_vdata_st *purpose,
	     unsigned *st)
{
	struct engine_chain_memo *m;
	unsigned char key[32];
	time_t now = time(NULL), until = now + CHAIN_MEMO_SECONDS, from = 0, t;
	bool keyed;
	size_t i;
	int r;

	keyed = chain_key(chain, k, key) == 0;
	for (i = 0; keyed && i < eng->n_chain_memo; i++) {
		m = &eng->chain_memo[i];
		if (memcmp(m->key, key, sizeof key) == 0 && now >= m->from && now < m->until) {
			*st = m->status;
			return 0;
		}
	}
	r = gnutls_x509_trust_list_verify_crt2(tl, chain, (unsigned)k, purpose, 1, 0, st,
					       NULL);
	if (r < 0 || !keyed)
		return r;
	/* Until the first validity period in view begins or ends. */
	for (i = 0; i < k + eng->n_anchors; i++) {
		gnutls_x509_crt_t c = i < k ? chain[i] : eng->anchors[i - k];

		t = gnutls_x509_crt_get_activation_time(c);
		if (t != (time_t)-1 && t > now && t < until)
			until = t;
		if (t != (time_t)-1 && t <= now && t > from)
			from = t;
		t = gnutls_x509_crt_get_expiration_time(c);
		if (t != (time_t)-1 && t > now && t < until)
			until = t;
		if (t != (time_t)-1 && t <= now && t > from)
			from = t;
	}
	if (eng->n_chain_memo == CHAIN_MEMO_MAX)
		eng->n_chain_memo = 0;	/* start over: a batch has few chains */
	if (eng->chain_memo == NULL)
		eng->chain_memo = xcalloc(CHAIN_MEMO_MAX, sizeof *eng->chain_memo);
	m = &eng->chain_memo[eng->n_chain_memo++];
	memcpy(m->key, key, sizeof key);
	m->status = *st;
	m->from = from;
	m->until = until;
	return 0;
}

/* A certificate handed to the engine (smime_engine_add_cert) that the
 * SignerInfo si names, imported for the caller to free; NULL when none. */
static gnutls_x509_crt_t
given_signer(struct smime_engine *eng, const gnutls_pkcs7_signature_info_st *si)
{
	gnutls_x509_crt_t crt;
	size_t i;

	for (i = 0; i < eng->n_certs; i++) {
		gnutls_datum_t d = { (unsigned char *)eng->certs[i].der.data,
				     (unsigned)eng->certs[i].der.len };

		if (!eng->certs[i].given || gnutls_x509_crt_init(&crt) < 0)
			continue;
		if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) == 0 &&
		    names_signer(crt, si))
			return crt;
		gnutls_x509_crt_deinit(crt);
	}
	return NULL;
}

/* What a verified SignerInfo announces: its sMIMECapabilities (the first
 * such attribute; one that cannot be read is left out) and signingTime. */
static void
signed_attrs(const gnutls_pkcs7_signature_info_st *si, struct cms_sig *s)
{
	gnutls_datum_t d;
	char *oid;
	struct err ignored;
	unsigned i;

	s->signing_time = si->signing_time > 0 ? si->signing_time : 0;
	for (i = 0; i < 64; i++) {
		d.data = NULL;
		if (gnutls_pkcs7_get_attr(si->signed_attrs, i, &oid, &d, 0) < 0)
			break;
		if (s->capabilities == NULL && strcmp(oid, CMS_OID_SMIME_CAPABILITIES) == 0)
			cms_capabilities_parse(d.data, d.size, &s->capabilities, &ignored);
		gnutls_free(d.data);
	}
}

/* The state of one SignerInfo: its signature, then its signer's chain. */
static void
check_one(struct smime_engine *eng, gnutls_pkcs7_t p7, unsigned idx,
	  gnutls_x509_crt_t *crts, size_t n, gnutls_x509_trust_list_t tl,
	  const gnutls_datum_t *data, struct cms_sig *s)
{
	gnutls_pkcs7_signature_info_st si;
	gnutls_x509_crt_t signer = NULL, given = NULL, chain[CMS_MAX_CHAIN];
	gnutls_digest_algorithm_t dig;
	gnutls_typed_vdata_st purpose = {
		GNUTLS_DT_KEY_PURPOSE_OID, (unsigned char *)GNUTLS_KP_EMAIL_PROTECTION, 0
	};
	const char *detail = NULL;
	unsigned st = 0;
	size_t i, k;
	int r;

	memset(&si, 0, sizeof si);
	if ((r = gnutls_pkcs7_get_signature_info(p7, idx, &si)) < 0) {
		s->state = SMIME_SIG_INVALID;
		s->detail = xasprintf("the SignerInfo cannot be read (%s)", gnutls_strerror(r));
		return;
	}
	dig = gnutls_sign_get_hash_algorithm(si.algo);
	s->weak = weak_digest(dig);
	for (i = 0; i < n && signer == NULL; i++)
		if (names_signer(crts[i], &si))
			signer = crts[i];
	for (i = 0; i < eng->n_anchors && signer == NULL; i++)
		if (names_signer(eng->anchors[i], &si))
			signer = eng->anchors[i];
	if (signer == NULL)
		signer = given = given_signer(eng, &si);
	if (signer == NULL) {
		s->state = SMIME_SIG_INVALID;
		s->detail = xstrdup("the signer's certificate is neither in the message nor "
				    "in the certificate store");
		goto out;
	}
	if (crt_copy(signer, &s->crt) < 0)
		s->crt = NULL;
	if (dig == GNUTLS_DIG_MD5 || dig == GNUTLS_DIG_MD2) {
		s->state = SMIME_SIG_INVALID;
		s->detail = xasprintf("signed with %s, a digest cachet refuses", s->weak);
		goto out;
	}
	/* SHA-1 is still checked (its weakness is a warning, as before); the
	 * digest of the content and of the signed attributes are GnuTLS's.
	 * Validity periods are the chain check's, which says them in words. */
	r = gnutls_pkcs7_verify_direct(p7, signer, idx, data,
				       GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 |
				       GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
				       GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS);
	if (r == GNUTLS_E_PK_SIG_VERIFY_FAILED) {
		s->state = SMIME_SIG_INVALID;
		/* GnuTLS checks RSA-PSS with a salt as long as the digest only;
		 * another salt length fails like a forgery would. */
		s->detail = xstrdup(gnutls_sign_get_pk_algorithm(si.algo) == GNUTLS_PK_RSA_PSS
				    ? "the RSA-PSS signature does not verify (or its salt is "
				      "not as long as the digest, the only length checked)"
				    : "the signature does not match the content");
		goto out;
	}
	if (r < 0) {
		s->state = SMIME_SIG_INVALID;
		s->detail = xasprintf("the signature cannot be checked (%s)", gnutls_strerror(r));
		goto out;
	}
	signed_attrs(&si, s);
	k = build_chain(signer, crts, n, chain);
	for (i = 1; i < k && s->n_issuers < sizeof s->issuers / sizeof s->issuers[0]; i++)
		if (gnutls_x509_crt_export2(chain[i], GNUTLS_X509_FMT_DER,
					    &s->issuers[s->n_issuers]) == 0)
			s->n_issuers++;
	r = chain_verify(eng, tl, chain, k, &purpose, &st);
	if (r < 0) {
		s->state = SMIME_SIG_UNTRUSTED;
		s->detail = xasprintf("the certificate chain cannot be checked (%s)",
				      gnutls_strerror(r));
		goto out;
	}
	s->state = chain_state(st, &detail);
	/* Revocation is asked about a chain that reached an anchor (expired
	 * or not): a CRL of an unknown issuer would prove nothing. */
	if ((st & ~(unsigned)(GNUTLS_CERT_INVALID | GNUTLS_CERT_EXPIRED)) == 0) {
		char *why = NULL;

		r = engine_revocation(eng, chain, k, &why);
		if (r == 1) {
			/* why says so, and whether a CRL or OCSP told. */
			s->state = SMIME_SIG_REVOKED;
			s->detail = why;
			goto out;
		} else if (r == 2) {
			s->revocation = why;
			why = NULL;
		}
		free(why);
	}
	s->detail = detail ? xstrdup(detail) : NULL;
out:
	if (given)
		gnutls_x509_crt_deinit(given);
	gnutls_pkcs7_signature_info_deinit(&si);
}

int
cms_verify(struct smime_engine *eng, const unsigned char *der, size_t len,
	   const char *text, size_t textlen, struct buf *plain,
	   struct cms_sig **sigsp, size_t *np, struct err *e)
{
	gnutls_datum_t in = { (unsigned char *)der, (unsigned)len };
	gnutls_datum_t data = { (unsigned char *)text, (unsigned)textlen };
	gnutls_x509_crt_t crts[SMIME_MAX_CERTIFICATES];
	gnutls_x509_trust_list_t tl;
	gnutls_pkcs7_t p7 = NULL;
	struct cms_sig *sigs = NULL;
	size_t n_crts = 0, ns = 0, i;
	int r, count, rc = -2;

	*sigsp = NULL;
	*np = 0;
	if (engine_trust(eng, &tl, e) < 0)
		return -1;
	if (len > UINT_MAX || textlen > UINT_MAX)
		return err_set(e, ERR_INPUT, "the signed data is too large");
	if ((r = gnutls_pkcs7_init(&p7)) < 0 ||
	    (r = gnutls_pkcs7_import(p7, &in, GNUTLS_X509_FMT_DER)) < 0) {
		err_set(e, ERR_INPUT, "%s", gnutls_strerror(r));
		goto out;
	}
	count = gnutls_pkcs7_get_crt_count(p7);
	if (count < 0 || count > SMIME_MAX_CERTIFICATES) {
		err_set(e, ERR_INPUT, "%d certificates, more than %d", count,
			SMIME_MAX_CERTIFICATES);
		goto out;
	}
	for (i = 0; i < (size_t)count; i++) {
		gnutls_datum_t c = { NULL, 0 };

		/* A certificate GnuTLS cannot read is left out of the chain. */
		if (gnutls_pkcs7_get_crt_raw2(p7, (unsigned)i, &c) < 0)
			continue;
		if (gnutls_x509_crt_init(&crts[n_crts]) == 0) {
			if (gnutls_x509_crt_import(crts[n_crts], &c, GNUTLS_X509_FMT_DER) == 0)
				n_crts++;
			else
				gnutls_x509_crt_deinit(crts[n_crts]);
		}
		gnutls_free(c.data);
	}
	count = gnutls_pkcs7_get_signature_count(p7);
	if (count < 0 || count > SMIME_MAX_SIGNERS) {
		err_set(e, ERR_INPUT, "%d signers, more than %d", count, SMIME_MAX_SIGNERS);
		goto out;
	}
	if (text == NULL) {
		gnutls_datum_t c = { NULL, 0 };

		if ((r = gnutls_pkcs7_get_embedded_data(p7, 0, &c)) < 0) {
			err_set(e, ERR_INPUT, "the signed content cannot be read (%s)",
				gnutls_strerror(r));
			goto out;
		}
		if (plain)
			buf_add(plain, c.data, c.size);
		gnutls_free(c.data);
	}
	sigs = xcalloc((size_t)count + 1, sizeof *sigs);
	for (ns = 0; ns < (size_t)count; ns++)
		check_one(eng, p7, (unsigned)ns, crts, n_crts, tl, text ? &data : NULL,
			  &sigs[ns]);
	*sigsp = sigs;
	*np = ns;
	sigs = NULL;
	ns = 0;
	rc = 0;
out:
	cms_sigs_free(sigs, ns);
	for (i = 0; i < n_crts; i++)
		gnutls_x509_crt_deinit(crts[i]);
	if (p7)
		gnutls_pkcs7_deinit(p7);
	return rc;
}

int
cms_content(const unsigned char *der, size_t len, struct buf *out, struct err *e)
{
	gnutls_datum_t in = { (unsigned char *)der, (unsigned)len }, c = { NULL, 0 };
	gnutls_pkcs7_t p7 = NULL;
	int r;

	if (len > UINT_MAX)
		return err_set(e, ERR_INPUT, "the signed data is too large");
	if ((r = gnutls_pkcs7_init(&p7)) < 0 ||
	    (r = gnutls_pkcs7_import(p7, &in, GNUTLS_X509_FMT_DER)) < 0 ||
	    (r = gnutls_pkcs7_get_embedded_data(p7, 0, &c)) < 0) {
		if (p7)
			gnutls_pkcs7_deinit(p7);
		return err_set(e, ERR_INPUT, "%s", gnutls_strerror(r));
	}
	buf_add(out, c.data, c.size);
	gnutls_free(c.data);
	gnutls_pkcs7_deinit(p7);
	return 0;
}

/* Appends a to s's addresses, domain lower-cased, once. */
static void
email_add(struct smime_signer *s, const char *a)
{
	char *m;
	size_t i;

	if (a[0] == '\0')
		return;
	m = xstrdup(a);
	if (strchr(m, '@'))
		str_lower_ascii(strrchr(m, '@'));
	for (i = 0; i < s->n_emails; i++)
		if (strcmp(s->emails[i], m) == 0) {
			free(m);
			return;
		}
	s->emails = xrealloc(s->emails, (s->n_emails + 2) * sizeof *s->emails);
	s->emails[s->n_emails++] = m;
	s->emails[s->n_emails] = NULL;
}

void
cms_describe(gnutls_x509_crt_t crt, bool want_der, struct smime_signer *s)
{
	unsigned char fpr[20];
	char buf[1024];
	size_t n, i;
	gnutls_datum_t d = { NULL, 0 };
	int r;

	n = sizeof fpr;
	if (s->fingerprint == NULL &&
	    gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA1, fpr, &n) == 0 && n == 20) {
		s->fingerprint = xcalloc(41, 1);
		for (i = 0; i < 20; i++)
			snprintf(s->fingerprint + 2 * i, 3, "%02X", fpr[i]);
	}
	/* The subject's emailAddress first, then subjectAltName rfc822Names,
	 * as gpgsm listed them. */
	for (i = 0;; i++) {
		n = sizeof buf;
		r = gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_PKCS9_EMAIL, (unsigned)i, 0,
						  buf, &n);
		if (r == GNUTLS_E_SHORT_MEMORY_BUFFER)
			continue;
		if (r < 0)
			break;
		email_add(s, buf);
	}
	for (i = 0;; i++) {
		n = sizeof buf - 1;
		r = gnutls_x509_crt_get_subject_alt_name(crt, (unsigned)i, buf, &n, NULL);
		if (r == GNUTLS_E_SHORT_MEMORY_BUFFER)
			continue;
		if (r < 0)
			break;
		if (r == GNUTLS_SAN_RFC822NAME && memchr(buf, '\0', n) == NULL) {
			buf[n] = '\0';
			email_add(s, buf);
		}
	}
	if (s->n_emails && s->email == NULL)
		s->email = xstrdup(s->emails[0]);
	if (s->subject == NULL && gnutls_x509_crt_get_dn3(crt, &d, 0) == 0) {
		s->subject = xstrndup((char *)d.data, d.size);
		gnutls_free(d.data);
	}
	if (s->issuer == NULL && gnutls_x509_crt_get_issuer_dn3(crt, &d, 0) == 0) {
		s->issuer = xstrndup((char *)d.data, d.size);
		gnutls_free(d.data);
	}
	s->not_before = gnutls_x509_crt_get_activation_time(crt);
	s->not_after = gnutls_x509_crt_get_expiration_time(crt);
	if (s->not_before == (time_t)-1)
		s->not_before = 0;
	if (s->not_after == (time_t)-1)
		s->not_after = 0;
	if (want_der && s->cert_der == NULL &&
	    gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &d) == 0) {
		s->cert_der = xmalloc(d.size ? d.size : 1);
		memcpy(s->cert_der, d.data, d.size);
		s->cert_der_len = d.size;
		gnutls_free(d.data);
	}
}

int
smime_cert_chain_check(struct smime_engine *eng, const unsigned char *der, size_t len,
		       const unsigned char *const *extra, const size_t *extra_lens,
		       size_t n_extra, enum smime_sig *state, char **detail,
		       struct err *e)
{
	gnutls_typed_vdata_st purpose = {
		GNUTLS_DT_KEY_PURPOSE_OID, (unsigned char *)GNUTLS_KP_EMAIL_PROTECTION, 0
	};
	gnutls_x509_crt_t crt = NULL, crts[SMIME_MAX_CERTIFICATES], chain[CMS_MAX_CHAIN];
	gnutls_x509_trust_list_t tl;
	gnutls_datum_t d = { (unsigned char *)der, (unsigned)len };
	const char *words = NULL;
	size_t n = 0, i, k;
	unsigned st = 0;
	int r, rc = -1;

	*state = SMIME_SIG_UNTRUSTED;
	*detail = NULL;
	if (engine_trust(eng, &tl, e) < 0)
		return -1;
	if (len > UINT_MAX || gnutls_x509_crt_init(&crt) < 0)
		return err_set(e, ERR_INPUT, "the certificate is too large");
	if ((r = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER)) < 0) {
		err_set(e, ERR_INPUT, "the certificate cannot be read (%s)", gnutls_strerror(r));
		goto out;
	}
	/* Intermediates for this check only; one GnuTLS cannot read is left
	 * out, as in a message. */
	for (i = 0; i < n_extra && n < SMIME_MAX_CERTIFICATES; i++) {
		gnutls_datum_t x = { (unsigned char *)extra[i], (unsigned)extra_lens[i] };

		if (extra_lens[i] > UINT_MAX || gnutls_x509_crt_init(&crts[n]) < 0)
			continue;
		if (gnutls_x509_crt_import(crts[n], &x, GNUTLS_X509_FMT_DER) == 0)
			n++;
		else
			gnutls_x509_crt_deinit(crts[n]);
	}
	k = build_chain(crt, crts, n, chain);
	if ((r = chain_verify(eng, tl, chain, k, &purpose, &st)) < 0) {
		*detail = xasprintf("the certificate chain cannot be checked (%s)",
				    gnutls_strerror(r));
		rc = 0;
		goto out;
	}
	*state = chain_state(st, &words);
	if ((st & ~(unsigned)(GNUTLS_CERT_INVALID | GNUTLS_CERT_EXPIRED)) == 0) {
		char *why = NULL;

		if (engine_revocation(eng, chain, k, &why) == 1) {
			*state = SMIME_SIG_REVOKED;
			*detail = why;
			rc = 0;
			goto out;
		}
		free(why);
	}
	*detail = words ? xstrdup(words) : NULL;
	rc = 0;
out:
	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(crts[i]);
	gnutls_x509_crt_deinit(crt);
	return rc;
}
