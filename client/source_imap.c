/*
 * source_imap.c — the mail source over an IMAP session (client/imap.h).
 * Folder ids are the server's names (modified UTF-7); the names shown are
 * decoded, with the hierarchy delimiter shown as '/'.
 */
#include "client/source.h"
#include "client/imap.h"
#include "client/imap_cache.h"
#include "crypto/smime.h"

#include <stdlib.h>
#include <string.h>

/* Envelopes are fetched in batches so one FETCH stays a reasonable size. */
#define INDEX_BATCH 0	/* the whole folder in one FETCH, parsed as it arrives */

struct imap_source {
	struct mail_source base;
	struct imap_session *s;	/* owned */
	const char *data_dir;	/* foreign; NULL: no index cache */
	const char *account;	/* foreign */
	/* A folder opened a page at a time, until its index is whole. */
	struct imap_index pending;	/* its summaries owned */
	char *pending_path;		/* owned; its cache file, or NULL */
};

static unsigned
flags_to_imap(unsigned f)
{
	return (f & MAIL_FLAG_SEEN ? IMAP_FLAG_SEEN : 0) |
	       (f & MAIL_FLAG_ANSWERED ? IMAP_FLAG_ANSWERED : 0) |
	       (f & MAIL_FLAG_FLAGGED ? IMAP_FLAG_FLAGGED : 0) |
	       (f & MAIL_FLAG_DELETED ? IMAP_FLAG_DELETED : 0) |
	       (f & MAIL_FLAG_DRAFT ? IMAP_FLAG_DRAFT : 0);
}

static unsigned
flags_from_imap(unsigned f)
{
	return (f & IMAP_FLAG_SEEN ? MAIL_FLAG_SEEN : 0) |
	       (f & IMAP_FLAG_ANSWERED ? MAIL_FLAG_ANSWERED : 0) |
	       (f & IMAP_FLAG_FLAGGED ? MAIL_FLAG_FLAGGED : 0) |
	       (f & IMAP_FLAG_DELETED ? MAIL_FLAG_DELETED : 0) |
	       (f & IMAP_FLAG_DRAFT ? MAIL_FLAG_DRAFT : 0);
}

static int
folder_cmp(const void *a, const void *b)
{
	const struct mail_folder *x = a, *y = b;
	int xi = str_casecmp_ascii(x->id, "INBOX") == 0;
	int yi = str_casecmp_ascii(y->id, "INBOX") == 0;

	if (xi != yi)
		return yi - xi;
	return strcmp(x->name, y->name);
}

static int
im_list_folders(struct mail_source *src, struct mail_folder **out, size_t *n_out,
		struct err *e)
{
	struct imap_source *m = (struct imap_source *)src;
	struct imap_folder *f = NULL;
	struct mail_folder *uf;
	size_t n = 0, i, k = 0;
	char *p;

	if (imap_list(m->s, &f, &n, e) < 0)
		return -1;
	uf = xcalloc(n ? n : 1, sizeof(*uf));
	for (i = 0; i < n; i++) {
		if (f[i].noselect)
			continue;
		uf[k].id = xstrdup(f[i].name);
		uf[k].name = imap_folder_name_shown(f[i].name);
		uf[k].sent = f[i].use == IMAP_USE_SENT;
		uf[k].drafts = f[i].use == IMAP_USE_DRAFTS;
		if (f[i].delimiter && f[i].delimiter != '/')
			for (p = uf[k].name; *p; p++)
				if (*p == f[i].delimiter)
					*p = '/';
		k++;
	}
	imap_folders_free(&f, n);
	qsort(uf, k, sizeof(*uf), folder_cmp);
	*out = uf;
	*n_out = k;
	return 0;
}

static char *
decoded_or_empty(const char *raw)
{
	return raw ? mime_header_decode(raw) : xstrdup("");
}

/*
 * The envelopes of n summaries (owned by the caller); with release, each
 * summary's strings are freed once it is converted, so a large folder's
 * index is not held twice.
 */
