/*
 * screen.c — terminal set-up and the main loop of the screens: folder
 * list, index, pager, help.  Everything drawn comes from the model in
 * struct screen, so a resize (or ^L) redraws it all from there.
 */
#include "ui/screen_p.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


/* --- model ------------------------------------------------------------- */

void
screen_status(struct screen *s, bool bad, const char *fmt, ...)
{
	va_list ap;
	char raw[sizeof(s->status)];
	struct buf safe = BUF_INIT;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* Errors can quote server or file text: keep the terminal safe. */
	buf_adds(&safe, "");
	ui_text_to_utf8(&safe, NULL, raw, strlen(raw));
	snprintf(s->status, sizeof(s->status), "%s", safe.data);
	buf_release(&safe);
	s->status_bad = bad;
}

/*
 * What the server asked to have shown (RFC 3501 [ALERT]s: from the login,
 * a SELECT, any command) goes on the status line as soon as it came, its
 * lines joined.
 */
static void
show_notices(struct screen *s)
{
	char *text = ui_source_take_notices(s->src);
	struct buf joined = BUF_INIT;
	const char *p, *nl;

	if (text == NULL)
		return;
	for (p = text; *p; p = *nl ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		if (nl > p)
			buf_addf(&joined, "%s%.*s", joined.len ? "; " : "", (int)(nl - p), p);
	}
	if (joined.len)
		screen_status(s, true, "alert from the server: %s", joined.data);
	buf_release(&joined);
	free(text);
}

static void
close_folder(struct screen *s)
{
	ui_envelopes_free(&s->index.env, s->index.n);
	free(s->index.marks);
	free(s->index.seq);
	free(s->index.depth);
	s->index.marks = NULL;
	s->index.seq = NULL;
	s->index.depth = NULL;
	s->index.n = s->index.cur = s->index.top = 0;
	free(s->index.folder_id);
	free(s->index.folder_name);
	s->index.folder_id = s->index.folder_name = NULL;
}

/* --- drawing ----------------------------------------------------------- */

/*
 * Rows the status line takes at the bottom: a long message (an error with
 * the advice that goes with it) wraps onto up to STATUS_MAX_ROWS rows
 * rather than being cut; set by each draw.
 */
#define STATUS_MAX_ROWS 6

int
screen_body_rows(const struct screen *s)
{
	return LINES > 1 + s->status_rows ? LINES - 1 - s->status_rows : 1;
}

struct status_pieces {
	char *text[STATUS_MAX_ROWS];
	int n;
	bool cut;
};

static void
add_status_piece(void *arg, const char *piece, size_t len)
{
	struct status_pieces *p = arg;

	if (p->n < STATUS_MAX_ROWS)
		p->text[p->n++] = xstrndup(piece, len);
	else
		p->cut = true;
}

/* Appends "KEY:label  " with the first key of action a, if it has one. */
void
screen_key_hint(const struct screen *s, struct buf *b, enum config_action a,
	 const char *label)
{
	char name[16];

	if (s->keys.b[a].n == 0)
		return;
	config_key_text(s->keys.b[a].keys[0], name);
	buf_addf(b, "%s%s:%s", b->len ? "  " : "", name, label);
}

/* Draws UTF-8 text at row y, cut or padded to the whole width. */
void
screen_put_row(int y, const char *text, attr_t a)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "");
	ui_text_fit(&b, text, COLS);
	attrset(a);
	mvaddstr(y, 0, b.data);
	attrset(A_NORMAL);
	buf_release(&b);
}

static void
draw_status(struct screen *s)
{
	attr_t a = s->status_bad ? s->paint[CONFIG_ELEM_ERROR] :
				   s->paint[CONFIG_ELEM_STATUS];
	struct status_pieces p = { .n = 0 };
	int i;

	if (s->status_rows == 1) {
		screen_put_row(LINES - 1, s->status, a);
		return;
	}
	ui_text_wrap(s->status, COLS, add_status_piece, &p);
	for (i = 0; i < s->status_rows; i++) {
		struct buf last = BUF_INIT;

		/* More than fits: the last row says the text goes on. */
		if (i == s->status_rows - 1 && (p.cut || p.n > s->status_rows)) {
			buf_adds(&last, "");
			ui_text_fit(&last, i < p.n ? p.text[i] : "", COLS - 1);
			buf_adds(&last, "\xe2\x80\xa6");
		}
		screen_put_row(LINES - s->status_rows + i, last.data ? last.data :
			i < p.n ? p.text[i] : "", a);
		buf_release(&last);
	}
	for (i = 0; i < p.n; i++)
		free(p.text[i]);
}

