/*
 * outbox.h — messages that are ready but not done: submission failed
 * (state OUTBOX_SUBMIT: send again), or submission succeeded and filing
 * the copy in Sent failed (state OUTBOX_APPEND: append again, never send
 * again).
 *
 * Layout: DIR/outbox/ (0700) holds per message ID.eml (the exact bytes to
 * submit, already signed/encrypted) and ID.meta (0600, "key: value"
 * lines: state, account, from, rcpt (repeated), folder, reason, created,
 * attempts).  The .eml is written before the .meta, and entries without
 * a .meta are ignored, so a crash never leaves a half entry that looks
 * whole.  A lock file serialises concurrent retries.
 *
 * Errors: ERR_IO (file system), ERR_INPUT (a .meta that does not parse).
 */
#ifndef CACHET_OUTBOX_H
#define CACHET_OUTBOX_H

#include <stddef.h>
#include <time.h>

#include "base/base.h"

enum outbox_state { OUTBOX_SUBMIT, OUTBOX_APPEND };

struct outbox_entry {
	char *id;		/* owned */
	enum outbox_state state;
	char *account;		/* owned */
	char *from;		/* owned; envelope sender */
	char **rcpts;		/* owned */
	size_t n_rcpts;
	char *folder;		/* owned; where the copy goes (Sent), may be NULL */
	char *reason;		/* owned; why it is here, one line */
	time_t created;
	unsigned attempts;
};

struct outbox;

/* Opens (creating) DIR/outbox and takes its lock, waiting for another cachet. */
int outbox_open(const char *data_dir, struct outbox **out, struct err *e);
void outbox_close(struct outbox **ob);

/* Stores a new entry; ent->id is set (owned by ent) on success. */
int outbox_add(struct outbox *ob, struct outbox_entry *ent, const char *msg,
	       size_t len, struct err *e);
/* Rewrites the entry's metadata (state, reason, attempts). */
int outbox_update(struct outbox *ob, const struct outbox_entry *ent,
		  struct err *e);
int outbox_remove(struct outbox *ob, const char *id, struct err *e);

/* All entries, oldest first; *out owned by the caller. */
int outbox_list(struct outbox *ob, struct outbox_entry **out, size_t *n,
		struct err *e);
int outbox_read_message(struct outbox *ob, const char *id, struct buf *out,
			struct err *e);
/* The path of an entry's message, for messages to the person. */
char *outbox_message_path(struct outbox *ob, const char *id);

void outbox_entry_release(struct outbox_entry *ent);
void outbox_entries_free(struct outbox_entry **ents, size_t n);

/* Exposed for the unit tests: parse and format a .meta text. */
int outbox_meta_parse(const char *text, struct outbox_entry *ent, struct err *e);
void outbox_meta_format(const struct outbox_entry *ent, struct buf *out);

#endif
