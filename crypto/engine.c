/* engine.c — the GPGME CMS context: creation, recycling, and the four
 * operations over byte buffers, with GPGME's errors turned into words. */
#include "crypto/agent_p.h"
#include "crypto/cms_decrypt_p.h"
#include "crypto/engine_p.h"
#include "crypto/smime_p.h"

#include <errno.h>
#include <gnutls/x509.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* gpgsm 2.2 fails the 8th encryption in one context with "Cannot
 * allocate memory <gcrypt>": start a fresh one before that. */
#define ENGINE_MAX_ENCRYPT 7

#ifndef CACHET_PKGLIBEXECDIR
#define CACHET_PKGLIBEXECDIR "/usr/local/libexec/cachet"
#endif

/* The program GPGME starts as gpgsm: cachet-gpgsm (see gpgsm-wrapper.c),
 * which gives gpgsm "--cipher-algo AES256", or NULL for plain gpgsm. */
static char *gpgsm_wrapper;
static pthread_once_t gpgsm_wrapper_once = PTHREAD_ONCE_INIT;

static bool
is_executable(const char *path)
{
	return path && path[0] == '/' && access(path, X_OK) == 0;
}

/* CACHET_GPGSM_WRAPPER (developers and the test suite), then the installed
 * one, then one next to the running program (an uninstalled build tree:
 * no build path is compiled in).  The wrapper learns the real gpgsm, the
 * one GPGME would start, from CACHET_GPGSM. */
static void
gpgsm_wrapper_find(void)
{
	gpgme_engine_info_t info = NULL;
	const char *env = getenv("CACHET_GPGSM_WRAPPER");
	char self[PATH_MAX], *cand = NULL, *slash;
	ssize_t n;

	if (is_executable(env)) {
		cand = xstrdup(env);
	} else if (is_executable(CACHET_PKGLIBEXECDIR "/cachet-gpgsm")) {
		cand = xstrdup(CACHET_PKGLIBEXECDIR "/cachet-gpgsm");
	} else if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			cand = xasprintf("%s/cachet-gpgsm", self);
			if (!is_executable(cand)) {
				free(cand);
				cand = NULL;
			}
		}
	}
	if (cand == NULL)
		return;
	if (gpgme_get_engine_info(&info) == 0) {
		for (; info; info = info->next)
			if (info->protocol == GPGME_PROTOCOL_CMS && is_executable(info->file_name))
				break;
	}
	if (info == NULL || setenv("CACHET_GPGSM", info->file_name, 1) < 0) {
		free(cand);
		return;
	}
	gpgsm_wrapper = cand;
}

