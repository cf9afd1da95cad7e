/*
 * imap.h — an IMAP session over cachet's TLS stream (libetpan's mailimap).
 *
 * imap_open connects with implicit TLS (imaps://), or with STARTTLS when
 * configured (imap://): the server must announce STARTTLS, a PREAUTH
 * greeting before TLS is refused (a man in the middle could have sent
 * it), every capability seen before TLS is dropped and CAPABILITY is asked
 * again inside TLS.  imap_login refuses to send a password outside a
 * verified TLS session.
 *
 * Messages are named by UID in the selected folder.  Nothing here decrypts
 * or caches content.
 *
 * Errors: ERR_NETWORK, ERR_TLS (see tls.h), ERR_AUTH (login refused),
 * ERR_PROTOCOL (the server said NO/BAD or something unparsable; the
 * message carries the server's text).
 *
 * Thread-safety: a session is used by one thread at a time.
 */
#ifndef CACHET_IMAP_H
#define CACHET_IMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/base.h"
#include "client/config.h"

struct imap_server {
	const char *host;		/* foreign */
	unsigned port;
	enum url_security security;
	const char *ca_file;		/* foreign; may be NULL */
	unsigned timeout;		/* seconds; 0 = default */
};

struct imap_session;

enum imap_flag {
	IMAP_FLAG_SEEN = 1 << 0,
	IMAP_FLAG_ANSWERED = 1 << 1,
	IMAP_FLAG_FLAGGED = 1 << 2,
	IMAP_FLAG_DELETED = 1 << 3,
	IMAP_FLAG_DRAFT = 1 << 4,
};

/* What a folder is for, as the server marks it (RFC 6154). */
enum imap_use { IMAP_USE_NONE = 0, IMAP_USE_SENT, IMAP_USE_DRAFTS };

struct imap_folder {
	char *name;		/* owned; modified UTF-7 as the server sends it */
	char delimiter;		/* 0 when the server has no hierarchy */
	bool noselect;
	enum imap_use use;	/* \Sent or \Drafts in its LIST attributes */
};

struct imap_status {
	uint32_t uidvalidity;
	uint32_t uidnext;
	uint32_t exists;
	/* HIGHESTMODSEQ (RFC 7162) when the server has CONDSTORE, else 0 */
	uint64_t highestmodseq;
};

/*
 * One line of a folder index: what the envelope says, never the content.
 * Its strings live in one allocation (strings), not one each: a large
 * folder's index holds a hundred thousand of these.
 */
struct imap_summary {
	uint32_t uid;
	uint32_t seq;
	uint32_t size;		/* RFC822.SIZE */
	unsigned flags;		/* enum imap_flag bits */
	time_t internal_date;	/* 0 when not given */
	uint64_t modseq;	/* MODSEQ when the server sent one, else 0 */
	char *strings;		/* owned; what the pointers below point into */
	const char *date;	/* foreign (strings); Date header as sent, may be NULL */
	const char *subject;	/* foreign; raw (may hold encoded words), may be NULL */
	const char *from_name;	/* foreign; raw display name, may be NULL */
	const char *from_addr;	/* foreign; mailbox@host, may be NULL */
	const char *message_id;	/* foreign; may be NULL */
	const char *in_reply_to;	/* foreign; the envelope's In-Reply-To, may be NULL */
	/*
	 * foreign; the top-level Content-Type value, unfolded, control
	 * characters removed, at most IMAP_CONTENT_TYPE_MAX bytes; NULL when
	 * the message has none (text/plain by RFC 2045)
	 */
	const char *content_type;
	/*
	 * foreign; every From field of the message (BODY[HEADER.FIELDS]),
	 * unfolded, ", " between them, as crypto's mime_from_display reads
	 * it; NULL when there is none.  The index and list show the sender
	 * from this, never from_name/from_addr: a server's ENVELOPE picks one
	 * address of a group or a list, crypto binds another.  At most
	 * IMAP_FROM_FIELD_MAX bytes.
	 */
	const char *from_field;
};

/* The string fields of a summary, in the order imap_summary_set takes them. */
enum imap_summary_field {
	IMAP_SUM_DATE, IMAP_SUM_SUBJECT, IMAP_SUM_FROM_NAME, IMAP_SUM_FROM_ADDR,
	IMAP_SUM_MESSAGE_ID, IMAP_SUM_IN_REPLY_TO, IMAP_SUM_CONTENT_TYPE,
	IMAP_SUM_FROM_FIELD, IMAP_SUM_FIELDS
};

/*
 * Sets the strings of sum to copies of str[IMAP_SUM_*] (each may be
 * NULL), in one allocation; what sum held is freed.
 */
void imap_summary_set(struct imap_summary *sum,
		      const char *const str[IMAP_SUM_FIELDS]);
#define IMAP_CONTENT_TYPE_MAX 1024
#define IMAP_FROM_FIELD_MAX 4096

