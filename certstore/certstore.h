/*
 * certstore.h — correspondents' certificates: harvesting from signed mail,
 * the address -> certificate bindings and their history, and the choice of
 * the certificate to encrypt to.
 *
 * Where things live:
 *   - <data_dir>/certstore.db (SQLite, WAL): certificates, bindings
 *     (address -> certificate, with a state), history of every change, and
 *     the "seen" table of messages already harvested.
 *   - The certificates themselves are in the database too: encryption
 *     takes the one a binding chose from there (smime_engine_add_cert),
 *     and nothing a message carries is written to gpgsm's keybox.  Chain
 *     validation to a trust anchor is cachet's own, against the same
 *     anchors the verdict of a message uses (certstore_chain_check).
 *
 * Addresses are compared with the domain in lower case and the local part
 * as written (certstore_address_normalize).
 *
 * Binding states and how they change (certstore_bind):
 *   no binding    -> trusted   (mode TRUSTED, no other trusted certificate)
 *                 -> pending   (mode ASK)
 *                 -> trusted   "renewal": the address's newest trusted
 *                              certificate has the same subject and issuer,
 *                              expires within CERTSTORE_RENEWAL_WINDOW or has
 *                              expired, and the new one ends later
 *                 -> conflict  any other different certificate for an
 *                              address that has a trusted one
 *   pending, conflict -> trusted by a person (certstore_trust); trusting a
 *                              conflict revokes the address's other trusted
 *                              certificates, since the person chose this one
 *   any           -> revoked-by-user (certstore_remove); harvest never
 *                              brings a revoked binding back
 * Every change is written to the history table with who/why.
 *
 * Concurrency: several cachet processes may use one store at once.  The
 * database runs in WAL mode with a busy timeout, and every read-decide-write
 * runs in one BEGIN IMMEDIATE transaction.  One struct certstore is used by
 * one thread at a time.
 *
 * Errors: functions return 0 / -1 and fill the optional struct err with
 * ERR_STORE (database), ERR_CRYPTO (gpgsm), ERR_INPUT (unparsable
 * certificate or message), ERR_IO (file system), ERR_USAGE (unknown
 * fingerprint or address given by a person).  Nothing here prints or reads
 * the configuration.
 */
#ifndef CACHET_CERTSTORE_H
#define CACHET_CERTSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/base.h"

struct smime_verdict;
struct smime_engine;

/* A renewal is accepted when the old certificate ends within this window. */
#define CERTSTORE_RENEWAL_WINDOW (30 * 24 * 3600)

/* ---- Certificates (GnuTLS parsing) ---------------------------------- */

struct certstore_cert {
	char fpr_sha1[41];		/* upper-case hex, no colons */
	char fpr_sha256[65];
	unsigned char *der;		/* owned */
	size_t der_len;
	char *subject;			/* owned; RFC 4514 */
	char *issuer;			/* owned; RFC 4514 */
	char *serial;			/* owned; hex */
	time_t not_before, not_after;
	char **emails;			/* owned; normalized, no duplicates */
	size_t n_emails;
	bool is_ca;			/* basicConstraints CA:TRUE */
	bool self_signed;		/* subject == issuer */
	bool has_key_usage;		/* the keyUsage extension exists ... */
	bool ku_sign, ku_encrypt;	/* ... digitalSignature, keyEncipherment
					 * (keyAgreement for an EC key) */
	bool has_eku;			/* the extendedKeyUsage extension exists ... */
	bool eku_email;			/* ... and lists emailProtection */
};

/* Parses one certificate, DER or PEM.  ERR_INPUT when it is neither. */
int certstore_cert_parse(const void *data, size_t len,
			 struct certstore_cert **out, struct err *e);
/*
 * Parses every certificate in data: one DER certificate, PEM with one or
 * more CERTIFICATE blocks, or PKCS#7 (.p7c, certs-only; DER or PEM).
 * *out is an owned array of *n owned certificates.  ERR_INPUT when nothing
 * in data is a certificate.
 */
int certstore_cert_parse_all(const void *data, size_t len,
			     struct certstore_cert ***out, size_t *n,
			     struct err *e);
