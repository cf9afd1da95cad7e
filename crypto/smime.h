/*
 * smime.h — the S/MIME layer of cachet: MIME structure of the crypto layers,
 * sign / encrypt / decrypt through GPGME's CMS protocol (gpgsm), signature
 * verification in process (GnuTLS: the SignedData, the signer's chain to
 * explicit trust anchors), and the verdict of a message.
 *
 * Revocation is asked of dirmngr over its Assuan socket as gpgsm asks it:
 * CHECKCRL unless gpgsm.conf says disable-crl-checks, CHECKOCSP first when
 * it says enable-ocsp; a certificate a CRL lists, or the issuer's OCSP
 * responder says is revoked, makes the signer revoked.  Verifying writes
 * nothing anywhere and starts no gpgsm once the anchors are known: the
 * certificates a message carries are intermediates for that message only,
 * never anchors, never kept.  Work per SignedData is bounded
 * (SMIME_MAX_CERTIFICATES, SMIME_MAX_SIGNERS).
 *
 * Nothing here reads configuration or prints: callers pass what is needed
 * and get status plus a struct err.  A bad signature is a verdict, not an
 * error: smime_verify returns 0 and a verdict saying "invalid".
 *
 * Messages are handled as raw bytes: signatures are over exact bytes, so no
 * function here re-encodes what it does not have to.  Generated messages use
 * the line ending of their input (LF or CRLF); everything signed or
 * encrypted is in canonical CRLF form, as RFC 8551 requires.
 *
 * Error codes (struct err): ERR_INPUT for a message that cannot be parsed or
 * exceeds SMIME_MAX_MESSAGE / SMIME_MAX_DEPTH / SMIME_MAX_PARTS; ERR_CRYPTO for engine
 * failures (gpgsm not found, agent refused, key needs a passphrase, trust
 * anchors that cannot be listed); ERR_UNSUPPORTED for algorithms gpgsm
 * cannot handle; ERR_NOCERT when no
 * usable certificate exists for an address.
 *
 * Thread-safety: a struct smime_engine is used by one thread at a time;
 * separate engines may run in separate threads.
 */
#ifndef CACHET_SMIME_H
#define CACHET_SMIME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/base.h"

/* Limits of the MIME parser (bytes of one message; nesting of entities;
 * parts of one multipart). */
#define SMIME_MAX_MESSAGE ((size_t)64 << 20)
#define SMIME_MAX_DEPTH 16
#define SMIME_MAX_PARTS 10000
/* Limits of one SignedData: certificates it carries, SignerInfos.  Over
 * either, its layer is invalid with the warning too-many-certificates or
 * too-many-signers and nothing in it is parsed further. */
#define SMIME_MAX_CERTIFICATES 64
#define SMIME_MAX_SIGNERS 16

/*
 * The MIME parser over raw bytes that every verdict is computed with.
 * Whatever shows a message's structure to a person (the screen's pager)
 * parses it with these same functions, so what is shown as the signed part
 * is the part the signature was checked over: two parsers that disagree
 * (a boundary in a comment, a delimiter with a suffix) are how a valid
 * banner ends up above text nobody signed.
 */
/* A borrowed range of bytes. */
struct mime_range {
	const char *p;	/* foreign */
	size_t n;
};

/*
 * An entity: header block, blank line, body.  All pointers borrow from the
 * parsed bytes.  hdr includes the line end of its last field; body starts
 * after the blank line.  An entity without a blank line is all header.
 */
struct mime_entity {
	struct mime_range raw;
	struct mime_range hdr;
	struct mime_range body;
	const char *eol;	/* "\r\n" or "\n": the first line's ending */
};

/* One header field: name (without the colon) and the whole raw field
 * including folded continuation lines and its line end. */
struct mime_field {
	struct mime_range name;
	struct mime_range raw;
	struct mime_range value;	/* after the colon, folded, raw */
};

/* Splits p into header and body.  strict: every header line must be a
 * field (for top-level messages); otherwise an entity that starts with a
 * non-field line is taken as having no header.  ERR_INPUT on failure. */
int mime_entity_parse(const char *p, size_t n, bool strict,
		      struct mime_entity *m, struct err *e);
/* Iterates fields: *pos starts at 0; returns 1 with f filled, 0 at end. */
int mime_field_next(const struct mime_range *hdr, size_t *pos,
		    struct mime_field *f);
bool mime_field_is(const struct mime_field *f, const char *name);
/* The field's value unfolded (line ends removed) and trimmed, owned. */
char *mime_field_value(const struct mime_field *f);
/* Unfolded, trimmed value of the idx-th field called name (owned), or NULL. */
char *mime_header_get(const struct mime_entity *m, const char *name, size_t idx);
size_t mime_header_count(const struct mime_entity *m, const char *name);
/* A content header (Content-*) belongs to the entity, not the message. */
bool mime_field_is_content(const struct mime_field *f);

/* A parsed Content-Type: type and subtype lower case, parameters with
 * lower-case names and unquoted values. */
struct mime_ctype {
	char *type;		/* owned */
	char *subtype;		/* owned */
	char **names;		/* owned */
	char **values;		/* owned */
	size_t n;
};
/* Parses value (NULL means the default text/plain; charset=us-ascii).
 * ERR_INPUT when the type is not "token/token". */
