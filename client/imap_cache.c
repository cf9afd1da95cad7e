/* imap_cache.c — an IMAP folder's index, cached on disk by UIDVALIDITY. */
#include "client/imap_cache.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * Version 2 added the Content-Type, 3 the folder's HIGHESTMODSEQ and
 * In-Reply-To, 4 the From fields as sent; an older file is fetched afresh.
 */
#define INDEX_MAGIC "cachet-imap-index 4"
#define INDEX_MAX_BYTES ((size_t)512 << 20)

void
imap_index_release(struct imap_index *idx)
{
	imap_summaries_free(&idx->msgs, idx->n);
	memset(idx, 0, sizeof *idx);
}

static void
add_escaped(struct buf *out, const char *s)
{
	const char *run;

	if (s == NULL)
		return;
	for (run = s; *s; s++) {
		const char *esc;

		switch (*s) {
		case '\\': esc = "\\\\"; break;
		case '\t': esc = "\\t"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		default: continue;
		}
		buf_add(out, run, (size_t)(s - run));
		buf_adds(out, esc);
		run = s + 1;
	}
	buf_add(out, run, (size_t)(s - run));
}

/* One record, as imap_index_format writes it. */
static void
format_record(const struct imap_summary *m, struct buf *out)
{
	const char *const f[] = {
		m->date, m->subject, m->from_name, m->from_addr, m->message_id,
		m->in_reply_to, m->content_type, m->from_field,
	};
	char num[80];
	size_t i;
	int k;

	k = snprintf(num, sizeof num, "%u\t%u\t%u\t%lld\t", m->uid, m->size, m->flags,
		     (long long)m->internal_date);
	buf_add(out, num, (size_t)k);
	for (i = 0; i < sizeof f / sizeof f[0]; i++) {
		if (i)
			buf_addc(out, '\t');
		add_escaped(out, f[i]);
	}
	buf_addc(out, '\n');
}

static void
format_first_line(const struct imap_index *idx, struct buf *out)
{
	buf_addf(out, INDEX_MAGIC " %u %u %llu %zu\n", idx->uidvalidity, idx->uidnext,
		 (unsigned long long)idx->modseq, idx->n);
}

void
imap_index_format(const struct imap_index *idx, struct buf *out)
{
	size_t i;

	buf_grow(out, idx->n * 160);
	format_first_line(idx, out);
	for (i = 0; i < idx->n; i++)
		format_record(&idx->msgs[i], out);
}

/*
 * Unescapes [p, end) at *o, NUL-terminated, and moves *o past it; NULL
 * (nothing written) for an empty field.
 */
static const char *
unescape_into(const char *p, const char *end, char **o)
{
	char *start = *o, *w = *o;

	if (p == end)
		return NULL;
	for (; p < end; p++) {
		if (*p == '\\' && p + 1 < end) {
			p++;
			*w++ = *p == 't' ? '\t' : *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p;
		} else {
			*w++ = *p;
		}
	}
	*w++ = '\0';
	*o = w;
	return start;
}

static int
parse_record(const char *line, const char *end, struct imap_summary *m)
{
	enum { FIELDS = 12 };
	const char *f[FIELDS];
	const char *p = line;
	char *o;
	uint64_t v[4];
	int i;

	for (i = 0; i < FIELDS; i++) {
		f[i] = p;
		p = memchr(p, '\t', (size_t)(end - p));
		if (p == NULL) {
			if (i != FIELDS - 1)
				return -1;
			p = end;
		}
		if (i < FIELDS - 1)
			p++;
	}
	/* A tab in the last field would be one field too many. */
	if (p != end)
		return -1;
	/* Digits only, up to the tab: no sign, no spaces, no overflow. */
	for (i = 0; i < 4; i++) {
		const char *d = f[i];

		v[i] = 0;
		if (*d < '0' || *d > '9')
			return -1;
		for (; *d >= '0' && *d <= '9'; d++) {
			if (v[i] > (UINT64_MAX - 9) / 10)
				return -1;
			v[i] = v[i] * 10 + (unsigned)(*d - '0');
		}
		if (*d != '\t')
			return -1;
	}
	if (v[0] == 0 || v[0] > UINT32_MAX || v[1] > UINT32_MAX || v[2] > UINT_MAX ||
	    v[3] > INT32_MAX * (uint64_t)1024)
		return -1;
	m->uid = (uint32_t)v[0];
	m->size = (uint32_t)v[1];
	m->flags = (unsigned)v[2];
	m->internal_date = (time_t)v[3];
	/* The strings, unescaped, are never longer than their fields. */
	o = m->strings = xmalloc((size_t)(end - f[4]) + 1);
	m->date = unescape_into(f[4], f[5] - 1, &o);
	m->subject = unescape_into(f[5], f[6] - 1, &o);
	m->from_name = unescape_into(f[6], f[7] - 1, &o);
	m->from_addr = unescape_into(f[7], f[8] - 1, &o);
	m->message_id = unescape_into(f[8], f[9] - 1, &o);
	m->in_reply_to = unescape_into(f[9], f[10] - 1, &o);
	m->content_type = unescape_into(f[10], f[11] - 1, &o);
	m->from_field = unescape_into(f[11], end, &o);
	if ((m->content_type && strlen(m->content_type) > IMAP_CONTENT_TYPE_MAX) ||
	    (m->from_field && strlen(m->from_field) > IMAP_FROM_FIELD_MAX)) {
		imap_summary_release(m);
		return -1;
	}
	return 0;
}