/* Frees the strings of one summary and zeroes it. */
void imap_summary_release(struct imap_summary *sum);
/*
 * The value of the Content-Type field in a header block (as the server
 * answers BODY[HEADER.FIELDS (CONTENT-TYPE)]), as imap_summary keeps it;
 * NULL when there is none.  Exposed for the unit tests.
 */
char *imap_content_type_of(const char *hdr, size_t len);
/*
 * Parses one untagged response (the bytes from "*" to the final CRLF,
 * literals inline) as the FETCH answers the index asks for: UID, FLAGS,
 * RFC822.SIZE, INTERNALDATE, ENVELOPE, MODSEQ, the Content-Type header
 * field; other items are skipped.  Returns 0 and fills *sum (owned by the
 * caller) for a FETCH, 1 for another untagged response (*sum empty), -1
 * when the bytes break the grammar (*sum empty).  Exposed for the unit
 * tests and the fuzzer.
 */
int imap_parse_fetch(const char *resp, size_t len, struct imap_summary *sum);

int imap_open(const struct imap_server *srv, struct imap_session **out,
	      struct err *e);
/* True when the server greeted with PREAUTH over implicit TLS. */
bool imap_is_authenticated(const struct imap_session *s);
int imap_login(struct imap_session *s, const char *user, const char *password,
	       struct err *e);

/*
 * Connects to the account's IMAP server and logs in with the account's
 * password (cred.h).  ERR_CONFIG when the account has no imap.
 */
int imap_open_account(const struct account *a, struct imap_session **out,
		      struct err *e);

/*
 * A folder name as the server sends it (modified UTF-7, RFC 3501 5.1.3)
 * in UTF-8 (owned); what is not valid modified UTF-7 is kept as sent.
 * The result may hold control characters: print it through a sanitiser.
 */
char *imap_utf7_decode(const char *name);
/* The same, sanitised for a terminal (utf8_sanitize): what is shown. */
char *imap_folder_name_shown(const char *name);
/*
 * A UTF-8 folder name (as people type it) in modified UTF-7; *out owned.
 * ERR_USAGE when utf8 is not valid UTF-8.
 */
int imap_utf7_encode(const char *utf8, char **out, struct err *e);

/* All folders (LIST "" "*"); *out owned by the caller. */
int imap_list(struct imap_session *s, struct imap_folder **out, size_t *n,
	      struct err *e);
void imap_folders_free(struct imap_folder **f, size_t n);

/*
 * The folder the server marks for use (RFC 6154 SPECIAL-USE: "\Sent",
 * "\Drafts") in its LIST answer, owned, or NULL when none is marked.
 */
int imap_special_folder(struct imap_session *s, enum imap_use use, char **out,
			struct err *e);

/*
 * The account's folder for use (IMAP_USE_SENT or IMAP_USE_DRAFTS), owned:
 * the one configured (sent, drafts), else the one the server marks for
 * that use, else the default name ("Sent", "Drafts").
 */
int imap_account_folder(struct imap_session *s, const struct account *a,
			enum imap_use use, char **out, struct err *e);

/*
 * CREATE folder; with use, marked so (CREATE ... (USE (\Sent))) when the
 * server announces CREATE-SPECIAL-USE (RFC 6154), plainly otherwise.
 */
int imap_create(struct imap_session *s, const char *folder, enum imap_use use,
		struct err *e);
/* RENAME folder to (both as the server names them). */
int imap_rename(struct imap_session *s, const char *folder, const char *to,
		struct err *e);
/* STATUS folder (MESSAGES UNSEEN): how many messages it holds, how many unread. */
int imap_folder_counts(struct imap_session *s, const char *folder, uint32_t *unseen,
		       uint32_t *total, struct err *e);
/* DELETE folder: the server removes it with its messages. */
int imap_delete(struct imap_session *s, const char *folder, struct err *e);

/*
 * SELECT, with CONDSTORE (RFC 7162) when the server announces it, so that
 * st->highestmodseq says whether anything changed since a cached index.
 * ERR_NOTFOUND when the server refuses it and LIST names no such folder.
 */
int imap_select(struct imap_session *s, const char *folder,
		struct imap_status *st, struct err *e);

/*
 * The identity of message uid in the selected folder, stable for as long
 * as the folder's UIDVALIDITY: "imap:USER@HOST/FOLDER;UIDVALIDITY=V/;UID=U"
 * (USER as the account names it, "" when it does not; FOLDER as the
 * server names it).  The certificate store knows a harvested IMAP message
 * by it, whether the screen or `cachet harvest imap:FOLDER` read it.
 * Owned; NULL when no folder is selected.
 */
char *imap_message_identity(const struct imap_session *s, uint32_t uid);

/*
 * Summaries of the messages with sequence numbers first..last (inclusive)
 * of the selected folder (envelope, size, flags and the Content-Type
 * field, which says whether a message is signed or encrypted): one FETCH
 * whose answers are parsed as they arrive (imap_parse_fetch), so a whole
 * large folder is one round trip.  *out is owned by the caller.
 */