int mime_ctype_parse(const char *value, struct mime_ctype *ct, struct err *e);
/* Content-Disposition: the disposition in type (lower case), subtype "",
 * parameters as for Content-Type; -1 when there is no disposition token. */
int mime_disposition_parse(const char *value, struct mime_ctype *d);
/* Content type of an entity (default text/plain on a missing or bad field). */
void mime_entity_ctype(const struct mime_entity *m, struct mime_ctype *ct);
const char *mime_ctype_param(const struct mime_ctype *ct, const char *name);
bool mime_ctype_is(const struct mime_ctype *ct, const char *type,
		   const char *subtype);
void mime_ctype_release(struct mime_ctype *ct);

/* Splits a multipart body at boundary (RFC 2046: the line end before a
 * delimiter belongs to the delimiter).  *parts is owned (free()).  *closed
 * tells whether the close delimiter was seen.  ERR_INPUT when no delimiter
 * is found (*n is 0) or there are more than SMIME_MAX_PARTS parts (*n is
 * the count reached). */
int mime_multipart_split(const char *body, size_t len, const char *boundary,
			 struct mime_range **parts, size_t *n, bool *closed,
			 struct err *e);

/*
 * Codecs (codec.c): the one reader and writer of base64 and
 * quoted-printable.  Each reader has two modes over one loop: strict, for
 * whatever a verdict or a certificate depends on, and lenient, for what is
 * only shown to a person.
 *
 * codec_base64_decode: white space is skipped; any other byte outside the
 * alphabet, data after the padding and bad padding are ERR_INPUT.
 * codec_base64_decode_lenient: every byte outside the alphabet is skipped,
 * the first "=" ends the data, missing padding is no error.
 * codec_base64_encode: lines of 76 characters ended by eol ("" for none).
 */
void codec_base64_encode(const void *in, size_t n, const char *eol,
			 struct buf *out);
int codec_base64_decode(const char *in, size_t n, struct buf *out,
			struct err *e);
void codec_base64_decode_lenient(const char *in, size_t n, struct buf *out);
/*
 * codec_qp_decode: soft line breaks removed, trailing white space dropped
 * (transport padding), hard line breaks become CRLF; ERR_INPUT on a bad
 * "=" escape.  codec_qp_decode_lenient: soft line breaks ("=", optional
 * white space and CR, then the line end, or the end of the data) removed,
 * everything else kept as it is, line ends included; a bad escape stays
 * literally, but for "=X" at the very end, which loses its "=".
 * codec_q_word_decode: the same for RFC 2047's "Q" encoding ("_" is a
 * space).  The lenient readers never fail.
 */
void codec_qp_encode(const char *in, size_t n, const char *eol, struct buf *out);
int codec_qp_decode(const char *in, size_t n, struct buf *out, struct err *e);
void codec_qp_decode_lenient(const char *in, size_t n, struct buf *out);
void codec_q_word_decode(const char *in, size_t n, struct buf *out);
/* The value of a hexadecimal digit (either case), or -1. */
int codec_hex_digit(char c);
/* Bare LF (and bare CR) become CRLF. */
void codec_crlf(const char *in, size_t n, struct buf *out);
/* Line ends become eol ("\n" or "\r\n"). */
void codec_eol(const char *in, size_t n, const char *eol, struct buf *out);
/* True when the bytes are not 7-bit safe for signing: NUL, 8-bit bytes,
 * bare CR, or a line longer than 998 octets. */
bool codec_needs_encoding(const char *in, size_t n);

/*
 * Reading for display (mime_display.c): lenient, never an error.  What
 * the screen and the mail sources show of a message; the verdict never
 * depends on these.
 *
 * mime_header_end: the offset of the body (after the first empty line),
 * or len when there is none.  mime_header_first: the unfolded value of the
 * first field name in the header block at hdr, owned, or NULL.
 */
size_t mime_header_end(const char *msg, size_t len);
char *mime_header_first(const char *hdr, size_t len, const char *name);
/* RFC 2047 decoding of a header value to sanitised UTF-8 (owned). */
char *mime_header_decode(const char *value);
/* mime_header_first, decoded by mime_header_decode; NULL when absent. */
char *mime_header_first_decoded(const char *hdr, size_t len, const char *name);
/*
 * Appends src undone from its transfer encoding ("base64",
 * "quoted-printable", anything else as is) by the lenient codecs.
 */
void mime_transfer_decode_lenient(struct buf *out, const char *encoding,
				  const char *src, size_t len);
/* An RFC 5322 date as a time; 0 when it cannot be read. */
time_t mime_date_parse(const char *s);

/* Signature state, in order from best to worst: the weakest signer wins. */
enum smime_sig {
	SMIME_SIG_NONE = 0,
	SMIME_SIG_VALID,
	SMIME_SIG_UNTRUSTED,
	SMIME_SIG_EXPIRED,
	SMIME_SIG_REVOKED,
	SMIME_SIG_MISMATCH,
	SMIME_SIG_INVALID,
};

enum smime_coverage {
	SMIME_COVERAGE_NONE = 0,	/* nothing is signed */
	SMIME_COVERAGE_WHOLE,		/* the signature covers what is shown */
	SMIME_COVERAGE_PART,		/* only a part of the message is signed */
	SMIME_COVERAGE_CIPHERTEXT,	/* the signature covers ciphertext only */
};