int
imap_index_parse(const char *text, size_t len, struct imap_index *idx)
{
	const char *p = text, *end = text + len, *nl;
	unsigned long uv, un;
	unsigned long long ms;
	size_t count, i;
	char first[101];
	int used = 0;

	memset(idx, 0, sizeof *idx);
	nl = memchr(p, '\n', len);
	if (nl == NULL || (size_t)(nl - p) >= sizeof first)
		return -1;
	/* sscanf needs a string; text need not be NUL-terminated. */
	memcpy(first, p, (size_t)(nl - p));
	first[nl - p] = '\0';
	if (sscanf(first, INDEX_MAGIC " %lu %lu %llu %zu%n", &uv, &un, &ms, &count,
		   &used) != 4 ||
	    first[used] != '\0' || count > len || uv > UINT32_MAX || un > UINT32_MAX)
		return -1;
	idx->uidvalidity = (uint32_t)uv;
	idx->uidnext = (uint32_t)un;
	idx->modseq = (uint64_t)ms;
	idx->msgs = xcalloc(count + 1, sizeof *idx->msgs);
	p = nl + 1;
	for (i = 0; i < count; i++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL || parse_record(p, nl, &idx->msgs[i]) < 0 ||
		    (i > 0 && idx->msgs[i].uid <= idx->msgs[i - 1].uid)) {
			idx->n = i + 1;
			imap_index_release(idx);
			return -1;
		}
		idx->n = i + 1;
		p = nl + 1;
	}
	if (p != end) {
		imap_index_release(idx);
		return -1;
	}
	return 0;
}

char *
imap_index_path(const char *data_dir, const char *account, const char *folder)
{
	struct buf b = BUF_INIT;
	const char *parts[2] = { account, folder };
	int i;

	buf_addf(&b, "%s/imap-cache", data_dir);
	/* Names become one path component each: '/', '%' and dots escaped. */
	for (i = 0; i < 2; i++) {
		const char *p;

		buf_addc(&b, '/');
		for (p = parts[i]; *p; p++) {
			unsigned char c = (unsigned char)*p;

			if (c == '/' || c == '%' || c < 32 || c == 127 ||
			    (c == '.' && p == parts[i]))
				buf_addf(&b, "%%%02X", c);
			else
				buf_addc(&b, (char)c);
		}
	}
	return buf_detach(&b, NULL);
}

/* The directories above the file path, made private where missing. */
static int
mkdirs_for(const char *path, struct err *e)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int rc = 0;

	if (slash && slash != dir) {
		*slash = '\0';
		rc = mkdir_private(dir, e);
	}
	free(dir);
	return rc;
}

static int
compare_uid(const void *a, const void *b)
{
	uint32_t x = ((const struct imap_summary *)a)->uid;
	uint32_t y = ((const struct imap_summary *)b)->uid;

	return x < y ? -1 : x > y;
}

/* Appends src's summaries to idx (ownership moves), then frees src's array. */
static void
take(struct imap_index *idx, struct imap_summary **src, size_t n)
{
	idx->msgs = xrealloc(idx->msgs, (idx->n + n + 1) * sizeof *idx->msgs);
	if (n)
		memcpy(idx->msgs + idx->n, *src, n * sizeof **src);
	idx->n += n;
	free(*src);
	*src = NULL;
}

