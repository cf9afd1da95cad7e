/*
 * revocation.c — whether the certificates of a verified chain are revoked,
 * asked of dirmngr over its Assuan socket (GPGME's Assuan protocol), as
 * gpgsm asked it: CHECKCRL with the certificate's fingerprint, and the
 * certificate itself when dirmngr inquires it (TARGETCERT).  gpgsm.conf's
 * disable-crl-checks turns it off; a CRL that cannot be had is said, never
 * taken as "not revoked".
 */
#include "crypto/agent_p.h"
#include "crypto/engine_p.h"
#include "crypto/smime_p.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* gpgsm.conf's last word on CRL checks; on unless it says otherwise. */
static void
crl_mode_read(struct smime_engine *eng)
{
	const char *home = eng->home ? eng->home : gpgme_get_dirinfo("homedir");
	struct buf text = BUF_INIT;
	struct err fe;
	char *path, *line, *next;

	eng->crl = ENGINE_CRL_ON;
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
			if (n == strlen("disable-crl-checks") &&
			    strncmp(line, "disable-crl-checks", n) == 0)
				eng->crl = ENGINE_CRL_OFF;
			else if (n == strlen("enable-crl-checks") &&
				 strncmp(line, "enable-crl-checks", n) == 0)
				eng->crl = ENGINE_CRL_ON;
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

struct inquiry {
	const unsigned char *der;	/* foreign; the certificate asked about */
	size_t len;
	struct smime_engine *eng;	/* foreign; its anchors */
	gnutls_x509_crt_t *chain;	/* foreign */
	size_t n;
	gnutls_datum_t sent;		/* owned (gnutls); a certificate sent */
};

static void
sha1_hex(gnutls_x509_crt_t crt, char hex[41])
{
	unsigned char fpr[20];
	size_t n = sizeof fpr, i;

	hex[0] = '\0';
	if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA1, fpr, &n) < 0 || n != 20)
		return;
	for (i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02X", fpr[i]);
}

/* Whether args (dirmngr's "#FPR/DN", or a bare fingerprint) names crt. */
static bool
names_crt(const char *args, gnutls_x509_crt_t crt)
{
	char hex[41];

	sha1_hex(crt, hex);
	if (*args == '#')
		args++;
	return hex[0] && strncasecmp(args, hex, 40) == 0 &&
	       (args[40] == '\0' || args[40] == '/' || isspace((unsigned char)args[40]));
}

/*
 * dirmngr's questions: TARGETCERT (the certificate being checked), SENDCERT
 * of a certificate of the chain or an anchor named by fingerprint, and
 * ISTRUSTED (is this root one of ours: "1" for an anchor, nothing else).
 * A NULL name: GPGME is done with the data it was given.
 */
static gpgme_error_t
answer(void *opaque, const char *name, const char *args, gpgme_data_t *r_data)
{
	struct inquiry *q = opaque;
	size_t i;

	if (name == NULL) {
		gpgme_data_release(*r_data);
		*r_data = NULL;
		return 0;
	}
	if (strcmp(name, "TARGETCERT") == 0 || (strcmp(name, "SENDCERT") == 0 && !*args))
		return gpgme_data_new_from_mem(r_data, (const char *)q->der, q->len, 0);
	if (strcmp(name, "ISTRUSTED") == 0) {
		for (i = 0; i < q->eng->n_anchors; i++)
			if (names_crt(args, q->eng->anchors[i]))
				return gpgme_data_new_from_mem(r_data, "1", 1, 1);
		return 0;
	}
	if (strcmp(name, "SENDCERT") == 0) {
		gnutls_x509_crt_t found = NULL;

		for (i = 0; i < q->n && !found; i++)
			if (names_crt(args, q->chain[i]))
				found = q->chain[i];
		for (i = 0; i < q->eng->n_anchors && !found; i++)
			if (names_crt(args, q->eng->anchors[i]))
				found = q->eng->anchors[i];
		gnutls_free(q->sent.data);
		q->sent.data = NULL;
		if (found && gnutls_x509_crt_export2(found, GNUTLS_X509_FMT_DER, &q->sent) == 0)
			return gpgme_data_new_from_mem(r_data, (const char *)q->sent.data,
						       q->sent.size, 0);
	}
	return 0;	/* nothing to say: dirmngr decides without it */
}

