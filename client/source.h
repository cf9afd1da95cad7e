/*
 * source.h — mail sources: the folders and messages of one store behind a
 * small table of operations (struct mail_source), with one implementation
 * per kind of store, IMAP (source_imap.c) and a local Maildir++ tree
 * (source_maildir.c).  The screen reads mail through it, and so can a
 * verb.
 *
 * A source never draws and never prints; it returns 0 or -1 with a struct
 * err, like every library function in cachet.  Text it hands out (folder
 * names, decoded envelope fields) is sanitised UTF-8.
 *
 * Ownership: arrays and strings returned through "out" parameters belong to
 * the caller and are released with the matching *_free function.
 * Thread-safety: a source is used by one thread at a time.
 */
#ifndef CACHET_CLIENT_SOURCE_H
#define CACHET_CLIENT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/base.h"

/* Message flags, the IMAP system flags. */
enum mail_flag {
	MAIL_FLAG_SEEN = 1u << 0,
	MAIL_FLAG_ANSWERED = 1u << 1,
	MAIL_FLAG_FLAGGED = 1u << 2,
	MAIL_FLAG_DELETED = 1u << 3,
	MAIL_FLAG_DRAFT = 1u << 4,
	MAIL_FLAG_FORWARDED = 1u << 5,	/* Maildir "P", IMAP $Forwarded */
};

struct mail_folder {
	char *name;	/* owned; UTF-8, as shown ("INBOX", "Sent", "Lists/dev") */
	char *id;	/* owned; the source's own name for the folder */
	bool sent;	/* marked \Sent by the server (RFC 6154) */
	bool drafts;	/* marked \Drafts */
};

struct mail_envelope {
	uint32_t uid;		/* stable while the folder is open */
	time_t date;		/* from the Date header; 0 when absent or unparsable */
	/*
	 * owned; the From field(s) as crypto reads them (mime_from_display):
	 * from "name <addr>", sender the index's short form, "" when none;
	 * never a server's ENVELOPE
	 */
	char *from;
	char *sender;
	char *subject;		/* owned; decoded Subject (UTF-8), or "" */
	char *content_type;	/* owned; top-level Content-Type value, raw, or "" */
	size_t size;		/* bytes of the raw message */
	unsigned flags;		/* enum mail_flag */
	char *message_id;	/* owned; Message-ID, raw, or NULL */
	char *in_reply_to;	/* owned; In-Reply-To, raw, or NULL */
	char *references;	/* owned; References, raw, or NULL (not over IMAP) */
};

struct mail_source;

struct mail_source_ops {
	const char *kind;	/* "maildir", "imap" */
	/* The folders, INBOX first. */
	int (*list_folders)(struct mail_source *src, struct mail_folder **out,
			    size_t *n_out, struct err *e);
	/* Selects a folder (by id) and returns its envelopes, oldest first. */
	int (*open_folder)(struct mail_source *src, const char *id,
			   struct mail_envelope **out, size_t *n_out, struct err *e);
	/*
	 * Optional.  Like open_folder, but a folder the source must fetch
	 * whole (IMAP, no index cached) may come back as page messages only,
	 * with *more true: its newest by arrival, or with by_date its newest
	 * by Date where the server can sort.  open_more then brings the
	 * rest, about batch at a time, until *more is false.  The other
	 * operations work between steps; opening a folder again drops what
	 * was still to come.
	 */
	int (*open_folder_page)(struct mail_source *src, const char *id,
				size_t page, bool by_date,
				struct mail_envelope **out, size_t *n_out,
				bool *more, struct err *e);
	int (*open_more)(struct mail_source *src, size_t batch,
			 struct mail_envelope **out, size_t *n_out, bool *more,
			 struct err *e);
	/* The raw bytes of message uid in the open folder (does not set \Seen). */
	int (*fetch)(struct mail_source *src, uint32_t uid, struct buf *out,
		     struct err *e);
	/* Adds the flags in set and removes those in clear. */
	int (*set_flags)(struct mail_source *src, uint32_t uid, unsigned set,
			 unsigned clear, struct err *e);
	/*
	 * Stores a message into folder id with the given flags.  IMAP: a
	 * folder the server says does not exist ([TRYCREATE]) is created
	 * (marked \Drafts for a message flagged MAIL_FLAG_DRAFT, where the
	 * server has CREATE-SPECIAL-USE) and the message stored there.
	 */
	int (*append)(struct mail_source *src, const char *id, const char *msg,
		      size_t len, unsigned flags, struct err *e);
	/*
	 * Moves message uid of the open folder into folder id (not the open
	 * one), flags kept; the uid is no longer valid afterwards.
	 */
	int (*move)(struct mail_source *src, uint32_t uid, const char *id,
		    struct err *e);
	/*
	 * Removes for good the messages of the open folder marked
	 * MAIL_FLAG_DELETED; open the folder again to see what is left.
	 */
	int (*expunge)(struct mail_source *src, struct err *e);
	/*
	 * Removes message uid of the open folder for good, and no other: a
	 * server without UIDPLUS (no UID EXPUNGE) keeps it marked deleted and
	 * the call fails saying so.
	 */
	int (*remove)(struct mail_source *src, uint32_t uid, struct err *e);
	/*
	 * The UIDs of the open folder's messages whose headers or text hold
	 * text, case-insensitively (IMAP: the server searches, so encrypted
	 * content is never matched); *out owned by the caller.
	 */
	int (*search)(struct mail_source *src, const char *text, uint32_t **out,
		      size_t *n_out, struct err *e);
	/*
	 * What the server asked to have shown to the person (IMAP [ALERT]s)
	 * since the last call, one a line, as sent: owned, and to be
	 * sanitised before it is drawn; NULL when there is none.  NULL for a
	 * source that has no server.
	 */
	char *(*take_notices)(struct mail_source *src);
	/*
	 * The stable identity of message uid of the open folder, the key
	 * harvest's seen table knows it by (certstore_harvest_message):
	 * owned; NULL (or no function) when the message's bytes are its key.
	 */
	char *(*identity)(struct mail_source *src, uint32_t uid);
	/*
	 * Creates a folder named name (UTF-8, as list_folders shows names;
	 * "/" separates levels); ERR_INPUT for a name the source cannot hold.
	 */
	int (*create)(struct mail_source *src, const char *name, struct err *e);
	/* Renames folder id to name (as create names it). */
	int (*rename)(struct mail_source *src, const char *id, const char *name,
		      struct err *e);
	/* How many messages folder id holds, and how many are unread. */
	int (*counts)(struct mail_source *src, const char *id, unsigned *unseen,
		      unsigned *total, struct err *e);
	/* Removes folder id and the messages in it, for good. */
	int (*remove_folder)(struct mail_source *src, const char *id, struct err *e);
	void (*close)(struct mail_source *src);
};