void certstore_cert_free(struct certstore_cert **c);
void certstore_certs_free(struct certstore_cert ***v, size_t n);
bool certstore_cert_has_email(const struct certstore_cert *c, const char *addr);
/* PEM text of a certificate; owned by the caller. */
char *certstore_cert_pem(const struct certstore_cert *c);

/*
 * Normalizes an address for comparison: lower-case domain, local part as
 * written, no surrounding spaces or angle brackets.  NULL if there is no
 * '@' with something on both sides.
 */
char *certstore_address_normalize(const char *addr);

/* ---- Checks ---------------------------------------------------------- */

/*
 * The reasons a certificate is refused: short codes, as in
 * `harvest --json`'s "refused" entries.
 */
#define CERTSTORE_R_NOT_SIGNED		"not-signed"
#define CERTSTORE_R_INVALID		"invalid-signature"
#define CERTSTORE_R_PARTIAL		"partial"
#define CERTSTORE_R_UNTRUSTED		"untrusted"
#define CERTSTORE_R_EXPIRED		"expired"
#define CERTSTORE_R_NOT_YET_VALID	"not-yet-valid"
#define CERTSTORE_R_REVOKED		"revoked"
#define CERTSTORE_R_FROM_MISMATCH	"from-mismatch"
#define CERTSTORE_R_NO_FROM		"no-from"
#define CERTSTORE_R_NO_EMAIL_PROTECTION	"no-email-protection"
#define CERTSTORE_R_NO_ENCRYPTION	"no-key-encipherment"
#define CERTSTORE_R_CA_CERT		"ca-certificate"
#define CERTSTORE_R_NO_EMAIL		"no-email"
#define CERTSTORE_R_CONFLICT		"conflict"
#define CERTSTORE_R_REVOKED_BY_USER	"revoked-by-user"
#define CERTSTORE_R_POLICY_NEVER	"policy-never"
#define CERTSTORE_R_BAD_CERT		"bad-certificate"

/*
 * Checks of the certificate itself (GnuTLS): not a CA, inside its validity
 * at now, emailProtection where the extendedKeyUsage extension exists,
 * digitalSignature or keyEncipherment allowed where keyUsage exists.
 * Returns NULL when it passes, or a reason code (static string).
 */
const char *certstore_cert_check(const struct certstore_cert *c, time_t now);

/* ---- The store ------------------------------------------------------- */

struct certstore;

/*
 * Opens (creating) <data_dir>/certstore.db: the directory is created 0700,
 * the file 0600.  gnupg_home is the gpgsm home for the keybox and trust
 * anchors (NULL: GPGME's default).  ERR_STORE, ERR_IO.
 */
int certstore_open(const char *data_dir, const char *gnupg_home,
		   struct certstore **out, struct err *e);
void certstore_close(struct certstore **s);

enum certstore_state {
	CERTSTORE_TRUSTED = 0,
	CERTSTORE_PENDING,
	CERTSTORE_CONFLICT,
	CERTSTORE_REVOKED,	/* "revoked-by-user" */
};
const char *certstore_state_name(enum certstore_state s);

enum certstore_mode {
	CERTSTORE_MODE_TRUSTED = 0,	/* policy harvest = trusted */
	CERTSTORE_MODE_ASK,		/* policy harvest = ask: bind as pending */
};

/* Where a binding came from, written to the bindings and the history. */
struct certstore_origin {
	const char *source;	/* "harvest", "import", "certs-only" */
	const char *message_id;	/* may be NULL */
	const char *date;	/* the message's Date header, may be NULL */
	const char *file;	/* may be NULL; for the history's "why" */
};

/* What certstore_bind did. */
enum certstore_change {
	CERTSTORE_CHANGE_NEW = 0,	/* a new binding (trusted or pending) */
	CERTSTORE_CHANGE_KNOWN,		/* the binding existed; last seen updated */
	CERTSTORE_CHANGE_RENEWAL,	/* accepted as a renewal */
	CERTSTORE_CHANGE_CONFLICT,	/* recorded as a conflict */
};
const char *certstore_change_name(enum certstore_change c);

