/*
 * anchors.c — the trust anchors of in-process verification: the ones the
 * caller gives the engine, or else gpgsm's trustlist.txt intersected with
 * the keybox, read once through GPGME's read-only export.
 */
#include "crypto/engine_p.h"
#include "crypto/smime_p.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The trust list's flags word says which protocols a root is trusted
 * for: 'S' (S/MIME) or '*' (both) count here, 'P' (OpenPGP) alone not. */
static bool
flags_smime(const char *p)
{
	for (; *p && !isspace((unsigned char)*p); p++)
		if (*p == 'S' || *p == '*')
			return true;
	return false;
}

void
smime_trustlist_parse(const char *text, char ***fprsp, size_t *np)
{
	char **fprs = NULL;
	size_t n = 0;
	const char *line = text, *end;

	while (line && *line) {
		char hex[41];
		size_t k = 0;
		const char *p;

		end = strchr(line, '\n');
		p = line;
		while (p < (end ? end : p + strlen(p)) && isspace((unsigned char)*p))
			p++;
		/* '#' comments, '!' disabled entries, directives: not roots. */
		if (*p != '#' && *p != '!' && isxdigit((unsigned char)*p)) {
			for (; *p && (isxdigit((unsigned char)*p) || *p == ':'); p++) {
				if (*p == ':')
					continue;
				if (k < 40)
					hex[k] = (char)toupper((unsigned char)*p);
				k++;
			}
			while (*p == ' ' || *p == '\t')
				p++;
			if (k == 40 && flags_smime(p)) {
				hex[40] = '\0';
				fprs = xrealloc(fprs, (n + 1) * sizeof *fprs);
				fprs[n++] = xstrdup(hex);
			}
		}
		line = end ? end + 1 : NULL;
	}
	*fprsp = fprs;
	*np = n;
}

void
smime_anchors_free(unsigned char **ders, size_t *lens, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(ders[i]);
	free(ders);
	free(lens);
}

static char *
trustlist_path(const char *home)
{
	const char *d = home ? home : gpgme_get_dirinfo("homedir");

	return d ? xasprintf("%s/trustlist.txt", d) : NULL;
}

int
smime_anchors_seed(const char *home, unsigned char ***dersp, size_t **lensp,
		   size_t *np, char **trustlist, struct err *e)
{
	struct buf text = BUF_INIT;
	gpgme_ctx_t ctx = NULL;
	gpgme_error_t g;
	unsigned char **ders = NULL;
	size_t *lens = NULL, n = 0, nf = 0, i;
	char **fprs = NULL, *path;
	struct err fe;
	int rc = -1;

	*dersp = NULL;
	*lensp = NULL;
	*np = 0;
	if (trustlist)
		*trustlist = NULL;
	gpgme_check_version(NULL);
	path = trustlist_path(home);
	if (path == NULL || file_read(path, 1 << 20, &text, &fe) < 0)
		buf_init(&text);	/* no trust list: no anchors */
	free(path);
	smime_trustlist_parse(text.data ? text.data : "", &fprs, &nf);
	if (nf == 0) {
		rc = 0;
		goto out;
	}
	g = gpgme_new(&ctx);
	if (!g)
		g = gpgme_set_protocol(ctx, GPGME_PROTOCOL_CMS);
	if (!g)
		g = gpgme_ctx_set_engine_info(ctx, GPGME_PROTOCOL_CMS, smime_gpgsm_program(),
					      home);
	if (g) {
		engine_fail(e, g, "reading the trust anchors");
		goto out;
	}
	gpgme_set_armor(ctx, 0);
	gpgme_set_keylist_mode(ctx, GPGME_KEYLIST_MODE_LOCAL);
	for (i = 0; i < nf; i++) {
		/* An export lists and never writes; a root the keybox does not
		 * hold exports nothing and is no anchor. */
		const char *pat[2] = { fprs[i], NULL };
		gpgme_data_t out = NULL;
		struct buf b = BUF_INIT;
		size_t len = 0;
		char *p;

		g = gpgme_data_new(&out);
		if (!g)
			g = gpgme_op_export_ext(ctx, pat, 0, out);
		if (g) {
			gpgme_data_release(out);
			engine_fail(e, g, "reading the trust anchors");
			goto out;
		}
		p = gpgme_data_release_and_get_mem(out, &len);
		if (p && len) {
			buf_add(&b, p, len);
			ders = xrealloc(ders, (n + 1) * sizeof *ders);
			lens = xrealloc(lens, (n + 1) * sizeof *lens);
			lens[n] = b.len;
			ders[n++] = (unsigned char *)buf_detach(&b, NULL);
		}
		gpgme_free(p);
	}
	rc = 0;
out:
	if (rc == 0) {
		*dersp = ders;
		*lensp = lens;
		*np = n;
		if (trustlist)
			*trustlist = xstrdup(text.data ? text.data : "");
	} else {
		smime_anchors_free(ders, lens, n);
	}
	for (i = 0; i < nf; i++)
		free(fprs[i]);
	free(fprs);
	if (ctx)
		gpgme_release(ctx);
	buf_release(&text);
	return rc;
}