static struct mail_envelope *
envelopes_of(struct imap_summary *sums, size_t n, bool release)
{
	struct mail_envelope *env = xcalloc(n ? n : 1, sizeof(*env));
	size_t i;

	for (i = 0; i < n; i++) {
		const struct imap_summary *sum = &sums[i];

		env[i].uid = sum->uid;
		env[i].size = sum->size;
		env[i].flags = flags_from_imap(sum->flags);
		env[i].from = mime_from_display(sum->from_field, MIME_FROM_FULL);
		env[i].sender = mime_from_display(sum->from_field, MIME_FROM_SHORT);
		env[i].subject = decoded_or_empty(sum->subject);
		env[i].date = mime_date_parse(sum->date);
		if (env[i].date == 0)
			env[i].date = sum->internal_date;
		env[i].content_type = xstrdup(sum->content_type ? sum->content_type : "");
		env[i].message_id = sum->message_id ? xstrdup(sum->message_id) : NULL;
		env[i].in_reply_to = sum->in_reply_to ? xstrdup(sum->in_reply_to) : NULL;
		if (release)
			imap_summary_release(&sums[i]);
	}
	return env;
}

static void
pending_drop(struct imap_source *m)
{
	imap_index_release(&m->pending);
	free(m->pending_path);
	m->pending_path = NULL;
}

/* page 0: the whole folder; else maybe its newest page messages first. */
static int
open_index(struct imap_source *m, const char *id, size_t page, bool by_date,
	   struct mail_envelope **out, size_t *n_out, bool *more, struct err *e)
{
	struct imap_index idx = { 0 };
	char *path = NULL;
	int rc;

	pending_drop(m);
	if (m->data_dir && m->account)
		path = imap_index_path(m->data_dir, m->account, id);
	rc = page ? imap_index_open(m->s, id, path, page, by_date, &idx, e)
		  : imap_index_refresh(m->s, id, path, INDEX_BATCH, &idx, e);
	if (rc < 0) {
		free(path);
		return -1;
	}
	*more = idx.rest_below != 0;
	*out = envelopes_of(idx.msgs, idx.n, !*more);
	*n_out = idx.n;
	if (*more) {
		m->pending = idx;	/* kept until whole, then saved */
		m->pending_path = path;
	} else {
		imap_index_release(&idx);
		free(path);
	}
	return 0;
}

static int
im_open_folder(struct mail_source *src, const char *id, struct mail_envelope **out,
	       size_t *n_out, struct err *e)
{
	bool more;

	return open_index((struct imap_source *)src, id, 0, false, out, n_out, &more, e);
}

static int
im_open_folder_page(struct mail_source *src, const char *id, size_t page,
		    bool by_date, struct mail_envelope **out, size_t *n_out,
		    bool *more, struct err *e)
{
	return open_index((struct imap_source *)src, id, page ? page : 1, by_date,
			  out, n_out, more, e);
}

static int
im_open_more(struct mail_source *src, size_t batch, struct mail_envelope **out,
	     size_t *n_out, bool *more, struct err *e)
{
	struct imap_source *m = (struct imap_source *)src;
	size_t *added = NULL, n = 0, i;

	*out = NULL;
	*n_out = 0;
	*more = false;
	if (m->pending.rest_below == 0)
		return 0;
	if (imap_index_more(m->s, m->pending_path, batch, &m->pending, &added, &n,
			    e) < 0) {
		pending_drop(m);
		return -1;
	}
	*out = xcalloc(n ? n : 1, sizeof(**out));
	for (i = 0; i < n; i++) {
		struct mail_envelope *one = envelopes_of(&m->pending.msgs[added[i]], 1, false);

		(*out)[i] = *one;
		free(one);
	}
	free(added);
	*n_out = n;
	*more = m->pending.rest_below != 0;
	if (!*more)
		pending_drop(m);
	return 0;
}

static int
im_fetch(struct mail_source *src, uint32_t uid, struct buf *out, struct err *e)
{
	return imap_fetch_message(((struct imap_source *)src)->s, uid, out, e);
}

