/* engine.c — the GPGME CMS context: creation, recycling, and sign, encrypt
 * and decrypt over byte buffers, with GPGME's errors turned into words.
 * Signatures are verified in process (cms_verify.c), not here. */
#include "crypto/agent_p.h"
#include "crypto/cms_decrypt_p.h"
#include "crypto/cms_p.h"
#include "crypto/engine_p.h"
#include "crypto/smime_p.h"

#include <errno.h>
#include <gnutls/x509.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>


const char *
smime_gpgsm_program(void)
{
	const char *p = getenv("CACHET_GPGSM");

	return p && p[0] == '/' && access(p, X_OK) == 0 ? p : NULL;
}

int
engine_fail(struct err *e, gpgme_error_t gerr, const char *what)
{
	gpgme_err_code_t code = gpgme_err_code(gerr);

	switch (code) {
	case GPG_ERR_NO_PIN_ENTRY:
	case GPG_ERR_CANCELED:
	case GPG_ERR_FULLY_CANCELED:
	case GPG_ERR_NO_PASSPHRASE:
	case GPG_ERR_BAD_PASSPHRASE:
		return err_set(e, ERR_CRYPTO, "%s: the secret key needs a passphrase that "
			       "gpg-agent does not hold; unlock it first (run 'gpgsm --sign' "
			       "once in a terminal, or preset it with gpg-preset-passphrase)",
			       what);
	case GPG_ERR_ENOTTY:
		if (gpgme_err_source(gerr) != GPG_ERR_SOURCE_PINENTRY)
			break;
		return err_set(e, ERR_CRYPTO, "%s: the secret key needs a passphrase and "
			       "there is no terminal for a pinentry; unlock it in gpg-agent "
			       "first (gpg-preset-passphrase, or one 'gpgsm --sign' in a "
			       "terminal)", what);
	case GPG_ERR_NO_SECKEY:
		return err_set(e, ERR_CRYPTO, "%s: no secret key for this certificate in the "
			       "gpgsm home", what);
	case GPG_ERR_UNSUPPORTED_ALGORITHM:
	case GPG_ERR_DIGEST_ALGO:
	case GPG_ERR_CIPHER_ALGO:
	case GPG_ERR_PUBKEY_ALGO:
		return err_set(e, ERR_UNSUPPORTED, "%s: algorithm not supported by gpgsm (%s)",
			       what, gpgme_strerror(gerr));
	case GPG_ERR_INV_ENGINE:
	case GPG_ERR_ENOENT:
		return err_set(e, ERR_CRYPTO, "%s: gpgsm is not available (%s); install the "
			       "gpgsm package", what, gpgme_strerror(gerr));
	default:
		break;
	}
	if (gpgme_err_source(gerr) == GPG_ERR_SOURCE_PINENTRY)
		return err_set(e, ERR_CRYPTO, "%s: the pinentry failed (%s); unlock the key "
			       "in gpg-agent first (gpg-preset-passphrase)", what,
			       gpgme_strerror(gerr));
	return err_set(e, ERR_CRYPTO, "%s: %s (from %s)", what, gpgme_strerror(gerr),
		       gpgme_strsource(gerr));
}

int
engine_check_unlocked(struct smime_engine *eng, gpgme_key_t key, const char *what,
		      struct err *e)
{
	struct agent_keyinfo ki = { false, false, false };
	struct agent *a;
	struct err ignored = { 0 };

	if (key->subkeys == NULL || key->subkeys->keygrip == NULL)
		return 0;
	/* A key without a passphrase stays so for the batch: asked once. */
	if (strcmp(eng->open_grip, key->subkeys->keygrip) == 0)
		return 0;
	/* An agent that cannot be asked: let the operation itself report. */
	if (engine_key_agent(eng, &a, &ignored) < 0 ||
	    agent_keyinfo(a, key->subkeys->keygrip, &ki, &ignored) < 0)
		return 0;
	if (!ki.protected_)
		snprintf(eng->open_grip, sizeof eng->open_grip, "%s", key->subkeys->keygrip);
	if (ki.protected_ && !ki.cached)
		return err_set(e, ERR_CRYPTO, "%s: the secret key of %s is protected by a "
			       "passphrase that gpg-agent does not hold, and cachet does not "
			       "start a pinentry in batch; unlock it first (one gpgsm operation "
			       "with the key in a terminal, e.g. 'gpgsm --sign', or "
			       "gpg-preset-passphrase with allow-preset-passphrase)", what, key->subkeys->fpr);
	return 0;
}