/* The envelopes of the messages first..last by sequence number, sorted. */
static int
fetch_all_range(struct imap_session *s, uint32_t first, uint32_t last,
		struct imap_index *idx, struct err *e)
{
	struct imap_summary *got = NULL;
	size_t n = 0;

	if (imap_fetch_index(s, first, last, &got, &n, e) < 0)
		return -1;
	take(idx, &got, n);
	if (idx->n > 1)
		qsort(idx->msgs, idx->n, sizeof *idx->msgs, compare_uid);
	return 0;
}

static int
compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The page messages with the newest Date headers (UID SORT), whatever
 * their UIDs; the rest is then every UID up to the highest, those already
 * here skipped.
 */
static int
fetch_newest_dated(struct imap_session *s, size_t page, struct imap_index *idx,
		   struct err *e)
{
	uint32_t *uids = NULL, high = 0;
	struct imap_summary *got = NULL;
	size_t n = 0, k = 0, i;
	int rc = -1;

	if (imap_sort_date(s, &uids, &n, e) < 0)
		return -1;
	for (i = 0; i < n; i++)
		high = uids[i] > high ? uids[i] : high;
	if (n > page) {
		memmove(uids, uids + n - page, page * sizeof *uids);
		n = page;
	}
	qsort(uids, n, sizeof *uids, compare_u32);
	if (imap_fetch_index_uids(s, uids, n, &got, &k, e) < 0)
		goto out;
	take(idx, &got, k);
	if (idx->n > 1)
		qsort(idx->msgs, idx->n, sizeof *idx->msgs, compare_uid);
	if (high > 1) {
		idx->rest_below = high + 1 > high ? high + 1 : high;
		idx->rest_span = (uint32_t)page;
	}
	rc = 0;
out:
	free(uids);
	return rc;
}

/* Cold start: every envelope, batch by batch (0: all in one FETCH). */
static int
fetch_all(struct imap_session *s, uint32_t exists, size_t batch,
	  struct imap_index *idx, struct err *e)
{
	uint32_t first;

	if (batch == 0 || batch > exists)
		batch = exists;
	for (first = 1; first <= exists; first += (uint32_t)batch) {
		struct imap_summary *got = NULL;
		size_t n = 0;
		uint32_t last = first + (uint32_t)batch - 1;

		if (last > exists)
			last = exists;
		if (imap_fetch_index(s, first, last, &got, &n, e) < 0)
			return -1;
		take(idx, &got, n);
	}
	return 0;
}