static int
im_set_flags(struct mail_source *src, uint32_t uid, unsigned set, unsigned clear,
	     struct err *e)
{
	return imap_store_flags(((struct imap_source *)src)->s, uid,
				flags_to_imap(set), flags_to_imap(clear), e);
}

static int
im_append(struct mail_source *src, const char *id, const char *msg, size_t len,
	  unsigned flags, struct err *e)
{
	bool created;

	/* A Drafts the server does not have yet is created (RFC 6154 USE
	 * where it can), as Sent is when sending. */
	return imap_append_create(((struct imap_source *)src)->s, id,
				  flags & MAIL_FLAG_DRAFT ? IMAP_USE_DRAFTS :
				  IMAP_USE_NONE, flags_to_imap(flags), msg, len,
				  &created, e);
}

static int
im_move(struct mail_source *src, uint32_t uid, const char *id, struct err *e)
{
	return imap_move(((struct imap_source *)src)->s, uid, id, e);
}

static int
im_create(struct mail_source *src, const char *name, struct err *e)
{
	char *id = NULL;
	int rc;

	if (imap_utf7_encode(name, &id, e) < 0)
		return -1;
	rc = imap_create(((struct imap_source *)src)->s, id, IMAP_USE_NONE, e);
	free(id);
	return rc;
}

static int
im_rename(struct mail_source *src, const char *id, const char *name, struct err *e)
{
	char *to = NULL;
	int rc;

	if (imap_utf7_encode(name, &to, e) < 0)
		return -1;
	rc = imap_rename(((struct imap_source *)src)->s, id, to, e);
	free(to);
	return rc;
}

static int
im_counts(struct mail_source *src, const char *id, unsigned *unseen, unsigned *total,
	  struct err *e)
{
	uint32_t u, t;

	if (imap_folder_counts(((struct imap_source *)src)->s, id, &u, &t, e) < 0)
		return -1;
	*unseen = u;
	*total = t;
	return 0;
}

static int
im_remove_folder(struct mail_source *src, const char *id, struct err *e)
{
	return imap_delete(((struct imap_source *)src)->s, id, e);
}

static int
im_search(struct mail_source *src, const char *text, uint32_t **out, size_t *n_out,
	  struct err *e)
{
	return imap_search_text(((struct imap_source *)src)->s, text, out, n_out, e);
}

static int
im_expunge(struct mail_source *src, struct err *e)
{
	return imap_expunge(((struct imap_source *)src)->s, e);
}

static int
im_remove(struct mail_source *src, uint32_t uid, struct err *e)
{
	return imap_remove(((struct imap_source *)src)->s, uid, e);
}

static char *
im_take_notices(struct mail_source *src)
{
	return imap_take_alerts(((struct imap_source *)src)->s);
}

static char *
im_identity(struct mail_source *src, uint32_t uid)
{
	return imap_message_identity(((struct imap_source *)src)->s, uid);
}

static void
im_close(struct mail_source *src)
{
	struct imap_source *m = (struct imap_source *)src;

	pending_drop(m);
	imap_close(&m->s);
	free(m);
}

static const struct mail_source_ops imap_ops = {
	.kind = "imap",
	.list_folders = im_list_folders,
	.open_folder = im_open_folder,
	.open_folder_page = im_open_folder_page,
	.open_more = im_open_more,
	.fetch = im_fetch,
	.set_flags = im_set_flags,
	.append = im_append,
	.move = im_move,
	.expunge = im_expunge,
	.remove = im_remove,
	.search = im_search,
	.take_notices = im_take_notices,
	.identity = im_identity,
	.create = im_create,
	.rename = im_rename,
	.remove_folder = im_remove_folder,
	.counts = im_counts,
	.close = im_close,
};

struct mail_source *
mail_source_imap_new(struct imap_session *s, const char *data_dir,
		     const char *account)
{
	struct imap_source *m = xcalloc(1, sizeof(*m));

	m->base.ops = &imap_ops;
	m->s = s;
	m->data_dir = data_dir;
	m->account = account;
	return &m->base;
}
