/* gpgsm.c — key material in gpgsm's keybox, chains to its trust anchors. */
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

int
certstore_keybox_import(struct certstore *s, const struct certstore_cert *c,
			struct err *e)
{
	int rc = import_der(s, c->der, c->der_len, e);

	if (rc > 0)
		return err_set(e, ERR_CRYPTO, "gpgsm refused certificate %s (%s): "
			       "it fails gpgsm's basic checks", c->fpr_sha1, c->subject);
	return rc;
}

static const char *
memo_get(struct certstore *s, const char *fpr, bool *found)
{
	size_t i;

	for (i = 0; i < s->n_memo; i++) {
		if (strcmp(s->memo[i].fpr, fpr) == 0) {
			*found = true;
			return s->memo[i].reason;
		}
	}
	*found = false;
	return NULL;
}

int
certstore_chain_check(struct certstore *s, const struct certstore_cert *c,
		      const char **reason, struct err *e)
{
	gpgme_key_t key = NULL;
	gpgme_error_t ge;
	bool found;
	int rc;

	*reason = memo_get(s, c->fpr_sha1, &found);
	if (found)
		return 0;
	rc = import_der(s, c->der, c->der_len, e);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		*reason = CERTSTORE_R_UNTRUSTED;
		goto remember;
	}
	ge = gpgme_set_keylist_mode(s->gpg, GPGME_KEYLIST_MODE_LOCAL |
				    GPGME_KEYLIST_MODE_VALIDATE);
	if (ge)
		return gpg_fail(e, ge, "cannot set the key listing mode");
	/* Listed in this context: gpgme_get_key would start another gpgsm for
	 * every new certificate (two processes per new correspondent). */
	ge = gpgme_op_keylist_start(s->gpg, c->fpr_sha1, 0);
	if (ge == 0)
		ge = gpgme_op_keylist_next(s->gpg, &key);
	gpgme_op_keylist_end(s->gpg);
	if (ge)
		return gpg_fail(e, ge, "cannot list the certificate just imported");
	if (key->subkeys == NULL || key->subkeys->fpr == NULL ||
	    strcasecmp(key->subkeys->fpr, c->fpr_sha1) != 0) {
		gpgme_key_unref(key);
		return err_set(e, ERR_CRYPTO, "gpgsm listed another certificate for %s",
			       c->fpr_sha1);
	}
	/* gpgsm validated the chain against its trustlist: 'r', 'e', 'i' or a
	 * user ID validity below full all mean no path to a trust anchor. */
	if (key->revoked)
		*reason = CERTSTORE_R_REVOKED;
	else if (key->expired)
		*reason = CERTSTORE_R_EXPIRED;
	else if (key->invalid || key->uids == NULL || key->uids->invalid ||
		 key->uids->validity < GPGME_VALIDITY_FULL)
		*reason = CERTSTORE_R_UNTRUSTED;
	else
		*reason = NULL;
	gpgme_key_unref(key);
remember:
	s->memo = xrealloc(s->memo, (s->n_memo + 1) * sizeof(*s->memo));
	snprintf(s->memo[s->n_memo].fpr, sizeof(s->memo[0].fpr), "%s", c->fpr_sha1);
	s->memo[s->n_memo].reason = *reason;
	s->n_memo++;
	return 0;
}

int
certstore_keybox_export(struct certstore *s, const char *fpr,
			struct certstore_cert **out, struct err *e)
{
	gpgme_data_t d = NULL;
	gpgme_error_t ge;
	char *data;
	size_t len = 0;
	int rc = -1;

	*out = NULL;
	if (gpg_ctx(s, e) < 0)
		return -1;
	ge = gpgme_data_new(&d);
	if (ge == 0)
		ge = gpgme_op_export(s->gpg, fpr, 0, d);
	if (ge) {
		gpgme_data_release(d);
		return gpg_fail(e, ge, "cannot export the certificate");
	}
	data = gpgme_data_release_and_get_mem(d, &len);
	if (data == NULL || len == 0) {
		err_set(e, ERR_CRYPTO, "gpgsm has no certificate %s", fpr);
	} else if (certstore_cert_parse(data, len, out, e) == 0) {
		/* The pattern must have named exactly this certificate. */
		if (strcmp((*out)->fpr_sha1, fpr) == 0)
			rc = 0;
		else
			certstore_cert_free(out);
		if (rc < 0)
			err_set(e, ERR_CRYPTO, "gpgsm exported another certificate for %s", fpr);
	}
	gpgme_free(data);
	return rc;
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
	s->n_memo = 0;
	*added = true;
	rc = 0;
out:
	buf_release(&text);
	free(path);
	return rc;
}
