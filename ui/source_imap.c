/*
 * source_imap.c — the mail source over an IMAP session (client/imap.h).
 * Folder ids are the server's names (modified UTF-7); the names shown are
 * decoded, with the hierarchy delimiter shown as '/'.
 */
#include "ui/ui_p.h"
#include "client/imap.h"

#include <stdlib.h>
#include <string.h>

/* Envelopes are fetched in batches so one FETCH stays a reasonable size. */
#define INDEX_BATCH 500

struct imap_source {
	struct ui_source base;
	struct imap_session *s;	/* owned */
};

static unsigned
flags_to_imap(unsigned f)
{
	return (f & UI_FLAG_SEEN ? IMAP_FLAG_SEEN : 0) |
	       (f & UI_FLAG_ANSWERED ? IMAP_FLAG_ANSWERED : 0) |
	       (f & UI_FLAG_FLAGGED ? IMAP_FLAG_FLAGGED : 0) |
	       (f & UI_FLAG_DELETED ? IMAP_FLAG_DELETED : 0) |
	       (f & UI_FLAG_DRAFT ? IMAP_FLAG_DRAFT : 0);
}

static unsigned
flags_from_imap(unsigned f)
{
	return (f & IMAP_FLAG_SEEN ? UI_FLAG_SEEN : 0) |
	       (f & IMAP_FLAG_ANSWERED ? UI_FLAG_ANSWERED : 0) |
	       (f & IMAP_FLAG_FLAGGED ? UI_FLAG_FLAGGED : 0) |
	       (f & IMAP_FLAG_DELETED ? UI_FLAG_DELETED : 0) |
	       (f & IMAP_FLAG_DRAFT ? UI_FLAG_DRAFT : 0);
}

static int
folder_cmp(const void *a, const void *b)
{
	const struct ui_folder *x = a, *y = b;
	int xi = str_casecmp_ascii(x->id, "INBOX") == 0;
	int yi = str_casecmp_ascii(y->id, "INBOX") == 0;

	if (xi != yi)
		return yi - xi;
	return strcmp(x->name, y->name);
}

static int
im_list_folders(struct ui_source *src, struct ui_folder **out, size_t *n_out,
		struct err *e)
{
	struct imap_source *m = (struct imap_source *)src;
	struct imap_folder *f = NULL;
	struct ui_folder *uf;
	size_t n = 0, i, k = 0;
	char *p;

	if (imap_list(m->s, &f, &n, e) < 0)
		return -1;
	uf = xcalloc(n ? n : 1, sizeof(*uf));
	for (i = 0; i < n; i++) {
		if (f[i].noselect)
			continue;
		uf[k].id = xstrdup(f[i].name);
		uf[k].name = ui_imap_utf7_decode(f[i].name);
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
	return raw ? ui_header_decode(raw) : xstrdup("");
}

static int
im_open_folder(struct ui_source *src, const char *id, struct ui_envelope **out,
	       size_t *n_out, struct err *e)
{
	struct imap_source *m = (struct imap_source *)src;
	struct imap_status st = { 0 };
	struct imap_summary *sum = NULL;
	struct ui_envelope *env;
	size_t n = 0, k = 0, i;
	uint32_t first, last;

	if (imap_select(m->s, id, &st, e) < 0)
		return -1;
	env = xcalloc(st.exists ? st.exists : 1, sizeof(*env));
	for (first = 1; first <= st.exists; first = last + 1) {
		last = st.exists - first + 1 > INDEX_BATCH ? first + INDEX_BATCH - 1 :
							      st.exists;
		if (imap_fetch_index(m->s, first, last, &sum, &n, e) < 0) {
			ui_envelopes_free(&env, k);
			return -1;
		}
		for (i = 0; i < n && k < st.exists; i++, k++) {
			char *name = decoded_or_empty(sum[i].from_name);

			env[k].uid = sum[i].uid;
			env[k].size = sum[i].size;
			env[k].flags = flags_from_imap(sum[i].flags);
			if (*name && sum[i].from_addr)
				env[k].from = xasprintf("%s <%s>", name, sum[i].from_addr);
			else
				env[k].from = xstrdup(sum[i].from_addr ? sum[i].from_addr : name);
			free(name);
			env[k].subject = decoded_or_empty(sum[i].subject);
			env[k].date = ui_date_parse(sum[i].date);
			if (env[k].date == 0)
				env[k].date = sum[i].internal_date;
			/* The summary carries no Content-Type: no crypto mark here. */
			env[k].content_type = xstrdup("");
		}
		imap_summaries_free(&sum, n);
	}
	*out = env;
	*n_out = k;
	return 0;
}

static int
im_fetch(struct ui_source *src, uint32_t uid, struct buf *out, struct err *e)
{
	return imap_fetch_message(((struct imap_source *)src)->s, uid, out, e);
}

static int
im_set_flags(struct ui_source *src, uint32_t uid, unsigned set, unsigned clear,
	     struct err *e)
{
	return imap_store_flags(((struct imap_source *)src)->s, uid,
				flags_to_imap(set), flags_to_imap(clear), e);
}

static int
im_append(struct ui_source *src, const char *id, const char *msg, size_t len,
	  unsigned flags, struct err *e)
{
	return imap_append(((struct imap_source *)src)->s, id, flags_to_imap(flags),
			   msg, len, e);
}

static void
im_close(struct ui_source *src)
{
	struct imap_source *m = (struct imap_source *)src;

	imap_close(&m->s);
	free(m);
}

static const struct ui_source_ops imap_ops = {
	.kind = "imap",
	.list_folders = im_list_folders,
	.open_folder = im_open_folder,
	.fetch = im_fetch,
	.set_flags = im_set_flags,
	.append = im_append,
	.close = im_close,
};

struct ui_source *
ui_source_imap_new(struct imap_session *s)
{
	struct imap_source *m = xcalloc(1, sizeof(*m));

	m->base.ops = &imap_ops;
	m->s = s;
	return &m->base;
}