enum smime_decryption {
	SMIME_DECRYPT_NONE = 0,
	SMIME_DECRYPT_OK,
	SMIME_DECRYPT_FAILED,
	SMIME_DECRYPT_REFUSED,	/* encrypted part that is not the top crypto layer */
};

/*
 * One SignerInfo of one signature layer.  For the certstore's harvest: a
 * signer is worth storing only when state == SMIME_SIG_VALID and the layer's
 * coverage is whole; emails are the certificate's own addresses (subject
 * emailAddress and subjectAltName rfc822Name, as gpgsm lists them, lower
 * case domain), never the message's display name.  cert_der is filled only
 * when smime_verify is called with SMIME_VERIFY_CERT_DER.
 */
struct smime_signer {
	enum smime_sig state;
	char *email;		/* owned; first address in the certificate, or NULL */
	char **emails;		/* owned; all addresses in the certificate */
	size_t n_emails;
	char *fingerprint;	/* owned; SHA-1 hex, upper case, no colons, or NULL */
	char *subject;		/* owned; RFC 4514 string, or NULL */
	char *issuer;		/* owned, or NULL */
	time_t not_before, not_after;	/* 0 when unknown */
	unsigned char *cert_der; /* owned; the signer's own certificate, or NULL */
	size_t cert_der_len;
	/* With cert_der: the certificates of the message that verification
	 * chained it through (owned; the signer's issuer first), so that a
	 * second look at the chain can use the same intermediates. */
	struct smime_der {
		unsigned char *der;	/* owned */
		size_t len;
	} *issuers;
	size_t n_issuers;
	char *detail;		/* owned; why the state is what it is, or NULL */
	enum smime_coverage coverage;	/* of the layer this signer signed */
	/* The signed attributes sMIMECapabilities (dotted identifiers, as
	 * smime_own_capabilities) and signingTime, read only from a signature
	 * that verified: NULL and 0 otherwise, or when absent. */
	char *capabilities;	/* owned */
	time_t signing_time;
};

/*
 * What a verdict warns of, in the order crypto/verify.c can raise them.
 * smime_warning_name gives the short code of verify --json's "warnings"
 * array (DESIGN.md's contract: these strings never change);
 * smime_warning_words a sentence for a person.
 */
enum smime_warning {
	SMIME_WARN_NO_SIGNERS = 0,	/* no-signers: a signature layer names nobody */
	SMIME_WARN_MULTIPLE_SIGNERS,	/* multiple-signers */
	SMIME_WARN_MULTIPLE_FROM,	/* multiple-from: several From fields, or one
					 * naming several addresses */
	SMIME_WARN_NO_FROM,		/* no-from */
	SMIME_WARN_FROM_MISMATCH,	/* from-mismatch: From not in the signer's
					 * certificate */
	SMIME_WARN_DETACHED_WITH_CONTENT, /* detached-with-content */
	SMIME_WARN_ENCRYPTED_PART_REFUSED, /* encrypted-part-refused */
	SMIME_WARN_TRUNCATED_MULTIPART,	/* truncated-multipart */
	SMIME_WARN_UNSIGNED_CONTENT,	/* unsigned-content */
	SMIME_WARN_SENDER_MISMATCH,	/* sender-mismatch */
	SMIME_WARN_SIGNATURE_OVER_CIPHERTEXT, /* signature-over-ciphertext */
	SMIME_WARN_INNER_FROM_MISMATCH,	/* inner-from-mismatch: a From inside the
					 * signed or encrypted content that is not
					 * the outer From the person sees; its
					 * signers become mismatch */
	SMIME_WARN_WEAK_DIGEST,		/* weak-digest: a SignerInfo's digest is MD5,
					 * SHA-1 or another digest broken for
					 * signatures, whatever micalg says; the
					 * signer's detail names it, its state is
					 * left to the certificate checks; MD5 and
					 * MD2 are refused: the signer is invalid */
	SMIME_WARN_TOO_MANY_CERTIFICATES, /* too-many-certificates: a SignedData
					 * over SMIME_MAX_CERTIFICATES; invalid,
					 * not read further */
	SMIME_WARN_TOO_MANY_SIGNERS,	/* too-many-signers: over
					 * SMIME_MAX_SIGNERS; invalid, not read
					 * further */
	SMIME_WARN_REVOCATION_UNKNOWN,	/* revocation-unknown: CRL checks or OCSP
					 * are on in gpgsm.conf and dirmngr could
					 * not say (no CRL, no OCSP answer, or one
					 * from a signer the issuer did not make a
					 * responder) whether a certificate of the
					 * chain is revoked; the signer's detail
					 * says why, its state is what the rest
					 * of the checks made it */
	SMIME_WARN_HEADER_MISMATCH,	/* header-mismatch: a header field outside
					 * the cryptographic payload differs from
					 * what the protected headers (RFC 9788)
					 * say it should be: changed, added or
					 * removed after the message was sent;
					 * the verdict's header_changes name them */
	SMIME_WARN_UNSIGNED_FROM_SIGNER, /* unsigned-from-signer: no signature,
					 * but the certificate store holds a
					 * trusted binding for the From address
					 * (added by the caller, who has the
					 * store and the policy) */
	SMIME_WARNING_COUNT
};

const char *smime_warning_name(enum smime_warning w);
const char *smime_warning_words(enum smime_warning w);

