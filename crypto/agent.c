/* agent.c — one Assuan connection to gpg-agent for the private-key
 * operations, passphrases answered in loopback mode by the caller. */
#include "crypto/agent_p.h"

#include <errno.h>
#include <fcntl.h>
#include <gpgme.h>
#include <nettle/aes.h>
#include <nettle/nist-keywrap.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct agent {
	gpgme_ctx_t ctx;		/* owned; GPGME's Assuan protocol */
	char *home;			/* owned; NULL = GnuPG's default */
	char *socket;			/* owned */
	struct smime_passphrase pp;	/* pp.get NULL: no passphrase source */
};

/* The process's connection (agent_shared). */
static struct agent *shared_agent;

int
agent_gpgconf(const char *home, const char *const *args, char **out)
{
	const char *argv[8];
	posix_spawn_file_actions_t fa;
	struct buf b = BUF_INIT;
	int pipefd[2], status = -1, rc = -1;
	size_t i, n = 0;
	pid_t pid;

	argv[n++] = "gpgconf";
	if (home) {
		argv[n++] = "--homedir";
		argv[n++] = home;
	}
	for (i = 0; args[i] && n < 7; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "gpgconf", &fa, NULL, (char *const *)argv, environ) == 0) {
		close(pipefd[1]);
		pipefd[1] = -1;
		fd_read_all(pipefd[0], 4096, &b, NULL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			rc = 0;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (out)
		*out = xstrdup(rc == 0 && b.len ? str_trim(b.data) : "");
	buf_release(&b);
	return rc;
}

char *
agent_gpgconf_dir(const char *home, const char *name)
{
	const char *args[] = { "--list-dirs", name, NULL };
	char *path;

	if (home == NULL) {
		const char *d;

		gpgme_check_version(NULL);
		d = gpgme_get_dirinfo(name);
		return xstrdup(d ? d : "");
	}
	agent_gpgconf(home, args, &path);
	return path;
}

char *
agent_socket_path(const char *home)
{
	return agent_gpgconf_dir(home, "agent-socket");
}

/* Assuan's escaping for a line argument: '+' for space, %XX for '%', '+'
 * and control characters. */
static void
add_escaped(struct buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == ' ')
			buf_addc(out, '+');
		else if (c < 0x20 || c == 0x7f || c == '%' || c == '+')
			buf_addf(out, "%%%02X", c);
		else
			buf_addc(out, (char)c);
	}
}

/* One command's exchange: where the data goes, what the inquiries get. */
struct call {
	struct agent *a;
	struct buf *data;		/* foreign; D lines, or NULL */
	const char *inq_name;		/* an inquiry answered with inq_data */
	const void *inq_data;		/* foreign */
	size_t inq_len;
	const char *new_pass;		/* foreign; answers NEW_PASSPHRASE */
	const char *desc;		/* foreign; the key, for the person */
	unsigned try;
	bool asked;			/* the agent asked for a passphrase */
	bool no_source;			/* ... and there was nobody to ask */
	bool gave_up;			/* ... and the source gave up (cb_err) */
	struct err cb_err;
	struct buf answer;		/* the inquiry's answer while it is sent */
	struct agent_keyinfo *ki;	/* foreign; filled from KEYINFO */
};

static gpgme_error_t
call_data(void *opaque, const void *data, size_t len)
{
	struct call *c = opaque;

	if (c->data)
		buf_add(c->data, data, len);
	return 0;
}

static gpgme_error_t
call_inquire(void *opaque, const char *name, const char *args, gpgme_data_t *r)
{
	struct call *c = opaque;
	bool is_new;

	if (name == NULL) {	/* GPGME is done with the data it was given */
		gpgme_data_release(*r);
		*r = NULL;
		buf_wipe(&c->answer);
		return 0;
	}
	*r = NULL;
	buf_wipe(&c->answer);
	if (c->inq_name && strcmp(name, c->inq_name) == 0) {
		buf_add(&c->answer, c->inq_data, c->inq_len);
	} else if (strcmp(name, "PASSPHRASE") == 0 || strcmp(name, "NEW_PASSPHRASE") == 0) {
		is_new = strcmp(name, "NEW_PASSPHRASE") == 0;
		c->asked = true;
		if (is_new && c->new_pass) {
			buf_adds(&c->answer, c->new_pass);
		} else if (c->a->pp.get == NULL) {
			/* Cancelling keeps the connection in step: the agent
			 * ends the command and waits for the next one. */
			c->no_source = true;
			return gpg_error(GPG_ERR_ASS_CANCELED);
		} else if (c->a->pp.get(c->a->pp.opaque, c->desc ? c->desc : "",
					c->try, is_new, &c->answer, &c->cb_err) < 0) {
			c->gave_up = true;
			buf_wipe(&c->answer);
			return gpg_error(GPG_ERR_ASS_CANCELED);
		}
	} else {
		return 0;	/* nothing to say: an empty answer */
	}
	if (c->answer.len == 0)
		return 0;
	if (gpgme_data_new_from_mem(r, c->answer.data, c->answer.len, 0))
		return gpg_error(GPG_ERR_ASS_CANCELED);
	return 0;
}