/*
 * Binds address (normalized here) to certificate c, which the caller has
 * checked (certstore_check_*), following the state machine above, in one
 * IMMEDIATE transaction.  *state is the binding's state afterwards,
 * *change what happened.  ERR_STORE.
 */
int certstore_bind(struct certstore *s, const char *address,
		   const struct certstore_cert *c, enum certstore_mode mode,
		   const struct certstore_origin *o, time_t now,
		   enum certstore_state *state, enum certstore_change *change,
		   struct err *e);

/* A binding as listed. */
struct certstore_binding {
	char *address;			/* owned */
	enum certstore_state state;
	time_t first_seen, last_seen;
	char *message_id;		/* owned, may be NULL */
	char *message_date;		/* owned, may be NULL */
	char *source;			/* owned */
	struct certstore_cert *cert;	/* owned */
	/* What the correspondent announced in sMIMECapabilities (dotted
	 * identifiers, as smime_own_capabilities), or NULL when no harvested
	 * message said; capabilities_time is that message's signingTime (0:
	 * it had none). */
	char *capabilities;		/* owned */
	time_t capabilities_time;
};

struct certstore_history {
	time_t at;
	char *address;			/* owned */
	char *fpr_sha1;			/* owned */
	char *action;			/* owned: harvest, import, trust, remove, renewal, conflict */
	char *old_state;		/* owned, may be NULL */
	char *new_state;		/* owned */
	char *why;			/* owned, may be NULL */
};

/*
 * All bindings (sorted by address, then newest certificate first), or
 * those of one address or fingerprint (SHA-1 or SHA-256, any case, colons
 * allowed) when filter is not NULL.  ERR_STORE.
 */
int certstore_list(struct certstore *s, const char *filter,
		   struct certstore_binding **out, size_t *n, struct err *e);
void certstore_bindings_free(struct certstore_binding **v, size_t n);
/* History entries for an address or fingerprint, oldest first. */
int certstore_history_list(struct certstore *s, const char *filter,
			   struct certstore_history **out, size_t *n,
			   struct err *e);
void certstore_history_free(struct certstore_history **v, size_t n);

/*
 * A person's decisions about a certificate (fingerprint as above).
 * certstore_trust: its pending or conflict bindings become trusted.
 * certstore_remove: all its bindings become revoked-by-user.
 * *count is the number of bindings changed.  ERR_USAGE when the store does
 * not know the fingerprint, ERR_STORE.
 */
int certstore_trust(struct certstore *s, const char *fpr, time_t now,
		    size_t *count, struct err *e);
int certstore_remove(struct certstore *s, const char *fpr, time_t now,
		     size_t *count, struct err *e);

/* ---- Choice of the certificate to encrypt to ------------------------- */

enum certstore_none {
	CERTSTORE_NONE_NO_CERT = 0,	/* the store knows nothing for the address */
	CERTSTORE_NONE_EXPIRED,		/* only expired (or not yet valid) ones */
	CERTSTORE_NONE_CONFLICT,	/* a conflict waits for a person's decision */
	CERTSTORE_NONE_PENDING,		/* only pending ones (policy harvest = ask) */
	CERTSTORE_NONE_REVOKED,		/* the person revoked it */
	CERTSTORE_NONE_UNUSABLE,	/* trusted, but not allowed to encrypt */
};

struct certstore_choice {
	bool found;
	struct certstore_cert *cert;	/* owned; when found */
	enum certstore_none why;	/* when !found */
	char *detail;			/* owned; a sentence for the person */
	char *capabilities;		/* owned; the binding's, when found (may be NULL) */
};

/*
 * The certificate to encrypt to for address: the newest (latest
 * not_before) trusted bound certificate valid at now that allows
 * encryption; none while any binding of the address is in conflict.
 * Returns 0 with choice filled either way; -1 only on ERR_STORE.
 */
int certstore_choose(struct certstore *s, const char *address, time_t now,
		     struct certstore_choice *choice, struct err *e);
void certstore_choice_release(struct certstore_choice *c);