/*
 * Header protection (RFC 9788, hp.c).  A message's protected headers are
 * the header fields of the root of its cryptographic payload, the first
 * entity inside its top crypto chain that is not itself a signature or an
 * encryption, when that entity's Content-Type has the parameter
 * hp="clear" (signed only: the outer header is a copy) or hp="cipher"
 * (encrypted: the outer header is what the HP-Outer fields inside say it
 * is, such as "Subject: [...]").  Without that parameter a message has no
 * protected headers, whatever fields its inner parts carry.
 */
enum smime_hp {
	SMIME_HP_NONE = 0,
	SMIME_HP_CLEAR,
	SMIME_HP_CIPHER,
};

/* One header field: its name as written, its value unfolded and raw. */
struct smime_field {
	char *name;		/* owned */
	char *value;		/* owned */
};

/*
 * An outer header field that is not what the protected headers say it
 * should be (checked for the fields of smime_hp_fields): outer is NULL
 * when the outer header lacks a field it should have, expected is NULL
 * when the outer header has one it should not have (added outside), and
 * both are set when the values differ.  Values are unfolded, raw.
 */
struct smime_header_change {
	const char *name;	/* foreign; one of smime_hp_fields */
	char *outer;		/* owned, or NULL */
	char *expected;		/* owned, or NULL */
};

/* The fields cachet protects when it signs or encrypts, in this order, and
 * compares on the way in; NULL-terminated. */
extern const char *const smime_hp_fields[];

/*
 * The verdict of one message.  signature is the weakest signer's state
 * (SMIME_SIG_INVALID when a signature layer has no signer at all);
 * coverage is whole when some signature on the top crypto chain covers the
 * content shown, else ciphertext, else part.  warnings holds each warning
 * once, in the order it was raised.
 */
struct smime_verdict {
	enum smime_sig signature;	/* the weakest signer's state */
	enum smime_coverage coverage;
	enum smime_decryption decryption;
	struct smime_signer *signers;	/* owned */
	size_t n_signers;
	char *from;			/* owned; the From address, or NULL */
	enum smime_warning warnings[SMIME_WARNING_COUNT];
	size_t n_warnings;
	char *error;			/* owned; NULL or a message */
	/* Header protection: the mode, the payload root's non-structural
	 * fields (HP-Outer excluded) in order, its HP-Outer fields (name and
	 * value of the outer field each records), and the outer fields that
	 * differ (each also raises SMIME_WARN_HEADER_MISMATCH). */
	enum smime_hp hp;
	struct smime_field *protected_fields;	/* owned */
	size_t n_protected;
	struct smime_field *hp_outer;		/* owned */
	size_t n_hp_outer;
	struct smime_header_change *header_changes;	/* owned */
	size_t n_header_changes;
	/* owned; what the person's receiving servers said (DKIM, SPF,
	 * DMARC); NULL when nobody asked (no authserv_id configured) */
	struct smime_authentication *authentication;
};

/*
 * The first protected field called name (case-insensitive), or NULL;
 * NULL too when v has no protected headers.
 */
const char *smime_protected_header(const struct smime_verdict *v,
				   const char *name);

bool smime_verdict_has_warning(const struct smime_verdict *v,
			       enum smime_warning w);

/*
 * What a verdict comes to: the one answer to "is this message good, and if
 * not, why", which the verify exit status, the pager's banner, the index's
 * mark and harvest all take from smime_verdict_summary.  The problems,
 * NOT_DECRYPTED to INVALID, are tried in this order and the first that
 * applies is the answer; a verdict with none is CAUTION or GOOD.
 *
 * GOOD is the only summary shown as good (the banner's good tone, the
 * index's S+).  GOOD and CAUTION are "valid and whole", verify's exit 0
 * (DESIGN.md): the signature holds and covers what is shown, but a
 * warning that does not undo it stands, and the screen shows it as a
 * problem.  Harvest stores from no other summary, and adds checks of its
 * own (certstore.h).
 */
enum smime_summary {
	SMIME_SUMMARY_GOOD = 0,		/* one valid signer over all that is shown,
					 * bound to the single From, no warning, no
					 * error */
	SMIME_SUMMARY_CAUTION,		/* valid and whole, but several signers,
					 * an error, or a warning of weak-digest,
					 * sender-mismatch, multiple-signers,
					 * truncated-multipart or
					 * signature-over-ciphertext (beside a
					 * signature over the text) */
	SMIME_SUMMARY_NOT_DECRYPTED,	/* the top encryption could not be opened */
	SMIME_SUMMARY_NOT_SIGNED,	/* no signature at all */
	SMIME_SUMMARY_PARTIAL,		/* the signature does not cover all that is
					 * shown: part or ciphertext coverage,
					 * unsigned-content, detached-with-content,
					 * encrypted-part-refused */
	SMIME_SUMMARY_NO_FROM,		/* no-from */
	SMIME_SUMMARY_FROM_MISMATCH,	/* From not bound to the signer: mismatch,
					 * from-mismatch, multiple-from,
					 * inner-from-mismatch */
	SMIME_SUMMARY_UNTRUSTED,
	SMIME_SUMMARY_EXPIRED,
	SMIME_SUMMARY_REVOKED,
	SMIME_SUMMARY_INVALID,		/* invalid, or a layer naming no signer */
	SMIME_SUMMARY_COUNT
};

