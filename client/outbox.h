/*
 * outbox.h — messages that are ready but not done, one entry per copy of a
 * message, keyed by its Message-ID.  The states, in the order a send goes
 * through them:
 *
 *   OUTBOX_SUBMIT   signed and encrypted, not submitted: send it;
 *   OUTBOX_SENDING  written before the SMTP DATA and still there: the
 *                   transfer was under way when cachet stopped or lost the
 *                   server's answer after the final dot, so the message
 *                   may have been delivered; it is sent again only when
 *                   the person says so (force);
 *   OUTBOX_APPEND   submitted: only the copy in Sent waits, never sent
 *                   again.
 *
 * A send writes the entry (SUBMIT) as soon as the message is signed, makes
 * it SENDING before DATA, and APPEND (or removes it) after the server's
 * 250; after the copy is filed the entry is removed.  A crash at any
 * moment leaves the message delivered once, or waiting here, and a
 * possible delivery is never repeated without being asked.
 *
 * Key: outbox_key(Message-ID, copy), where copy is NULL for the message
 * to To and Cc and the address of a Bcc recipient for that recipient's
 * own copy.  Storing an entry under a key that exists replaces it, so
 * sending the same message again leaves one entry; outbox_supersede drops
 * the other unsent copies of a Message-ID (the ones a new send of it
 * replaces: a refused recipient's old copy).
 *
 * Layout: DIR/outbox/ (0700) holds per entry ID.eml (the exact bytes to
 * submit, already signed/encrypted) and ID.meta (0600, "key: value"
 * lines: state, message-id, copy, subject, account, from, rcpt
 * (repeated), folder, reason, created, attempts).  The .eml is written
 * before the .meta and each atomically, and entries without a .meta are
 * ignored, so a crash never leaves a half entry that looks whole.  A lock
 * file serialises the processes that change the outbox.
 *
 * Errors: ERR_IO (file system), ERR_INPUT (a .meta that does not parse),
 * ERR_USAGE (no entry with that id).
 */
#ifndef CACHET_OUTBOX_H
#define CACHET_OUTBOX_H

#include <stddef.h>
#include <time.h>

#include "base/base.h"

enum outbox_state { OUTBOX_SUBMIT, OUTBOX_SENDING, OUTBOX_APPEND };

struct outbox_entry {
	char *id;		/* owned; the key */
	enum outbox_state state;
	char *message_id;	/* owned; "<...>" as the message has it; NULL
				 * in entries written before keys */
	char *copy;		/* owned; NULL, or the Bcc address of its copy */
	char *subject;		/* owned; raw (may hold encoded words), or NULL */
	char *account;		/* owned */
	char *from;		/* owned; envelope sender */
	char **rcpts;		/* owned */
	size_t n_rcpts;
	char *folder;		/* owned; where the copy goes (Sent), may be NULL */
	char *reason;		/* owned; why it is here, one line */
	time_t created;
	unsigned attempts;	/* transfers tried */
};

struct outbox;

/* Opens (creating) DIR/outbox and takes its lock, waiting for another cachet. */
int outbox_open(const char *data_dir, struct outbox **out, struct err *e);
void outbox_close(struct outbox **ob);

/* The entry id of a copy of a message: 16 hex digits, owned. */
char *outbox_key(const char *message_id, const char *copy);

/*
 * Stores the entry and its message under outbox_key(ent->message_id,
 * ent->copy) (a fresh id when message_id is NULL), replacing an entry
 * with that key (whose attempts are added to ent's); ent->id is set
 * (owned by ent).
 */
int outbox_put(struct outbox *ob, struct outbox_entry *ent, const char *msg,
	       size_t len, struct err *e);
/* Rewrites the entry's metadata (state, reason, attempts). */
int outbox_update(struct outbox *ob, const struct outbox_entry *ent,
		  struct err *e);
int outbox_remove(struct outbox *ob, const char *id, struct err *e);
/*
 * Removes the entries of message_id that are not submitted (SUBMIT,
 * SENDING) except the one with id keep (may be NULL); *n counts them.
 */
int outbox_supersede(struct outbox *ob, const char *message_id,
		     const char *const *keep, size_t n_keep, size_t *n,
		     struct err *e);

/* All entries, oldest first; *out owned by the caller. */
int outbox_list(struct outbox *ob, struct outbox_entry **out, size_t *n,
		struct err *e);
/* The entry with this id into *ent (owned); ERR_USAGE when there is none. */
int outbox_get(struct outbox *ob, const char *id, struct outbox_entry *ent,
	       struct err *e);
int outbox_read_message(struct outbox *ob, const char *id, struct buf *out,
			struct err *e);
/* The path of an entry's message, for messages to the person. */
char *outbox_message_path(struct outbox *ob, const char *id);

/*
 * How many entries wait in DIR/outbox, without taking the lock (for a
 * status line); 0 when there is no outbox.
 */
size_t outbox_count(const char *data_dir);

/* "submit", "sending", "append": the word of the .meta and the listings. */
const char *outbox_state_name(enum outbox_state st);

void outbox_entry_release(struct outbox_entry *ent);
void outbox_entries_free(struct outbox_entry **ents, size_t n);

/* Exposed for the unit tests: parse and format a .meta text. */
int outbox_meta_parse(const char *text, struct outbox_entry *ent, struct err *e);
void outbox_meta_format(const struct outbox_entry *ent, struct buf *out);

#endif