const char *
smime_gpgsm_program(void)
{
	gpgme_check_version(NULL);
	pthread_once(&gpgsm_wrapper_once, gpgsm_wrapper_find);
	return gpgsm_wrapper;
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

/* gpg-agent's socket for eng's home (agent.c asks gpgconf), looked up
 * once: "" when it cannot be found. */
static const char *
agent_socket(struct smime_engine *eng)
{
	if (eng->agent_socket == NULL)
		eng->agent_socket = agent_socket_path(eng->home);
	return eng->agent_socket;
}

struct keyinfo {
	char cached, protection;
};

static gpgme_error_t
keyinfo_status(void *opaque, const char *status, const char *args)
{
	struct keyinfo *ki = opaque;
	char grip[64], type[8], serial[64], idstr[64], cached[8], prot[8];

	/* KEYGRIP TYPE SERIALNO IDSTR CACHED PROTECTION ... */
	if (strcmp(status, "KEYINFO") == 0 &&
	    sscanf(args, "%63s %7s %63s %63s %7s %7s", grip, type, serial, idstr,
		   cached, prot) == 6) {
		ki->cached = cached[0];
		ki->protection = prot[0];
	}
	return 0;
}

int
engine_check_unlocked(struct smime_engine *eng, gpgme_key_t key, const char *what,
		      struct err *e)
{
	struct keyinfo ki = { 0, 0 };
	gpgme_error_t g, op = 0;
	const char *sock;
	char *cmd;

	if (key->subkeys == NULL || key->subkeys->keygrip == NULL)
		return 0;
	if (eng->agent == NULL) {
		sock = agent_socket(eng);
		if (*sock == '\0' || gpgme_new(&eng->agent))
			return 0;
		if (gpgme_set_protocol(eng->agent, GPGME_PROTOCOL_ASSUAN) ||
		    gpgme_ctx_set_engine_info(eng->agent, GPGME_PROTOCOL_ASSUAN, sock, NULL)) {
			gpgme_release(eng->agent);
			eng->agent = NULL;
			return 0;
		}
	}
	cmd = xasprintf("KEYINFO %s", key->subkeys->keygrip);
	g = gpgme_op_assuan_transact_ext(eng->agent, cmd, NULL, NULL, NULL, NULL,
					 keyinfo_status, &ki, &op);
	free(cmd);
	if (g || op) {
		/* An agent that went away: let the operation itself report. */
		gpgme_release(eng->agent);
		eng->agent = NULL;
		return 0;
	}
	if (ki.protection == 'P' && ki.cached != '1')
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
		g = gpgme_ctx_set_engine_info(eng->ctx, GPGME_PROTOCOL_CMS, gpgsm_wrapper,
					      eng->home);
	if (g) {
		if (eng->ctx)
			gpgme_release(eng->ctx);
		eng->ctx = NULL;
		return engine_fail(e, g, "starting gpgsm");
	}
	/* Batch: never let a pinentry take the terminal.  GPGME passes this
	 * on where the engine supports it; engine_fail explains the rest. */
	(void)gpgme_set_pinentry_mode(eng->ctx, GPGME_PINENTRY_MODE_ERROR);
	gpgme_set_armor(eng->ctx, 0);
	gpgme_set_include_certs(eng->ctx, GPGME_INCLUDE_CERTS_DEFAULT);
	gpgme_set_keylist_mode(eng->ctx, GPGME_KEYLIST_MODE_LOCAL);
	eng->n_encrypt = 0;
	return 0;
}

int
smime_engine_new(const char *gnupg_home, struct smime_engine **out, struct err *e)
{
	struct smime_engine *eng;
	gpgme_error_t g;

	*out = NULL;
	if (gpgme_check_version("1.18.0") == NULL)
		return err_set(e, ERR_CRYPTO, "GPGME is older than 1.18");
	g = gpgme_engine_check_version(GPGME_PROTOCOL_CMS);
	if (g)
		return engine_fail(e, g, "checking gpgsm");
	pthread_once(&gpgsm_wrapper_once, gpgsm_wrapper_find);
	eng = xcalloc(1, sizeof *eng);
	eng->home = gnupg_home ? xstrdup(gnupg_home) : NULL;
	if (ctx_open(eng, e) < 0) {
		smime_engine_free(&eng);
		return -1;
	}
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
smime_engine_set_passphrase(struct smime_engine *eng, const struct smime_passphrase *pp)
{
	eng->has_passphrase = pp != NULL;
	if (pp)
		eng->passphrase = *pp;
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
	agent_free(&eng->decrypt_agent);
	if (eng->agent)
		gpgme_release(eng->agent);
	if (eng->ctx)
		gpgme_release(eng->ctx);
	free(eng->home);
	free(eng->agent_socket);
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

static const char *
micalg_name(gpgme_hash_algo_t a)
{
	switch (a) {
	case GPGME_MD_SHA256: return "sha-256";
	case GPGME_MD_SHA384: return "sha-384";
	case GPGME_MD_SHA512: return "sha-512";
	case GPGME_MD_SHA224: return "sha-224";
	case GPGME_MD_SHA1: return "sha1";
	default: return NULL;
	}
}

int
engine_sign(struct smime_engine *eng, const char *fpr, const char *data,
	    size_t len, struct buf *der, const char **micalg, struct err *e)
{
	gpgme_data_t in = NULL, out = NULL;
	gpgme_key_t key = NULL;
	gpgme_sign_result_t r;
	gpgme_error_t g;
	int rc = -1;

	gpgme_signers_clear(eng->ctx);
	if (engine_key(eng, fpr, true, &key, e) < 0) {
		err_prefix(e, "signing key");
		goto out;
	}
	if (engine_check_unlocked(eng, key, "signing", e) < 0)
		goto out;
	g = gpgme_signers_add(eng->ctx, key);
	if (!g)
		g = gpgme_data_new_from_mem(&in, data, len, 0);
	if (!g)
		g = gpgme_data_new(&out);
	if (!g)
		g = gpgme_op_sign(eng->ctx, in, out, GPGME_SIG_MODE_DETACH);
	if (g) {
		engine_fail(e, g, "signing");
		goto out;
	}
	r = gpgme_op_sign_result(eng->ctx);
	if (r == NULL || r->signatures == NULL || r->invalid_signers) {
		err_set(e, ERR_CRYPTO, "signing: gpgsm made no signature with %s", fpr);
		goto out;
	}
	*micalg = micalg_name(r->signatures->hash_algo);
	if (*micalg == NULL) {
		err_set(e, ERR_UNSUPPORTED, "signing: gpgsm used an unexpected digest (%s)",
			gpgme_hash_algo_name(r->signatures->hash_algo));
		goto out;
	}
	data_take(out, der);
	out = NULL;
	rc = 0;
out:
	gpgme_signers_clear(eng->ctx);
	gpgme_data_release(in);
	gpgme_data_release(out);
	return rc;
}

/* The contract is AES-256-CBC: refuse anything else gpgsm may have chosen
 * (gpgsm 2.2 started without cachet-gpgsm uses AES-128). */
static int
check_cipher(const struct buf *der, struct err *e)
{
	struct cms_info info;

	if (cms_inspect((const unsigned char *)der->data, der->len, &info, e) < 0)
		return err_prefix(e, "encrypting: gpgsm's output");
	if (strcmp(info.content_alg, "2.16.840.1.101.3.4.1.42") == 0)
		return 0;
	return err_set(e, ERR_CRYPTO, "encrypting: gpgsm chose the cipher %s, not "
		       "AES-256-CBC; cachet-gpgsm is missing from %s (reinstall cachet), "
		       "or add 'cipher-algo AES256' to gpgsm.conf", info.content_alg,
		       CACHET_PKGLIBEXECDIR);
}

int
engine_encrypt(struct smime_engine *eng, const char *const *fprs, size_t n,
	       const char *data, size_t len, struct buf *der, struct err *e)
{
	gpgme_key_t *keys = xcalloc(n + 1, sizeof *keys);
	gpgme_data_t in = NULL, out = NULL;
	gpgme_encrypt_result_t r;
	gpgme_error_t g;
	size_t i;
	int rc = -1;

	if (eng->n_encrypt >= ENGINE_MAX_ENCRYPT) {
		/* Leaving the CMS protocol shuts the context's gpgsm down and the
		 * next operation starts a fresh one, with the context's engine
		 * settings kept: no new context, no "gpgsm --version" run. */
		if (gpgme_set_protocol(eng->ctx, GPGME_PROTOCOL_OpenPGP) ||
		    gpgme_set_protocol(eng->ctx, GPGME_PROTOCOL_CMS)) {
			gpgme_release(eng->ctx);
			eng->ctx = NULL;
			if (ctx_open(eng, e) < 0)
				goto out;
		}
		eng->n_encrypt = 0;
	}
	for (i = 0; i < n; i++) {
		if (engine_key(eng, fprs[i], false, &keys[i], e) < 0) {
			err_prefix(e, "recipient certificate");
			goto out;
		}
	}
	g = gpgme_data_new_from_mem(&in, data, len, 0);
	if (!g)
		g = gpgme_data_new(&out);
	if (!g) {
		eng->n_encrypt++;
		g = gpgme_op_encrypt(eng->ctx, keys, 0, in, out);
	}
	if (g) {
		r = gpgme_op_encrypt_result(eng->ctx);
		if (r && r->invalid_recipients) {
			err_set(e, ERR_NOCERT, "certificate %s cannot be used for encryption: %s",
				r->invalid_recipients->fpr ? r->invalid_recipients->fpr : "?",
				gpgme_strerror(r->invalid_recipients->reason));
			goto out;
		}
		engine_fail(e, g, "encrypting");
		goto out;
	}
	data_take(out, der);
	out = NULL;
	if (check_cipher(der, e) < 0)
		goto out;
	rc = 0;
out:
	free(keys);	/* the references belong to the engine's cache */
	gpgme_data_release(in);
	gpgme_data_release(out);
	return rc;
}

/* The secret keys of the keybox, listed once per engine. */
static int
secret_keys(struct smime_engine *eng, struct err *e)
{
	gpgme_key_t key;
	gpgme_error_t g;

	if (eng->secret_listed)
		return 0;
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
		if (!eng->has_passphrase &&
		    engine_check_unlocked(eng, key, "decrypting", e) < 0) {
			rc = -1;
			goto out;
		}
		if (agent == NULL) {
			if (eng->decrypt_agent == NULL &&
			    agent_open(eng->home, &eng->decrypt_agent, e) < 0)
				goto out;
			agent = eng->decrypt_agent;
			agent_set_passphrase(agent, eng->has_passphrase ? &eng->passphrase : NULL);
		}
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
	if (cek.data)
		memset(cek.data, 0, cek.cap);
	buf_release(&cek);
	buf_release(&names);
	free(skids.ids);
	cms_env_free(&env);
	return rc;
}

int
engine_verify(struct smime_engine *eng, const unsigned char *sig, size_t siglen,
	      const char *text, size_t textlen, struct buf *plain,
	      struct engine_sig **sigsp, size_t *np, struct err *e)
{
	gpgme_data_t s = NULL, t = NULL, p = NULL;
	gpgme_verify_result_t r;
	gpgme_signature_t gs;
	struct engine_sig *sigs = NULL;
	gpgme_error_t g;
	size_t n = 0;
	int rc = -1;

	*sigsp = NULL;
	*np = 0;
	g = gpgme_data_new_from_mem(&s, (const char *)sig, siglen, 0);
	if (!g && text)
		g = gpgme_data_new_from_mem(&t, text, textlen, 0);
	if (!g && plain)
		g = gpgme_data_new(&p);
	if (!g)
		g = gpgme_op_verify(eng->ctx, s, t, p);
	if (g) {
		gpgme_err_code_t c = gpgme_err_code(g);

		engine_fail(e, g, "checking the signature");
		/* The engine itself failing is fatal; gpgsm refusing the data
		 * is the message's problem (-2). */
		if (c != GPG_ERR_INV_ENGINE && c != GPG_ERR_ENOENT && c != GPG_ERR_EPIPE &&
		    c != GPG_ERR_ENOMEM && c != GPG_ERR_ASS_CONNECT_FAILED &&
		    c != GPG_ERR_NO_AGENT && c != GPG_ERR_ASS_GENERAL)
			rc = -2;
		goto out;
	}
	r = gpgme_op_verify_result(eng->ctx);
	for (gs = r ? r->signatures : NULL; gs; gs = gs->next) {
		sigs = xrealloc(sigs, (n + 1) * sizeof *sigs);
		memset(&sigs[n], 0, sizeof sigs[n]);
		sigs[n].fpr = gs->fpr ? xstrdup(gs->fpr) : NULL;
		sigs[n].status = gs->status;
		sigs[n].summary = gs->summary;
		sigs[n].validity = gs->validity;
		sigs[n].validity_reason = gs->validity_reason;
		sigs[n].hash_algo = gs->hash_algo;
		sigs[n].timestamp = gs->timestamp;
		sigs[n].exp_timestamp = gs->exp_timestamp;
		n++;
	}
	if (plain) {
		data_take(p, plain);
		p = NULL;
	}
	*sigsp = sigs;
	*np = n;
	rc = 0;
out:
	gpgme_data_release(s);
	gpgme_data_release(t);
	gpgme_data_release(p);
	return rc;
}

void
engine_sigs_free(struct engine_sig *sigs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(sigs[i].fpr);
	free(sigs);
}

int
engine_describe(struct smime_engine *eng, const char *fpr, bool want_der,
		struct smime_signer *s, struct err *e)
{
	gpgme_key_t key = NULL;
	gpgme_user_id_t uid;
	gpgme_error_t g;

	if (engine_key(eng, fpr, false, &key, e) < 0)
		return err_prefix(e, "the signer's certificate");
	for (uid = key->uids; uid; uid = uid->next) {
		char *a;

		if (uid->email == NULL || uid->email[0] == '\0')
			continue;
		a = xstrdup(uid->email[0] == '<' ? uid->email + 1 : uid->email);
		if (a[0] && a[strlen(a) - 1] == '>')
			a[strlen(a) - 1] = '\0';
		if (strchr(a, '@'))
			str_lower_ascii(strrchr(a, '@'));
		s->emails = xrealloc(s->emails, (s->n_emails + 2) * sizeof *s->emails);
		s->emails[s->n_emails++] = a;
		s->emails[s->n_emails] = NULL;
	}
	if (s->n_emails && s->email == NULL)
		s->email = xstrdup(s->emails[0]);
	if (key->uids && key->uids->uid && s->subject == NULL)
		s->subject = xstrdup(key->uids->uid);
	if (key->issuer_name && s->issuer == NULL)
		s->issuer = xstrdup(key->issuer_name);
	if (key->subkeys) {
		s->not_before = (time_t)key->subkeys->timestamp;
		s->not_after = (time_t)key->subkeys->expires;
	}
	if (want_der && s->cert_der == NULL) {
		gpgme_data_t out = NULL;
		const char *pat[2] = { fpr, NULL };
		struct buf b = BUF_INIT;

		g = gpgme_data_new(&out);
		if (!g)
			g = gpgme_op_export_ext(eng->ctx, pat, 0, out);
		if (g) {
			gpgme_data_release(out);
			return engine_fail(e, g, "exporting the signer's certificate");
		}
		data_take(out, &b);
		s->cert_der_len = b.len;
		s->cert_der = (unsigned char *)buf_detach(&b, NULL);
	}
	return 0;
}