static int
ctx_open(struct smime_engine *eng, struct err *e)
{
	gpgme_error_t g;

	g = gpgme_new(&eng->ctx);
	if (!g)
		g = gpgme_set_protocol(eng->ctx, GPGME_PROTOCOL_CMS);
	if (!g)
		g = gpgme_ctx_set_engine_info(eng->ctx, GPGME_PROTOCOL_CMS,
					      smime_gpgsm_program(), eng->home);
	if (g) {
		if (eng->ctx)
			gpgme_release(eng->ctx);
		eng->ctx = NULL;
		return engine_fail(e, g, "starting gpgsm");
	}
	/* gpgsm only lists and exports here (no validation, so no trust
	 * question); should it ever want a pinentry, it gets none. */
	(void)gpgme_set_pinentry_mode(eng->ctx, GPGME_PINENTRY_MODE_ERROR);
	gpgme_set_armor(eng->ctx, 0);
	gpgme_set_include_certs(eng->ctx, GPGME_INCLUDE_CERTS_DEFAULT);
	gpgme_set_keylist_mode(eng->ctx, GPGME_KEYLIST_MODE_LOCAL);
	return 0;
}

int
engine_ctx(struct smime_engine *eng, struct err *e)
{
	gpgme_error_t g;

	if (eng->ctx)
		return 0;
	g = gpgme_engine_check_version(GPGME_PROTOCOL_CMS);
	if (g)
		return engine_fail(e, g, "checking gpgsm");
	return ctx_open(eng, e);
}

int
smime_engine_new(const char *gnupg_home, struct smime_engine **out, struct err *e)
{
	struct smime_engine *eng;

	*out = NULL;
	if (gpgme_check_version("1.18.0") == NULL)
		return err_set(e, ERR_CRYPTO, "GPGME is older than 1.18");
	/* gpgsm is first started (even for its version) when an operation
	 * needs the keybox: verifying with given anchors never does. */
	eng = xcalloc(1, sizeof *eng);
	eng->home = gnupg_home ? xstrdup(gnupg_home) : NULL;
	*out = eng;
	return 0;
}

#define ENGINE_MAX_KEYS 256

int
engine_key(struct smime_engine *eng, const char *fpr, bool secret,
	   gpgme_key_t *keyp, struct err *e)
{
	gpgme_key_t key = NULL, extra = NULL;
	gpgme_error_t g;
	size_t i;

	*keyp = NULL;
	if (engine_ctx(eng, e) < 0)
		return -1;
	for (i = 0; i < eng->n_keys; i++)
		if (eng->keys[i].secret == secret && strcmp(eng->keys[i].fpr, fpr) == 0) {
			*keyp = eng->keys[i].key;
			return 0;
		}
	g = gpgme_op_keylist_start(eng->ctx, fpr, secret ? 1 : 0);
	if (!g)
		g = gpgme_op_keylist_next(eng->ctx, &key);
	if (!g && gpgme_op_keylist_next(eng->ctx, &extra) == 0) {
		/* A fingerprint names one certificate; anything else is ambiguous. */
		gpgme_key_unref(extra);
		gpgme_key_unref(key);
		gpgme_op_keylist_end(eng->ctx);
		return err_set(e, ERR_CRYPTO, "certificate %s is ambiguous in the keybox", fpr);
	}
	gpgme_op_keylist_end(eng->ctx);
	if (g) {
		if (gpgme_err_code(g) == GPG_ERR_EOF)
			return err_set(e, ERR_NOCERT, "certificate %s is not in the keybox%s", fpr,
				       secret ? " with its secret key" : "");
		return engine_fail(e, g, "looking up a certificate");
	}
	if (eng->n_keys == ENGINE_MAX_KEYS) {
		for (i = 0; i < eng->n_keys; i++) {
			free(eng->keys[i].fpr);
			gpgme_key_unref(eng->keys[i].key);
		}
		eng->n_keys = 0;
	}
	eng->keys = xrealloc(eng->keys, (eng->n_keys + 1) * sizeof *eng->keys);
	eng->keys[eng->n_keys].fpr = xstrdup(fpr);
	eng->keys[eng->n_keys].secret = secret;
	eng->keys[eng->n_keys].key = key;
	eng->n_keys++;
	*keyp = key;
	return 0;
}