/* How many rows the status needs at this width, within the limits. */
static void
measure_status(struct screen *s)
{
	struct status_pieces p = { .n = 0 };
	int i, most = LINES / 3;

	s->status_rows = 1;
	if (ui_text_width(s->status) <= COLS || most < 2)
		return;
	ui_text_wrap(s->status, COLS, add_status_piece, &p);
	for (i = 0; i < p.n; i++)
		free(p.text[i]);
	s->status_rows = p.n < most ? p.n : most;
	if (s->status_rows < 1)
		s->status_rows = 1;
}

void
screen_bars(struct screen *s, const char *title, const char *hint)
{
	struct buf b = BUF_INIT;
	attr_t bar = s->paint[CONFIG_ELEM_BARS];

	buf_addf(&b, "cachet: %s", title);
	if (hint && ui_text_width(b.data) + ui_text_width(hint) + 2 < COLS) {
		int pad = COLS - ui_text_width(b.data) - ui_text_width(hint);

		while (pad-- > 0)
			buf_addc(&b, ' ');
		buf_adds(&b, hint);
	}
	screen_put_row(0, b.data, bar);
	draw_status(s);
	buf_release(&b);
}

/*
 * The first item shown: lists move by whole pages, so the view is a
 * function of the cursor and the screen size only, and a resize shows the
 * same as a fresh start at that size.
 */
void
screen_scroll_to(size_t cur, size_t *top, int rows)
{
	if (rows < 1)
		rows = 1;
	*top = cur - cur % (size_t)rows;
}

