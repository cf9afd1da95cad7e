/* gpgsm.c — chains checked in process against the store's trust anchors,
 * and the one write to gpgsm's home a person asks for: a CA made a trust
 * anchor (`certs trust-ca`). */
#include "certstore/store_p.h"
#include "crypto/smime.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int
gpg_fail(struct err *e, gpgme_error_t ge, const char *what)
{
	return err_set(e, ERR_CRYPTO, "gpgsm: %s: %s <%s>", what,
		       gpgme_strerror(ge), gpgme_strsource(ge));
}

static int
gpg_ctx(struct certstore *s, struct err *e)
{
	gpgme_error_t ge;

	if (s->gpg)
		return 0;
	gpgme_check_version(NULL);
	ge = gpgme_new(&s->gpg);
	if (ge == 0)
		ge = gpgme_set_protocol(s->gpg, GPGME_PROTOCOL_CMS);
	/* The same gpgsm as the S/MIME engine: chain validation of a
	 * certificate from an unknown root must not ask on the terminal. */
	if (ge == 0 && (s->gnupg_home || smime_gpgsm_program()))
		ge = gpgme_ctx_set_engine_info(s->gpg, GPGME_PROTOCOL_CMS,
					       smime_gpgsm_program(), s->gnupg_home);
	if (ge) {
		if (s->gpg)
			gpgme_release(s->gpg);
		s->gpg = NULL;
		return gpg_fail(e, ge, "cannot start");
	}
	return 0;
}

/* Returns 0 when the keybox holds the certificate, 1 when gpgsm refused it,
 * -1 on engine failure. */
static int
import_der(struct certstore *s, const unsigned char *der, size_t len,
	   struct err *e)
{
	gpgme_data_t d;
	gpgme_import_result_t r;
	gpgme_error_t ge;

	if (gpg_ctx(s, e) < 0)
		return -1;
	ge = gpgme_data_new_from_mem(&d, (const char *)der, len, 0);
	if (ge)
		return gpg_fail(e, ge, "cannot pass the certificate");
	ge = gpgme_op_import(s->gpg, d);
	gpgme_data_release(d);
	if (ge)
		return gpg_fail(e, ge, "cannot import the certificate");
	r = gpgme_op_import_result(s->gpg);
	if (r == NULL || r->considered == 0)
		return err_set(e, ERR_CRYPTO, "gpgsm did not look at the certificate");
	/* gpgsm refuses a certificate that fails its basic checks (e.g. an
	 * issuer of that name whose key did not sign it): a verdict on the
	 * certificate, not an engine failure. */
	if (r->imported == 0 && r->unchanged == 0)
		return 1;
	return 0;
}

/* The store's engine for chain checks, with the store's anchors. */
static int
chain_engine(struct certstore *s, struct err *e)
{
	if (s->eng)
		return 0;
	if (smime_engine_new(s->gnupg_home, &s->eng, e) < 0)
		return -1;
	if (certstore_give_anchors(s, s->eng, e) < 0) {
		smime_engine_free(&s->eng);
		return -1;
	}
	return 0;
}

int
certstore_chain_check(struct certstore *s, const struct certstore_cert *c,
		      struct certstore_cert *const *extra, size_t n_extra,
		      const char **reason, struct err *e)
{
	const unsigned char **ders;
	size_t *lens, i, n = 0;
	enum smime_sig state;
	char *detail = NULL;
	int rc;

	*reason = NULL;
	if (chain_engine(s, e) < 0)
		return -1;
	ders = xcalloc(n_extra + 1, sizeof *ders);
	lens = xcalloc(n_extra + 1, sizeof *lens);
	for (i = 0; i < n_extra; i++) {
		if (extra[i] == c)
			continue;
		ders[n] = extra[i]->der;
		lens[n++] = extra[i]->der_len;
	}
	rc = smime_cert_chain_check(s->eng, c->der, c->der_len, ders, lens, n, &state,
				    &detail, e);
	free(ders);
	free(lens);
	free(detail);
	if (rc < 0)
		return err_prefix(e, "certificate %s (%s)", c->fpr_sha1, c->subject);
	if (state == SMIME_SIG_REVOKED)
		*reason = CERTSTORE_R_REVOKED;
	else if (state == SMIME_SIG_EXPIRED)
		*reason = CERTSTORE_R_EXPIRED;
	else if (state != SMIME_SIG_VALID)
		*reason = CERTSTORE_R_UNTRUSTED;
	return 0;
}

