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

static int
im_open_folder(struct mail_source *src, const char *id, struct mail_envelope **out,
	       size_t *n_out, struct err *e)
{
	struct imap_source *m = (struct imap_source *)src;
	struct imap_index idx = { 0 };
	struct mail_envelope *env;
	char *path = NULL;
	size_t i;

	if (m->data_dir && m->account)
		path = imap_index_path(m->data_dir, m->account, id);
	if (imap_index_refresh(m->s, id, path, INDEX_BATCH, &idx, e) < 0) {
		free(path);
		return -1;
	}
	free(path);
	env = xcalloc(idx.n ? idx.n : 1, sizeof(*env));
	for (i = 0; i < idx.n; i++) {
		const struct imap_summary *sum = &idx.msgs[i];
		char *name = decoded_or_empty(sum->from_name);

		env[i].uid = sum->uid;
		env[i].size = sum->size;
		env[i].flags = flags_from_imap(sum->flags);
		if (*name && sum->from_addr)
			env[i].from = xasprintf("%s <%s>", name, sum->from_addr);
		else
			env[i].from = xstrdup(sum->from_addr ? sum->from_addr : name);
		free(name);
		env[i].subject = decoded_or_empty(sum->subject);
		env[i].date = mime_date_parse(sum->date);
		if (env[i].date == 0)
			env[i].date = sum->internal_date;
		env[i].content_type = xstrdup(sum->content_type ? sum->content_type : "");
		env[i].message_id = sum->message_id ? xstrdup(sum->message_id) : NULL;
		env[i].in_reply_to = sum->in_reply_to ? xstrdup(sum->in_reply_to) : NULL;
	}
	*out = env;
	*n_out = idx.n;
	imap_index_release(&idx);
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

	imap_close(&m->s);
	free(m);
}

static const struct mail_source_ops imap_ops = {
	.kind = "imap",
	.list_folders = im_list_folders,
	.open_folder = im_open_folder,
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