static void
draw_index(struct screen *s)
{
	int rows = screen_body_rows(s), y;
	size_t i;
	struct buf b = BUF_INIT, title = BUF_INIT;
	time_t now = time(NULL);
	attr_t a;

	screen_scroll_to(s->index.cur, &s->index.top, rows);
	for (y = 0; y < rows; y++) {
		i = s->index.top + (size_t)y;
		if (i >= s->index.n)
			break;
		buf_reset(&b);
		buf_adds(&b, "");
		if (s->index.order == ORDER_THREADS && s->index.depth[i] > 0) {
			/* A reply: its subject indented under its parent's. */
			struct ui_envelope shown = s->index.env[i];
			struct buf subj = BUF_INIT;
			unsigned d;

			for (d = 1; d < s->index.depth[i] && d < 8; d++)
				buf_adds(&subj, "  ");
			buf_addf(&subj, "-> %s", s->index.env[i].subject);
			shown.subject = subj.data;
			ui_index_line(&b, i + 1, &shown, s->index.marks[i], COLS, now);
			buf_release(&subj);
		} else {
			ui_index_line(&b, i + 1, &s->index.env[i], s->index.marks[i], COLS, now);
		}
		if (i == s->index.cur)
			a = s->paint[CONFIG_ELEM_INDEX_SELECTED];
		else if (s->index.env[i].flags & UI_FLAG_DELETED)
			a = s->paint[CONFIG_ELEM_INDEX_DELETED];
		else if (s->index.marks[i] == UI_CRYPTO_PROBLEM)
			a = s->paint[CONFIG_ELEM_INDEX_PROBLEM];
		else if (!(s->index.env[i].flags & UI_FLAG_SEEN))
			a = s->paint[CONFIG_ELEM_INDEX_UNREAD];
		else
			a = A_NORMAL;
		screen_put_row(y + 1, b.data, a);
	}
	if (s->index.n == 0)
		screen_put_row(1, "(no messages)", A_NORMAL);
	buf_addf(&title, "%s [%zu message%s%s]", s->index.folder_name, s->index.n,
		 s->index.n == 1 ? "" : "s", s->index.order == ORDER_THREADS ? ", threads" :
		 s->index.order == ORDER_DATE ? ", by date" : "");
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

attr_t
screen_line_attr(const struct screen *s, enum ui_line_kind k)
{
	switch (k) {
	case UI_LINE_BANNER_GOOD: return s->paint[CONFIG_ELEM_BANNER_GOOD];
	case UI_LINE_BANNER_BAD: return s->paint[CONFIG_ELEM_BANNER_BAD];
	case UI_LINE_BANNER_INFO: return s->paint[CONFIG_ELEM_BANNER_INFO];
	case UI_LINE_HEADER: return s->paint[CONFIG_ELEM_HEADER];
	case UI_LINE_QUOTE: return s->paint[CONFIG_ELEM_QUOTE];
	case UI_LINE_ATTACHMENT: return s->paint[CONFIG_ELEM_ATTACHMENT];
	case UI_LINE_NOTE: return s->paint[CONFIG_ELEM_NOTE];
	case UI_LINE_BODY: break;
	}
	return A_NORMAL;
}

static void
draw_help(struct screen *s)
{
	size_t rows = (size_t)screen_body_rows(s), y;

	size_t n = s->n_help;
	struct buf hint = BUF_INIT;

	if (s->help_top + rows > n)
		s->help_top = n > rows ? n - rows : 0;
	for (y = 0; y < rows && s->help_top + y < n; y++)
		screen_put_row((int)y + 1, s->help[s->help_top + y],
			s->help_top + y == 0 ? A_BOLD : A_NORMAL);
	if (n > rows) {
		ui_keymap_keys(&s->keys, CONFIG_ACTION_NEXT, &hint);
		buf_adds(&hint, " ");
		ui_keymap_keys(&s->keys, CONFIG_ACTION_PREVIOUS, &hint);
		buf_adds(&hint, ": scroll  other keys: back");
	} else {
		buf_adds(&hint, "any key: back");
	}
	screen_bars(s, "help", hint.data);
	buf_release(&hint);
}

void
screen_draw(struct screen *s)
{
	measure_status(s);
	erase();
	switch (s->view) {
	case UI_VIEW_FOLDERS: folders_draw(s); break;
	case UI_VIEW_INDEX: draw_index(s); break;
	case UI_VIEW_PAGER: pager_draw(s); break;
	case UI_VIEW_HELP: draw_help(s); break;
	case UI_VIEW_COMPOSE: compose_draw(s); break;
	case UI_VIEW_CERT: certs_draw(s); break;
	}
	refresh();
}

/* Shows "working…" now, before a slow step. */
void
screen_working(struct screen *s, const char *what)
{
	screen_status(s, false, "working\xe2\x80\xa6 %s", what);
	screen_draw(s);
}

/* --- input ------------------------------------------------------------- */

/*
 * Reads a line at the bottom of the screen.  Returns a UTF-8 string (owned)
 * or NULL when cancelled (Escape, Ctrl-G).  A resize redraws the screen
 * under the prompt.
 */
char *
screen_prompt(struct screen *s, const char *question, const char *initial)
{
	wchar_t line[512];
	size_t n = 0, i;
	wint_t ch;
	int r;
	char mb[8];
	struct buf out = BUF_INIT;

	if (initial) {
		mbstate_t st = { 0 };
		const char *p = initial;

		n = mbsrtowcs(line, &p, sizeof(line) / sizeof(line[0]) - 1, &st);
		if (n == (size_t)-1)
			n = 0;
	}
	/* A status wrapped over several rows would frame the question. */
	if (s->status_rows > 1) {
		screen_status(s, false, "%s", "");
		screen_draw(s);
	}
	curs_set(1);
	for (;;) {
		struct buf shown = BUF_INIT;

		buf_adds(&shown, question);
		for (i = 0; i < n; i++) {
			int k = wctomb(mb, line[i]);

			if (k > 0)
				buf_add(&shown, mb, (size_t)k);
		}
		attrset(A_NORMAL);
		move(LINES - 1, 0);
		clrtoeol();
		/* Show the end of a long answer. */
		{
			const char *t = shown.data;

			while (ui_text_width(t) >= COLS && *t)
				t++;
			mvaddstr(LINES - 1, 0, t);
		}
		buf_release(&shown);
		refresh();
		r = get_wch(&ch);
		if (r == ERR)
			continue;
		if (r == KEY_CODE_YES) {
			if (ch == KEY_RESIZE) {
				screen_draw(s);
			} else if (ch == KEY_BACKSPACE && n > 0) {
				n--;
			} else if (ch == KEY_ENTER) {
				break;
			}
			continue;
		}
		if (ch == 27 || ch == 7) {	/* Escape, Ctrl-G */
			curs_set(0);
			return NULL;
		}
		if (ch == '\n' || ch == '\r')
			break;
		if ((ch == 127 || ch == 8) && n > 0) {
			n--;
			continue;
		}
		if (ch == 21) {			/* Ctrl-U */
			n = 0;
			continue;
		}
		if (ch >= 32 && n + 1 < sizeof(line) / sizeof(line[0]))
			line[n++] = (wchar_t)ch;
	}
	curs_set(0);
	buf_adds(&out, "");
	for (i = 0; i < n; i++) {
		int k = wctomb(mb, line[i]);

		if (k > 0)
			buf_add(&out, mb, (size_t)k);
	}
	return buf_detach(&out, NULL);
}

/* --- actions ----------------------------------------------------------- */

struct dated {
	time_t date;
	size_t seq, index;
};

static int
dated_cmp(const void *a, const void *b)
{
	const struct dated *x = a, *y = b;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
seq_cmp(const void *a, const void *b)
{
	const size_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/*
 * Puts the envelopes in threads, in the order of their Date headers, or
 * back in the folder's order; the cursor stays on its message.
 */
static void
apply_order(struct screen *s)
{
	size_t n = s->index.n, i, *order = xcalloc(n ? n : 1, sizeof(*order));
	unsigned *depth = xcalloc(n ? n : 1, sizeof(*depth));
	struct ui_envelope *env = xcalloc(n ? n : 1, sizeof(*env));
	enum ui_crypto_mark *marks = xcalloc(n ? n : 1, sizeof(*marks));
	size_t *seq = xcalloc(n ? n : 1, sizeof(*seq));
	uint32_t uid = n ? s->index.env[s->index.cur].uid : 0;

	if (s->index.order == ORDER_THREADS) {
		ui_thread_order(s->index.env, n, order, depth);
	} else if (s->index.order == ORDER_DATE) {
		/* By the Date header; a missing one and ties keep the folder's order. */
		struct dated *d = xcalloc(n ? n : 1, sizeof(*d));

		for (i = 0; i < n; i++) {
			d[i].date = s->index.env[i].date;
			d[i].seq = s->index.seq[i];
			d[i].index = i;
		}
		qsort(d, n, sizeof(*d), dated_cmp);
		for (i = 0; i < n; i++)
			order[i] = d[i].index;
		free(d);
	} else {
		/* Pairs of (place in the folder, index), sorted by place. */
		size_t *pairs = xcalloc(n ? 2 * n : 1, sizeof(*pairs));

		for (i = 0; i < n; i++) {
			pairs[2 * i] = s->index.seq[i];
			pairs[2 * i + 1] = i;
		}
		qsort(pairs, n, 2 * sizeof(*pairs), seq_cmp);
		for (i = 0; i < n; i++)
			order[i] = pairs[2 * i + 1];
		free(pairs);
	}
	for (i = 0; i < n; i++) {
		env[i] = s->index.env[order[i]];
		marks[i] = s->index.marks[order[i]];
		seq[i] = s->index.seq[order[i]];
	}
	free(s->index.env);
	free(s->index.marks);
	free(s->index.seq);
	free(s->index.depth);
	s->index.env = env;
	s->index.marks = marks;
	s->index.seq = seq;
	s->index.depth = depth;
	for (i = 0; i < n; i++)
		if (s->index.env[i].uid == uid)
			s->index.cur = i;
	free(order);
}

int
index_open_folder(struct screen *s, size_t which)
{
	struct err e = { 0 };
	struct ui_envelope *env = NULL;
	size_t n = 0, i;

	screen_working(s, "opening folder");
	if (ui_source_open_folder(s->src, s->folders.list[which].id, &env, &n, &e) < 0) {
		screen_status(s, true, "%s", e.msg);
		return -1;
	}
	close_folder(s);
	s->index.env = env;
	s->index.n = n;
	s->index.marks = xcalloc(n ? n : 1, sizeof(*s->index.marks));
	s->index.seq = xcalloc(n ? n : 1, sizeof(*s->index.seq));
	s->index.depth = xcalloc(n ? n : 1, sizeof(*s->index.depth));
	for (i = 0; i < n; i++) {
		s->index.marks[i] = ui_crypto_mark_of(env[i].content_type);
		s->index.seq[i] = i;
	}
	if (s->index.order != ORDER_FOLDER)
		apply_order(s);
	s->index.folder_id = xstrdup(s->folders.list[which].id);
	s->index.folder_name = xstrdup(s->folders.list[which].name);
	/* Start at the first unread message, else the newest. */
	s->index.cur = n ? n - 1 : 0;
	for (i = 0; i < n; i++)
		if (!(env[i].flags & UI_FLAG_SEEN)) {
			s->index.cur = i;
			break;
		}
	s->view = UI_VIEW_INDEX;
	screen_status(s, false, "%s: %zu message%s", s->index.folder_name, n, n == 1 ? "" : "s");
	return 0;
}

struct smime_engine *
screen_engine(struct screen *s)
{
	struct err e = { 0 };

	if (s->eng || s->eng_error)
		return s->eng;
	if (smime_engine_new(s->opt->gnupg_home, &s->eng, &e) < 0)
		s->eng_error = xstrdup(e.msg[0] ? e.msg : "the S/MIME engine did not start");
	return s->eng;
}

static void
search(struct screen *s, bool ask)
{
	size_t i, k;
	char *q;

	if (ask || s->index.search == NULL) {
		q = screen_prompt(s, "Search: ", NULL);
		if (q == NULL || *q == '\0') {
			free(q);
			screen_status(s, false, "%s", "");
			return;
		}
		free(s->index.search);
		s->index.search = q;
	}
	for (k = 1; k <= s->index.n; k++) {
		i = (s->index.cur + k) % s->index.n;
		if (ui_envelope_matches(&s->index.env[i], s->index.search)) {
			s->index.cur = i;
			screen_status(s, false, "%s%s", k == s->index.n ? "only match: " : "",
				   s->index.search);
			return;
		}
	}
	screen_status(s, true, "not found: %s", s->index.search);
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
	struct err e = { 0 };
	size_t i, k;
	char *q;

	s->index.search_whole = true;
	if (ask || s->index.hits_text == NULL || s->index.hits_folder == NULL ||
	    strcmp(s->index.hits_folder, s->index.folder_id) != 0) {
		q = screen_prompt(s, "Search whole messages: ", NULL);
		if (q == NULL || *q == '\0') {
			free(q);
			screen_status(s, false, "%s", "");
			return;
		}
		screen_working(s, "searching");
		free(s->index.hits);
		s->index.hits = NULL;
		s->index.n_hits = 0;
		if (ui_source_search(s->src, q, &s->index.hits, &s->index.n_hits, &e) < 0) {
			screen_status(s, true, "search: %s", e.msg);
			free(q);
			return;
		}
		if (s->index.n_hits > 1)
			qsort(s->index.hits, s->index.n_hits, sizeof *s->index.hits, compare_u32);
		free(s->index.hits_text);
		s->index.hits_text = q;
		free(s->index.hits_folder);
		s->index.hits_folder = xstrdup(s->index.folder_id);
	}
	for (k = 1; k <= s->index.n && s->index.n_hits; k++) {
		i = (s->index.cur + k) % s->index.n;
		if (bsearch(&s->index.env[i].uid, s->index.hits, s->index.n_hits, sizeof *s->index.hits,
			    compare_u32)) {
			s->index.cur = i;
			screen_status(s, false, "%zu message%s hold%s \"%s\"", s->index.n_hits,
				   s->index.n_hits == 1 ? "" : "s", s->index.n_hits == 1 ? "s" : "",
				   s->index.hits_text);
			return;
		}
	}
	screen_status(s, true, "no message holds \"%s\"", s->index.hits_text);
}

/*
 * With n > 1 attachments, asks "VERB which attachment (1-N)?"; *which gets
 * the one named (from 0).  False when cancelled or no such attachment.
 */
bool
screen_ask_attachment(struct screen *s, const char *verb, size_t n, size_t *which)
{
	char *q, *answer;
	unsigned long k;

	*which = 0;
	if (n <= 1)
		return true;
	q = xasprintf("%s which attachment (1-%zu)? ", verb, n);
	answer = screen_prompt(s, q, NULL);
	free(q);
	if (answer == NULL)
		return false;
	k = strtoul(answer, NULL, 10);
	free(answer);
	if (k < 1 || k > n) {
		screen_status(s, true, "no such attachment");
		return false;
	}
	*which = (size_t)k - 1;
	return true;
}

/* --- keys -------------------------------------------------------------- */

/* Moves a list cursor; returns true when the action was a movement. */
bool
screen_list_move(const struct screen *s, size_t *cur, size_t n, int action)
{
	size_t page = (size_t)screen_body_rows(s);

	if (n == 0)
		return false;
	switch (action) {
	case CONFIG_ACTION_NEXT:
		if (*cur + 1 < n)
			(*cur)++;
		return true;
	case CONFIG_ACTION_PREVIOUS:
		if (*cur > 0)
			(*cur)--;
		return true;
	case CONFIG_ACTION_PAGE_DOWN:
		*cur = *cur + page < n ? *cur + page : n - 1;
		return true;
	case CONFIG_ACTION_PAGE_UP:
		*cur = *cur > page ? *cur - page : 0;
		return true;
	case CONFIG_ACTION_FIRST:
		*cur = 0;
		return true;
	case CONFIG_ACTION_LAST:
		*cur = n - 1;
		return true;
	}
	return false;
}

/*
 * Reads the open folder again (new mail, changes by other clients).  Quiet
 * (a timed look for new mail): the status line changes only when new
 * messages came, and then the terminal beeps.
 */
static void
rescan_folder(struct screen *s, bool quiet)
{
	uint32_t uid = s->index.n ? s->index.env[s->index.cur].uid : 0, newest = 0;
	size_t i, fresh = 0;
	char *id = xstrdup(s->index.folder_id), *saved = xstrdup(s->status);
	bool saved_bad = s->status_bad;

	for (i = 0; i < s->index.n; i++)
		if (s->index.env[i].uid > newest)
			newest = s->index.env[i].uid;
	for (i = 0; i < s->folders.n; i++)
		if (strcmp(s->folders.list[i].id, id) == 0)
			break;
	free(id);
	if (i == s->folders.n || index_open_folder(s, i) < 0) {
		free(saved);
		return;
	}
	for (i = 0; i < s->index.n; i++) {
		if (s->index.env[i].uid > newest)
			fresh++;
		if (s->index.env[i].uid == uid)
			s->index.cur = i;
	}
	if (quiet && fresh == 0) {
		snprintf(s->status, sizeof(s->status), "%s", saved);
		s->status_bad = saved_bad;
	} else if (quiet) {
		screen_status(s, false, "%zu new message%s in %s", fresh, fresh == 1 ? "" : "s",
			   s->index.folder_name);
		beep();
	} else {
		screen_status(s, false, "%s: %zu message%s, %zu new since", s->index.folder_name,
			   s->index.n, s->index.n == 1 ? "" : "s", fresh);
	}
	free(saved);
}

void
index_toggle_flag(struct screen *s)
{
	struct ui_envelope *env;
	struct err e = { 0 };
	bool on;

	if (s->index.n == 0)
		return;
	env = &s->index.env[s->index.cur];
	on = env->flags & UI_FLAG_FLAGGED;
	if (ui_source_set_flags(s->src, env->uid, on ? 0 : UI_FLAG_FLAGGED,
				on ? UI_FLAG_FLAGGED : 0, &e) < 0)
		screen_status(s, true, "%s", e.msg);
	else
		env->flags ^= UI_FLAG_FLAGGED;
}

void
index_set_deleted(struct screen *s, bool on)
{
	struct ui_envelope *env;
	struct err e = { 0 };
	struct buf hint = BUF_INIT;

	if (s->index.n == 0)
		return;
	env = &s->index.env[s->index.cur];
	if (ui_source_set_flags(s->src, env->uid, on ? UI_FLAG_DELETED : 0,
				on ? 0 : UI_FLAG_DELETED, &e) < 0) {
		screen_status(s, true, "%s", e.msg);
		return;
	}
	if (on) {
		env->flags |= UI_FLAG_DELETED;
		ui_keymap_keys(&s->keys, CONFIG_ACTION_EXPUNGE, &hint);
		screen_status(s, false, "marked deleted (%s in the index removes the "
			   "marked messages for good)", hint.data);
		buf_release(&hint);
		/* As in the index of other mailers: on to the next one. */
		if (s->view == UI_VIEW_INDEX && s->index.cur + 1 < s->index.n)
			s->index.cur++;
	} else {
		env->flags &= ~(unsigned)UI_FLAG_DELETED;
		screen_status(s, false, "no longer marked deleted");
	}
}

/* Takes envelope i off the index (it left the folder). */
static void
drop_envelope(struct screen *s, size_t i)
{
	free(s->index.env[i].from);
	free(s->index.env[i].subject);
	free(s->index.env[i].content_type);
	free(s->index.env[i].message_id);
	free(s->index.env[i].in_reply_to);
	free(s->index.env[i].references);
	memmove(s->index.env + i, s->index.env + i + 1, (s->index.n - i - 1) * sizeof(*s->index.env));
	memmove(s->index.marks + i, s->index.marks + i + 1, (s->index.n - i - 1) * sizeof(*s->index.marks));
	memmove(s->index.seq + i, s->index.seq + i + 1, (s->index.n - i - 1) * sizeof(*s->index.seq));
	memmove(s->index.depth + i, s->index.depth + i + 1, (s->index.n - i - 1) * sizeof(*s->index.depth));
	s->index.n--;
	if (s->index.cur >= s->index.n && s->index.cur > 0)
		s->index.cur = s->index.n ? s->index.n - 1 : 0;
}

static void
move_message(struct screen *s)
{
	const struct ui_folder *to;
	struct buf q = BUF_INIT;
	struct err e = { 0 };
	char *answer;
	size_t i, shown = 0;

	if (s->index.n == 0)
		return;
	/* The question lists the other folders. */
	buf_adds(&q, "Move to folder (");
	for (i = 0; i < s->folders.n; i++) {
		if (strcmp(s->folders.list[i].id, s->index.folder_id) == 0)
			continue;
		buf_addf(&q, "%s%s", shown++ ? ", " : "", s->folders.list[i].name);
	}
	buf_adds(&q, "): ");
	if (shown == 0) {
		screen_status(s, true, "there is no other folder to move to");
		buf_release(&q);
		return;
	}
	answer = screen_prompt(s, q.data, NULL);
	buf_release(&q);
	if (answer == NULL || *answer == '\0') {
		screen_status(s, false, "not moved");
		free(answer);
		return;
	}
	to = folders_find(s, answer);
	if (to == NULL) {
		screen_status(s, true, "not moved: no folder \"%s\" (or several start so)",
			   answer);
	} else if (strcmp(to->id, s->index.folder_id) == 0) {
		screen_status(s, true, "not moved: the message is in %s already", to->name);
	} else {
		screen_working(s, "moving the message");
		if (ui_source_move(s->src, s->index.env[s->index.cur].uid, to->id, &e) < 0) {
			screen_status(s, true, "not moved: %s", e.msg);
		} else {
			drop_envelope(s, s->index.cur);
			screen_status(s, false, "moved to %s", to->name);
		}
	}
	free(answer);
}

static void rescan_folder(struct screen *s, bool quiet);

/* Removes the messages marked deleted, after a yes; then reads the folder. */
static void
expunge_folder(struct screen *s)
{
	struct err e = { 0 };
	size_t i, n = 0;
	char *q, *yn;

	for (i = 0; i < s->index.n; i++)
		if (s->index.env[i].flags & UI_FLAG_DELETED)
			n++;
	if (n == 0) {
		rescan_folder(s, false);
		return;
	}
	q = xasprintf("Remove %zu message%s marked deleted for good (y/n)? ", n,
		      n == 1 ? "" : "s");
	yn = screen_prompt(s, q, NULL);
	free(q);
	if (yn == NULL || (yn[0] != 'y' && yn[0] != 'Y')) {
		free(yn);
		screen_status(s, false, "nothing removed");
		return;
	}
	free(yn);
	screen_working(s, "removing the messages marked deleted");
	if (ui_source_expunge(s->src, &e) < 0) {
		screen_status(s, true, "not removed: %s", e.msg);
		return;
	}
	rescan_folder(s, false);
	if (!s->status_bad)
		screen_status(s, false, "%zu message%s removed; %s: %zu left", n,
			   n == 1 ? "" : "s", s->index.folder_name, s->index.n);
}

static void
key_index(struct screen *s, int action)
{
	if (screen_list_move(s, &s->index.cur, s->index.n, action) || compose_start_by_key(s, action))
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
		break;
	}
}

/* The key as [keys] names it (enum config_key), from what get_wch read. */
static int
key_of(int r, wint_t ch)
{
	static const struct {
		int curses, key;
	} named[] = {
		{ KEY_ENTER, CONFIG_KEY_ENTER }, { KEY_BACKSPACE, CONFIG_KEY_BACKSPACE },
		{ KEY_UP, CONFIG_KEY_UP }, { KEY_DOWN, CONFIG_KEY_DOWN },
		{ KEY_LEFT, CONFIG_KEY_LEFT }, { KEY_RIGHT, CONFIG_KEY_RIGHT },
		{ KEY_PPAGE, CONFIG_KEY_PAGE_UP }, { KEY_NPAGE, CONFIG_KEY_PAGE_DOWN },
		{ KEY_HOME, CONFIG_KEY_HOME }, { KEY_END, CONFIG_KEY_END },
		{ KEY_IC, CONFIG_KEY_INSERT }, { KEY_DC, CONFIG_KEY_DELETE },
	};
	size_t i;

	if (r == KEY_CODE_YES) {
		for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
			if ((int)ch == named[i].curses)
				return named[i].key;
		if ((int)ch >= KEY_F(1) && (int)ch <= KEY_F(12))
			return CONFIG_KEY_F1 + ((int)ch - KEY_F(1));
		return -1;
	}
	if (ch == '\r' || ch == '\n')
		return CONFIG_KEY_ENTER;
	if (ch == 127 || ch == 8)
		return CONFIG_KEY_BACKSPACE;
	return (int)ch;
}

static void
handle_key(struct screen *s, int key)
{
	int action = ui_keymap_action(&s->keys, s->view, key);

	if (action == CONFIG_ACTION_REDRAW) {
		pager_free_rows(s);	/* wrap again at the new width */
		clearok(curscr, TRUE);
		return;
	}
	if (s->view == UI_VIEW_HELP) {
		if (action == CONFIG_ACTION_NEXT)
			s->help_top++;
		else if (action == CONFIG_ACTION_PREVIOUS && s->help_top > 0)
			s->help_top--;
		else if (action == CONFIG_ACTION_PAGE_DOWN)
			s->help_top += (size_t)screen_body_rows(s);
		else if (action == CONFIG_ACTION_PAGE_UP)
			s->help_top = s->help_top > (size_t)screen_body_rows(s) ?
				      s->help_top - (size_t)screen_body_rows(s) : 0;
		else
			s->view = s->help_from;
		return;
	}
	if (action == CONFIG_ACTION_HELP) {
		s->help_from = s->view;
		s->help_top = 0;
		s->view = UI_VIEW_HELP;
		return;
	}
	if (action < 0)
		return;
	switch (s->view) {
	case UI_VIEW_FOLDERS: folders_key(s, action); break;
	case UI_VIEW_INDEX: key_index(s, action); break;
	case UI_VIEW_PAGER: pager_key(s, action); break;
	case UI_VIEW_COMPOSE: compose_key(s, action); break;
	case UI_VIEW_CERT: certs_key(s, action); break;
	case UI_VIEW_HELP: break;
	}
}

/* --- set-up ------------------------------------------------------------ */

/* Each element's colour pair (its index + 1) and attributes. */
static void
init_colors(struct screen *s)
{
	const struct config *cfg = s->opt->config;
	enum config_element el;
	struct ui_paint p;

	/* COLOR_PAIRS is known once start_color has run. */
	if (has_colors() && start_color() == OK && COLOR_PAIRS > CONFIG_ELEM_COUNT) {
		use_default_colors();
		s->color = true;
	}
	for (el = 0; el < CONFIG_ELEM_COUNT; el++) {
		attr_t a = A_NORMAL;

		ui_paint_resolve(cfg, el, s->color, &p);
		if (s->color && (p.fg >= 0 || p.bg >= 0)) {
			init_pair((short)(el + 1), (short)p.fg, (short)p.bg);
			a |= (attr_t)COLOR_PAIR(el + 1);
		}
		if (p.attrs & CONFIG_ATTR_BOLD)
			a |= A_BOLD;
		if (p.attrs & CONFIG_ATTR_UNDERLINE)
			a |= A_UNDERLINE;
		if (p.attrs & CONFIG_ATTR_REVERSE)
			a |= A_REVERSE;
		if (p.attrs & UI_ATTR_DIM)
			a |= A_DIM;
		s->paint[el] = a;
	}
}

int
ui_run(struct ui_source *src, const struct ui_options *opt, struct err *e)
{
	struct screen s = { 0 };
	int logfd = -1, nullfd, key, r, rc = -1;
	FILE *tty = NULL;
	SCREEN *scr;
	wint_t ch;
	unsigned interval;
	time_t last_check;

	/* A configuration mistake is said first, with or without a terminal. */
	if (ui_keymap_init(&s.keys, opt->config, e) < 0)
		return -1;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return err_set(e, ERR_USAGE, "the screen needs a terminal; "
			       "use the command-line verbs in scripts");
	s.src = src;
	s.opt = opt;
	s.saved_stderr = -1;
	s.status_rows = 1;
	s.tty_out = -1;
	if (ui_source_list_folders(src, &s.folders.list, &s.folders.n, e) < 0)
		return -1;

	/* Nothing below the screen may write on it: stderr goes to the log. */
	if (opt->log_path) {
		logfd = open(opt->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (logfd >= 0) {
			fflush(stderr);
			s.saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
			dup2(logfd, STDERR_FILENO);
			close(logfd);
		}
	}

	/*
	 * The screen writes to its own copy of the terminal; standard output
	 * goes to /dev/null.  Stray library output cannot garble the screen,
	 * and GPGME, which hands gpg-agent the terminal of standard output
	 * for pinentry, hands it none: no prompt can draw over the screen.
	 */
	s.tty_out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	nullfd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (s.tty_out < 0 || nullfd < 0 || (tty = fdopen(s.tty_out, "w")) == NULL) {
		if (nullfd >= 0)
			close(nullfd);
		if (s.tty_out >= 0)
			close(s.tty_out);
		err_set(e, ERR_IO, "cannot set up the terminal: %s", strerror(errno));
		goto restore;
	}
	fflush(stdout);
	dup2(nullfd, STDOUT_FILENO);
	close(nullfd);

	setlocale(LC_ALL, "");
	scr = newterm(NULL, tty, stdin);
	if (scr == NULL) {
		err_set(e, ERR_USAGE, "cannot use this terminal (TERM=%s)",
			getenv("TERM") ? getenv("TERM") : "");
		goto restore;
	}
	set_term(scr);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(50);
	curs_set(0);
	init_colors(&s);
	s.help = ui_help_build(&s.keys, &s.n_help);

	folders_start(&s);

	/* Keys are waited for a second at a time, to look for new mail. */
	interval = opt->account ? opt->account->check_interval : CONFIG_CHECK_INTERVAL_DEFAULT;
	last_check = time(NULL);
	timeout(1000);
	while (!s.quit) {
		show_notices(&s);
		screen_draw(&s);
		r = get_wch(&ch);
		if (r == ERR) {
			if (interval && s.view == UI_VIEW_INDEX && s.index.folder_id &&
			    time(NULL) - last_check >= (time_t)interval) {
				rescan_folder(&s, true);
				last_check = time(NULL);
			}
			continue;
		}
		if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
			pager_free_rows(&s);	/* wrap again at the new width */
			continue;
		}
		key = key_of(r, ch);
		if (key >= 0)
			handle_key(&s, key);
	}

	endwin();
	delscreen(scr);
	rc = 0;
restore:
	if (tty) {
		fflush(tty);
		dup2(s.tty_out, STDOUT_FILENO);
		fclose(tty);
	}
	if (s.saved_stderr >= 0) {
		fflush(stderr);
		dup2(s.saved_stderr, STDERR_FILENO);
		close(s.saved_stderr);
	}
	ui_draft_release(&s.compose.draft);
	free(s.compose.plan);
	pager_close(&s);
	close_folder(&s);
	ui_folders_free(&s.folders.list, s.folders.n);
	ui_help_free(&s.help, s.n_help);
	free(s.index.search);
	free(s.index.hits);
	free(s.index.hits_text);
	free(s.index.hits_folder);
	smime_engine_free(&s.eng);
	free(s.eng_error);
	return rc;
}
