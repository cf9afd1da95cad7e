/* engine_certs.c — certificates read from gpgsm's keybox (read-only,
 * through the engine's GPGME context) for the CMS cachet builds itself,
 * kept for the rest of the batch. */
#include "crypto/cms_p.h"

#include <gnutls/abstract.h>
#include <ksba.h>
#include <stdlib.h>
#include <string.h>

/* Certificates kept per engine: a batch encrypts to the same few. */
#define ENGINE_MAX_CERTS 256

void
engine_certs_free(struct smime_engine *eng)
{
	size_t i;

	for (i = 0; i < eng->n_certs; i++) {
		free(eng->certs[i].fpr);
		buf_release(&eng->certs[i].der);
		if (eng->certs[i].pub)
			gnutls_pubkey_deinit(eng->certs[i].pub);
		ksba_cert_release(eng->certs[i].ksba);
	}
	free(eng->certs);
	eng->certs = NULL;
	eng->n_certs = 0;
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
	size_t i, n = 0;
	char *p;

	for (i = 0; i < eng->n_certs; i++)
		if (strcmp(eng->certs[i].fpr, fpr) == 0) {
			*cp = &eng->certs[i];
			return 0;
		}
	if (eng->n_certs == ENGINE_MAX_CERTS)
		engine_certs_free(eng);
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
	eng->certs = xrealloc(eng->certs, (eng->n_certs + 1) * sizeof *eng->certs);
	c = &eng->certs[eng->n_certs++];
	memset(c, 0, sizeof *c);
	c->fpr = xstrdup(fpr);
	buf_init(&c->der);
	buf_add(&c->der, p, n);
	gpgme_free(p);
	*cp = c;
	return 0;
}
