/*
 * imap_cache.h — the index of an IMAP folder, kept on disk between runs so
 * that opening a large folder again costs one FETCH of UIDs and flags plus
 * the envelopes of new messages; with CONDSTORE (RFC 7162) only the flags
 * changed since the cache was written, so an unchanged folder costs no
 * FETCH at all.
 *
 * The cache holds what the server's envelope and flags say — never a body,
 * never decrypted content.  It is bound to the folder's UIDVALIDITY: a
 * different one discards it.  Files are written atomically with mode 0600.
 *
 * Format (one file per folder): a first line
 *   "cachet-imap-index 3 UIDVALIDITY UIDNEXT HIGHESTMODSEQ COUNT"
 * (HIGHESTMODSEQ 0 when the server has no CONDSTORE) then COUNT lines of
 * tab-separated fields: uid, size, flags, internal date, date, subject,
 * from name, from address, message-id, in-reply-to, content-type; within
 * a field, backslash, tab, CR and LF are escaped as \\ \t \r \n.  A file
 * of another version (1 had no content-type, 2 no modseq) does not parse,
 * so the folder's index is fetched afresh and the file rewritten.
 *
 * Errors: ERR_IO; a cache file that does not parse is treated as absent
 * (imap_index_refresh starts afresh), not as an error.
 */
#ifndef CACHET_IMAP_CACHE_H
#define CACHET_IMAP_CACHE_H

#include "client/imap.h"

struct imap_index {
	uint32_t uidvalidity;
	uint32_t uidnext;
	uint64_t modseq;		/* HIGHESTMODSEQ the index is current to; 0: none */
	struct imap_summary *msgs;	/* owned; ascending UIDs */
	size_t n;
	/*
	 * A cold folder opened a page at a time (imap_index_open): the UIDs
	 * below rest_below are still to be fetched by imap_index_more; 0 when
	 * the index is whole.  rest_span is the UID range the next step asks.
	 */
	uint32_t rest_below;
	uint32_t rest_span;
};

/*
 * Selects folder and brings *idx up to date: from the cache file at path
 * when it exists and matches (path NULL: no cache), else by fetching
 * every envelope in batches of batch messages (0: all in one FETCH, parsed
 * as it arrives).  Saves the result to path when it changed.  *idx is
 * released first.
 */
int imap_index_refresh(struct imap_session *s, const char *folder,
		       const char *path, size_t batch, struct imap_index *idx,
		       struct err *e);

/*
 * The same, but a folder with no usable cache file and more than page
 * messages gets only page messages here, so the first screen does not
 * wait for the rest, and idx->rest_below says that more is to come: its
 * newest messages by arrival (the highest sequence numbers), or with
 * by_date and a server that sorts (SORT, RFC 5256) the ones with the
 * newest Date headers.  A cached folder is brought up to date whole, as
 * imap_index_refresh does.
 */
int imap_index_open(struct imap_session *s, const char *folder, const char *path,
		    size_t page, bool by_date, struct imap_index *idx,
		    struct err *e);
/*
 * One more step of a folder opened by imap_index_open: the envelopes of
 * about batch older messages (UID FETCH of the UID range just below the
 * last step's, so messages expunged or delivered meanwhile cannot shift
 * it) join idx->msgs in UID order, those already there not twice;
 * (*added)[0..*n_added) are their places in idx->msgs (owned by the
 * caller).  When the lowest UID has come, rest_below is 0 and the index
 * is saved to path.  Nothing happens when idx is whole.
 */
int imap_index_more(struct imap_session *s, const char *path, size_t batch,
		    struct imap_index *idx, size_t **added, size_t *n_added,
		    struct err *e);

/* The cache file of a folder under data_dir (folder name made safe). */
char *imap_index_path(const char *data_dir, const char *account,
		      const char *folder);

/* Exposed for the unit tests: the text form, both ways. */
void imap_index_format(const struct imap_index *idx, struct buf *out);
int imap_index_parse(const char *text, size_t len, struct imap_index *idx);

void imap_index_release(struct imap_index *idx);

#endif
