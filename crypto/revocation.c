/*
 * revocation.c — whether the certificates of a verified chain are revoked,
 * asked of dirmngr over its Assuan socket (GPGME's Assuan protocol), as
 * gpgsm asks it: CHECKCRL with the certificate's fingerprint or, when
 * gpgsm.conf says enable-ocsp, CHECKOCSP, answering what dirmngr inquires
 * meanwhile from the chain and the engine's anchors (revocation_inquire.c).
 * gpgsm.conf's disable-crl-checks turns CRLs off; a CRL or an OCSP answer
 * that cannot be had is said, never taken as "not revoked".
 */
#include "crypto/agent_p.h"
#include "crypto/engine_p.h"
#include "crypto/revocation_p.h"
#include "crypto/smime_p.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Whether the first word of line (n bytes) is word. */
static bool
conf_is(const char *line, size_t n, const char *word)
{
	return n == strlen(word) && strncmp(line, word, n) == 0;
}

/* gpgsm.conf's last word on CRL checks (on unless it says otherwise) and
 * on OCSP (off unless it says enable-ocsp). */
static void
mode_read(struct smime_engine *eng)
{
	const char *home = eng->home ? eng->home : gpgme_get_dirinfo("homedir");
	struct buf text = BUF_INIT;
	struct err fe;
	char *path, *line, *next;

	eng->crl = ENGINE_CRL_ON;
	eng->ocsp = false;
	if (home == NULL)
		return;
	path = xasprintf("%s/gpgsm.conf", home);
	if (file_read(path, 1 << 20, &text, &fe) == 0 && text.data) {
		for (line = text.data; line; line = next) {
			size_t n;

			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			line = str_trim(line);
			n = strcspn(line, " \t\r");
			if (conf_is(line, n, "disable-crl-checks"))
				eng->crl = ENGINE_CRL_OFF;
			else if (conf_is(line, n, "enable-crl-checks"))
				eng->crl = ENGINE_CRL_ON;
			else if (conf_is(line, n, "enable-ocsp"))
				eng->ocsp = true;
			else if (conf_is(line, n, "disable-ocsp"))
				eng->ocsp = false;
		}
	}
	free(path);
	buf_release(&text);
}

void
engine_revocation_free(struct smime_engine *eng)
{
	if (eng->dirmngr)
		gpgme_release(eng->dirmngr);
	eng->dirmngr = NULL;
	free(eng->dirmngr_error);
	eng->dirmngr_error = NULL;
}

/* The connection to dirmngr, opened once; NULL with eng->dirmngr_error. */
static gpgme_ctx_t
dirmngr(struct smime_engine *eng)
{
	char *sock;
	gpgme_error_t g;

	if (eng->dirmngr || eng->dirmngr_error)
		return eng->dirmngr;
	sock = agent_gpgconf_dir(eng->home, "dirmngr-socket");
	if (*sock == '\0') {
		eng->dirmngr_error = xstrdup("dirmngr's socket cannot be found (gpgconf)");
		free(sock);
		return NULL;
	}
	g = gpgme_new(&eng->dirmngr);
	if (!g)
		g = gpgme_set_protocol(eng->dirmngr, GPGME_PROTOCOL_ASSUAN);
	if (!g)
		g = gpgme_ctx_set_engine_info(eng->dirmngr, GPGME_PROTOCOL_ASSUAN, sock, NULL);
	if (g) {
		if (eng->dirmngr)
			gpgme_release(eng->dirmngr);
		eng->dirmngr = NULL;
		eng->dirmngr_error = xasprintf("dirmngr cannot be asked (%s)", gpgme_strerror(g));
	}
	free(sock);
	return eng->dirmngr;
}

/*
 * Sends cmd to dirmngr, answering its inquiries from q (NULL: none
 * expected) and handing data lines to data.  0 with dirmngr's answer in
 * *op; -1 with *why (owned) when dirmngr cannot be asked.
 */
static int
transact(struct smime_engine *eng, const char *cmd, struct revocation_inquiry *q,
	 struct buf *data, gpgme_error_t *op, char **why)
{
	gpgme_ctx_t ctx;
	gpgme_error_t g;