static gpgme_error_t
call_status(void *opaque, const char *status, const char *args)
{
	struct call *c = opaque;
	char grip[64], type[8], serial[64], idstr[64], cached[8], prot[8];

	/* KEYINFO KEYGRIP TYPE SERIALNO IDSTR CACHED PROTECTION ... */
	if (c->ki && strcmp(status, "KEYINFO") == 0 &&
	    sscanf(args, "%63s %7s %63s %63s %7s %7s", grip, type, serial, idstr,
		   cached, prot) == 6) {
		c->ki->present = true;
		c->ki->cached = cached[0] == '1';
		c->ki->protected_ = prot[0] == 'P';
	}
	return 0;
}

/* Sends cmd; *op is the agent's answer (0 = OK).  -1 (ERR_CRYPTO) when the
 * connection itself failed. */
static int
transact(struct agent *a, const char *cmd, struct call *c, gpgme_error_t *op,
	 struct err *e)
{
	gpgme_error_t g;

	*op = 0;
	g = gpgme_op_assuan_transact_ext(a->ctx, cmd, call_data, c, call_inquire, c,
					 call_status, c, op);
	buf_wipe(&c->answer);
	if (g)
		return err_set(e, ERR_CRYPTO, "gpg-agent (%s): %s", *a->socket ? a->socket :
			       "no socket", gpgme_strerror(g));
	return 0;
}

static int
ctx_new(struct agent *a, struct err *e)
{
	gpgme_error_t g;

	if (a->ctx)
		gpgme_release(a->ctx);
	a->ctx = NULL;
	g = gpgme_new(&a->ctx);
	if (!g)
		g = gpgme_set_protocol(a->ctx, GPGME_PROTOCOL_ASSUAN);
	if (!g)
		g = gpgme_ctx_set_engine_info(a->ctx, GPGME_PROTOCOL_ASSUAN, a->socket, NULL);
	if (g)
		return err_set(e, ERR_CRYPTO, "gpg-agent: %s", gpgme_strerror(g));
	return 0;
}

/* Opens the Assuan connection (starting the agent the way gpgsm would when
 * none answers) and puts it in loopback mode: the agent asks cachet for
 * passphrases, never a pinentry. */
static int
agent_connect(struct agent *a, struct err *e)
{
	static const char *const launch[] = { "--launch", "gpg-agent", NULL };
	struct call c = { 0 };
	gpgme_error_t op;

	c.a = a;
	if (ctx_new(a, e) < 0)
		return -1;
	if (transact(a, "OPTION pinentry-mode=loopback", &c, &op, e) < 0) {
		if (agent_gpgconf(a->home, launch, NULL) < 0 || ctx_new(a, e) < 0)
			return -1;
		err_clear(e);
		if (transact(a, "OPTION pinentry-mode=loopback", &c, &op, e) < 0)
			return -1;
	}
	if (op)
		return err_set(e, ERR_CRYPTO, "gpg-agent refuses to let cachet ask for "
			       "passphrases (%s); remove no-allow-loopback-pinentry from "
			       "gpg-agent.conf", gpgme_strerror(op));
	return 0;
}

int
agent_open(const char *home, struct agent **out, struct err *e)
{
	struct agent *a;

	*out = NULL;
	if (gpgme_check_version("1.18.0") == NULL)
		return err_set(e, ERR_CRYPTO, "GPGME is older than 1.18");
	a = xcalloc(1, sizeof *a);
	a->home = home ? xstrdup(home) : NULL;
	a->socket = agent_socket_path(home);
	if (*a->socket == '\0') {
		err_set(e, ERR_CRYPTO, "gpg-agent: gpgconf does not say where its socket "
			"is for %s (is gpg-agent installed?)", home ? home : "the default home");
		agent_free(&a);
		return -1;
	}
	if (agent_connect(a, e) < 0) {
		agent_free(&a);
		return -1;
	}
	*out = a;
	return 0;
}