enum smime_summary smime_verdict_summary(const struct smime_verdict *v);

struct smime_engine;

/*
 * Where passphrases come from when gpg-agent needs one (it never starts a
 * pinentry for cachet): get writes the passphrase of the key described by
 * desc into out, without a line end, and returns 0; or returns -1 with e
 * set to give up.  try counts from 1 and grows after each wrong
 * passphrase, up to SMIME_PASSPHRASE_TRIES; is_new is true when the agent
 * asks for the passphrase that
 * will protect a key being imported.  The caller (the CLI, the screen)
 * decides how to ask: a terminal, --passphrase-fd, a prompt line.
 */
#define SMIME_PASSPHRASE_TRIES 3
struct smime_passphrase {
	int (*get)(void *opaque, const char *desc, unsigned try, bool is_new,
		   struct buf *out, struct err *e);
	void *opaque;	/* foreign */
};

const char *smime_sig_name(enum smime_sig s);
const char *smime_coverage_name(enum smime_coverage c);
const char *smime_decryption_name(enum smime_decryption d);

void smime_verdict_free(struct smime_verdict **v);

/*
 * The engine: one GPGME CMS context on the gpgsm home gnupg_home (NULL:
 * GnuPG's default), opened when an operation first needs gpgsm, reused
 * across messages and recycled before gpgsm's per-context encryption
 * limit.  Errors: ERR_CRYPTO (GPGME too old); a missing or too old gpgsm is
 * ERR_CRYPTO from the first operation that needs it.
 */
int smime_engine_new(const char *gnupg_home, struct smime_engine **out,
		     struct err *e);
void smime_engine_free(struct smime_engine **eng);
/*
 * The gpgsm every GPGME CMS context of cachet runs to list and export the
 * keybox: CACHET_GPGSM when it names an executable by its absolute path
 * (for developers and the test suite, e.g. a gpgsm that logs), else NULL
 * for GPGME's own.
 */
const char *smime_gpgsm_program(void);
/*
 * Where eng's private-key operations get passphrases gpg-agent does not
 * hold (copied; NULL: nowhere, and such a key fails with ERR_CRYPTO
 * naming it and saying how to unlock it).
 */
void smime_engine_set_passphrase(struct smime_engine *eng,
				 const struct smime_passphrase *pp);

/*
 * Trust anchors of signature verification.  Signatures are checked in
 * process (GnuTLS): a chain must reach one of the engine's anchors, with
 * the certificates a message carries as intermediates for that message
 * only; nothing a message carries is kept.
 *
 * smime_engine_set_anchors gives the engine its anchors (DER certificates;
 * copied); an engine verifying without them seeds them once, on its first
 * signature, with smime_anchors_seed on its own gnupg home.  ERR_INPUT when
 * a certificate cannot be read.
 *
 * smime_anchors_seed reads gpgsm's trust list (trustlist.txt of
 * gnupg_home: "FINGERPRINT S" lines, '#' comments, '!' disabled entries
 * left out) and takes the keybox certificates it names, through a
 * read-only GPGME listing (it starts gpgsm, which writes nothing).  *ders
 * and *lens are owned arrays of *n certificates (free with
 * smime_anchors_free); *trustlist (owned, may be NULL) is the trust list's
 * text they come from, "" when there is no trust list.  ERR_CRYPTO when
 * gpgsm cannot be asked.
 */
int smime_engine_set_anchors(struct smime_engine *eng,
			     const unsigned char *const *ders, const size_t *lens,
			     size_t n, struct err *e);
int smime_anchors_seed(const char *gnupg_home, unsigned char ***ders,
		       size_t **lens, size_t *n, char **trustlist, struct err *e);
void smime_anchors_free(unsigned char **ders, size_t *lens, size_t n);
/* The fingerprints (40 hex digits, upper case, NUL-terminated, owned array
 * of *n) that a trustlist.txt text makes trusted. */
void smime_trustlist_parse(const char *text, char ***fprs, size_t *n);

/*
 * smime_cert_chain_check: whether certificate der chains, for e-mail
 * protection and at this time, to one of eng's anchors, with the
 * certificates extra (DER; untrusted intermediates for this check only)
 * and no others, and whether dirmngr knows it revoked (as for a
 * signature's chain).  *state is SMIME_SIG_VALID, _UNTRUSTED, _EXPIRED or
 * _REVOKED and *detail (owned, NULL when valid) says why in words.
 * Nothing is written anywhere.  ERR_INPUT when der cannot be read.
 */
int smime_cert_chain_check(struct smime_engine *eng, const unsigned char *der,
			   size_t len, const unsigned char *const *extra,
			   const size_t *extra_lens, size_t n_extra,
			   enum smime_sig *state, char **detail, struct err *e);
/*
 * Makes certificate der (copied) known to eng under its SHA-1 fingerprint
 * for the engine's life: encrypting to that fingerprint takes it from
 * here, not from gpgsm's keybox, and a signature whose message does not
 * carry its signer's certificate finds it here (its chain is checked as
 * any other).  The certificate store hands over the certificates of its
 * trusted bindings this way.  ERR_INPUT when der cannot be read.
 */
int smime_engine_add_cert(struct smime_engine *eng, const unsigned char *der,
			  size_t len, struct err *e);