/*
 * Records what the binding of address to the certificate fpr announced:
 * oids (dotted, as smime_signer's capabilities) from a harvested message
 * signed at signing_time (0: no signingTime).  They replace what is
 * recorded only when signing_time is later than the recorded one (a
 * message without signingTime fills an empty place only), so the newest
 * signed message decides whatever order messages are harvested in.
 * ERR_STORE.
 */
int certstore_capabilities_record(struct certstore *s, const char *address,
				  const char *fpr, const char *oids,
				  time_t signing_time, time_t now, struct err *e);

/* ---- Chains and trust anchors ------------------------------------------ */

/*
 * Whether c's chain reaches one of the store's trust anchors (the same
 * anchors and the same in-process check as signature verification), with
 * the certificates extra (may include c; untrusted intermediates for this
 * check only, e.g. the rest of a certs-only bundle) and no others.
 * Returns 0 with *reason NULL (valid) or a reason code (untrusted,
 * expired, revoked); -1 on ERR_CRYPTO or ERR_STORE (the anchors).
 * Nothing is written to gpgsm's home.
 */
int certstore_chain_check(struct certstore *s, const struct certstore_cert *c,
			  struct certstore_cert *const *extra, size_t n_extra,
			  const char **reason, struct err *e);
/*
 * The trust anchors of signature verification, kept in the store: those
 * added with certstore_trust_anchor_add, and those seeded from gpgsm's
 * trustlist.txt and keybox (smime_anchors_seed, a read-only listing that
 * starts gpgsm).  They are seeded again only when trustlist.txt's text or
 * the keybox file (its size, time, inode) is not what they were seeded
 * from, so verifying otherwise starts no gpgsm.  certstore_anchors hands them over (owned; smime_anchors_free);
 * certstore_give_anchors gives them to eng (smime_engine_set_anchors),
 * with the certificates of trusted bindings (smime_engine_add_cert), where
 * verification looks for a signer whose message does not carry its
 * certificate.
 * ERR_STORE, ERR_CRYPTO (gpgsm cannot be asked), ERR_INPUT.
 */
int certstore_anchors(struct certstore *s, unsigned char ***ders, size_t **lens,
		      size_t *n, struct err *e);
int certstore_give_anchors(struct certstore *s, struct smime_engine *eng,
			   struct err *e);
/*
 * Makes CA certificate ca a trust anchor: records it among the store's
 * anchors, imports it into the keybox and adds "SHA1-WITH-COLONS S" to
 * <gnupg_home>/trustlist.txt (unless present).
 * *added is false when it was already there.  ERR_INPUT (not a CA),
 * ERR_IO, ERR_CRYPTO.
 */
int certstore_trust_anchor_add(struct certstore *s, const struct certstore_cert *ca,
			       bool *added, struct err *e);
/* Forgets refusals recorded as "untrusted" in the seen table, so that the
 * next harvest looks at those messages again (after a new trust anchor). */
int certstore_seen_forget_untrusted(struct certstore *s, struct err *e);

/* ---- Harvest --------------------------------------------------------- */

/* One certificate's outcome for one message. */
struct certstore_outcome {
	char *email;			/* owned; may be NULL when unknown */
	char *fingerprint;		/* owned; SHA-1, may be NULL */
	const char *reason;		/* NULL: stored; else a CERTSTORE_R_* code */
	enum certstore_state state;	/* when stored (or conflict) */
	enum certstore_change change;	/* when stored (or conflict) */
};

struct certstore_outcomes {
	struct certstore_outcome *v;	/* owned */
	size_t n;
};
void certstore_outcomes_release(struct certstore_outcomes *o);
/* A short summary for the seen table (owned): "stored", or the reasons. */
char *certstore_outcomes_summary(const struct certstore_outcomes *o);

/* What a message says about itself (header fields, unfolded). */
struct certstore_msginfo {
	char *from;			/* owned; normalized address, or NULL */
	size_t n_from;			/* From addresses seen (several: refused) */
	char *message_id;		/* owned, may be NULL */
	char *date;			/* owned, may be NULL */
	bool certs_only;		/* top-level application/pkcs7-mime; smime-type=certs-only */
	unsigned char *certs_der;	/* owned; the decoded certs-only body */
	size_t certs_der_len;
};

