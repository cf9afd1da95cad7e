/*
 * agent_p.h — cachet's own connection to gpg-agent, for the operations
 * that need a private key: signing a hash, decrypting a key-transport or
 * key-agreement value, and importing a key.  Private keys never enter
 * cachet's memory once they are in the agent (an imported key passes
 * through it once, wrapped on the wire).
 *
 * One Assuan connection (GPGME's Assuan protocol) per process and gnupg
 * home, opened on first use and reused: a batch of a thousand signatures
 * pays for one connection; an agent that does not answer at the first
 * connection is started, as gpgsm would.  When a command fails on the
 * transport, the operation is tried once more on a new connection; but
 * GPGME 1.18 can crash reading from an agent that was killed under an open
 * connection, so a restarted agent mid-batch is not something to rely on.
 * The connection runs in loopback pinentry mode:
 * the agent never starts a pinentry; every passphrase it needs is asked
 * through the struct smime_passphrase the caller installed, and without
 * one the operation fails (ERR_CRYPTO) naming the key and saying how to
 * unlock it.
 *
 * Errors: ERR_CRYPTO for everything the agent refuses or cannot do (no
 * agent, no such key, bad passphrase after the last try, cancelled),
 * with the agent's reason in words.
 *
 * Thread-safety: a struct agent is used by one thread at a time.
 */
#ifndef CACHET_AGENT_P_H
#define CACHET_AGENT_P_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"
#include "crypto/smime.h"

/* Tries a passphrase inquiry gets before the operation fails. */
#define AGENT_PASSPHRASE_TRIES SMIME_PASSPHRASE_TRIES

struct agent;

/*
 * gpg-agent's socket for gnupg home (NULL: GnuPG's default home), from
 * gpgconf (the path depends on /run/user and a hash of the home).  Owned
 * string; "" when it cannot be found.
 */
char *agent_socket_path(const char *home);

/* Runs gpgconf [--homedir home] with args (NULL-terminated; home NULL:
 * GnuPG's default); its standard output, trimmed, in *out (owned, "" on
 * failure) when out is not NULL.  0 when it exited with status 0. */
int agent_gpgconf(const char *home, const char *const *args, char **out);
/* A directory or socket gpgconf --list-dirs names for home, e.g.
 * "dirmngr-socket"; owned, "" when it cannot be found. */
char *agent_gpgconf_dir(const char *home, const char *name);

/*
 * The process's connection to the agent of home (NULL: GnuPG's default),
 * opened (and the agent started, as gpgsm would) on first use; the same
 * one for every later call with the same home.  Borrowed: it lives until
 * agent_shared_close().
 */
int agent_shared(const char *home, struct agent **out, struct err *e);
void agent_shared_close(void);

/* A connection of its own (tests, and callers that want to close it). */
int agent_open(const char *home, struct agent **out, struct err *e);
void agent_free(struct agent **a);

/* Installs (copies) the passphrase callback; NULL removes it. */
void agent_set_passphrase(struct agent *a, const struct smime_passphrase *pp);

/* What KEYINFO says about the key with keygrip grip (40 hex digits). */
struct agent_keyinfo {
	bool present;		/* the agent holds the secret key */
	bool protected_;	/* it is protected by a passphrase */
	bool cached;		/* and the agent holds that passphrase now */
};
int agent_keyinfo(struct agent *a, const char *grip, struct agent_keyinfo *ki,
		  struct err *e);

/*
 * PKSIGN of a hash by the key grip: hash_algo is "sha256", "sha384" or
 * "sha512" and len the hash's length (ECDSA wants a hash at least as long
 * as the curve's order: SHA-384 for P-384, SHA-512 for P-521).  *sig
 * (appended) is the agent's sig-val S-expression in canonical form, e.g.
 * (sig-val(rsa(s ...))) or (sig-val(ecdsa(r ...)(s ...))).  desc names
 * the key for the person (the passphrase callback receives it).
 */
int agent_pksign(struct agent *a, const char *grip, const char *desc,
		 const char *hash_algo, const unsigned char *hash, size_t len,
		 struct buf *sig, struct err *e);

/*
 * PKDECRYPT by the key grip of enc_val, a canonical enc-val S-expression
 * ((enc-val(rsa(a ...))), with (flags pkcs1) or (flags oaep)(hash-algo
 * sha256) to have the agent remove the padding, or (enc-val(ecdh(s ..)
 * (e ..))) for key agreement): *value (appended) is the bytes of the
 * agent's (value ...).
 */
int agent_pkdecrypt(struct agent *a, const char *grip, const char *desc,
		    const void *enc_val, size_t len, struct buf *value,
		    struct err *e);

/*
 * IMPORT_KEY: key is a canonical (private-key(rsa(n)(e)(d)(p)(q)(u))) or
 * (private-key(ecc(curve NAME)(q)(d))) S-expression; it is sent wrapped
 * (AES key wrap, RFC 3394) with the agent's import key, and the agent
 * protects it with passphrase ("" leaves it unprotected).  A key the
 * agent already holds is left as it is: 0 with *existed set.
 */
int agent_import_key(struct agent *a, const void *key, size_t len,
		     const char *passphrase, bool *existed, struct err *e);

/*
 * Canonical S-expressions: the data of the first atom that follows the
 * atom token (as in "(1:s256:..." for token "s"), searched depth first.
 * Returns 0 with *val / *vlen borrowed from p, -1 when there is none or
 * p is not a well-formed canonical S-expression.
 */
int agent_sexp_find(const void *p, size_t n, const char *token,
		    const unsigned char **val, size_t *vlen);
/* Appends "LEN:" and the bytes, the canonical form of one atom. */
void agent_sexp_atom(struct buf *out, const void *p, size_t n);
/* Appends an unsigned big-endian integer as an atom in GnuPG's form: no
 * leading zero bytes, except one when the top bit is set. */
void agent_sexp_mpi(struct buf *out, const void *p, size_t n);

#endif