	*op = 0;
	if ((ctx = dirmngr(eng)) == NULL) {
		*why = xasprintf("revocation unknown: %s", eng->dirmngr_error);
		return -1;
	}
	g = gpgme_op_assuan_transact_ext(ctx, cmd, data ? revocation_data : NULL, data,
					 q ? revocation_answer : NULL, q,
					 q ? revocation_status : NULL, q, op);
	if (g && !eng->dirmngr_launched) {
		/* gpgsm starts dirmngr when it needs it; so does cachet, once. */
		static const char *const launch[] = { "--launch", "dirmngr", NULL };

		eng->dirmngr_launched = true;
		agent_gpgconf(eng->home, launch, NULL);
		engine_revocation_free(eng);
		if ((ctx = dirmngr(eng)) != NULL) {
			*op = 0;
			if (data)
				buf_reset(data);
			if (q)
				revocation_inquiry_reset(q);
			g = gpgme_op_assuan_transact_ext(ctx, cmd, data ? revocation_data : NULL,
							 data, q ? revocation_answer : NULL, q,
							 q ? revocation_status : NULL, q, op);
		}
	}
	if (g) {
		/* The connection is gone: say so for this batch. */
		*why = xasprintf("revocation unknown: dirmngr cannot be reached (%s)",
				 gpgme_strerror(g));
		engine_revocation_free(eng);
		eng->dirmngr_error = xasprintf("dirmngr cannot be reached (%s)",
					       gpgme_strerror(g));
		return -1;
	}
	return 0;
}

/* The certificate dirmngr holds under a SHA-1 fingerprint (one that came
 * in an OCSP answer), or NULL. */
static gnutls_x509_crt_t
cached_cert(struct smime_engine *eng, const char *fpr)
{
	struct buf der = BUF_INIT;
	gnutls_x509_crt_t crt = NULL;
	gpgme_error_t op;
	char cmd[80], *why = NULL;

	snprintf(cmd, sizeof cmd, "LOOKUP --single --cache-only 0x%s", fpr);
	if (transact(eng, cmd, NULL, &der, &op, &why) == 0 && !op && der.len > 0 &&
	    der.len <= UINT_MAX && gnutls_x509_crt_init(&crt) == 0) {
		gnutls_datum_t d = { (unsigned char *)der.data, (unsigned)der.len };

		if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0) {
			gnutls_x509_crt_deinit(crt);
			crt = NULL;
		}
	}
	free(why);
	buf_release(&der);
	return crt;
}

/* Whether crt says it signs OCSP answers (extendedKeyUsage OCSPSigning). */
static bool
ocsp_signer(gnutls_x509_crt_t crt)
{
	char oid[128];
	size_t n;
	unsigned i;
	int r;

	for (i = 0;; i++) {
		n = sizeof oid;
		r = gnutls_x509_crt_get_key_purpose_oid(crt, i, oid, &n, NULL);
		if (r < 0)
			return false;
		if (strcmp(oid, GNUTLS_KP_OCSP_SIGNING) == 0)
			return true;
	}
}

/*
 * RFC 6960, 4.2.2.2: an OCSP answer about q's certificate is the issuer's
 * word when the issuer signed it, or a responder certificate the issuer
 * signed for that purpose, valid now.  dirmngr leaves that to its client
 * (ONLY_VALID_IF_CERT_VALID names the signer).  NULL when it is, else why
 * not in words (static).
 */
static const char *
responder_refused(struct smime_engine *eng, struct revocation_inquiry *q)
{
	gnutls_x509_crt_t issuer, signer;
	const char *refused = NULL;
	unsigned st = 0;
	char hex[41];

	if (q->responder_bad)
		return "dirmngr named the OCSP answer's signer twice, or not by its "
		       "fingerprint";
	if (q->responder[0] == '\0')
		return NULL;	/* dirmngr checked it against dirmngr.conf's ocsp-signer */
	if ((issuer = revocation_issuer(eng, q->chain, q->n, q->idx)) == NULL)
		return "the certificate's issuer is not known";
	revocation_sha1_hex(issuer, hex);
	if (strcasecmp(hex, q->responder) == 0)
		return NULL;
	if ((signer = cached_cert(eng, q->responder)) == NULL)
		return "the OCSP answer's signer cannot be had from dirmngr";
	if (!gnutls_x509_crt_check_issuer(signer, issuer) ||
	    gnutls_x509_crt_verify(signer, &issuer, 1, 0, &st) < 0 || st != 0)
		refused = "the OCSP answer is not signed by the certificate's issuer or "
			  "a valid responder it made";
	else if (!ocsp_signer(signer))
		refused = "the OCSP answer is signed by a certificate that is not for "
			  "OCSP signing";
	gnutls_x509_crt_deinit(signer);
	return refused;
}

enum verdict { GOOD = 0, REVOKED = 1, UNKNOWN = 2, NO_RESPONDER = 3 };

/* verb (CHECKCRL, CHECKOCSP) about the certificate with fingerprint fpr,
 * q answering dirmngr's inquiries: as transact. */
static int
ask(struct smime_engine *eng, const char *verb, struct revocation_inquiry *q,
    const char *fpr, gpgme_error_t *op, char **why)
{
	char cmd[64];

	snprintf(cmd, sizeof cmd, "%s %s", verb, fpr);
	revocation_inquiry_reset(q);
	return transact(eng, cmd, q, NULL, op, why);
}