void
agent_free(struct agent **ap)
{
	struct agent *a;

	if (ap == NULL || (a = *ap) == NULL)
		return;
	if (a->ctx)
		gpgme_release(a->ctx);
	free(a->home);
	free(a->socket);
	free(a);
	*ap = NULL;
}

int
agent_shared(const char *home, struct agent **out, struct err *e)
{
	struct agent *a = shared_agent;

	if (a && ((home == NULL && a->home == NULL) ||
		  (home && a->home && strcmp(home, a->home) == 0))) {
		*out = a;
		return 0;
	}
	agent_shared_close();
	if (agent_open(home, &shared_agent, e) < 0)
		return -1;
	*out = shared_agent;
	return 0;
}

void
agent_shared_close(void)
{
	agent_free(&shared_agent);
}

void
agent_set_passphrase(struct agent *a, const struct smime_passphrase *pp)
{
	if (pp)
		a->pp = *pp;
	else
		memset(&a->pp, 0, sizeof a->pp);
}

static bool
is_keygrip(const char *grip)
{
	size_t i;

	for (i = 0; grip[i]; i++)
		if (!strchr("0123456789abcdefABCDEF", grip[i]))
			return false;
	return i == 40;
}

int
agent_keyinfo(struct agent *a, const char *grip, struct agent_keyinfo *ki,
	      struct err *e)
{
	struct call c = { 0 };
	gpgme_error_t op;
	char *cmd;
	int rc;

	memset(ki, 0, sizeof *ki);
	if (!is_keygrip(grip))
		return err_set(e, ERR_CRYPTO, "'%s' is not a keygrip", grip);
	c.a = a;
	c.ki = ki;
	cmd = xasprintf("KEYINFO %s", grip);
	rc = transact(a, cmd, &c, &op, e);
	free(cmd);
	if (rc < 0)
		return -1;
	if (op && gpgme_err_code(op) != GPG_ERR_NOT_FOUND &&
	    gpgme_err_code(op) != GPG_ERR_NO_SECKEY)
		return err_set(e, ERR_CRYPTO, "gpg-agent: KEYINFO: %s", gpgme_strerror(op));
	return 0;
}

/* The error of a failed private-key operation, in words. */
static int
op_fail(struct call *c, const char *what, const char *grip, gpgme_error_t op,
	struct err *e)
{
	const char *key = c->desc && *c->desc ? c->desc : grip;

	if (c->no_source)
		return err_set(e, ERR_CRYPTO, "%s: the secret key of %s (keygrip %s) is "
			       "protected by a passphrase that gpg-agent does not hold; "
			       "give it with --passphrase-fd N, run cachet from a terminal, "
			       "or preset it with gpg-preset-passphrase", what, key, grip);
	if (c->gave_up) {
		err_set(e, c->cb_err.code ? c->cb_err.code : ERR_CRYPTO, "%s", c->cb_err.msg);
		return err_prefix(e, "%s", what);
	}
	switch (gpgme_err_code(op)) {
	case GPG_ERR_NO_SECKEY:
	case GPG_ERR_NOT_FOUND:
		return err_set(e, ERR_CRYPTO, "%s: gpg-agent holds no secret key for %s "
			       "(keygrip %s)", what, key, grip);
	case GPG_ERR_BAD_PASSPHRASE:
		return err_set(e, ERR_CRYPTO, "%s: wrong passphrase for the secret key of %s "
			       "(%d tries)", what, key, AGENT_PASSPHRASE_TRIES);
	default:
		return err_set(e, ERR_CRYPTO, "%s with %s: gpg-agent says: %s", what, key,
			       gpgme_strerror(op));
	}
}

/* Runs the commands of one private-key operation (the last one uses the
 * key), again with the next passphrase while the agent says it was wrong. */
