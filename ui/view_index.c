/*
 * view_index.c — the index of the open folder: one line per message, in
 * the folder's order, in threads or by date; searching (the envelopes, or
 * whole messages on the server), flags, deleting and expunging, moving to
 * another folder, and the timed look for new mail.
 */
#include "ui/screen_p.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static void
row_release(struct index_row *r)
{
	free(r->env.from);
	free(r->env.subject);
	free(r->env.content_type);
	free(r->env.message_id);
	free(r->env.in_reply_to);
	free(r->env.references);
}

static void
index_close_folder(struct screen *s)
{
	size_t i;

	for (i = 0; i < s->index.n; i++)
		row_release(&s->index.rows[i]);
	free(s->index.rows);
	s->index.rows = NULL;
	s->index.n = s->index.cur = s->index.top = 0;
	free(s->index.folder_id);
	free(s->index.folder_name);
	s->index.folder_id = s->index.folder_name = NULL;
	s->index.streaming = false;
}

void
index_release(struct screen *s)
{
	index_close_folder(s);
	free(s->index.search);
	free(s->index.hits);
	free(s->index.hits_text);
	free(s->index.hits_folder);
	s->index.search = s->index.hits_text = s->index.hits_folder = NULL;
	s->index.hits = NULL;
	s->index.n_hits = 0;
}

void
index_draw(struct screen *s)
{
	struct index_view *ix = &s->index;
	int rows = screen_body_rows(s), y;
	size_t i;
	struct buf b = BUF_INIT, title = BUF_INIT;
	const struct index_row *r;
	time_t now = time(NULL);
	attr_t a;

	screen_scroll_to(ix->cur, &ix->top, rows);
	for (y = 0; y < rows; y++) {
		i = ix->top + (size_t)y;
		if (i >= ix->n)
			break;
		r = &ix->rows[i];
		buf_reset(&b);
		buf_adds(&b, "");
		if (ix->order == ORDER_THREADS && r->depth > 0) {
			/* A reply: its subject indented under its parent's. */
			struct mail_envelope shown = r->env;
			struct buf subj = BUF_INIT;
			unsigned d;

			for (d = 1; d < r->depth && d < 8; d++)
				buf_adds(&subj, "  ");
			buf_addf(&subj, "-> %s", r->env.subject);
			shown.subject = subj.data;
			ui_index_line(&b, i + 1, &shown, r->mark, COLS, now);
			buf_release(&subj);
		} else {
			ui_index_line(&b, i + 1, &r->env, r->mark, COLS, now);
		}
		if (r->tagged && b.len > 4)
			b.data[4] = '*';	/* between the number and the flags */
		if (i == ix->cur)
			a = s->paint[CONFIG_ELEM_INDEX_SELECTED];
		else if (r->env.flags & MAIL_FLAG_DELETED)
			a = s->paint[CONFIG_ELEM_INDEX_DELETED];
		else if (r->mark == UI_CRYPTO_PROBLEM || r->mark == UI_CRYPTO_DMARC_FAIL ||
			 r->mark == UI_CRYPTO_UNSIGNED_SIGNER)
			a = s->paint[CONFIG_ELEM_INDEX_PROBLEM];
		else if (!(r->env.flags & MAIL_FLAG_SEEN))
			a = s->paint[CONFIG_ELEM_INDEX_UNREAD];
		else
			a = A_NORMAL;
		screen_put_row(y + 1, b.data, a);
	}
	if (ix->n == 0)
		screen_put_row(1, "(no messages)", A_NORMAL);
	buf_addf(&title, "%s [%zu message%s%s]", ix->folder_name, ix->n,
		 ix->n == 1 ? "" : "s", ix->order == ORDER_THREADS ? ", threads" :
		 ix->order == ORDER_DATE ? ", by date" : "");
	buf_reset(&b);
	screen_key_hint(s, &b, CONFIG_ACTION_OPEN, "read");
	screen_key_hint(s, &b, CONFIG_ACTION_SEARCH, "search");
	screen_key_hint(s, &b, CONFIG_ACTION_DELETE, "delete");
	screen_key_hint(s, &b, CONFIG_ACTION_QUIT, "back");
	screen_key_hint(s, &b, CONFIG_ACTION_HELP, "help");
	screen_bars(s, title.data, b.data ? b.data : "");
	buf_release(&b);
	buf_release(&title);
}