/*
 * Certificate lookup in gpgsm's keybox.  smime_find_signer: a secret key
 * whose certificate carries addr (or whose fingerprint is addr), valid,
 * able to sign; smime_find_recipient: a valid, unexpired, unrevoked
 * certificate for addr, able to encrypt, whose chain gpgsm trusts.  On
 * success *fpr (owned by the caller) is the SHA-1 fingerprint.  When
 * nothing fits they return -1 with ERR_NOCERT and a reason in e naming
 * the address (e.g. "bob@example.org: certificate expired").
 */
int smime_find_signer(struct smime_engine *eng, const char *addr, char **fpr,
		      struct err *e);
int smime_find_recipient(struct smime_engine *eng, const char *addr,
			 char **fpr, struct err *e);

/*
 * The person's own identities: a certificate in gpgsm's keybox whose
 * secret key gpg-agent holds (gpgsm's own imports, or cachet's).
 */
struct smime_identity {
	char *fingerprint;	/* owned; SHA-1, upper-case hex */
	char *keygrip;		/* owned; the agent's name for the key, or NULL */
	char *key_type;		/* owned; "RSA-2048", "EC P-256"... */
	char **emails;		/* owned; NULL-terminated, domain lower case */
	size_t n_emails;
	char *subject;		/* owned; RFC 4514 string, or NULL */
	time_t not_before, not_after;	/* 0 when unknown */
	bool expired, revoked;
};

/*
 * Imports a PKCS#12 file (p12: its DER or PEM bytes): its password is
 * asked through pp once the bytes are known to be PKCS#12, again after a
 * wrong one (up to SMIME_PASSPHRASE_TRIES).  RSA or EC (P-256, P-384, P-521) keys, the legacy algorithms
 * and OpenSSL 3's default (AES-256-CBC, PBKDF2).  The private key goes to
 * gpg-agent (IMPORT_KEY), protected there by the same password; the
 * certificate and the rest of the chain go to gpgsm's keybox, so signing
 * and decrypting find the identity at once.  A key the agent already
 * holds is kept as it is (*key_existed set) and the import goes on.
 * The password is never kept: it is wiped once the agent has it.  On
 * success *id describes the identity (smime_identity_release).
 * Errors: ERR_INPUT (not PKCS#12, truncated, no key with its
 * certificate), ERR_USAGE (wrong password), ERR_UNSUPPORTED (another key
 * type or curve, an unknown cipher), ERR_CRYPTO (agent or gpgsm).
 */
int smime_identity_import(const char *gnupg_home, const void *p12, size_t len,
			  const struct smime_passphrase *pp, struct smime_identity *id,
			  bool *key_existed, struct err *e);
/* The identities of gnupg_home, read-only (a secret-key listing). */
int smime_identity_list(const char *gnupg_home, struct smime_identity **ids,
			size_t *n, struct err *e);
void smime_identities_free(struct smime_identity **ids, size_t n);
void smime_identity_release(struct smime_identity *id);

/*
 * Addresses in a message's header: smime_message_from gives the single
 * From address (ERR_INPUT when there is none, or more than one);
 * smime_message_recipients the addresses of To, Cc and Bcc in order,
 * without duplicates (lower-cased domain).  *addrs is a NULL-terminated
 * owned array; free with smime_strv_free.
 */
int smime_message_from(const char *msg, size_t len, char **addr, struct err *e);
int smime_message_recipients(const char *msg, size_t len, char ***addrs,
			     size_t *n, struct err *e);
void smime_strv_free(char ***v);

/*
 * Sign: msg becomes multipart/signed (protocol application/pkcs7-signature,
 * micalg sha-256, detached smime.p7s including the signer's certificate).
 * Content headers move into the signed part, 8-bit content is made 7-bit
 * (quoted-printable for text, base64 otherwise) before signing; the
 * RFC 5322 headers stay outside, and a copy of them (all but Bcc) goes
 * into the signed part as its protected headers (RFC 9788, hp="clear").
 * With flags SMIME_SIGN_TO_ENCRYPT the result is meant to be encrypted
 * next (smime_encrypt): the signed part says hp="cipher" and records in
 * HP-Outer fields the outer header the encryption will leave visible
 * (hcp_baseline: Subject "[...]", no Keywords or Comments).  signer is a
 * fingerprint as returned by smime_find_signer.  Appends the result to
 * out.
 */
#define SMIME_SIGN_TO_ENCRYPT 0x1u
int smime_sign(struct smime_engine *eng, const char *msg, size_t len,
	       const char *signer, unsigned flags, struct buf *out,
	       struct err *e);

/*
 * sMIMECapabilities (RFC 8551 2.5.2): what a correspondent announced in the
 * signed attributes of a message, kept as dotted object identifiers
 * separated by single spaces (at most SMIME_MAX_CAPABILITIES, each shorter
 * than SMIME_MAX_CAPABILITY_OID).  smime_own_capabilities: what cachet
 * announces when it signs (the sender's own certificate counts with
 * these).  smime_capability_name: a short name for a known identifier
 * ("AES-256-GCM"), else NULL.  smime_capabilities_flags: the SMIME_CAP_*
 * bits the encryption choice looks at.
 */
#define SMIME_MAX_CAPABILITIES 32
#define SMIME_MAX_CAPABILITY_OID 64
#define SMIME_CAP_AES256_GCM 0x1u	/* id-aes256-GCM */
#define SMIME_CAP_RSAES_OAEP 0x2u	/* id-RSAES-OAEP */
const char *smime_own_capabilities(void);
const char *smime_capability_name(const char *oid);
unsigned smime_capabilities_flags(const char *oids);