static int
key_operation(struct agent *a, const char *what, const char *grip, const char *desc,
	      const char *const *cmds, const char *inq_name, const void *inq_data,
	      size_t inq_len, struct buf *out, struct err *e)
{
	size_t start = out->len, i;
	bool reconnected = false;
	struct call c;
	gpgme_error_t op = 0;
	unsigned try;

	if (!is_keygrip(grip))
		return err_set(e, ERR_CRYPTO, "%s: '%s' is not a keygrip", what, grip);
	for (try = 1; try <= AGENT_PASSPHRASE_TRIES; try++) {
		memset(&c, 0, sizeof c);
		c.a = a;
		c.desc = desc;
		c.try = try;
		c.inq_name = inq_name;
		c.inq_data = inq_data;
		c.inq_len = inq_len;
		for (i = 0; cmds[i]; i++) {
			c.data = cmds[i + 1] ? NULL : out;
			if (transact(a, cmds[i], &c, &op, e) == 0) {
				if (op)
					break;
				continue;
			}
			/* The agent went away (restarted, killed) during a long
			 * batch: a new connection, and the operation from its
			 * first command, once. */
			if (reconnected || agent_connect(a, e) < 0)
				return err_prefix(e, "%s", what);
			reconnected = true;
			out->len = start;
			if (out->data)
				out->data[start] = '\0';
			i = (size_t)-1;
		}
		if (op == 0)
			return 0;
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
		if (!(c.asked && !c.no_source && !c.gave_up &&
		      gpgme_err_code(op) == GPG_ERR_BAD_PASSPHRASE))
			break;
	}
	return op_fail(&c, what, grip, op, e);
}

static void
add_keydesc(struct buf *b, const char *desc)
{
	buf_adds(b, "SETKEYDESC ");
	add_escaped(b, desc && *desc ? desc : "a key of cachet");
}

int
agent_pksign(struct agent *a, const char *grip, const char *desc,
	     const char *hash_algo, const unsigned char *hash, size_t len,
	     struct buf *sig, struct err *e)
{
	struct buf sigkey = BUF_INIT, keydesc = BUF_INIT, sethash = BUF_INIT;
	const char *cmds[5];
	size_t i;
	int rc;

	if (!((strcmp(hash_algo, "sha256") == 0 && len == 32) ||
	      (strcmp(hash_algo, "sha384") == 0 && len == 48) ||
	      (strcmp(hash_algo, "sha512") == 0 && len == 64)))
		return err_set(e, ERR_CRYPTO, "signing: a %zu-byte hash is not %s", len,
			       hash_algo);
	buf_addf(&sigkey, "SIGKEY %s", grip);
	add_keydesc(&keydesc, desc);
	buf_addf(&sethash, "SETHASH --hash=%s ", hash_algo);
	for (i = 0; i < len; i++)
		buf_addf(&sethash, "%02X", hash[i]);
	cmds[0] = sigkey.data;
	cmds[1] = keydesc.data;
	cmds[2] = sethash.data;
	cmds[3] = "PKSIGN";
	cmds[4] = NULL;
	rc = key_operation(a, "signing", grip, desc, cmds, NULL, NULL, 0, sig, e);
	buf_release(&sigkey);
	buf_release(&keydesc);
	buf_release(&sethash);
	return rc;
}

int
agent_pkdecrypt(struct agent *a, const char *grip, const char *desc,
		const void *enc_val, size_t len, struct buf *value, struct err *e)
{
	struct buf setkey = BUF_INIT, keydesc = BUF_INIT, plain = BUF_INIT;
	const unsigned char *v;
	const char *cmds[4];
	size_t vlen;
	int rc;

	buf_addf(&setkey, "SETKEY %s", grip);
	add_keydesc(&keydesc, desc);
	cmds[0] = setkey.data;
	cmds[1] = keydesc.data;
	cmds[2] = "PKDECRYPT";
	cmds[3] = NULL;
	rc = key_operation(a, "decrypting", grip, desc, cmds, "CIPHERTEXT", enc_val, len,
			   &plain, e);
	if (rc == 0) {
		if (agent_sexp_find(plain.data, plain.len, "value", &v, &vlen) < 0)
			rc = err_set(e, ERR_CRYPTO, "decrypting: gpg-agent's answer has no value");
		else
			buf_add(value, v, vlen);
	}
	buf_wipe(&plain);
	buf_release(&setkey);
	buf_release(&keydesc);
	return rc;
}

/* The agent's import key: AES-128, for RFC 3394 key wrap. */
#define AGENT_KEYWRAP_KEYSIZE 16