/* One certificate: 0 good, 1 revoked, 2 unknown (*why set). */
static int
check_one(struct smime_engine *eng, gnutls_x509_crt_t *chain, size_t n, size_t idx,
	  char **why)
{
	char hex[41], cmd[64];
	gnutls_datum_t der = { NULL, 0 };
	struct inquiry q;
	gpgme_ctx_t ctx;
	gpgme_error_t g, op = 0;
	int rc;

	if ((ctx = dirmngr(eng)) == NULL) {
		*why = xasprintf("revocation unknown: %s", eng->dirmngr_error);
		return 2;
	}
	sha1_hex(chain[idx], hex);
	if (!hex[0] || gnutls_x509_crt_export2(chain[idx], GNUTLS_X509_FMT_DER, &der) < 0) {
		*why = xstrdup("revocation unknown: a certificate cannot be read");
		return 2;
	}
	snprintf(cmd, sizeof cmd, "CHECKCRL %s", hex);
	memset(&q, 0, sizeof q);
	q.der = der.data;
	q.len = der.size;
	q.eng = eng;
	q.chain = chain;
	q.n = n;
	g = gpgme_op_assuan_transact_ext(ctx, cmd, NULL, NULL, answer, &q, NULL, NULL, &op);
	if (g && !eng->dirmngr_launched) {
		/* gpgsm starts dirmngr when it needs it; so does cachet, once. */
		static const char *const launch[] = { "--launch", "dirmngr", NULL };

		eng->dirmngr_launched = true;
		agent_gpgconf(eng->home, launch, NULL);
		engine_revocation_free(eng);
		if ((ctx = dirmngr(eng)) != NULL) {
			op = 0;
			g = gpgme_op_assuan_transact_ext(ctx, cmd, NULL, NULL, answer, &q, NULL,
							 NULL, &op);
		}
	}
	gnutls_free(der.data);
	gnutls_free(q.sent.data);
	if (g) {
		/* The connection is gone: say so for this batch. */
		*why = xasprintf("revocation unknown: dirmngr cannot be reached (%s)",
				 gpgme_strerror(g));
		engine_revocation_free(eng);
		eng->dirmngr_error = xasprintf("dirmngr cannot be reached (%s)",
					       gpgme_strerror(g));
		return 2;
	}
	switch (gpgme_err_code(op)) {
	case GPG_ERR_NO_ERROR:
		rc = 0;
		break;
	case GPG_ERR_CERT_REVOKED:
		rc = 1;
		break;
	default:
		*why = xasprintf("revocation unknown: dirmngr could not check a CRL for "
				 "the certificate (%s)", gpgme_strerror(op));
		rc = 2;
		break;
	}
	return rc;
}

int
engine_revocation(struct smime_engine *eng, gnutls_x509_crt_t *chain, size_t n,
		  char **why)
{
	size_t i;
	int worst = 0, r;

	*why = NULL;
	if (eng->crl == ENGINE_CRL_UNREAD)
		crl_mode_read(eng);
	if (eng->crl == ENGINE_CRL_OFF)
		return 0;
	for (i = 0; i < n; i++) {
		char *w = NULL;

		/* A root vouches for itself; its revocation is its removal. */
		if (gnutls_x509_crt_check_issuer(chain[i], chain[i]))
			continue;
		r = check_one(eng, chain, n, i, &w);
		if (r == 1) {
			free(*why);
			free(w);
			*why = NULL;
			return 1;
		}
		if (r == 2 && *why == NULL)
			*why = w;
		else
			free(w);
		if (r > worst)
			worst = r;
	}
	return worst;
}