void
smime_engine_free(struct smime_engine **engp)
{
	struct smime_engine *eng;
	size_t i;

	if (engp == NULL || (eng = *engp) == NULL)
		return;
	for (i = 0; i < eng->n_keys; i++) {
		free(eng->keys[i].fpr);
		gpgme_key_unref(eng->keys[i].key);
	}
	free(eng->keys);
	for (i = 0; i < eng->n_secret; i++)
		gpgme_key_unref(eng->secret[i]);
	free(eng->secret);
	engine_anchors_free(eng);
	engine_revocation_free(eng);
	cms_signer_free(&eng->signer);
	engine_certs_free(eng);
	agent_free(&eng->key_agent);
	if (eng->ctx)
		gpgme_release(eng->ctx);
	free(eng->home);
	free(eng);
	*engp = NULL;
}

/* Moves the bytes of a GPGME memory data object into out. */
static void
data_take(gpgme_data_t d, struct buf *out)
{
	size_t n = 0;
	char *p = gpgme_data_release_and_get_mem(d, &n);

	if (p) {
		buf_add(out, p, n);
		gpgme_free(p);
	}
}

int
engine_sign(struct smime_engine *eng, const char *fpr, const char *data,
	    size_t len, struct buf *der, const char **micalg, struct err *e)
{
	return cms_sign(eng, fpr, data, len, der, micalg, e);
}

int
engine_encrypt(struct smime_engine *eng, const char *const *fprs,
	       const unsigned *caps, size_t n, const char *data, size_t len,
	       struct buf *der, struct smime_encryption *how, struct err *e)
{
	return cms_encrypt(eng, fprs, caps, n, data, len, der, how, e);
}

/* The secret keys of the keybox, listed once per engine. */
static int
secret_keys(struct smime_engine *eng, struct err *e)
{
	gpgme_key_t key;
	gpgme_error_t g;

	if (eng->secret_listed)
		return 0;
	if (engine_ctx(eng, e) < 0)
		return -1;
	g = gpgme_op_keylist_start(eng->ctx, NULL, 1);
	while (!g && (g = gpgme_op_keylist_next(eng->ctx, &key)) == 0) {
		eng->secret = xrealloc(eng->secret, (eng->n_secret + 1) * sizeof *eng->secret);
		eng->secret[eng->n_secret++] = key;
	}
	gpgme_op_keylist_end(eng->ctx);
	if (g && gpgme_err_code(g) != GPG_ERR_EOF)
		return engine_fail(e, g, "listing the secret keys");
	eng->secret_listed = true;
	return 0;
}

/* The subject key identifier of key's certificate, read from its DER as
 * the keybox exports it: its length, 0 when there is none. */
static size_t
cert_skid(struct smime_engine *eng, gpgme_key_t key, unsigned char *id, size_t idlen)
{
	gpgme_data_t d = NULL;
	gnutls_x509_crt_t crt;
	gnutls_datum_t dt;
	struct buf der = BUF_INIT;
	unsigned critical;
	size_t n = idlen;

	if (gpgme_data_new(&d))
		return 0;
	if (gpgme_op_export(eng->ctx, key->subkeys->fpr, 0, d)) {
		gpgme_data_release(d);
		return 0;
	}
	data_take(d, &der);
	dt.data = (unsigned char *)der.data;
	dt.size = (unsigned)der.len;
	if (der.len == 0 || gnutls_x509_crt_init(&crt) < 0) {
		buf_release(&der);
		return 0;
	}
	if (gnutls_x509_crt_import(crt, &dt, GNUTLS_X509_FMT_DER) < 0 ||
	    gnutls_x509_crt_get_subject_key_id(crt, id, &n, &critical) < 0)
		n = 0;
	gnutls_x509_crt_deinit(crt);
	buf_release(&der);
	return n;
}

/* Subject key identifiers of the secret keys' certificates, read once per
 * message and only when a recipient is named by one: a message naming a
 * thousand of them costs one export per certificate. */
struct skid_cache {
	struct skid {
		bool read;
		size_t len;
		unsigned char id[64];
	} *ids;		/* owned; one per eng->secret */
};

