/* engine_certs.c — the certificates the CMS cachet builds names: those the
 * caller handed over (the certificate store's choices), else read from
 * gpgsm's keybox (read-only, through the engine's GPGME context), kept
 * for the rest of the batch. */
#include "crypto/cms_p.h"

#include <gnutls/abstract.h>
#include <ksba.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Certificates kept per engine: a batch encrypts to the same few. */
#define ENGINE_MAX_CERTS 256

/* Forgets the keybox's certificates (all when every is set, handed-over
 * ones too). */
static void
certs_drop(struct smime_engine *eng, bool every)
{
	size_t i, k = 0;

	for (i = 0; i < eng->n_certs; i++) {
		if (eng->certs[i].given && !every) {
			eng->certs[k++] = eng->certs[i];
			continue;
		}
		free(eng->certs[i].fpr);
		buf_release(&eng->certs[i].der);
		if (eng->certs[i].pub)
			gnutls_pubkey_deinit(eng->certs[i].pub);
		ksba_cert_release(eng->certs[i].ksba);
	}
	eng->n_certs = k;
	if (k == 0) {
		free(eng->certs);
		eng->certs = NULL;
	}
}

void
engine_certs_free(struct smime_engine *eng)
{
	certs_drop(eng, true);
}

static struct engine_cert *
certs_find(struct smime_engine *eng, const char *fpr)
{
	size_t i;

	for (i = 0; i < eng->n_certs; i++)
		if (strcasecmp(eng->certs[i].fpr, fpr) == 0)
			return &eng->certs[i];
	return NULL;
}

static struct engine_cert *
certs_add(struct smime_engine *eng, const char *fpr, const void *der, size_t n,
	  bool given)
{
	struct engine_cert *c;

	eng->certs = xrealloc(eng->certs, (eng->n_certs + 1) * sizeof *eng->certs);
	c = &eng->certs[eng->n_certs++];
	memset(c, 0, sizeof *c);
	c->fpr = xstrdup(fpr);
	c->given = given;
	buf_init(&c->der);
	buf_add(&c->der, der, n);
	return c;
}

int
smime_engine_add_cert(struct smime_engine *eng, const unsigned char *der,
		      size_t len, struct err *e)
{
	gnutls_datum_t d = { (unsigned char *)der, (unsigned)len };
	gnutls_x509_crt_t crt;
	unsigned char sha1[20];
	size_t n = sizeof sha1, i;
	char hex[41];
	int r;

	if (len > UINT_MAX || gnutls_x509_crt_init(&crt) < 0)
		return err_set(e, ERR_INPUT, "the certificate is too large");
	r = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER);
	if (r == 0)
		r = gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA1, sha1, &n);
	gnutls_x509_crt_deinit(crt);
	if (r < 0 || n != sizeof sha1)
		return err_set(e, ERR_INPUT, "the certificate cannot be read (%s)",
			       gnutls_strerror(r));
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02X", sha1[i]);
	if (certs_find(eng, hex) == NULL)
		certs_add(eng, hex, der, len, true);
	return 0;
}

int
engine_cert_der(struct smime_engine *eng, const char *fpr, const struct buf **der,
		struct err *e)
{
	struct engine_cert *c;

	if (engine_cert_get(eng, fpr, &c, e) < 0)
		return -1;
	*der = &c->der;
	return 0;
}

int
engine_cert_get(struct smime_engine *eng, const char *fpr, struct engine_cert **cp,
		struct err *e)
{
	const char *pat[2] = { fpr, NULL };
	struct engine_cert *c;
	gpgme_data_t out = NULL;
	gpgme_error_t g;
	size_t n = 0;
	char *p;

	if ((c = certs_find(eng, fpr)) != NULL) {
		*cp = c;
		return 0;
	}
	if (eng->n_certs >= ENGINE_MAX_CERTS)
		certs_drop(eng, false);
	if (engine_ctx(eng, e) < 0)
		return -1;
	g = gpgme_data_new(&out);
	if (!g)
		g = gpgme_op_export_ext(eng->ctx, pat, 0, out);
	if (g) {
		gpgme_data_release(out);
		return engine_fail(e, g, "exporting a certificate from the keybox");
	}
	p = gpgme_data_release_and_get_mem(out, &n);
	if (p == NULL || n == 0) {
		gpgme_free(p);
		return err_set(e, ERR_NOCERT, "certificate %s is not in the keybox", fpr);
	}
	c = certs_add(eng, fpr, p, n, false);
	gpgme_free(p);
	*cp = c;
	return 0;
}