int
agent_import_key(struct agent *a, const void *key, size_t len,
		 const char *passphrase, bool *existed, struct err *e)
{
	static const uint8_t iv[8] = { 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6 };
	struct buf kek = BUF_INIT, padded = BUF_INIT, wrapped = BUF_INIT;
	struct aes128_ctx aes;
	struct call c = { 0 };
	gpgme_error_t op;
	int rc = -1;

	*existed = false;
	c.a = a;
	c.data = &kek;
	if (transact(a, "KEYWRAP_KEY --import", &c, &op, e) < 0) {
		err_prefix(e, "importing the key");
		goto out;
	}
	if (op || kek.len != AGENT_KEYWRAP_KEYSIZE) {
		err_set(e, ERR_CRYPTO, "importing the key: gpg-agent gives no import key (%s)",
			op ? gpgme_strerror(op) : "wrong length");
		goto out;
	}
	/* Key wrap takes whole 64-bit blocks, at least two; the agent reads
	 * the S-expression's own length and ignores the zeros after it. */
	buf_add(&padded, key, len);
	while (padded.len % 8 || padded.len < 16)
		buf_addc(&padded, '\0');
	buf_grow(&wrapped, padded.len + 8);
	aes128_set_encrypt_key(&aes, (const uint8_t *)kek.data);
	aes128_keywrap(&aes, iv, padded.len + 8, (uint8_t *)wrapped.data,
		       (const uint8_t *)padded.data);
	wrapped.len = padded.len + 8;
	memset(&aes, 0, sizeof aes);

	memset(&c, 0, sizeof c);
	c.a = a;
	c.inq_name = "KEYDATA";
	c.inq_data = wrapped.data;
	c.inq_len = wrapped.len;
	c.new_pass = passphrase ? passphrase : "";
	if (transact(a, "IMPORT_KEY", &c, &op, e) < 0) {
		err_prefix(e, "importing the key");
		goto out;
	}
	if (gpgme_err_code(op) == GPG_ERR_EEXIST) {
		*existed = true;
	} else if (op) {
		err_set(e, ERR_CRYPTO, "importing the key: gpg-agent says: %s",
			gpgme_strerror(op));
		goto out;
	}
	rc = 0;
out:
	buf_wipe(&kek);
	buf_wipe(&padded);
	buf_release(&wrapped);
	return rc;
}

/* One atom at *pos ("LEN:bytes"); advances *pos past it. */
static int
sexp_atom(const unsigned char *p, size_t n, size_t *pos, const unsigned char **a,
	  size_t *alen)
{
	size_t i = *pos, len = 0;

	if (i >= n || p[i] < '0' || p[i] > '9')
		return -1;
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
		if (len > n)
			return -1;
		len = len * 10 + (size_t)(p[i] - '0');
	}
	if (i >= n || p[i] != ':' || len > n - i - 1)
		return -1;
	*a = p + i + 1;
	*alen = len;
	*pos = i + 1 + len;
	return 0;
}

int
agent_sexp_find(const void *data, size_t n, const char *token,
		const unsigned char **val, size_t *vlen)
{
	const unsigned char *p = data, *a;
	size_t pos = 0, alen, tlen = strlen(token);
	bool first = false, match = false;
	int depth = 0;

	while (pos < n) {
		switch (p[pos]) {
		case '(':
			depth++;
			pos++;
			first = true;
			match = false;
			continue;
		case ')':
			pos++;
			if (--depth <= 0)
				return -1;	/* the whole expression: not found */
			first = match = false;
			continue;
		case '[':	/* a display hint: not data */
			pos++;
			if (sexp_atom(p, n, &pos, &a, &alen) < 0 || pos >= n || p[pos] != ']')
				return -1;
			pos++;
			continue;
		default:
			if (depth == 0 || sexp_atom(p, n, &pos, &a, &alen) < 0)
				return -1;
			if (match) {
				*val = a;
				*vlen = alen;
				return 0;
			}
			match = first && alen == tlen && memcmp(a, token, tlen) == 0;
			first = false;
			continue;
		}
	}
	return -1;
}

void
agent_sexp_atom(struct buf *out, const void *p, size_t n)
{
	buf_addf(out, "%zu:", n);
	buf_add(out, p, n);
}

void
agent_sexp_mpi(struct buf *out, const void *data, size_t n)
{
	const unsigned char *p = data;

	while (n > 0 && p[0] == 0) {
		p++;
		n--;
	}
	if (n > 0 && (p[0] & 0x80)) {
		buf_addf(out, "%zu:", n + 1);
		buf_addc(out, '\0');
		buf_add(out, p, n);
		return;
	}
	agent_sexp_atom(out, p, n);
}