/* The identity of ours r is for: a secret key of the keybox whose
 * certificate has r's issuer and serial, or r's subject key identifier. */
static gpgme_key_t
decrypt_identity(struct smime_engine *eng, const struct cms_recipient *r,
		 struct skid_cache *cache)
{
	size_t j;

	for (j = 0; j < eng->n_secret; j++) {
		gpgme_key_t k = eng->secret[j];
		struct skid *sk;

		if (k->subkeys == NULL || k->subkeys->keygrip == NULL)
			continue;
		if (r->serial && k->issuer_serial && k->issuer_name &&
		    strcasecmp(k->issuer_serial, r->serial) == 0 &&
		    strcmp(k->issuer_name, r->issuer) == 0)
			return k;
		if (r->skid == NULL)
			continue;
		if (cache->ids == NULL)
			cache->ids = xcalloc(eng->n_secret, sizeof *cache->ids);
		sk = &cache->ids[j];
		if (!sk->read) {
			sk->len = cert_skid(eng, k, sk->id, sizeof sk->id);
			sk->read = true;
		}
		if (sk->len == r->skid_len && memcmp(sk->id, r->skid, r->skid_len) == 0)
			return k;
	}
	return NULL;
}

/* The key for the person: its certificate's first address, or its
 * subject, and the fingerprint. */
static char *
key_desc(gpgme_key_t key)
{
	gpgme_user_id_t uid;

	for (uid = key->uids; uid; uid = uid->next) {
		const char *a = uid->email;
		size_t n = a ? strlen(a) : 0;

		if (n > 2 && a[0] == '<' && a[n - 1] == '>')	/* gpgsm's form */
			return xasprintf("%.*s (%s)", (int)(n - 2), a + 1, key->subkeys->fpr);
		if (n)
			return xasprintf("%s (%s)", a, key->subkeys->fpr);
	}
	return xasprintf("%s (%s)", key->uids && key->uids->uid ? key->uids->uid : "?",
			 key->subkeys->fpr);
}

/* In process: the content key from gpg-agent (the first of our identities
 * the message names whose key the agent can use), the rest here. */
int
engine_decrypt(struct smime_engine *eng, const unsigned char *der, size_t len,
	       struct buf *plain, struct err *e)
{
	struct cms_env *env = NULL;
	struct agent *agent = NULL;
	struct buf cek = BUF_INIT, names = BUF_INIT;
	struct skid_cache skids = { NULL };
	struct err last = { 0 };
	gpgme_key_t key;
	bool tried = false;
	size_t i;
	int rc = -1;

	if (cms_env_parse(der, len, &env, e) < 0 || secret_keys(eng, e) < 0)
		goto out;
	for (i = 0; i < env->n_rcpt; i++) {
		const struct cms_recipient *r = &env->rcpt[i];
		char *desc;

		if ((key = decrypt_identity(eng, r, &skids)) == NULL)
			continue;
		/* With nobody to ask (the screen, a batch without a terminal),
		 * a locked key is said before the agent is asked, as signing
		 * says it. */
		if (eng->pp.get == NULL &&
		    engine_check_unlocked(eng, key, "decrypting", e) < 0) {
			rc = -1;
			goto out;
		}
		if (agent == NULL && engine_key_agent(eng, &agent, e) < 0)
			goto out;
		desc = key_desc(key);
		tried = true;
		cek.len = 0;
		rc = cms_recipient_cek(env, r, agent, key->subkeys->keygrip, desc, &cek, &last);
		free(desc);
		if (rc == 0)
			break;
	}
	if (!tried) {
		for (i = 0; i < env->n_rcpt && i < 8; i++) {
			buf_adds(&names, i ? "; " : "");
			cms_recipient_describe(&env->rcpt[i], &names);
		}
		if (env->n_rcpt > 8)
			buf_addf(&names, "; and %zu more", env->n_rcpt - 8);
		err_set(e, ERR_CRYPTO, "decrypting: not encrypted to any of your certificates "
			"(it is for: %s)", names.data);
		rc = -1;
		goto out;
	}
	if (rc < 0) {
		if (e)
			*e = last;
		goto out;
	}
	rc = cms_env_decrypt(env, (const unsigned char *)cek.data, cek.len, plain, e);
out:
	buf_wipe(&cek);
	buf_release(&names);
	free(skids.ids);
	cms_env_free(&env);
	return rc;
}