int imap_fetch_index(struct imap_session *s, uint32_t first, uint32_t last,
		     struct imap_summary **out, size_t *n, struct err *e);
/*
 * The same by UID range (last 0: up to the newest), and only UID and
 * flags (for refreshing a cached index).  Messages outside the range are
 * never returned.
 */
int imap_fetch_index_uid(struct imap_session *s, uint32_t first, uint32_t last,
			 struct imap_summary **out, size_t *n, struct err *e);
int imap_fetch_flags(struct imap_session *s, uint32_t first, uint32_t last,
		     struct imap_summary **out, size_t *n, struct err *e);
/*
 * UID and flags of the messages in the UID range whose flags changed
 * after modseq (FETCH ... (CHANGEDSINCE modseq)); needs CONDSTORE.
 */
int imap_fetch_flags_changed(struct imap_session *s, uint32_t first,
			     uint32_t last, uint64_t modseq,
			     struct imap_summary **out, size_t *n, struct err *e);
/* The same for the messages with these UIDs (UID FETCH of a set). */
int imap_fetch_index_uids(struct imap_session *s, const uint32_t *uids,
			  size_t count, struct imap_summary **out, size_t *n,
			  struct err *e);
/* True when the server sorts (SORT, RFC 5256). */
bool imap_has_sort(const struct imap_session *s);
/*
 * The UIDs of the selected folder in the order of their Date headers,
 * oldest first (UID SORT (DATE) UTF-8 ALL; the server uses the arrival
 * time where a message has no Date); *uids owned by the caller.
 */
int imap_sort_date(struct imap_session *s, uint32_t **uids, size_t *n,
		   struct err *e);
/* True when the selected folder was opened with CONDSTORE. */
bool imap_has_condstore(const struct imap_session *s);
void imap_summaries_free(struct imap_summary **sums, size_t n);

/* The whole message with this UID (BODY.PEEK[]: \Seen is not set). */
int imap_fetch_message(struct imap_session *s, uint32_t uid, struct buf *out,
		       struct err *e);

/* Adds, then removes, flags (enum imap_flag bits) on one message. */
int imap_store_flags(struct imap_session *s, uint32_t uid, unsigned add,
		     unsigned remove, struct err *e);
int imap_copy(struct imap_session *s, uint32_t uid, const char *folder,
	      struct err *e);
/* MOVE when the server has it, else COPY, \Deleted and UID EXPUNGE. */
int imap_move(struct imap_session *s, uint32_t uid, const char *folder,
	      struct err *e);
int imap_expunge(struct imap_session *s, struct err *e);
/*
 * Removes message uid of the selected folder and no other: \Deleted, then
 * UID EXPUNGE (UIDPLUS); without UIDPLUS the message stays marked deleted
 * and ERR_PROTOCOL says so.
 */
int imap_remove(struct imap_session *s, uint32_t uid, struct err *e);

/*
 * The UIDs of the selected folder's messages whose headers or body hold
 * text (UID SEARCH TEXT, the server's own matching: case-insensitive on
 * the servers cachet knows); *uids owned by the caller.
 */
int imap_search_text(struct imap_session *s, const char *text, uint32_t **uids,
		     size_t *n, struct err *e);

/* Stores msg (line ends made CRLF) in folder with the given flags. */
int imap_append(struct imap_session *s, const char *folder, unsigned flags,
		const char *msg, size_t len, struct err *e);
/*
 * imap_append, and when the server answers that the folder does not exist
 * ([TRYCREATE], RFC 3501 6.3.11): imap_create (with use) and one more
 * APPEND.  *created says whether the folder was created.
 */
int imap_append_create(struct imap_session *s, const char *folder,
		       enum imap_use use, unsigned flags, const char *msg,
		       size_t len, bool *created, struct err *e);
/*
 * Whether the selected folder holds a message whose Message-ID field is
 * message_id (UID SEARCH HEADER): 1 yes, 0 no, -1 on error.
 */
int imap_has_message_id(struct imap_session *s, const char *message_id,
			struct err *e);

/*
 * Called every 1,000 messages a FETCH brings (done: how many so far), so
 * that a long folder sync can show how far it is.
 */
typedef void imap_progress_fn(void *arg, size_t done);
void imap_set_progress(struct imap_session *s, imap_progress_fn *fn, void *arg);

/*
 * The [ALERT] texts the server sent inside TLS since the last call, one a
 * line, as sent (owned; print through a sanitiser); NULL when none.
 * Alerts received before TLS (STARTTLS) are dropped unseen.
 */
char *imap_take_alerts(struct imap_session *s);

const char *imap_tls_version(struct imap_session *s);

/* LOGOUT when possible, then frees; accepts NULL; clears the pointer. */
void imap_close(struct imap_session **s);

#endif