/* Reads the header (and a certs-only body).  ERR_INPUT. */
int certstore_msginfo_parse(const char *msg, size_t len,
			    struct certstore_msginfo *out, struct err *e);
void certstore_msginfo_release(struct certstore_msginfo *m);

/*
 * The identity of a message without one from its source (see
 * certstore_harvest_message): SHA-256 of its bytes
 * (hex), so a Maildir file that moves from new/ to cur/ or changes flags
 * stays seen, and a file rewritten with other bytes is looked at again.
 */
void certstore_message_key(const void *msg, size_t len, char out[65]);
/*
 * Whether key was harvested before; *result (owned, may be NULL) is the
 * summary recorded then.  Returns 1 seen, 0 not seen, -1 ERR_STORE.
 */
int certstore_seen_get(struct certstore *s, const char *key, char **result,
		       struct err *e);
int certstore_seen_put(struct certstore *s, const char *key,
		       const char *message_id, const char *result, time_t now,
		       struct err *e);

/*
 * Harvests from the verdict of a signed message: for each signer, the
 * signer's own certificate (never other certificates the SignedData
 * carries; from the verdict's cert_der, else the store's copy or gpgsm's
 * keybox by the signer's fingerprint) is stored only when the signature is valid and covers the whole
 * message, the chain reaches a trust anchor, the certificate passes
 * certstore_cert_check and carries the From address (info->from).
 * Outcomes are appended to out.  -1 on ERR_STORE / ERR_CRYPTO only:
 * refusals are outcomes.
 */
int certstore_harvest_verdict(struct certstore *s, const struct smime_verdict *v,
			      const struct certstore_msginfo *info,
			      enum certstore_mode mode, const char *file,
			      time_t now, struct certstore_outcomes *out,
			      struct err *e);
/*
 * Harvests a certs-only message: each end-entity certificate in it that
 * carries the From address, passes certstore_cert_check and chains to a
 * trust anchor is bound to that address.  -1 on ERR_STORE / ERR_CRYPTO.
 */
int certstore_harvest_certs_only(struct certstore *s,
				 const struct certstore_msginfo *info,
				 enum certstore_mode mode, const char *file,
				 time_t now, struct certstore_outcomes *out,
				 struct err *e);
/*
 * Harvest's one entry point, for the screen and `cachet harvest` alike, so
 * that a message harvested by one is seen by the other.  The seen table
 * knows the message by one key: identity, when its source gives it a
 * stable one (an IMAP message: imap_message_identity), else
 * certstore_message_key of its bytes (a file, a Maildir message, standard
 * input).  A message seen before sets *seen and is not looked at again.
 * Otherwise a certs-only message goes through certstore_harvest_certs_only
 * and any other through certstore_harvest_verdict, with v when the caller
 * has the verdict (the screen computed it to show it; with
 * SMIME_VERIFY_CERT_DER, no keybox lookup is needed), else the verdict of
 * smime_verify on *eng, which is started on the store's gnupg home at the
 * first message that needs it and left to the caller to free; the result
 * is then recorded as seen.  msg may be NULL with an identity: only the
 * seen check is made, so that an IMAP message seen before is never
 * fetched.  out starts empty.  ERR_INPUT for a message without a header
 * (nothing recorded), ERR_STORE, ERR_CRYPTO; refusals are outcomes.
 */
int certstore_harvest_message(struct certstore *s, const char *identity,
			      const char *msg, size_t len,
			      const struct smime_verdict *v,
			      struct smime_engine **eng, enum certstore_mode mode,
			      const char *file, time_t now,
			      struct certstore_outcomes *out, bool *seen,
			      struct err *e);
/*
 * `certs import`: binds certificate c to each of its addresses after the
 * same checks (unless force, which skips the checks but records it in the
 * history), the certificates extra (the rest of the file; may include c)
 * serving as intermediates of its chain for this check only.  -1 on
 * ERR_STORE / ERR_CRYPTO.
 */
int certstore_import_cert(struct certstore *s, const struct certstore_cert *c,
			  struct certstore_cert *const *extra, size_t n_extra,
			  bool force, const char *file, time_t now,
			  struct certstore_outcomes *out, struct err *e);

#endif