/* CHECKCRL about chain[idx]: GOOD, REVOKED or UNKNOWN (*why). */
static enum verdict
check_crl(struct smime_engine *eng, struct revocation_inquiry *q, const char *fpr,
	  char **why)
{
	gpgme_error_t op;

	if (ask(eng, "CHECKCRL", q, fpr, &op, why) < 0)
		return UNKNOWN;
	switch (gpgme_err_code(op)) {
	case GPG_ERR_NO_ERROR:
		return GOOD;
	case GPG_ERR_CERT_REVOKED:
		*why = xstrdup("a certificate in the chain is revoked (its issuer's CRL "
			       "lists it)");
		return REVOKED;
	default:
		*why = xasprintf("revocation unknown: dirmngr could not check a CRL for "
				 "the certificate (%s)", gpgme_strerror(op));
		return UNKNOWN;
	}
}

/* CHECKOCSP about chain[idx]: GOOD, REVOKED, UNKNOWN (*why) or
 * NO_RESPONDER (neither the certificate nor dirmngr.conf names one). */
static enum verdict
check_ocsp(struct smime_engine *eng, struct revocation_inquiry *q, const char *fpr,
	   char **why)
{
	const char *refused;
	gpgme_error_t op;

	if (ask(eng, "CHECKOCSP", q, fpr, &op, why) < 0)
		return UNKNOWN;
	switch (gpgme_err_code(op)) {
	case GPG_ERR_NO_ERROR:
	case GPG_ERR_CERT_REVOKED:
		/* Good or revoked, the answer proves nothing from anyone else. */
		if ((refused = responder_refused(eng, q)) != NULL) {
			*why = xasprintf("revocation unknown: %s", refused);
			return UNKNOWN;
		}
		if (gpgme_err_code(op) == GPG_ERR_NO_ERROR)
			return GOOD;
		*why = xstrdup("a certificate in the chain is revoked (its issuer's OCSP "
			       "responder says so)");
		return REVOKED;
	case GPG_ERR_CONFIGURATION:
		*why = xstrdup("revocation unknown: no OCSP responder is known for the "
			       "certificate");
		return NO_RESPONDER;
	case GPG_ERR_NOT_SUPPORTED:
		*why = xstrdup("revocation unknown: dirmngr does not ask OCSP responders "
			       "(dirmngr.conf has no allow-ocsp)");
		return UNKNOWN;
	case GPG_ERR_NO_DATA:
		*why = xstrdup("revocation unknown: the OCSP responder does not know the "
			       "certificate");
		return UNKNOWN;
	default:
		*why = xasprintf("revocation unknown: dirmngr could not have an OCSP answer "
				 "for the certificate (%s)", gpgme_strerror(op));
		return UNKNOWN;
	}
}

/* One certificate: GOOD, REVOKED or UNKNOWN (*why set). */
static enum verdict
check_one(struct smime_engine *eng, gnutls_x509_crt_t *chain, size_t n, size_t idx,
	  char **why)
{
	struct revocation_inquiry q;
	gnutls_datum_t der = { NULL, 0 };
	enum verdict v = NO_RESPONDER;
	char hex[41];

	revocation_sha1_hex(chain[idx], hex);
	if (!hex[0] || gnutls_x509_crt_export2(chain[idx], GNUTLS_X509_FMT_DER, &der) < 0) {
		*why = xstrdup("revocation unknown: a certificate cannot be read");
		return UNKNOWN;
	}
	memset(&q, 0, sizeof q);
	q.der = der.data;
	q.len = der.size;
	q.eng = eng;
	q.chain = chain;
	q.n = n;
	q.idx = idx;
	if (eng->ocsp)
		v = check_ocsp(eng, &q, hex, why);
	/* As gpgsm's ISVALID: CRLs when OCSP is off, or has no responder. */
	if (v == NO_RESPONDER && eng->crl == ENGINE_CRL_ON) {
		free(*why);
		*why = NULL;
		v = check_crl(eng, &q, hex, why);
	}
	gnutls_free(der.data);
	return v == NO_RESPONDER ? UNKNOWN : v;
}

int
engine_revocation(struct smime_engine *eng, gnutls_x509_crt_t *chain, size_t n,
		  char **why)
{
	size_t i;
	int worst = 0;

	*why = NULL;
	if (eng->crl == ENGINE_CRL_UNREAD)
		mode_read(eng);
	if (eng->crl == ENGINE_CRL_OFF && !eng->ocsp)
		return 0;
	for (i = 0; i < n; i++) {
		char *w = NULL;
		enum verdict v;

		/* A root vouches for itself; its revocation is its removal. */
		if (gnutls_x509_crt_check_issuer(chain[i], chain[i]))
			continue;
		v = check_one(eng, chain, n, i, &w);
		if (v == REVOKED) {
			free(*why);
			*why = w;
			return 1;
		}
		if (v == UNKNOWN && *why == NULL)
			*why = w;
		else
			free(w);
		if (v == UNKNOWN)
			worst = 2;
	}
	return worst;
}