/* --- order, opening, searching ----------------------------------------- */

/* The folder's order. */
static int
seq_cmp(const void *a, const void *b)
{
	const struct index_row *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* By the Date header; a missing one and ties keep the folder's order. */
static int
dated_cmp(const void *a, const void *b)
{
	const struct index_row *x = a, *y = b;

	if (x->env.date != y->env.date)
		return x->env.date < y->env.date ? -1 : 1;
	return seq_cmp(a, b);
}

/*
 * Puts the rows in threads, in the order of their Date headers, or back
 * in the folder's order; the cursor stays on its message.
 */
static void
apply_order(struct screen *s)
{
	size_t n = s->index.n, i;
	uint32_t uid = n ? s->index.rows[s->index.cur].env.uid : 0;

	if (s->index.order == ORDER_THREADS) {
		size_t *order = xcalloc(n ? n : 1, sizeof(*order));
		unsigned *depth = xcalloc(n ? n : 1, sizeof(*depth));
		struct mail_envelope *env = xcalloc(n ? n : 1, sizeof(*env));
		struct index_row *rows = xcalloc(n ? n : 1, sizeof(*rows));

		/* A shallow copy: the threading reads envelopes side by side. */
		for (i = 0; i < n; i++)
			env[i] = s->index.rows[i].env;
		ui_thread_order(env, n, order, depth);
		for (i = 0; i < n; i++) {
			rows[i] = s->index.rows[order[i]];
			rows[i].depth = depth[i];
		}
		free(s->index.rows);
		s->index.rows = rows;
		free(env);
		free(depth);
		free(order);
	} else {
		for (i = 0; i < n; i++)
			s->index.rows[i].depth = 0;
		if (n > 1)
			qsort(s->index.rows, n, sizeof(*s->index.rows),
			      s->index.order == ORDER_DATE ? dated_cmp : seq_cmp);
	}
	for (i = 0; i < n; i++)
		if (s->index.rows[i].env.uid == uid)
			s->index.cur = i;
}

/*
 * The newest messages of a folder the source must fetch whole come first,
 * enough for the first screen and a little scrolling; the rest follows in
 * steps between keys.
 */
#define INDEX_FIRST_PAGE 300
#define INDEX_STREAM_BATCH 5000

/* Adds n envelopes (their strings taken) to the index's rows. */
static void
add_rows(struct screen *s, struct mail_envelope *env, size_t n)
{
	struct index_view *ix = &s->index;
	size_t i;

	ix->rows = xrealloc(ix->rows, (ix->n + n + 1) * sizeof(*ix->rows));
	for (i = 0; i < n; i++) {
		struct index_row *r = &ix->rows[ix->n + i];

		memset(r, 0, sizeof(*r));
		r->env = env[i];	/* its strings now the row's */
		r->mark = ui_crypto_mark_of(env[i].content_type);
		r->seq = env[i].uid;
	}
	ix->n += n;
}

/* Moves the last n of had + n rows to the front, the others after them. */
static void
rotate_rows(struct index_row *rows, size_t had, size_t n)
{
	struct index_row *tail = xcalloc(n ? n : 1, sizeof(*tail));

	memcpy(tail, rows + had, n * sizeof(*tail));
	memmove(rows + n, rows, had * sizeof(*rows));
	memcpy(rows, tail, n * sizeof(*tail));
	free(tail);
}

static void
stream_status(struct screen *s)
{
	screen_status(s, false, "%s: %zu messages so far, older ones coming",
		      s->index.folder_name, s->index.n);
}

int
index_open_folder(struct screen *s, size_t which)
{
	struct err e = { 0 };
	struct mail_envelope *env = NULL;
	size_t n = 0, i;
	bool more = false;

	screen_working(s, "opening folder");
	if (mail_source_open_folder_page(s->src, s->folders.list[which].id,
					 INDEX_FIRST_PAGE, s->index.order != ORDER_FOLDER,
					 &env, &n, &more, &e) < 0) {
		screen_status(s, true, "%s", e.msg);
		return -1;
	}
	index_close_folder(s);
	add_rows(s, env, n);
	/*
	 * Start at the first unread message, else the newest, both in the
	 * folder's order; threads or dates then keep the cursor on it.
	 */
	s->index.cur = n ? n - 1 : 0;
	for (i = 0; i < n; i++)
		if (!(env[i].flags & MAIL_FLAG_SEEN)) {
			s->index.cur = i;
			break;
		}
	free(env);
	if (s->index.order != ORDER_FOLDER)
		apply_order(s);
	s->index.folder_id = xstrdup(s->folders.list[which].id);
	s->index.folder_name = xstrdup(s->folders.list[which].name);
	s->index.streaming = more;
	s->view = UI_VIEW_INDEX;
	if (more)
		stream_status(s);
	else
		screen_status(s, false, "%s: %zu message%s", s->index.folder_name, n,
			      n == 1 ? "" : "s");
	return 0;
}

void
index_stream_step(struct screen *s)
{
	struct index_view *ix = &s->index;
	struct mail_envelope *env = NULL;
	struct err e = { 0 };
	size_t n = 0;
	bool more = false;

	if (!ix->streaming)
		return;
	if (mail_source_open_more(s->src, INDEX_STREAM_BATCH, &env, &n, &more, &e) < 0) {
		ix->streaming = false;
		screen_status(s, true, "%s: %zu messages shown, the rest failed: %s",
			      ix->folder_name, ix->n, e.msg);
		return;
	}
	ix->streaming = more;
	if (n && ix->order == ORDER_FOLDER &&
	    (ix->n == 0 || env[n - 1].uid < ix->rows[0].seq)) {
		/* Older than every row so far: they go first, the cursor stays. */
		size_t had = ix->n;

		add_rows(s, env, n);
		if (n > 1)
			qsort(ix->rows + had, n, sizeof(*ix->rows), seq_cmp);
		rotate_rows(ix->rows, had, n);
		if (had) {
			ix->cur += n;
			ix->top += n;
		}
	} else if (n) {
		add_rows(s, env, n);
		apply_order(s);
	}
	free(env);
	if (more)
		stream_status(s);
	else
		screen_status(s, false, "%s: %zu message%s", ix->folder_name, ix->n,
			      ix->n == 1 ? "" : "s");
}

static void
search(struct screen *s, bool ask)
{
	struct index_view *ix = &s->index;
	size_t i, k;
	char *q;

	if (ask || ix->search == NULL) {
		q = screen_prompt(s, "Search: ", NULL);
		if (q == NULL || *q == '\0') {
			free(q);
			screen_status(s, false, "%s", "");
			return;
		}
		free(ix->search);
		ix->search = q;
	}
	for (k = 1; k <= ix->n; k++) {
		i = (ix->cur + k) % ix->n;
		if (ui_envelope_matches(&ix->rows[i].env, ix->search)) {
			ix->cur = i;
			screen_status(s, false, "%s%s", k == ix->n ? "only match: " : "",
				      ix->search);
			return;
		}
	}
	screen_status(s, true, "not found: %s", ix->search);
}

static int
compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The search of whole messages, headers and text, done by the source (the
 * IMAP server): the cursor goes to the next message that matches; n goes
 * on.  Asked again when another folder is open.
 */
static void
search_whole(struct screen *s, bool ask)
{
	struct index_view *ix = &s->index;
	struct err e = { 0 };
	size_t i, k;
	char *q;

	ix->search_whole = true;
	if (ask || ix->hits_text == NULL || ix->hits_folder == NULL ||
	    strcmp(ix->hits_folder, ix->folder_id) != 0) {
		q = screen_prompt(s, "Search whole messages: ", NULL);
		if (q == NULL || *q == '\0') {
			free(q);
			screen_status(s, false, "%s", "");
			return;
		}
		screen_working(s, "searching");
		free(ix->hits);
		ix->hits = NULL;
		ix->n_hits = 0;
		if (mail_source_search(s->src, q, &ix->hits, &ix->n_hits, &e) < 0) {
			screen_status(s, true, "search: %s", e.msg);
			free(q);
			return;
		}
		if (ix->n_hits > 1)
			qsort(ix->hits, ix->n_hits, sizeof *ix->hits, compare_u32);
		free(ix->hits_text);
		ix->hits_text = q;
		free(ix->hits_folder);
		ix->hits_folder = xstrdup(ix->folder_id);
	}
	for (k = 1; k <= ix->n && ix->n_hits; k++) {
		i = (ix->cur + k) % ix->n;
		if (bsearch(&ix->rows[i].env.uid, ix->hits, ix->n_hits, sizeof *ix->hits,
			    compare_u32)) {
			ix->cur = i;
			screen_status(s, false, "%zu message%s hold%s \"%s\"", ix->n_hits,
				      ix->n_hits == 1 ? "" : "s", ix->n_hits == 1 ? "s" : "",
				      ix->hits_text);
			return;
		}
	}
	screen_status(s, true, "no message holds \"%s\"", ix->hits_text);
}

/* --- changes ------------------------------------------------------------ */

/*
 * Reads the open folder again (new mail, changes by other clients).  Quiet
 * (a timed look for new mail): the status line changes only when new
 * messages came, and then the terminal beeps.
 */
void
index_rescan(struct screen *s, bool quiet)
{
	struct index_view *ix = &s->index;
	uint32_t uid = ix->n ? ix->rows[ix->cur].env.uid : 0, newest = 0;
	size_t i, fresh = 0;
	char *id = xstrdup(ix->folder_id), *saved = xstrdup(s->status);
	bool saved_bad = s->status_bad;

	for (i = 0; i < ix->n; i++)
		if (ix->rows[i].env.uid > newest)
			newest = ix->rows[i].env.uid;
	for (i = 0; i < s->folders.n; i++)
		if (strcmp(s->folders.list[i].id, id) == 0)
			break;
	free(id);
	if (i == s->folders.n || index_open_folder(s, i) < 0) {
		free(saved);
		return;
	}
	for (i = 0; i < ix->n; i++) {
		if (ix->rows[i].env.uid > newest)
			fresh++;
		if (ix->rows[i].env.uid == uid)
			ix->cur = i;
	}
	if (quiet && fresh == 0) {
		snprintf(s->status, sizeof(s->status), "%s", saved);
		s->status_bad = saved_bad;
	} else if (quiet) {
		screen_status(s, false, "%zu new message%s in %s", fresh, fresh == 1 ? "" : "s",
			      ix->folder_name);
		beep();
	} else {
		screen_status(s, false, "%s: %zu message%s, %zu new since", ix->folder_name,
			      ix->n, ix->n == 1 ? "" : "s", fresh);
	}
	free(saved);
}

void
index_toggle_flag(struct screen *s)
{
	struct mail_envelope *env;
	struct err e = { 0 };
	bool on;

	if (s->index.n == 0)
		return;
	env = &s->index.rows[s->index.cur].env;
	on = env->flags & MAIL_FLAG_FLAGGED;
	if (mail_source_set_flags(s->src, env->uid, on ? 0 : MAIL_FLAG_FLAGGED,
				  on ? MAIL_FLAG_FLAGGED : 0, &e) < 0)
		screen_status(s, true, "%s", e.msg);
	else
		env->flags ^= MAIL_FLAG_FLAGGED;
}

void
index_set_deleted(struct screen *s, bool on)
{
	struct mail_envelope *env;
	struct err e = { 0 };
	struct buf hint = BUF_INIT;

	if (s->index.n == 0)
		return;
	env = &s->index.rows[s->index.cur].env;
	if (mail_source_set_flags(s->src, env->uid, on ? MAIL_FLAG_DELETED : 0,
				  on ? 0 : MAIL_FLAG_DELETED, &e) < 0) {
		screen_status(s, true, "%s", e.msg);
		return;
	}
	if (on) {
		env->flags |= MAIL_FLAG_DELETED;
		ui_keymap_keys(&s->keys, CONFIG_ACTION_EXPUNGE, &hint);
		screen_status(s, false, "marked deleted (%s in the index removes the "
			      "marked messages for good)", hint.data);
		buf_release(&hint);
		/* As in the index of other mailers: on to the next one. */
		if (s->view == UI_VIEW_INDEX && s->index.cur + 1 < s->index.n)
			s->index.cur++;
	} else {
		env->flags &= ~(unsigned)MAIL_FLAG_DELETED;
		screen_status(s, false, "no longer marked deleted");
	}
}

void
index_drop_row(struct screen *s, size_t i)
{
	row_release(&s->index.rows[i]);
	memmove(s->index.rows + i, s->index.rows + i + 1,
		(s->index.n - i - 1) * sizeof(*s->index.rows));
	s->index.n--;
	if (s->index.cur >= s->index.n && s->index.cur > 0)
		s->index.cur = s->index.n ? s->index.n - 1 : 0;
}

/* Whether typed begins the names of several folders (folders_find's NULL). */
static bool
folder_prefix_of_several(const struct screen *s, const char *typed)
{
	size_t i, n = 0, len = strlen(typed);

	for (i = 0; i < s->folders.n; i++)
		n += strncmp(s->folders.list[i].name, typed, len) == 0;
	return n > 1;
}

const struct mail_folder *
index_ask_folder(struct screen *s, const char *verb)
{
	const struct mail_folder *to = NULL;
	struct buf q = BUF_INIT;
	char *answer;
	size_t i, shown = 0;

	/* The question lists the other folders. */
	buf_addf(&q, "%s to folder (", verb);
	for (i = 0; i < s->folders.n; i++) {
		if (strcmp(s->folders.list[i].id, s->index.folder_id) == 0)
			continue;
		buf_addf(&q, "%s%s", shown++ ? ", " : "", s->folders.list[i].name);
	}
	/* With no other folder, a new one can still be named. */
	buf_adds(&q, shown ? "): " : "a new one): ");
	answer = screen_prompt(s, q.data, NULL);
	buf_release(&q);
	if (answer == NULL || *answer == '\0') {
		screen_status(s, false, "not %s", strcmp(verb, "Copy") == 0 ? "copied" : "moved");
		free(answer);
		return NULL;
	}
	to = folders_find(s, answer);
	if (to == NULL && !folder_prefix_of_several(s, answer)) {
		/* No such folder: offered, created on a yes. */
		char *ask = xasprintf("No folder \"%s\"; create it (y/n)? ", answer);
		char *yn = screen_prompt(s, ask, NULL);

		free(ask);
		if (yn && (yn[0] == 'y' || yn[0] == 'Y') && yn[1] == '\0' &&
		    folders_create(s, answer) == 0)
			to = folders_find(s, answer);
		else if (!s->status_bad)
			screen_status(s, false, "not %s: no folder \"%s\"",
				      strcmp(verb, "Copy") == 0 ? "copied" : "moved", answer);
		free(yn);
		if (to == NULL) {
			free(answer);
			return NULL;
		}
	}
	if (to == NULL)
		screen_status(s, true, "not %s: no folder \"%s\" (or several start so)",
			      strcmp(verb, "Copy") == 0 ? "copied" : "moved", answer);
	else if (strcmp(to->id, s->index.folder_id) == 0) {
		screen_status(s, true, "not %s: the message is in %s already",
			      strcmp(verb, "Copy") == 0 ? "copied" : "moved", to->name);
		to = NULL;
	}
	free(answer);
	return to;
}

static void
move_message(struct screen *s)
{
	const struct mail_folder *to;
	struct err e = { 0 };

	if (s->index.n == 0 || (to = index_ask_folder(s, "Move")) == NULL)
		return;
	screen_working(s, "moving the message");
	if (mail_source_move(s->src, s->index.rows[s->index.cur].env.uid, to->id, &e) < 0) {
		screen_status(s, true, "not moved: %s", e.msg);
	} else {
		index_drop_row(s, s->index.cur);
		screen_status(s, false, "moved to %s", to->name);
	}
}

/* Removes the messages marked deleted, after a yes; then reads the folder. */
static void
expunge_folder(struct screen *s)
{
	struct err e = { 0 };
	size_t i, n = 0;
	char *q;
	bool yes;

	for (i = 0; i < s->index.n; i++)
		if (s->index.rows[i].env.flags & MAIL_FLAG_DELETED)
			n++;
	if (n == 0) {
		index_rescan(s, false);
		return;
	}
	q = xasprintf("Remove %zu message%s marked deleted for good (y/n)? ", n,
		      n == 1 ? "" : "s");
	yes = screen_yes_no(s, q);
	free(q);
	if (!yes) {
		screen_status(s, false, "nothing removed");
		return;
	}
	screen_working(s, "removing the messages marked deleted");
	if (mail_source_expunge(s->src, &e) < 0) {
		screen_status(s, true, "not removed: %s", e.msg);
		return;
	}
	index_rescan(s, false);
	if (!s->status_bad)
		screen_status(s, false, "%zu message%s removed; %s: %zu left", n,
			      n == 1 ? "" : "s", s->index.folder_name, s->index.n);
}

void
index_key(struct screen *s, int action)
{
	if (screen_list_move(s, &s->index.cur, s->index.n, action) ||
	    compose_start_by_key(s, action))
		return;
	switch (action) {
	case CONFIG_ACTION_OPEN:
		pager_open(s);
		break;
	case CONFIG_ACTION_SEARCH:
		s->index.search_whole = false;
		if (s->index.n)
			search(s, true);
		break;
	case CONFIG_ACTION_SEARCH_SERVER:
		if (s->index.n)
			search_whole(s, true);
		break;
	case CONFIG_ACTION_SEARCH_NEXT:
		if (s->index.n && s->index.search_whole)
			search_whole(s, false);
		else if (s->index.n)
			search(s, false);
		break;
	case CONFIG_ACTION_FLAG:
		index_toggle_flag(s);
		break;
	case CONFIG_ACTION_EXPUNGE:
		expunge_folder(s);
		break;
	case CONFIG_ACTION_DELETE:
		index_set_deleted(s, true);
		break;
	case CONFIG_ACTION_UNDELETE:
		index_set_deleted(s, false);
		break;
	case CONFIG_ACTION_MOVE:
		move_message(s);
		break;
	case CONFIG_ACTION_TAG: case CONFIG_ACTION_TAG_PATTERN:
	case CONFIG_ACTION_TAG_PREFIX:
		tag_key(s, action);
		break;
	case CONFIG_ACTION_TOGGLE_READ: case CONFIG_ACTION_COPY:
	case CONFIG_ACTION_SAVE_MESSAGE:
		tag_apply(s, action, false);
		break;
	case CONFIG_ACTION_THREADS:
		/* folder order, threads, by date, folder order... */
		s->index.order = s->index.order == ORDER_FOLDER ? ORDER_THREADS :
			   s->index.order == ORDER_THREADS ? ORDER_DATE : ORDER_FOLDER;
		apply_order(s);
		screen_status(s, false, "%s", s->index.order == ORDER_THREADS ? "threads" :
			      s->index.order == ORDER_DATE ? "by date" : "folder order");
		break;
	case CONFIG_ACTION_FOLDERS: case CONFIG_ACTION_QUIT:
		s->view = UI_VIEW_FOLDERS;
		screen_status(s, false, "%s", "");
		folders_count(s);
		break;
	}
}