static void
anchors_clear(struct smime_engine *eng)
{
	size_t i;

	if (eng->trust)
		gnutls_x509_trust_list_deinit(eng->trust, 1);
	eng->trust = NULL;
	for (i = 0; i < eng->n_anchors; i++)
		gnutls_x509_crt_deinit(eng->anchors[i]);
	free(eng->anchors);
	eng->anchors = NULL;
	eng->n_anchors = 0;
	free(eng->chain_memo);
	eng->chain_memo = NULL;
	eng->n_chain_memo = 0;
}

void
engine_anchors_free(struct smime_engine *eng)
{
	anchors_clear(eng);
}

static int
crt_from_der(const unsigned char *der, size_t len, gnutls_x509_crt_t *crt)
{
	gnutls_datum_t d = { (unsigned char *)der, (unsigned)len };

	if (gnutls_x509_crt_init(crt) < 0)
		return -1;
	if (gnutls_x509_crt_import(*crt, &d, GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crt_deinit(*crt);
		*crt = NULL;
		return -1;
	}
	return 0;
}

int
smime_engine_set_anchors(struct smime_engine *eng, const unsigned char *const *ders,
			 const size_t *lens, size_t n, struct err *e)
{
	size_t i;

	anchors_clear(eng);
	eng->anchors_set = true;
	if (gnutls_x509_trust_list_init(&eng->trust, 0) < 0) {
		eng->trust = NULL;
		return err_set(e, ERR_CRYPTO, "cannot make a trust list");
	}
	eng->anchors = xcalloc(n ? n : 1, sizeof *eng->anchors);
	for (i = 0; i < n; i++) {
		gnutls_x509_crt_t mine = NULL, listed = NULL;

		if (crt_from_der(ders[i], lens[i], &mine) < 0 ||
		    crt_from_der(ders[i], lens[i], &listed) < 0) {
			if (mine)
				gnutls_x509_crt_deinit(mine);
			anchors_clear(eng);
			return err_set(e, ERR_INPUT, "trust anchor %zu is not a certificate", i + 1);
		}
		eng->anchors[eng->n_anchors++] = mine;
		/* The list owns what it is given and frees it with itself. */
		if (gnutls_x509_trust_list_add_cas(eng->trust, &listed, 1, 0) != 1)
			gnutls_x509_crt_deinit(listed);
	}
	return 0;
}

int
engine_trust(struct smime_engine *eng, gnutls_x509_trust_list_t *tl, struct err *e)
{
	if (!eng->anchors_set) {
		unsigned char **ders = NULL;
		size_t *lens = NULL, n = 0;
		int rc;

		if (smime_anchors_seed(eng->home, &ders, &lens, &n, NULL, e) < 0)
			return -1;
		rc = smime_engine_set_anchors(eng, (const unsigned char *const *)ders, lens,
					      n, e);
		smime_anchors_free(ders, lens, n);
		if (rc < 0)
			return -1;
	}
	if (eng->trust == NULL)
		return err_set(e, ERR_CRYPTO, "the trust anchors could not be set");
	*tl = eng->trust;
	return 0;
}