static struct imap_summary *
find_uid(struct imap_index *idx, uint32_t uid)
{
	size_t lo = 0, hi = idx->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (idx->msgs[mid].uid == uid)
			return &idx->msgs[mid];
		if (idx->msgs[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Flags of every known UID; UIDs the server no longer has are dropped. */
static int
refresh_all_flags(struct imap_session *s, struct imap_index *idx, struct err *e)
{
	struct imap_summary *flags = NULL;
	size_t nf = 0, i, j, kept = 0;

	if (idx->n == 0)
		return 0;
	if (imap_fetch_flags(s, 1, idx->msgs[idx->n - 1].uid, &flags, &nf, e) < 0)
		return -1;
	if (nf > 1)
		qsort(flags, nf, sizeof *flags, compare_uid);
	for (i = 0, j = 0; i < idx->n; i++) {
		struct imap_summary *m = &idx->msgs[i];

		while (j < nf && flags[j].uid < m->uid)
			j++;
		if (j < nf && flags[j].uid == m->uid) {
			m->flags = flags[j].flags;
			idx->msgs[kept++] = *m;
		} else {
			imap_summary_release(m);
		}
	}
	idx->n = kept;
	imap_summaries_free(&flags, nf);
	return 0;
}

/*
 * Warm start.  With CONDSTORE and the HIGHESTMODSEQ the cache was written
 * at: only the flags changed since (often none: nothing is fetched); else
 * the flags of every known UID.  Then the envelopes from the cached
 * UIDNEXT on, when the server's UIDNEXT moved.  If the count still differs
 * from EXISTS, messages were expunged: every known UID is asked again.
 * *changed says whether idx differs from the cache file.
 */
static int
update(struct imap_session *s, const struct imap_status *st,
       struct imap_index *idx, bool *changed, struct err *e)
{
	struct imap_summary *got = NULL;
	size_t n = 0, i;
	uint32_t known_next = idx->uidnext ? idx->uidnext : 1;
	bool modseq_sync = idx->modseq && st->highestmodseq && imap_has_condstore(s) &&
			   st->highestmodseq >= idx->modseq;

	*changed = false;
	if (!modseq_sync) {
		if (refresh_all_flags(s, idx, e) < 0)
			return -1;
		*changed = true;
	} else if (st->highestmodseq != idx->modseq && idx->n) {
		if (imap_fetch_flags_changed(s, 1, known_next - 1, idx->modseq, &got,
					     &n, e) < 0)
			return -1;
		for (i = 0; i < n; i++) {
			struct imap_summary *m = find_uid(idx, got[i].uid);

			if (m && m->flags != got[i].flags) {
				m->flags = got[i].flags;
				*changed = true;
			}
		}
		imap_summaries_free(&got, n);
	}
	if (st->uidnext == 0 || st->uidnext != idx->uidnext) {
		if (imap_fetch_index_uid(s, known_next, 0, &got, &n, e) < 0)
			return -1;
		if (n > 1)
			qsort(got, n, sizeof *got, compare_uid);
		if (n)
			*changed = true;
		take(idx, &got, n);
	}
	if (modseq_sync && idx->n != st->exists) {
		if (refresh_all_flags(s, idx, e) < 0)
			return -1;
		*changed = true;
	}
	return 0;
}

/*
 * Writes idx to the cache file at path (NULL: none), a piece at a time:
 * the text of a large folder's index is never in memory whole.
 */
static int
save(const char *path, const struct imap_index *idx, struct err *e)
{
	enum { PIECE = 256 * 1024 };
	struct file_atomic fa;
	struct buf text = BUF_INIT;
	size_t i;
	int rc = -1;

	if (path == NULL || idx->uidvalidity == 0)
		return 0;
	if (mkdirs_for(path, e) < 0 || file_atomic_open(path, &fa, e) < 0)
		return -1;
	buf_grow(&text, PIECE + 4096);
	format_first_line(idx, &text);
	for (i = 0; i < idx->n; i++) {
		format_record(&idx->msgs[i], &text);
		if (text.len >= PIECE) {
			if (file_atomic_write(&fa, text.data, text.len, e) < 0)
				goto out;
			buf_reset(&text);
		}
	}
	if (file_atomic_write(&fa, text.data, text.len, e) < 0)
		goto out;
	rc = file_atomic_commit(&fa, 0600, e);
out:
	buf_release(&text);
	return rc;
}

/*
 * The folder's state from SELECT, and the highest UID seen + 1 as a floor
 * of UIDNEXT when the server's is stale.
 */
static void
set_state(struct imap_session *s, const struct imap_status *st,
	  struct imap_index *idx)
{
	idx->uidvalidity = st->uidvalidity;
	idx->modseq = imap_has_condstore(s) ? st->highestmodseq : 0;
	idx->uidnext = st->uidnext;
	if (idx->n && idx->msgs[idx->n - 1].uid >= idx->uidnext)
		idx->uidnext = idx->msgs[idx->n - 1].uid + 1;
}

/*
 * Both ways of opening: page 0 fetches a cold folder whole; else only its
 * newest page messages, and imap_index_more the rest.
 */
static int
refresh(struct imap_session *s, const char *folder, const char *path,
	size_t batch, size_t page, bool by_date, struct imap_index *idx,
	struct err *e)
{
	struct imap_status st;
	struct buf text = BUF_INIT;
	bool warm = false, changed = true;
	uint32_t old_next = 0;
	uint64_t old_modseq = 0;

	imap_index_release(idx);
	if (imap_select(s, folder, &st, e) < 0)
		return -1;
	if (path && file_read(path, INDEX_MAX_BYTES, &text, NULL) == 0 &&
	    imap_index_parse(text.data ? text.data : "", text.len, idx) == 0 &&
	    idx->uidvalidity == st.uidvalidity && st.uidvalidity != 0)
		warm = true;
	buf_release(&text);
	if (!warm && page && st.exists > page && by_date && imap_has_sort(s)) {
		imap_index_release(idx);
		if (fetch_newest_dated(s, page, idx, e) < 0)
			goto fail;
		set_state(s, &st, idx);
		if (idx->rest_below == 0 && save(path, idx, e) < 0)
			goto fail;
		return 0;
	}
	if (!warm && page && st.exists > page) {
		imap_index_release(idx);
		if (fetch_all_range(s, st.exists - (uint32_t)page + 1, st.exists, idx,
				    e) < 0)
			goto fail;
		set_state(s, &st, idx);
		/* The server may have fewer messages than it said: then none left. */
		if (idx->n && idx->msgs[0].uid > 1) {
			idx->rest_below = idx->msgs[0].uid;
			idx->rest_span = (uint32_t)page;
		}
		if (idx->rest_below == 0 && save(path, idx, e) < 0)
			goto fail;
		return 0;
	}
	if (!warm) {
		imap_index_release(idx);
		if (fetch_all(s, st.exists, batch, idx, e) < 0)
			goto fail;
		/* An empty folder has no array at all. */
		if (idx->n > 1)
			qsort(idx->msgs, idx->n, sizeof *idx->msgs, compare_uid);
	} else {
		old_next = idx->uidnext;
		old_modseq = idx->modseq;
		if (update(s, &st, idx, &changed, e) < 0)
			goto fail;
	}
	set_state(s, &st, idx);
	if (warm && (idx->uidnext != old_next || idx->modseq != old_modseq))
		changed = true;
	if (changed && save(path, idx, e) < 0)
		goto fail;
	return 0;
fail:
	imap_index_release(idx);
	return -1;
}

int
imap_index_refresh(struct imap_session *s, const char *folder, const char *path,
		   size_t batch, struct imap_index *idx, struct err *e)
{
	return refresh(s, folder, path, batch, 0, false, idx, e);
}

int
imap_index_open(struct imap_session *s, const char *folder, const char *path,
		size_t page, bool by_date, struct imap_index *idx, struct err *e)
{
	return refresh(s, folder, path, 0, page ? page : 1, by_date, idx, e);
}

int
imap_index_more(struct imap_session *s, const char *path, size_t batch,
		struct imap_index *idx, size_t **added, size_t *n_added,
		struct err *e)
{
	struct imap_summary *got = NULL, *merged;
	size_t n = 0, i = 0, j = 0, k = 0, fresh = 0;
	uint32_t hi, lo, span;

	*added = NULL;
	*n_added = 0;
	if (idx->rest_below <= 1) {
		idx->rest_below = 0;
		return 0;
	}
	if (batch == 0)
		batch = 1;
	span = idx->rest_span > batch ? idx->rest_span : (uint32_t)batch;
	hi = idx->rest_below - 1;
	lo = hi > span ? hi - span + 1 : 1;
	if (imap_fetch_index_uid(s, lo, hi, &got, &n, e) < 0)
		return -1;
	if (n > 1)
		qsort(got, n, sizeof *got, compare_uid);
	*added = xcalloc(n + 1, sizeof **added);
	if (idx->n == 0 || n == 0 || got[n - 1].uid < idx->msgs[0].uid) {
		/* All older than what is here: they go first, in place. */
		idx->msgs = xrealloc(idx->msgs, (idx->n + n + 1) * sizeof *idx->msgs);
		memmove(idx->msgs + n, idx->msgs, idx->n * sizeof *idx->msgs);
		if (n)
			memcpy(idx->msgs, got, n * sizeof *got);
		for (fresh = 0; fresh < n; fresh++)
			(*added)[fresh] = fresh;
		free(got);
		idx->n += n;
		goto done;
	}
	/*
	 * Merged by UID; a message already here (the first page, chosen by
	 * date) is not taken twice.
	 */
	merged = xcalloc(idx->n + n + 1, sizeof *merged);
	while (i < idx->n || j < n) {
		if (j == n || (i < idx->n && idx->msgs[i].uid < got[j].uid)) {
			merged[k++] = idx->msgs[i++];
		} else if (i < idx->n && idx->msgs[i].uid == got[j].uid) {
			imap_summary_release(&got[j++]);
		} else {
			(*added)[fresh++] = k;
			merged[k++] = got[j++];
		}
	}
	free(got);
	free(idx->msgs);
	idx->msgs = merged;
	idx->n = k;
done:
	*n_added = fresh;
	/* Sparse UIDs: a wider span next time, so the batches stay full. */
	if (n < batch / 2 && span < UINT32_MAX / 2)
		span *= 2;
	idx->rest_span = span;
	idx->rest_below = lo > 1 ? lo : 0;
	if (idx->rest_below == 0)
		return save(path, idx, e);
	return 0;
}