/* gpg-agent caches trustlist.txt: ask it to read the file again. */
static void
reload_agent(const char *home)
{
	char *argv[] = { (char *)"gpgconf", (char *)"--homedir", (char *)home,
			 (char *)"--reload", (char *)"gpg-agent", NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "gpgconf", &fa, NULL, argv, environ) == 0)
		waitpid(pid, &status, 0);
	posix_spawn_file_actions_destroy(&fa);
}

static char *
with_colons(const char *hex)
{
	size_t n = strlen(hex), i;
	char *out = xmalloc(n + n / 2 + 1), *o = out;

	for (i = 0; i < n; i++) {
		if (i && i % 2 == 0)
			*o++ = ':';
		*o++ = hex[i];
	}
	*o = '\0';
	return out;
}

/* Whether trustlist text holds fpr (colons or not, any case) as an active line. */
static bool
trustlist_has(const char *text, const char *fpr)
{
	const char *line = text, *end;
	char *word, *norm;
	size_t n;
	bool found = false;

	while (line && *line && !found) {
		end = strchr(line, '\n');
		n = end ? (size_t)(end - line) : strlen(line);
		while (n && (*line == ' ' || *line == '\t')) {
			line++;
			n--;
		}
		if (n && *line != '#' && *line != '!') {
			size_t w = strcspn(line, " \t\n");

			word = xstrndup(line, w < n ? w : n);
			norm = certstore_fpr_normalize(word);
			found = norm && strcmp(norm, fpr) == 0;
			free(norm);
			free(word);
		}
		line = end ? end + 1 : NULL;
	}
	return found;
}

int
certstore_trust_anchor_add(struct certstore *s, const struct certstore_cert *ca,
			   bool *added, struct err *e)
{
	struct buf text = BUF_INIT;
	struct err fe = { 0 };
	char *path, *colons;
	int rc = -1;

	*added = false;
	if (!ca->is_ca)
		return err_set(e, ERR_INPUT, "certificate %s (%s) is not a CA "
			       "certificate (basicConstraints CA:TRUE)",
			       ca->fpr_sha1, ca->subject);
	if (s->gnupg_home == NULL)
		return err_set(e, ERR_USAGE, "no gpgsm home to add the trust anchor to");
	rc = import_der(s, ca->der, ca->der_len, e);
	if (rc > 0)
		return err_set(e, ERR_INPUT, "gpgsm refused CA certificate %s (%s)",
			       ca->fpr_sha1, ca->subject);
	/* cachet's own anchor: verification reads it from the store. */
	if (rc < 0 || certstore_anchor_put(s, ca->der, ca->der_len, "trust-ca", e) < 0)
		return -1;
	rc = -1;
	path = xasprintf("%s/trustlist.txt", s->gnupg_home);
	if (file_read(path, 1 << 20, &text, &fe) < 0) {
		if (access(path, F_OK) == 0) {
			err_set(e, fe.code, "%s", fe.msg);
			goto out;
		}
		buf_reset(&text);
	}
	if (trustlist_has(text.data ? text.data : "", ca->fpr_sha1)) {
		rc = 0;
		goto out;
	}
	if (text.len && text.data[text.len - 1] != '\n')
		buf_addc(&text, '\n');
	colons = with_colons(ca->fpr_sha1);
	buf_addf(&text, "# %s\n%s S\n", ca->subject, colons);
	free(colons);
	if (file_write_atomic(path, text.data, text.len, 0600, e) < 0)
		goto out;
	reload_agent(s->gnupg_home);
	/* Earlier answers about chains may have changed. */
	smime_engine_free(&s->eng);
	*added = true;
	rc = 0;
out:
	buf_release(&text);
	free(path);
	return rc;
}