/*
 * The encryption of one message: the content cipher is AES-256-GCM
 * (AuthEnvelopedData) only when every recipient announced AES-256-GCM,
 * else AES-256-CBC, which every client reads; the key goes to an RSA key by
 * RSAES-OAEP (SHA-256, MGF1-SHA-256) when that recipient announced OAEP,
 * else by RSA PKCS#1 v1.5, and to an EC key by ECDH.
 * smime_encryption_choose fills cipher and why for recipients that
 * announced caps[0..n) (caps NULL: nothing announced); smime_encrypt also
 * fills transports.  smime_key_transport: the key transport for one
 * certificate (DER) that announced caps, or NULL for a key that is neither
 * RSA nor EC (or not a certificate).
 */
#define SMIME_KT_RSA_PKCS1 "RSA PKCS#1 v1.5"
#define SMIME_KT_RSAES_OAEP "RSAES-OAEP"
#define SMIME_KT_ECDH "ECDH"
struct smime_encryption {
	bool gcm;
	const char *cipher;		/* static: "AES-256-GCM", "AES-256-CBC" */
	char *why;			/* owned; a sentence */
	const char **transports;	/* owned array of n static names, or NULL */
	size_t n;
};
void smime_encryption_choose(const unsigned *caps, size_t n,
			     struct smime_encryption *out);
void smime_encryption_release(struct smime_encryption *c);
const char *smime_key_transport(const void *der, size_t len, unsigned caps);
/* The same for the certificate fpr of gpgsm's keybox (read-only). */
const char *smime_keybox_transport(struct smime_engine *eng, const char *fpr,
				   unsigned caps);

/*
 * Encrypt: msg becomes application/pkcs7-mime (enveloped-data, or
 * authEnveloped-data with AES-256-GCM) to the certificates fprs[0..n)
 * (the caller includes the sender), whose bindings announced caps[0..n)
 * (NULL: nothing announced), chosen as smime_encryption says; *how (may be
 * NULL) gets the choice (smime_encryption_release).  With signer not NULL
 * the message is signed first (as smime_sign) and then encrypted.  The Bcc
 * field is removed from the result.  The encrypted part carries the
 * message's header fields (hp="cipher", RFC 9788) and the outer header
 * follows hcp_baseline: Subject "[...]", no Keywords or Comments.  A msg
 * that is already signed (multipart/signed at its top) is encrypted as it
 * is; its outer header is obscured only when its signed part says
 * hp="cipher" (smime_sign with SMIME_SIGN_TO_ENCRYPT).
 */
int smime_encrypt(struct smime_engine *eng, const char *msg, size_t len,
		  const char *const *fprs, const unsigned *caps, size_t n,
		  const char *signer, struct buf *out, struct smime_encryption *how,
		  struct err *e);

/*
 * Verify and decrypt.  smime_verify computes the verdict of msg, decrypting
 * the top crypto layer when it is encrypted; it returns 0 with *out set for
 * every message it could parse, whatever the signature's state (the
 * verdict's error names what went wrong in the CMS: truncated, unsupported
 * algorithm...), and -1 only for unparsable input (ERR_INPUT) or an engine
 * failure (ERR_CRYPTO).  With flags SMIME_VERIFY_CERT_DER the signers'
 * certificates are exported too (for harvesting).
 *
 * smime_decrypt writes the message with its top encryption layer removed
 * (the RFC 5322 header of the outer message, the decrypted entity below):
 * a signature inside is kept byte for byte.  A signature over the
 * ciphertext (multipart/signed or opaque signed-data whose single content
 * is the encrypted entity) is removed with the encryption, since it
 * vouches for no plaintext: smime_decrypt_with_notes then sets
 * SMIME_DECRYPT_SIGNATURE_REMOVED in *notes, and smime_verify still
 * reports that signature.  When the decrypted entity carries protected
 * headers (RFC 9788) they take the place of the outer fields of the same
 * names, so the result has one From, one Subject... as its author wrote
 * them.  It
 * fails with ERR_INPUT when no encryption is at the top (under such
 * signatures), ERR_UNSUPPORTED for algorithms cachet does not decrypt (cms_decrypt_p.h),
 * ERR_CRYPTO when decryption fails.
 */
#define SMIME_VERIFY_CERT_DER 0x1u
int smime_verify(struct smime_engine *eng, const char *msg, size_t len,
		 unsigned flags, struct smime_verdict **out, struct err *e);
int smime_decrypt(struct smime_engine *eng, const char *msg, size_t len,
		  struct buf *out, struct err *e);
#define SMIME_DECRYPT_SIGNATURE_REMOVED 0x1u
int smime_decrypt_with_notes(struct smime_engine *eng, const char *msg,
			     size_t len, struct buf *out, unsigned *notes,
			     struct err *e);

/*
 * The verdict as one line of JSON (doc/DESIGN.md, 2.2),
 * without the newline: file, signature, coverage, signer, fingerprint,
 * decryption, warnings, error, plus signers (each with email, fingerprint,
 * state, coverage, detail), protected_headers (null, or an object of
 * the protected fields, each name once, values unfolded and RFC 2047
 * decoded) and authentication (smime_authentication_json).
 */