/* Each implementation embeds this as its first member. */
struct mail_source {
	const struct mail_source_ops *ops;	/* foreign */
};

int mail_source_list_folders(struct mail_source *src, struct mail_folder **out,
			     size_t *n_out, struct err *e);
int mail_source_open_folder(struct mail_source *src, const char *id,
			    struct mail_envelope **out, size_t *n_out, struct err *e);
/*
 * open_folder_page, or for a source without it open_folder with *more
 * false; mail_source_open_more gives nothing and *more false when the
 * folder is whole.
 */
int mail_source_open_folder_page(struct mail_source *src, const char *id,
				 size_t page, bool by_date,
				 struct mail_envelope **out, size_t *n_out,
				 bool *more, struct err *e);
int mail_source_open_more(struct mail_source *src, size_t batch,
			  struct mail_envelope **out, size_t *n_out, bool *more,
			  struct err *e);
int mail_source_fetch(struct mail_source *src, uint32_t uid, struct buf *out,
		      struct err *e);
int mail_source_set_flags(struct mail_source *src, uint32_t uid, unsigned set,
			  unsigned clear, struct err *e);
int mail_source_append(struct mail_source *src, const char *id, const char *msg,
		       size_t len, unsigned flags, struct err *e);
int mail_source_move(struct mail_source *src, uint32_t uid, const char *id,
		     struct err *e);
int mail_source_expunge(struct mail_source *src, struct err *e);
int mail_source_create(struct mail_source *src, const char *name, struct err *e);
int mail_source_rename(struct mail_source *src, const char *id, const char *name,
		       struct err *e);
int mail_source_remove_folder(struct mail_source *src, const char *id, struct err *e);
int mail_source_counts(struct mail_source *src, const char *id, unsigned *unseen,
		       unsigned *total, struct err *e);
int mail_source_remove(struct mail_source *src, uint32_t uid, struct err *e);
int mail_source_search(struct mail_source *src, const char *text, uint32_t **out,
		       size_t *n_out, struct err *e);
char *mail_source_take_notices(struct mail_source *src);
char *mail_source_identity(struct mail_source *src, uint32_t uid);
/* Closes and frees; accepts NULL and clears the pointer. */
void mail_source_free(struct mail_source **src);

void mail_folders_free(struct mail_folder **f, size_t n);
void mail_envelopes_free(struct mail_envelope **env, size_t n);

/*
 * A Maildir++ tree at root (root/cur, root/new, root/tmp is INBOX; root/.X
 * is folder X, '.' separating levels as Dovecot does).  UIDs are the
 * messages' positions in delivery order, assigned when a folder is opened.
 * Errors: ERR_IO (unreadable directory or file), ERR_INPUT (unknown uid).
 */
int mail_source_maildir_open(const char *root, struct mail_source **out,
			     struct err *e);

/*
 * An IMAP session (client/imap.h), already logged in; the source owns it
 * from here and closes it.  Folder ids are the server's names.  Envelopes
 * carry the top-level Content-Type, so the index shows the crypto column.
 * With data_dir and account (both foreign, kept), a folder's index is
 * cached on disk (client/imap_cache.h) and opening it again fetches only
 * flags and new messages; data_dir NULL: no cache.
 */
struct imap_session;
struct mail_source *mail_source_imap_new(struct imap_session *s,
					 const char *data_dir, const char *account);

#endif