void smime_verdict_json(const struct smime_verdict *v, const char *file,
			struct buf *out);
/* Appends s as a JSON string (quotes and escapes; invalid UTF-8 -> U+FFFD). */
void smime_json_string(struct buf *out, const char *s);
/* Adds warning w to v once (nothing when v has it already). */
void smime_verdict_warn(struct smime_verdict *v, enum smime_warning w);

/*
 * Authentication-Results (RFC 8601, authres.c).  Anyone can write this
 * field, so what one says counts only when the person's own receiving
 * servers wrote it: its authserv-id is one of theirs, and it stands above
 * everything the message came with.
 *
 * smime_authres_parse reads one field's value (after the colon, unfolded):
 * authserv-id, version (only 1 is read), then "none" or results
 * "method[/version]=result [reason=value] ptype.property=value...", with
 * comments and quoted strings anywhere RFC 8601 allows them.  Keywords
 * (method, result, ptype, property) and the authserv-id are lower-cased.
 * Linear in len; -1 (nothing kept) for a value that does not follow the
 * grammar, or is over the limits: more than SMIME_AUTHRES_MAX_FIELD bytes,
 * SMIME_AUTHRES_MAX_RESULTS results, SMIME_AUTHRES_MAX_PROPS properties
 * in one result, or comments nested deeper than SMIME_AUTHRES_MAX_DEPTH.
 */
#define SMIME_AUTHRES_MAX_FIELD 8192
#define SMIME_AUTHRES_MAX_RESULTS 32
#define SMIME_AUTHRES_MAX_PROPS 8
#define SMIME_AUTHRES_MAX_DEPTH 16
/* Header fields looked at, from the top, by smime_authentication_read. */
#define SMIME_AUTHRES_MAX_FIELDS 64

struct smime_authres_prop {
	char *ptype;		/* owned: "header", "smtp", "policy"... */
	char *property;		/* owned: "d", "from", "mailfrom"... */
	char *value;		/* owned, unquoted */
};

struct smime_authres_result {
	char *method;		/* owned: "dkim", "spf", "dmarc"... */
	char *result;		/* owned: "pass", "fail", "none"... */
	char *reason;		/* owned, may be NULL */
	char *comment;		/* owned; the first comment after the result,
				 * may be NULL ("p=reject dis=none") */
	struct smime_authres_prop props[SMIME_AUTHRES_MAX_PROPS];
	size_t n_props;
};

struct smime_authres_field {
	char *authserv_id;	/* owned, lower case */
	unsigned version;
	bool none;		/* "; none": no method was applied */
	struct smime_authres_result *results;	/* owned */
	size_t n_results;
};

int smime_authres_parse(const char *value, size_t len,
			struct smime_authres_field *out);
void smime_authres_field_release(struct smime_authres_field *f);
/* The value of ptype.property in r, or NULL. */
const char *smime_authres_prop(const struct smime_authres_result *r,
			       const char *ptype, const char *property);
/* Domains equal (without case), or one a subdomain of the other. */
bool smime_domains_aligned(const char *a, const char *b);

/* One method's verdict as the servers gave it; result NULL when no
 * trusted field gave one. */
struct smime_auth_check {
	char *result;		/* owned: "pass", "fail", "softfail"... */
	char *domain;		/* owned, lower case: DKIM's d=, SPF's
				 * MAIL FROM (or HELO) domain, DMARC's
				 * header.from; NULL when absent or not a
				 * plain ASCII host name */
	char *policy;		/* owned; DMARC's published policy (policy.dmarc,
				 * or "p=" in the comment), may be NULL */
};

struct smime_authentication {
	struct smime_auth_check dkim, spf, dmarc;
	char *from_domain;	/* owned; the domain of the single From, or NULL */
	bool aligned;		/* a passing DKIM d= or SPF domain is From's
				 * domain or a subdomain of it (or the reverse) */
};

/*
 * What the fields written by the servers named in ids (host names, any
 * case) say about msg.  The header is read from the top through the
 * fields those servers add: Authentication-Results whose authserv-id is
 * one of ids, the delivery fields Return-Path, Delivered-To,
 * X-Original-To, Received-SPF, ARC-*, DKIM-Filter, X-Virus-Scanned and
 * X-Spam-*, and Received fields of hops between them ("by" one of ids,
 * and "from" one of ids by the connection details in the comment after
 * the from name, "(name [address])", or a loopback address; the from
 * name itself only when there is no such comment).  Their Received field
 * for a hop from anywhere else ends the reading, and so does the first
 * field of any other kind: Authentication-Results below are ignored, even
 * with one of ids, since the message could have carried them in.  At
 * most SMIME_AUTHRES_MAX_FIELDS fields are looked at.  Of several results
 * for a method the topmost counts, except that a passing DKIM signature
 * aligned with From is preferred.  *out is owned (with no trusted result,
 * every check's result is NULL).  ERR_INPUT when the header cannot be
 * read.
 */
int smime_authentication_read(const char *msg, size_t len,
			      const char *const *ids, size_t n_ids,
			      struct smime_authentication **out, struct err *e);
void smime_authentication_free(struct smime_authentication **a);
/* a as verify --json's authentication object ("null" for NULL). */
void smime_authentication_json(const struct smime_authentication *a,
			       struct buf *out);

#endif
