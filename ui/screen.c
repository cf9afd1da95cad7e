/*
 * screen.c — terminal set-up and the main loop of the screens: folder
 * list, index, pager, help.  Everything drawn comes from the model in
 * struct screen, so a resize (or ^L) redraws it all from there.
 */
#include "ui/ui_p.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


struct row {		/* one screen row of the pager: a piece of a doc line */
	size_t line;	/* index in the doc */
	char *text;	/* owned */
};

struct screen {
	struct ui_source *src;		/* foreign */
	const struct ui_options *opt;	/* foreign */
	bool color;
	attr_t paint[CONFIG_ELEM_COUNT];	/* how each element is drawn */
	struct ui_keymap keys;		/* the effective keys */
	char **help;			/* owned; the help screen's lines */
	size_t n_help;

	enum ui_view view, help_from;
	size_t help_top;		/* first help line shown */
	struct ui_folder *folders;	/* owned */
	size_t n_folders, folder_cur, folder_top;

	char *folder_id;		/* owned; the open folder */
	char *folder_name;		/* owned */
	struct ui_envelope *env;	/* owned */
	enum ui_crypto_mark *marks;	/* owned; one per envelope */
	size_t *seq;			/* owned; each one's place in the folder */
	unsigned *depth;		/* owned; each one's depth in its thread */
	enum { ORDER_FOLDER, ORDER_THREADS, ORDER_DATE } order;	/* of the index */
	size_t n_env, idx_cur, idx_top;
	char *search;			/* owned; last search, or NULL */
	/* the last search of whole messages (S): its text, folder, UIDs */
	char *hits_text, *hits_folder;	/* owned, or NULL */
	uint32_t *hits;			/* owned; ascending */
	size_t n_hits;
	bool search_whole;		/* n repeats the search of whole messages */

	struct ui_doc doc;		/* the message in the pager */
	struct buf raw;			/* its bytes as stored (not decrypted) */
	bool msg_encrypted;		/* it was encrypted */
	struct smime_verdict *verdict;	/* owned; its verdict, or NULL */
	struct ui_doc cert_doc;		/* the certificate view */
	size_t cert_top;
	char **trustable;		/* owned; SHA-1 of pending/conflict signers */
	size_t n_trustable;
	struct row *rows;		/* owned; doc wrapped to the width */
	size_t n_rows, n_pinned, pager_top;
	int rows_width;

	struct ui_draft draft;		/* owned; the message being composed */
	enum ui_view compose_from;		/* where compose returns to */
	uint32_t reply_uid;		/* the message answered, or 0 */
	enum send_request req_sign;	/* the person's wish on top of policy */
	enum send_request req_encrypt;
	bool reply_encrypted;		/* the original was encrypted */
	char *plan;			/* owned; what sending will do, or NULL */
	bool plan_bad;
	int saved_stderr;		/* the terminal's stderr, for the editor */
	int tty_out;			/* the terminal's stdout: the screen's */

	struct smime_engine *eng;	/* owned; NULL until first needed */
	char *eng_error;		/* owned; why there is no engine */

	char status[1024];
	bool status_bad;
	bool quit;
};

/* --- model ------------------------------------------------------------- */

static void
set_status(struct screen *s, bool bad, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
set_status(struct screen *s, bool bad, const char *fmt, ...)
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
		set_status(s, true, "alert from the server: %s", joined.data);
	buf_release(&joined);
	free(text);
}

static void
close_folder(struct screen *s)
{
	ui_envelopes_free(&s->env, s->n_env);
	free(s->marks);
	free(s->seq);
	free(s->depth);
	s->marks = NULL;
	s->seq = NULL;
	s->depth = NULL;
	s->n_env = s->idx_cur = s->idx_top = 0;
	free(s->folder_id);
	free(s->folder_name);
	s->folder_id = s->folder_name = NULL;
}

static void free_rows(struct screen *s);

static void
close_certs(struct screen *s)
{
	size_t i;

	ui_doc_release(&s->cert_doc);
	for (i = 0; i < s->n_trustable; i++)
		free(s->trustable[i]);
	free(s->trustable);
	s->trustable = NULL;
	s->n_trustable = 0;
	s->cert_top = 0;
}

static void
close_message(struct screen *s)
{
	close_certs(s);
	smime_verdict_free(&s->verdict);
	ui_doc_release(&s->doc);
	buf_release(&s->raw);
	s->msg_encrypted = false;
	free_rows(s);
	s->pager_top = 0;
}

/* --- drawing ----------------------------------------------------------- */

/*
 * Rows the status line takes at the bottom: a long message (an error with
 * the advice that goes with it) wraps onto up to STATUS_MAX_ROWS rows
 * rather than being cut; set by each draw.
 */
#define STATUS_MAX_ROWS 6
static int status_rows = 1;

static int
body_rows(void)
{
	return LINES > 1 + status_rows ? LINES - 1 - status_rows : 1;
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

static attr_t
paint(const struct screen *s, enum config_element el)
{
	return s->paint[el];
}

/* Appends "KEY:label  " with the first key of action a, if it has one. */
static void
key_hint(const struct screen *s, struct buf *b, enum config_action a,
	 const char *label)
{
	char name[16];

	if (s->keys.b[a].n == 0)
		return;
	config_key_text(s->keys.b[a].keys[0], name);
	buf_addf(b, "%s%s:%s", b->len ? "  " : "", name, label);
}

/* Draws UTF-8 text at row y, cut or padded to the whole width. */
static void
put_row(int y, const char *text, attr_t a)
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
	attr_t a = s->status_bad ? paint(s, CONFIG_ELEM_ERROR) :
				   paint(s, CONFIG_ELEM_STATUS);
	struct status_pieces p = { .n = 0 };
	int i;

	if (status_rows == 1) {
		put_row(LINES - 1, s->status, a);
		return;
	}
	ui_text_wrap(s->status, COLS, add_status_piece, &p);
	for (i = 0; i < status_rows; i++) {
		struct buf last = BUF_INIT;

		/* More than fits: the last row says the text goes on. */
		if (i == status_rows - 1 && (p.cut || p.n > status_rows)) {
			buf_adds(&last, "");
			ui_text_fit(&last, i < p.n ? p.text[i] : "", COLS - 1);
			buf_adds(&last, "\xe2\x80\xa6");
		}
		put_row(LINES - status_rows + i, last.data ? last.data :
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

	status_rows = 1;
	if (ui_text_width(s->status) <= COLS || most < 2)
		return;
	ui_text_wrap(s->status, COLS, add_status_piece, &p);
	for (i = 0; i < p.n; i++)
		free(p.text[i]);
	status_rows = p.n < most ? p.n : most;
	if (status_rows < 1)
		status_rows = 1;
}

static void
draw_bars(struct screen *s, const char *title, const char *hint)
{
	struct buf b = BUF_INIT;
	attr_t bar = paint(s, CONFIG_ELEM_BARS);

	buf_addf(&b, "cachet: %s", title);
	if (hint && ui_text_width(b.data) + ui_text_width(hint) + 2 < COLS) {
		int pad = COLS - ui_text_width(b.data) - ui_text_width(hint);

		while (pad-- > 0)
			buf_addc(&b, ' ');
		buf_adds(&b, hint);
	}
	put_row(0, b.data, bar);
	draw_status(s);
	buf_release(&b);
}

/*
 * The first item shown: lists move by whole pages, so the view is a
 * function of the cursor and the screen size only, and a resize shows the
 * same as a fresh start at that size.
 */
static void
scroll_to(size_t cur, size_t *top, int rows)
{
	if (rows < 1)
		rows = 1;
	*top = cur - cur % (size_t)rows;
}

static void
draw_folders(struct screen *s)
{
	int rows = body_rows(), y;
	size_t i;
	struct buf b = BUF_INIT;

	scroll_to(s->folder_cur, &s->folder_top, rows);
	for (y = 0; y < rows; y++) {
		i = s->folder_top + (size_t)y;
		if (i >= s->n_folders)
			break;
		buf_reset(&b);
		buf_addf(&b, "%4zu  %s", i + 1, s->folders[i].name);
		put_row(y + 1, b.data, i == s->folder_cur ?
			paint(s, CONFIG_ELEM_INDEX_SELECTED) : A_NORMAL);
	}
	buf_release(&b);
	buf_reset(&b);
	key_hint(s, &b, CONFIG_ACTION_OPEN, "open");
	key_hint(s, &b, CONFIG_ACTION_QUIT, "quit");
	key_hint(s, &b, CONFIG_ACTION_HELP, "help");
	draw_bars(s, "folders", b.data ? b.data : "");
}

static void
draw_index(struct screen *s)
{
	int rows = body_rows(), y;
	size_t i;
	struct buf b = BUF_INIT, title = BUF_INIT;
	time_t now = time(NULL);
	attr_t a;

	scroll_to(s->idx_cur, &s->idx_top, rows);
	for (y = 0; y < rows; y++) {
		i = s->idx_top + (size_t)y;
		if (i >= s->n_env)
			break;
		buf_reset(&b);
		buf_adds(&b, "");
		if (s->order == ORDER_THREADS && s->depth[i] > 0) {
			/* A reply: its subject indented under its parent's. */
			struct ui_envelope shown = s->env[i];
			struct buf subj = BUF_INIT;
			unsigned d;

			for (d = 1; d < s->depth[i] && d < 8; d++)
				buf_adds(&subj, "  ");
			buf_addf(&subj, "-> %s", s->env[i].subject);
			shown.subject = subj.data;
			ui_index_line(&b, i + 1, &shown, s->marks[i], COLS, now);
			buf_release(&subj);
		} else {
			ui_index_line(&b, i + 1, &s->env[i], s->marks[i], COLS, now);
		}
		if (i == s->idx_cur)
			a = paint(s, CONFIG_ELEM_INDEX_SELECTED);
		else if (s->env[i].flags & UI_FLAG_DELETED)
			a = paint(s, CONFIG_ELEM_INDEX_DELETED);
		else if (s->marks[i] == UI_CRYPTO_PROBLEM)
			a = paint(s, CONFIG_ELEM_INDEX_PROBLEM);
		else if (!(s->env[i].flags & UI_FLAG_SEEN))
			a = paint(s, CONFIG_ELEM_INDEX_UNREAD);
		else
			a = A_NORMAL;
		put_row(y + 1, b.data, a);
	}
	if (s->n_env == 0)
		put_row(1, "(no messages)", A_NORMAL);
	buf_addf(&title, "%s [%zu message%s%s]", s->folder_name, s->n_env,
		 s->n_env == 1 ? "" : "s", s->order == ORDER_THREADS ? ", threads" :
		 s->order == ORDER_DATE ? ", by date" : "");
	buf_reset(&b);
	key_hint(s, &b, CONFIG_ACTION_OPEN, "read");
	key_hint(s, &b, CONFIG_ACTION_SEARCH, "search");
	key_hint(s, &b, CONFIG_ACTION_DELETE, "delete");
	key_hint(s, &b, CONFIG_ACTION_QUIT, "back");
	key_hint(s, &b, CONFIG_ACTION_HELP, "help");
	draw_bars(s, title.data, b.data ? b.data : "");
	buf_release(&b);
	buf_release(&title);
}

struct wrap_ctx {
	struct screen *s;
	size_t line;
};

static void
add_row(void *arg, const char *piece, size_t len)
{
	struct wrap_ctx *w = arg;
	struct screen *s = w->s;

	s->rows = xrealloc(s->rows, (s->n_rows + 1) * sizeof(*s->rows));
	s->rows[s->n_rows].line = w->line;
	/* A copy: the piece lives in the wrapper's tab-expanded buffer. */
	s->rows[s->n_rows].text = xstrndup(piece, len);
	s->n_rows++;
}

static void
free_rows(struct screen *s)
{
	size_t i;

	for (i = 0; i < s->n_rows; i++)
		free(s->rows[i].text);
	free(s->rows);
	s->rows = NULL;
	s->n_rows = s->n_pinned = 0;
	s->rows_width = 0;
}

static void
wrap_doc(struct screen *s)
{
	struct wrap_ctx w = { s, 0 };
	size_t i;

	if (s->rows_width == COLS && s->rows)
		return;
	free_rows(s);
	for (i = 0; i < s->doc.n_lines; i++) {
		w.line = i;
		ui_text_wrap(s->doc.lines[i].text, COLS, add_row, &w);
		if (s->doc.lines[i].kind <= UI_LINE_BANNER_BAD)
			s->n_pinned = s->n_rows;
	}
	s->rows_width = COLS;
}

static attr_t
line_attr(struct screen *s, enum ui_line_kind k)
{
	switch (k) {
	case UI_LINE_BANNER_GOOD: return paint(s, CONFIG_ELEM_BANNER_GOOD);
	case UI_LINE_BANNER_BAD: return paint(s, CONFIG_ELEM_BANNER_BAD);
	case UI_LINE_BANNER_INFO: return paint(s, CONFIG_ELEM_BANNER_INFO);
	case UI_LINE_HEADER: return paint(s, CONFIG_ELEM_HEADER);
	case UI_LINE_QUOTE: return paint(s, CONFIG_ELEM_QUOTE);
	case UI_LINE_ATTACHMENT: return paint(s, CONFIG_ELEM_ATTACHMENT);
	case UI_LINE_NOTE: return paint(s, CONFIG_ELEM_NOTE);
	case UI_LINE_BODY: break;
	}
	return A_NORMAL;
}

/* Banner rows stay at the top; at most half the screen. */
static size_t
pinned_rows(struct screen *s)
{
	size_t half = (size_t)body_rows() / 2;

	return s->n_pinned < half ? s->n_pinned : half;
}

static size_t
pager_room(struct screen *s)
{
	size_t r = (size_t)body_rows(), p = pinned_rows(s);

	return r > p ? r - p : 1;
}

static void
draw_pager(struct screen *s)
{
	size_t pin, room, i, y;
	struct buf title = BUF_INIT, hint = BUF_INIT;
	const struct ui_envelope *env = s->n_env ? &s->env[s->idx_cur] : NULL;

	wrap_doc(s);
	pin = pinned_rows(s);
	room = pager_room(s);
	if (s->n_rows > pin + room && s->pager_top > s->n_rows - pin - room)
		s->pager_top = s->n_rows - pin - room;
	if (s->n_rows <= pin + room)
		s->pager_top = 0;
	for (y = 0; y < pin; y++)
		put_row((int)y + 1, s->rows[y].text, line_attr(s, s->doc.lines[s->rows[y].line].kind));
	for (y = 0; y < room; y++) {
		i = pin + s->pager_top + y;
		if (i >= s->n_rows)
			break;
		put_row((int)(pin + y) + 1, s->rows[i].text,
			line_attr(s, s->doc.lines[s->rows[i].line].kind));
	}
	buf_addf(&title, "%s", env ? env->subject : "");
	if (s->n_rows > pin + room)
		buf_addf(&hint, "%zu%%  ", (s->pager_top + room) * 100 / (s->n_rows - pin));
	else
		buf_adds(&hint, "all  ");
	if (s->doc.n_atts)
		key_hint(s, &hint, CONFIG_ACTION_SAVE, "save");
	if (s->verdict && s->verdict->n_signers)
		key_hint(s, &hint, CONFIG_ACTION_CERTIFICATE, "certificate");
	key_hint(s, &hint, CONFIG_ACTION_QUIT, "back");
	key_hint(s, &hint, CONFIG_ACTION_HELP, "help");
	draw_bars(s, title.data, hint.data);
	buf_release(&title);
	buf_release(&hint);
}

static void
draw_cert(struct screen *s)
{
	size_t rows = (size_t)body_rows(), y, n = s->cert_doc.n_lines;
	struct buf hint = BUF_INIT;

	if (s->cert_top + rows > n)
		s->cert_top = n > rows ? n - rows : 0;
	for (y = 0; y < rows && s->cert_top + y < n; y++) {
		const struct ui_line *l = &s->cert_doc.lines[s->cert_top + y];

		put_row((int)y + 1, l->text, l->kind == UI_LINE_NOTE ? A_BOLD :
			line_attr(s, l->kind));
	}
	if (s->n_trustable)
		key_hint(s, &hint, CONFIG_ACTION_TRUST, "trust");
	key_hint(s, &hint, CONFIG_ACTION_QUIT, "back");
	key_hint(s, &hint, CONFIG_ACTION_HELP, "help");
	draw_bars(s, "signer's certificate", hint.data ? hint.data : "");
	buf_release(&hint);
}

static void
draw_help(struct screen *s)
{
	size_t rows = (size_t)body_rows(), y;

	size_t n = s->n_help;
	struct buf hint = BUF_INIT;

	if (s->help_top + rows > n)
		s->help_top = n > rows ? n - rows : 0;
	for (y = 0; y < rows && s->help_top + y < n; y++)
		put_row((int)y + 1, s->help[s->help_top + y],
			s->help_top + y == 0 ? A_BOLD : A_NORMAL);
	if (n > rows) {
		ui_keymap_keys(&s->keys, CONFIG_ACTION_NEXT, &hint);
		buf_adds(&hint, " ");
		ui_keymap_keys(&s->keys, CONFIG_ACTION_PREVIOUS, &hint);
		buf_adds(&hint, ": scroll  other keys: back");
	} else {
		buf_adds(&hint, "any key: back");
	}
	draw_bars(s, "help", hint.data);
	buf_release(&hint);
}

static void
draw_compose(struct screen *s)
{
	const struct account *a = s->opt->account;
	const char *labels[] = { "   From: ", "     To: ", "     Cc: ", "    Bcc: ",
				 "Subject: " };
	const char *values[5];
	struct buf b = BUF_INIT;
	const char *p, *nl;
	int y, rows = body_rows();
	size_t i;

	values[0] = a ? a->from : "";
	values[1] = s->draft.to ? s->draft.to : "";
	values[2] = s->draft.cc ? s->draft.cc : "";
	values[3] = s->draft.bcc ? s->draft.bcc : "";
	values[4] = s->draft.subject ? s->draft.subject : "";
	for (y = 0; y < 5 && y < rows; y++) {
		buf_reset(&b);
		buf_adds(&b, labels[y]);
		ui_text_to_utf8(&b, NULL, values[y], strlen(values[y]));
		put_row(y + 1, b.data, paint(s, CONFIG_ELEM_HEADER));
	}
	if (y < rows) {
		put_row(y + 1, s->plan ? s->plan : "",
			s->plan_bad ? paint(s, CONFIG_ELEM_BANNER_BAD) :
				      paint(s, CONFIG_ELEM_BANNER_GOOD));
		y++;
	}
	for (i = 0; i < s->draft.n_parts && y < rows; i++, y++) {
		const struct ui_draft_part *part = &s->draft.parts[i];
		struct buf size = BUF_INIT;

		buf_reset(&b);
		buf_adds(&size, "");
		ui_size_short(&size, part->len);
		buf_addf(&b, "Attachment %zu: ", i + 1);
		ui_text_to_utf8(&b, NULL, part->name, strlen(part->name));
		buf_addf(&b, " (%s, %s)", part->type, size.data);
		put_row(y + 1, b.data, paint(s, CONFIG_ELEM_ATTACHMENT));
		buf_release(&size);
	}
	if (y < rows) {
		{
			struct buf t = BUF_INIT;

			buf_adds(&t, "-- text (");
			ui_keymap_keys(&s->keys, CONFIG_ACTION_EDIT_BODY, &t);
			buf_adds(&t, ": edit) --");
			put_row(y + 1, t.data, paint(s, CONFIG_ELEM_NOTE));
			buf_release(&t);
		}
		y++;
	}
	for (p = s->draft.body ? s->draft.body : ""; *p && y < rows; y++) {
		nl = strchr(p, '\n');
		buf_reset(&b);
		buf_adds(&b, "");
		ui_text_to_utf8(&b, NULL, p, nl ? (size_t)(nl - p) : strlen(p));
		put_row(y + 1, b.data, A_NORMAL);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	buf_release(&b);
	buf_reset(&b);
	key_hint(s, &b, CONFIG_ACTION_SEND, "send");
	key_hint(s, &b, CONFIG_ACTION_POSTPONE, "postpone");
	key_hint(s, &b, CONFIG_ACTION_EDIT_BODY, "edit");
	key_hint(s, &b, CONFIG_ACTION_ATTACH, "attach");
	key_hint(s, &b, CONFIG_ACTION_QUIT, "abandon");
	key_hint(s, &b, CONFIG_ACTION_HELP, "help");
	draw_bars(s, "compose", b.data ? b.data : "");
}

static void
draw(struct screen *s)
{
	measure_status(s);
	erase();
	switch (s->view) {
	case UI_VIEW_FOLDERS: draw_folders(s); break;
	case UI_VIEW_INDEX: draw_index(s); break;
	case UI_VIEW_PAGER: draw_pager(s); break;
	case UI_VIEW_HELP: draw_help(s); break;
	case UI_VIEW_COMPOSE: draw_compose(s); break;
	case UI_VIEW_CERT: draw_cert(s); break;
	}
	refresh();
}

/* Shows "working…" now, before a slow step. */
static void
working(struct screen *s, const char *what)
{
	set_status(s, false, "working\xe2\x80\xa6 %s", what);
	draw(s);
}

/* --- input ------------------------------------------------------------- */

/*
 * Reads a line at the bottom of the screen.  Returns a UTF-8 string (owned)
 * or NULL when cancelled (Escape, Ctrl-G).  A resize redraws the screen
 * under the prompt.
 */
static char *
prompt(struct screen *s, const char *question, const char *initial)
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
	if (status_rows > 1) {
		set_status(s, false, "%s", "");
		draw(s);
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
				draw(s);
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
	size_t n = s->n_env, i, *order = xcalloc(n ? n : 1, sizeof(*order));
	unsigned *depth = xcalloc(n ? n : 1, sizeof(*depth));
	struct ui_envelope *env = xcalloc(n ? n : 1, sizeof(*env));
	enum ui_crypto_mark *marks = xcalloc(n ? n : 1, sizeof(*marks));
	size_t *seq = xcalloc(n ? n : 1, sizeof(*seq));
	uint32_t uid = n ? s->env[s->idx_cur].uid : 0;

	if (s->order == ORDER_THREADS) {
		ui_thread_order(s->env, n, order, depth);
	} else if (s->order == ORDER_DATE) {
		/* By the Date header; a missing one and ties keep the folder's order. */
		struct dated *d = xcalloc(n ? n : 1, sizeof(*d));

		for (i = 0; i < n; i++) {
			d[i].date = s->env[i].date;
			d[i].seq = s->seq[i];
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
			pairs[2 * i] = s->seq[i];
			pairs[2 * i + 1] = i;
		}
		qsort(pairs, n, 2 * sizeof(*pairs), seq_cmp);
		for (i = 0; i < n; i++)
			order[i] = pairs[2 * i + 1];
		free(pairs);
	}
	for (i = 0; i < n; i++) {
		env[i] = s->env[order[i]];
		marks[i] = s->marks[order[i]];
		seq[i] = s->seq[order[i]];
	}
	free(s->env);
	free(s->marks);
	free(s->seq);
	free(s->depth);
	s->env = env;
	s->marks = marks;
	s->seq = seq;
	s->depth = depth;
	for (i = 0; i < n; i++)
		if (s->env[i].uid == uid)
			s->idx_cur = i;
	free(order);
}

static int
open_folder(struct screen *s, size_t which)
{
	struct err e = { 0 };
	struct ui_envelope *env = NULL;
	size_t n = 0, i;

	working(s, "opening folder");
	if (ui_source_open_folder(s->src, s->folders[which].id, &env, &n, &e) < 0) {
		set_status(s, true, "%s", e.msg);
		return -1;
	}
	close_folder(s);
	s->env = env;
	s->n_env = n;
	s->marks = xcalloc(n ? n : 1, sizeof(*s->marks));
	s->seq = xcalloc(n ? n : 1, sizeof(*s->seq));
	s->depth = xcalloc(n ? n : 1, sizeof(*s->depth));
	for (i = 0; i < n; i++) {
		s->marks[i] = ui_crypto_mark_of(env[i].content_type);
		s->seq[i] = i;
	}
	if (s->order != ORDER_FOLDER)
		apply_order(s);
	s->folder_id = xstrdup(s->folders[which].id);
	s->folder_name = xstrdup(s->folders[which].name);
	/* Start at the first unread message, else the newest. */
	s->idx_cur = n ? n - 1 : 0;
	for (i = 0; i < n; i++)
		if (!(env[i].flags & UI_FLAG_SEEN)) {
			s->idx_cur = i;
			break;
		}
	s->view = UI_VIEW_INDEX;
	set_status(s, false, "%s: %zu message%s", s->folder_name, n, n == 1 ? "" : "s");
	return 0;
}

static struct smime_engine *
engine(struct screen *s)
{
	struct err e = { 0 };

	if (s->eng || s->eng_error)
		return s->eng;
	if (smime_engine_new(s->opt->gnupg_home, &s->eng, &e) < 0) {
		s->eng_error = xstrdup(e.msg[0] ? e.msg : "the S/MIME engine did not start");
	} else if (s->opt->data_dir) {
		/* The trust anchors from the certificate store; without one the
		 * engine seeds them itself. */
		struct certstore *store = NULL;
		struct err se = { 0 };

		if (certstore_open(s->opt->data_dir, s->opt->gnupg_home, &store, &se) == 0 &&
		    certstore_give_anchors(store, s->eng, &e) < 0) {
			smime_engine_free(&s->eng);
			s->eng_error = xstrdup(e.msg[0] ? e.msg : "the trust anchors cannot be read");
		}
		certstore_close(&store);
	}
	return s->eng;
}

static void
doc_prepend(struct ui_doc *d, enum ui_line_kind kind, char *text)
{
	d->lines = xrealloc(d->lines, (d->n_lines + 1) * sizeof(*d->lines));
	memmove(d->lines + 1, d->lines, d->n_lines * sizeof(*d->lines));
	d->lines[0].kind = kind;
	d->lines[0].text = text;
	d->n_lines++;
}

static void
doc_append(struct ui_doc *d, enum ui_line_kind kind, char *text)
{
	d->lines = xrealloc(d->lines, (d->n_lines + 1) * sizeof(*d->lines));
	d->lines[d->n_lines].kind = kind;
	d->lines[d->n_lines].text = text;
	d->n_lines++;
}

/* What harvesting one certificate changed, for the status line; NULL: nothing. */
static char *
harvest_words(const struct certstore_outcome *o)
{
	const char *who = o->email ? o->email : "the signer";

	/* Each message from a conflicting certificate says so again. */
	if (o->state == CERTSTORE_CONFLICT)
		return xasprintf("%s signed with another certificate than the one "
				 "cachet encrypts to: it waits for your decision (C)", who);
	if (o->reason)
		return NULL;
	switch (o->change) {
	case CERTSTORE_CHANGE_NEW:
		return o->state == CERTSTORE_PENDING ?
		       xasprintf("the certificate of %s waits for your decision "
				 "(C shows it, T trusts it)", who) :
		       xasprintf("stored the certificate of %s: mail to %s can be "
				 "encrypted", who, who);
	case CERTSTORE_CHANGE_RENEWAL:
		return xasprintf("stored the renewed certificate of %s", who);
	case CERTSTORE_CHANGE_CONFLICT:
	case CERTSTORE_CHANGE_KNOWN:
		break;
	}
	return NULL;
}

/*
 * Reading a signed message harvests it as `cachet harvest` does, under the
 * policy's harvest key: the signer's own certificate is bound only after
 * every check of certstore_harvest_verdict (good signature over the whole
 * message, chain to a trust anchor, address equal to From...), a different
 * certificate for a known address waits for the person, and a message
 * seen before (by its bytes) is not looked at again.  Certs-only messages
 * are left to `cachet harvest` and `cachet certs import`.  What changed is
 * said on the status line.
 */
static void
harvest_shown(struct screen *s, const struct buf *raw, const struct smime_verdict *v,
	      const char *name)
{
	const struct policy *p = s->opt->policy;
	struct certstore *store = NULL;
	struct certstore_msginfo info;
	struct certstore_outcomes out = { 0 };
	struct buf said = BUF_INIT;
	struct err e = { 0 };
	time_t now = time(NULL);
	bool bad = false;
	char key[65], *sum, *w;
	size_t i;
	int rc;

	if (p == NULL || p->harvest == POLICY_HARVEST_NEVER || s->opt->data_dir == NULL ||
	    v == NULL || v->signature == SMIME_SIG_NONE)
		return;
	certstore_message_key(raw->data, raw->len, key);
	if (certstore_open(s->opt->data_dir, s->opt->gnupg_home, &store, &e) < 0)
		goto fail;
	rc = certstore_seen_get(store, key, NULL, &e);
	if (rc < 0)
		goto fail;
	/* Seen before, or a header harvest cannot read (the banner says why). */
	if (rc == 1 || certstore_msginfo_parse(raw->data, raw->len, &info, NULL) < 0)
		goto out;
	rc = certstore_harvest_verdict(store, v, &info, p->harvest == POLICY_HARVEST_ASK ?
				       CERTSTORE_MODE_ASK : CERTSTORE_MODE_TRUSTED,
				       name, now, &out, &e);
	if (rc == 0) {
		sum = certstore_outcomes_summary(&out);
		rc = certstore_seen_put(store, key, info.message_id, sum, now, &e);
		free(sum);
	}
	certstore_msginfo_release(&info);
	if (rc < 0)
		goto fail;
	for (i = 0; i < out.n; i++) {
		if ((w = harvest_words(&out.v[i])) == NULL)
			continue;
		buf_addf(&said, "%s%s", said.len ? "; " : "", w);
		bad |= out.v[i].state == CERTSTORE_CONFLICT;
		free(w);
	}
	if (said.len)
		set_status(s, bad, "%s", said.data);
	goto out;
fail:
	set_status(s, true, "certificate store: %s", e.msg);
out:
	buf_release(&said);
	certstore_outcomes_release(&out);
	certstore_close(&store);
}

static void
open_message(struct screen *s)
{
	struct ui_envelope *env;
	struct buf raw = BUF_INIT, inner = BUF_INIT;
	struct smime_verdict *v = NULL;
	struct smime_engine *eng;
	struct err e = { 0 };
	char *check_error = NULL, *locked;
	bool have_inner = false;

	if (s->n_env == 0)
		return;
	env = &s->env[s->idx_cur];
	working(s, "fetching the message");
	if (ui_source_fetch(s->src, env->uid, &raw, &e) < 0) {
		set_status(s, true, "%s", e.msg);
		buf_release(&raw);
		return;
	}
	working(s, "checking signature and encryption");
	/* With the signers' certificates, which the certificate view shows. */
	eng = engine(s);
	if (eng == NULL) {
		check_error = xasprintf("Signatures cannot be checked: %s", s->eng_error);
	} else if (smime_verify(eng, raw.data, raw.len, SMIME_VERIFY_CERT_DER, &v,
				&e) < 0) {
		check_error = xasprintf("This message could not be checked: %s", e.msg);
	} else if (v->decryption == SMIME_DECRYPT_OK) {
		err_clear(&e);
		if (smime_decrypt(eng, raw.data, raw.len, &inner, &e) == 0)
			have_inner = true;
		else
			check_error = xasprintf("Decryption failed: %s", e.msg);
	}

	close_message(s);
	s->msg_encrypted = (v && v->decryption != SMIME_DECRYPT_NONE) ||
			   ui_crypto_mark_of(env->content_type) == UI_CRYPTO_ENCRYPTED;
	ui_doc_build(&s->doc, raw.data, raw.len, v,
		     have_inner ? inner.data : NULL, have_inner ? inner.len : 0);
	/* A locked key is said in the status line too, with how to unlock it. */
	locked = ui_locked_key_text(check_error ? e.msg : v ? v->error : NULL);
	if (check_error && locked) {
		free(check_error);
		check_error = xasprintf("Not opened. %s", locked);
	}
	if (check_error)
		doc_prepend(&s->doc, UI_LINE_BANNER_BAD, check_error);
	if (v && v->signature != SMIME_SIG_NONE)
		s->marks[s->idx_cur] = v->signature == SMIME_SIG_VALID &&
			v->coverage == SMIME_COVERAGE_WHOLE && v->n_warnings == 0 ?
			UI_CRYPTO_VALID : UI_CRYPTO_PROBLEM;
	else if ((v && (v->decryption == SMIME_DECRYPT_FAILED || v->error)) ||
		 (check_error && s->marks[s->idx_cur] != UI_CRYPTO_NONE))
		s->marks[s->idx_cur] = UI_CRYPTO_PROBLEM;

	/* Decrypted bytes do not outlive the pager's own copy. */
	if (inner.data)
		explicit_bzero(inner.data, inner.cap);
	buf_release(&inner);
	s->raw = raw;	/* kept for reply and forward */
	s->verdict = v;	/* kept for the certificate view */

	s->view = UI_VIEW_PAGER;
	if (locked) {
		set_status(s, true, "%s", locked);
		free(locked);
	} else {
		char *name = xasprintf("%s/%u", s->folder_name ? s->folder_name : "",
				       env->uid);

		set_status(s, false, "%s", "");
		harvest_shown(s, &s->raw, v, name);
		free(name);
	}
	if (!(env->flags & UI_FLAG_SEEN)) {
		err_clear(&e);
		if (ui_source_set_flags(s->src, env->uid, UI_FLAG_SEEN, 0, &e) == 0)
			env->flags |= UI_FLAG_SEEN;
		else
			set_status(s, true, "could not mark as read: %s", e.msg);
	}
}

/*
 * Builds the certificate view of every signer of the open message, with
 * the bindings the store holds for each certificate.
 */
static void
certs_build(struct screen *s)
{
	const struct smime_verdict *v = s->verdict;
	struct certstore *store = NULL;
	struct err e = { 0 };
	char *store_error = NULL;
	time_t now = time(NULL);
	size_t i;

	close_certs(s);
	if (s->opt->data_dir == NULL)
		store_error = xstrdup("no data directory");
	else if (certstore_open(s->opt->data_dir, s->opt->gnupg_home, &store, &e) < 0)
		store_error = xstrdup(e.msg);
	for (i = 0; i < v->n_signers; i++) {
		const struct smime_signer *sg = &v->signers[i];
		struct certstore_cert *cert = NULL;
		struct certstore_binding *b = NULL;
		const char *fpr;
		char *err_text = store_error ? xstrdup(store_error) : NULL;
		size_t n = 0;
		bool can_trust = false;

		if (v->n_signers > 1)
			doc_append(&s->cert_doc, UI_LINE_NOTE,
				   xasprintf("Signer %zu of %zu", i + 1, v->n_signers));
		if (sg->cert_der)
			certstore_cert_parse(sg->cert_der, sg->cert_der_len, &cert, NULL);
		fpr = cert ? cert->fpr_sha1 : sg->fingerprint;
		err_clear(&e);
		if (store && fpr && certstore_list(store, fpr, &b, &n, &e) < 0) {
			free(err_text);
			err_text = xstrdup(e.msg);
			n = 0;
		}
		ui_cert_doc_build(&s->cert_doc, sg, cert, b, n, err_text, now, &can_trust);
		if (can_trust && fpr) {
			s->trustable = xrealloc(s->trustable, (s->n_trustable + 1) *
						sizeof(*s->trustable));
			s->trustable[s->n_trustable++] = xstrdup(fpr);
		}
		if (i + 1 < v->n_signers)
			doc_append(&s->cert_doc, UI_LINE_NOTE, xstrdup(""));
		certstore_bindings_free(&b, n);
		certstore_cert_free(&cert);
		free(err_text);
	}
	certstore_close(&store);
	free(store_error);
}

static void
certs_open(struct screen *s)
{
	if (s->verdict == NULL || s->verdict->n_signers == 0) {
		set_status(s, false, "This message is not signed: there is no "
			   "certificate to show");
		return;
	}
	working(s, "reading the certificate store");
	certs_build(s);
	s->view = UI_VIEW_CERT;
	set_status(s, false, "%s", "");
}

/* Trusts a pending or conflicting signer certificate, after a typed yes. */
static void
certs_trust(struct screen *s)
{
	struct certstore *store = NULL;
	struct err e = { 0 };
	size_t count = 0;
	char *q, *answer;
	char *fpr;

	if (s->n_trustable == 0) {
		set_status(s, false, "Nothing to trust: no binding of this certificate "
			   "is pending or in conflict");
		return;
	}
	fpr = xstrdup(s->trustable[0]);
	/* The conflict's consequence is in the view; the fingerprint ends the line. */
	q = xasprintf("Type yes to trust %s: ", fpr);
	answer = prompt(s, q, NULL);
	free(q);
	if (answer == NULL || strcmp(answer, "yes") != 0) {
		set_status(s, false, "not trusted");
		goto out;
	}
	working(s, "trusting the certificate");
	if (certstore_open(s->opt->data_dir, s->opt->gnupg_home, &store, &e) < 0 ||
	    certstore_trust(store, fpr, time(NULL), &count, &e) < 0) {
		set_status(s, true, "not trusted: %s", e.msg);
		goto out;
	}
	certstore_close(&store);
	certs_build(s);
	set_status(s, false, "trusted %s for %zu address%s", fpr, count,
		   count == 1 ? "" : "es");
out:
	certstore_close(&store);
	free(answer);
	free(fpr);
}

static void
search(struct screen *s, bool ask)
{
	size_t i, k;
	char *q;

	if (ask || s->search == NULL) {
		q = prompt(s, "Search: ", NULL);
		if (q == NULL || *q == '\0') {
			free(q);
			set_status(s, false, "%s", "");
			return;
		}
		free(s->search);
		s->search = q;
	}
	for (k = 1; k <= s->n_env; k++) {
		i = (s->idx_cur + k) % s->n_env;
		if (ui_envelope_matches(&s->env[i], s->search)) {
			s->idx_cur = i;
			set_status(s, false, "%s%s", k == s->n_env ? "only match: " : "",
				   s->search);
			return;
		}
	}
	set_status(s, true, "not found: %s", s->search);
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

	s->search_whole = true;
	if (ask || s->hits_text == NULL || s->hits_folder == NULL ||
	    strcmp(s->hits_folder, s->folder_id) != 0) {
		q = prompt(s, "Search whole messages: ", NULL);
		if (q == NULL || *q == '\0') {
			free(q);
			set_status(s, false, "%s", "");
			return;
		}
		working(s, "searching");
		free(s->hits);
		s->hits = NULL;
		s->n_hits = 0;
		if (ui_source_search(s->src, q, &s->hits, &s->n_hits, &e) < 0) {
			set_status(s, true, "search: %s", e.msg);
			free(q);
			return;
		}
		if (s->n_hits > 1)
			qsort(s->hits, s->n_hits, sizeof *s->hits, compare_u32);
		free(s->hits_text);
		s->hits_text = q;
		free(s->hits_folder);
		s->hits_folder = xstrdup(s->folder_id);
	}
	for (k = 1; k <= s->n_env && s->n_hits; k++) {
		i = (s->idx_cur + k) % s->n_env;
		if (bsearch(&s->env[i].uid, s->hits, s->n_hits, sizeof *s->hits,
			    compare_u32)) {
			s->idx_cur = i;
			set_status(s, false, "%zu message%s hold%s \"%s\"", s->n_hits,
				   s->n_hits == 1 ? "" : "s", s->n_hits == 1 ? "s" : "",
				   s->hits_text);
			return;
		}
	}
	set_status(s, true, "no message holds \"%s\"", s->hits_text);
}

/* A file name from an attachment's name: no directories, no dot files. */
static char *
safe_file_name(const char *name)
{
	const char *base = name ? strrchr(name, '/') : NULL;
	char *r;

	base = base ? base + 1 : name;
	if (base == NULL || *base == '\0')
		return xstrdup("attachment");
	while (*base == '.')
		base++;
	r = xstrdup(*base ? base : "attachment");
	return r;
}

/*
 * With n > 1 attachments, asks "VERB which attachment (1-N)?"; *which gets
 * the one named (from 0).  False when cancelled or no such attachment.
 */
static bool
ask_attachment(struct screen *s, const char *verb, size_t n, size_t *which)
{
	char *q, *answer;
	unsigned long k;

	*which = 0;
	if (n <= 1)
		return true;
	q = xasprintf("%s which attachment (1-%zu)? ", verb, n);
	answer = prompt(s, q, NULL);
	free(q);
	if (answer == NULL)
		return false;
	k = strtoul(answer, NULL, 10);
	free(answer);
	if (k < 1 || k > n) {
		set_status(s, true, "no such attachment");
		return false;
	}
	*which = (size_t)k - 1;
	return true;
}

static void
save_attachment(struct screen *s)
{
	struct ui_attachment *a;
	struct buf data = BUF_INIT;
	struct err e = { 0 };
	char *answer, *path, *def;
	struct stat st;
	size_t which = 0;

	if (s->doc.n_atts == 0) {
		set_status(s, false, "This message has no attachments");
		return;
	}
	if (!ask_attachment(s, "Save", s->doc.n_atts, &which))
		return;
	a = &s->doc.atts[which];
	def = safe_file_name(a->name);
	answer = prompt(s, "Save to file: ", def);
	free(def);
	if (answer == NULL || *answer == '\0') {
		free(answer);
		set_status(s, false, "not saved");
		return;
	}
	path = answer;
	if (stat(path, &st) == 0) {
		char *q = xasprintf("%s exists; overwrite (y/n)? ", path);
		char *yn = prompt(s, q, NULL);

		free(q);
		if (yn == NULL || (yn[0] != 'y' && yn[0] != 'Y')) {
			free(yn);
			free(path);
			set_status(s, false, "not saved");
			return;
		}
		free(yn);
	}
	ui_attachment_decode(a, &data);
	/* Private: it may come from a decrypted message. */
	if (file_write_atomic(path, data.data ? data.data : "", data.len, 0600, &e) < 0)
		set_status(s, true, "%s", e.msg);
	else
		set_status(s, false, "saved %zu bytes to %s", data.len, path);
	buf_release(&data);
	free(path);
}

/* --- compose ----------------------------------------------------------- */

/* The largest file the compose screen attaches. */
#define ATTACH_MAX (50u * 1024 * 1024)

/*
 * Runs $VISUAL or $EDITOR (vi) on text, in a private temporary file that
 * is wiped and removed afterwards.  The screen is handed over and back.
 */
static int
run_editor(struct screen *s, struct buf *text, struct err *e)
{
	const char *tmpdir = getenv("TMPDIR");
	char *path = xasprintf("%s/cachet-draft-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	struct buf edited = BUF_INIT;
	int fd = mkstemp(path), status = 0, rc = -1;
	pid_t pid;

	if (fd < 0) {
		err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (write(fd, text->data ? text->data : "", text->len) != (ssize_t)text->len ||
	    close(fd) < 0) {
		err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	def_prog_mode();
	endwin();
	pid = fork();
	if (pid == 0) {
		/* The editor gets the terminal's stderr back. */
		if (s->tty_out >= 0)
			dup2(s->tty_out, STDOUT_FILENO);
		if (s->saved_stderr >= 0)
			dup2(s->saved_stderr, STDERR_FILENO);
		execl("/bin/sh", "sh", "-c", "exec ${VISUAL:-${EDITOR:-vi}} \"$1\"", "sh",
		      path, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
	if (pid < 0) {
		err_set(e, ERR_IO, "cannot start the editor: %s", strerror(errno));
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		err_set(e, ERR_IO, "the editor failed (status %d); the text is unchanged",
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		goto out;
	}
	if (file_read(path, 0, &edited, e) < 0)
		goto out;
	buf_release(text);
	*text = edited;
	rc = 0;
out:
	/* It may hold quoted decrypted text: no copy stays on disk. */
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		struct stat st;

		if (fstat(fd, &st) == 0 && st.st_size > 0) {
			char zero[4096] = { 0 };
			off_t left = st.st_size;

			while (left > 0) {
				ssize_t w = write(fd, zero, left < (off_t)sizeof(zero) ?
						  (size_t)left : sizeof(zero));

				if (w <= 0)
					break;
				left -= w;
			}
		}
		close(fd);
	}
	unlink(path);
	free(path);
	return rc;
}

static void
edit_body(struct screen *s)
{
	struct buf text = BUF_INIT;
	struct err e = { 0 };

	buf_adds(&text, s->draft.body ? s->draft.body : "");
	if (run_editor(s, &text, &e) < 0) {
		set_status(s, true, "%s", e.msg);
	} else {
		free(s->draft.body);
		s->draft.body = buf_detach(&text, NULL);
	}
	explicit_bzero(text.data ? text.data : (char *)"", text.data ? text.cap : 0);
	buf_release(&text);
}

/* Asks the send pipeline what it would do with the draft, without sending. */
static void
compute_plan(struct screen *s)
{
	const struct account *a = s->opt->account;
	struct send_options o = { 0 };
	struct send_report rep = { 0 };
	struct buf msg = BUF_INIT, words = BUF_INIT;
	struct err e = { 0 };
	char *locked = NULL;

	free(s->plan);
	s->plan = NULL;
	if (s->draft.to == NULL || (!*s->draft.to && !*s->draft.cc && !*s->draft.bcc)) {
		s->plan = xstrdup("no recipients yet (t: To)");
		s->plan_bad = true;
		return;
	}
	working(s, "checking signing and encryption");
	ui_draft_message(&s->draft, a->from, &msg);
	o.dry_run = true;
	o.sign = s->req_sign;
	o.encrypt = s->req_encrypt;
	o.gnupg_home = s->opt->gnupg_home;
	o.data_dir = s->opt->data_dir;
	if (send_pipeline_run(a, s->opt->policy, msg.data, msg.len, &o, &rep, NULL,
			      &e) < 0) {
		/* The whole advice does not fit the plan's row: the status has it. */
		locked = ui_locked_key_text(e.msg);
		s->plan = locked ? xstrdup("cannot sign: your secret key is locked "
					   "(below: how to unlock it)") :
				   xasprintf("cannot send: %s", e.msg);
		s->plan_bad = true;
	} else {
		if (!rep.encrypted && s->req_encrypt == SEND_NO) {
			free(rep.why_not_encrypted);
			rep.why_not_encrypted = xstrdup("turned off for this message (E)");
		}
		ui_send_plan_text(&rep, s->opt->policy, s->reply_encrypted, &words,
				  &s->plan_bad);
		s->plan = buf_detach(&words, NULL);
	}
	send_report_release(&rep);
	buf_release(&msg);
	if (locked)
		set_status(s, true, "%s", locked);
	else
		set_status(s, false, "%s", "");
	free(locked);
}

static void
compose_start(struct screen *s, enum ui_compose_kind kind)
{
	const struct account *a = s->opt->account;
	char *answer;

	if (a == NULL || s->opt->policy == NULL) {
		set_status(s, true, "writing mail needs an account in the configuration");
		return;
	}
	if (kind != UI_COMPOSE_NEW && s->view == UI_VIEW_INDEX) {
		if (s->n_env == 0)
			return;
		open_message(s);
		if (s->view != UI_VIEW_PAGER)
			return;
	}
	s->compose_from = s->view;
	s->req_sign = s->req_encrypt = SEND_DEFAULT;
	ui_draft_release(&s->draft);
	ui_draft_init(&s->draft, kind, kind == UI_COMPOSE_NEW ? NULL : s->raw.data,
		      s->raw.len, kind == UI_COMPOSE_NEW ? NULL : &s->doc, a->from_addr);
	s->reply_uid = kind == UI_COMPOSE_REPLY || kind == UI_COMPOSE_REPLY_ALL ?
		       s->env[s->idx_cur].uid : 0;
	s->reply_encrypted = kind != UI_COMPOSE_NEW && s->msg_encrypted;
	if (kind == UI_COMPOSE_NEW || kind == UI_COMPOSE_FORWARD ||
	    kind == UI_COMPOSE_FORWARD_ATTACHED) {
		answer = prompt(s, "To: ", s->draft.to);
		if (answer == NULL) {
			set_status(s, false, "not sent");
			ui_draft_release(&s->draft);
			return;
		}
		free(s->draft.to);
		s->draft.to = answer;
	}
	if (kind == UI_COMPOSE_NEW) {
		answer = prompt(s, "Subject: ", s->draft.subject);
		if (answer == NULL) {
			set_status(s, false, "not sent");
			ui_draft_release(&s->draft);
			return;
		}
		free(s->draft.subject);
		s->draft.subject = answer;
	}
	edit_body(s);
	s->view = UI_VIEW_COMPOSE;
	compute_plan(s);
}

static void
compose_end(struct screen *s)
{
	ui_draft_release(&s->draft);
	free(s->plan);
	s->plan = NULL;
	/* Back where writing began. */
	s->view = s->compose_from;
	if (s->view == UI_VIEW_PAGER && s->doc.lines == NULL)
		s->view = UI_VIEW_INDEX;
	if (s->view == UI_VIEW_INDEX && s->folder_id == NULL)
		s->view = UI_VIEW_FOLDERS;
}

static void
compose_send(struct screen *s)
{
	const struct account *a = s->opt->account;
	struct send_options o = { 0 };
	struct send_report rep = { 0 };
	struct buf msg = BUF_INIT;
	struct err e = { 0 };
	size_t i;

	working(s, "signing, encrypting and sending");
	ui_draft_message(&s->draft, a->from, &msg);
	o.sign = s->req_sign;
	o.encrypt = s->req_encrypt;
	o.gnupg_home = s->opt->gnupg_home;
	o.data_dir = s->opt->data_dir;
	if (send_pipeline_run(a, s->opt->policy, msg.data, msg.len, &o, &rep, NULL,
			      &e) < 0) {
		char *locked = ui_locked_key_text(e.msg);

		if (rep.queued)
			set_status(s, true, "not sent, kept in the outbox: %s",
				   locked ? locked : e.msg);
		else
			set_status(s, true, "not sent: %s", locked ? locked : e.msg);
		free(locked);
		send_report_release(&rep);
		buf_release(&msg);
		if (rep.queued)
			compose_end(s);
		return;
	}
	if (s->reply_uid) {
		struct err fe = { 0 };

		for (i = 0; i < s->n_env; i++)
			if (s->env[i].uid == s->reply_uid &&
			    ui_source_set_flags(s->src, s->reply_uid, UI_FLAG_ANSWERED, 0,
						&fe) == 0)
				s->env[i].flags |= UI_FLAG_ANSWERED;
	}
	set_status(s, rep.warning != NULL, "sent%s%s%s%s", rep.signed_ ? ", signed" : "",
		   rep.encrypted ? ", encrypted" : ", not encrypted",
		   rep.warning ? "; " : "", rep.warning ? rep.warning : "");
	send_report_release(&rep);
	buf_release(&msg);
	compose_end(s);
}

/*
 * A draft kept on a server is encrypted to its author's own certificate
 * when there is one: msg is replaced by the enveloped message.  Returns
 * NULL then, else why it stays in the clear (owned).
 */
static char *
seal_draft(struct screen *s, struct buf *msg)
{
	const struct account *a = s->opt->account;
	struct smime_engine *eng = engine(s);
	struct buf sealed = BUF_INIT;
	struct err e = { 0 };
	const char *fprs[1];
	char *fpr = NULL;

	if (eng == NULL)
		return xasprintf("the S/MIME engine did not start (%s)", s->eng_error);
	if (smime_find_recipient(eng, a->from_addr, &fpr, &e) < 0)
		return xasprintf("no certificate of yours to encrypt to (%s)", e.msg);
	fprs[0] = fpr;
	if (smime_encrypt(eng, msg->data, msg->len, fprs, 1, NULL, &sealed, &e) < 0) {
		free(fpr);
		buf_release(&sealed);
		return xasprintf("encryption failed (%s)", e.msg);
	}
	free(fpr);
	explicit_bzero(msg->data ? msg->data : (char *)"", msg->data ? msg->cap : 0);
	buf_release(msg);
	*msg = sealed;
	return NULL;
}

static void
compose_postpone(struct screen *s)
{
	const struct account *a = s->opt->account;
	struct buf msg = BUF_INIT;
	struct err e = { 0 };
	char *why_clear;
	size_t i;

	for (i = 0; i < s->n_folders; i++)
		if (strcmp(s->folders[i].name, a->drafts) == 0)
			break;
	if (i == s->n_folders) {
		set_status(s, true, "no folder \"%s\" to keep drafts in", a->drafts);
		return;
	}
	ui_draft_message(&s->draft, a->from, &msg);
	working(s, "postponing");
	why_clear = seal_draft(s, &msg);
	if (ui_source_append(s->src, s->folders[i].id, msg.data, msg.len,
			     UI_FLAG_DRAFT | UI_FLAG_SEEN, &e) < 0) {
		set_status(s, true, "not postponed: %s", e.msg);
	} else {
		if (why_clear)
			set_status(s, true, "postponed to %s in the clear: %s",
				   a->drafts, why_clear);
		else
			set_status(s, false, "postponed to %s, encrypted to you",
				   a->drafts);
		compose_end(s);
	}
	free(why_clear);
	explicit_bzero(msg.data ? msg.data : (char *)"", msg.data ? msg.cap : 0);
	buf_release(&msg);
}

static void
edit_field(struct screen *s, const char *label, char **field)
{
	char *answer = prompt(s, label, *field);

	if (answer == NULL) {
		set_status(s, false, "%s", "");
		return;
	}
	free(*field);
	*field = answer;
	compute_plan(s);
}

/*
 * S and E turn signing and encryption off for this message, or back to
 * the policy; a locked policy refuses, and the screen says so.
 */
static void
toggle_request(struct screen *s, bool sign)
{
	struct policy p = *s->opt->policy;
	struct err e = { 0 };
	enum send_request *r = sign ? &s->req_sign : &s->req_encrypt;
	int rc;

	if (*r == SEND_NO) {
		*r = SEND_DEFAULT;
	} else {
		rc = sign ? policy_request_sign(&p, POLICY_SIGN_NEVER, &e) :
			    policy_request_encrypt(&p, POLICY_ENCRYPT_NEVER, &e);
		if (rc < 0) {
			set_status(s, true, "%s", e.msg);
			return;
		}
		*r = SEND_NO;
	}
	compute_plan(s);
}

/* Asks for a file and attaches it, its type guessed from name and bytes. */
static void
compose_attach(struct screen *s)
{
	struct buf data = BUF_INIT;
	struct err e = { 0 };
	const char *home = getenv("HOME"), *type;
	char *answer, *path;

	answer = prompt(s, "Attach file: ", NULL);
	if (answer == NULL || *answer == '\0') {
		free(answer);
		set_status(s, false, "nothing attached");
		return;
	}
	if (answer[0] == '~' && answer[1] == '/' && home && *home) {
		path = xasprintf("%s%s", home, answer + 1);
		free(answer);
	} else {
		path = answer;
	}
	if (file_read(path, ATTACH_MAX, &data, &e) < 0) {
		set_status(s, true, "not attached: %s", e.msg);
	} else {
		type = ui_media_type_guess(path, data.data ? data.data : "", data.len);
		ui_draft_attach(&s->draft, path, type, data.data ? data.data : "",
				data.len);
		/* The plan first: it sets the status line of its own. */
		compute_plan(s);
		if (!s->status_bad)
			set_status(s, false, "attached %s (%s, %zu bytes)",
				   s->draft.parts[s->draft.n_parts - 1].name, type,
				   data.len);
	}
	buf_release(&data);
	free(path);
}

static void
compose_detach(struct screen *s)
{
	size_t which;
	char *name;

	if (s->draft.n_parts == 0) {
		set_status(s, false, "there is no attachment to remove");
		return;
	}
	if (!ask_attachment(s, "Remove", s->draft.n_parts, &which))
		return;
	name = xstrdup(s->draft.parts[which].name);
	ui_draft_detach(&s->draft, which);
	compute_plan(s);
	if (!s->status_bad)
		set_status(s, false, "removed %s", name);
	free(name);
}

static void
key_compose(struct screen *s, int action)
{
	char *yn;

	switch (action) {
	case CONFIG_ACTION_EDIT_TO: edit_field(s, "To: ", &s->draft.to); break;
	case CONFIG_ACTION_EDIT_CC: edit_field(s, "Cc: ", &s->draft.cc); break;
	case CONFIG_ACTION_EDIT_BCC: edit_field(s, "Bcc: ", &s->draft.bcc); break;
	case CONFIG_ACTION_EDIT_SUBJECT:
		edit_field(s, "Subject: ", &s->draft.subject);
		break;
	case CONFIG_ACTION_EDIT_BODY:
		edit_body(s);
		compute_plan(s);
		break;
	case CONFIG_ACTION_TOGGLE_SIGN:
		toggle_request(s, true);
		break;
	case CONFIG_ACTION_TOGGLE_ENCRYPT:
		toggle_request(s, false);
		break;
	case CONFIG_ACTION_SEND:
		compose_send(s);
		break;
	case CONFIG_ACTION_POSTPONE:
		compose_postpone(s);
		break;
	case CONFIG_ACTION_ATTACH:
		compose_attach(s);
		break;
	case CONFIG_ACTION_DETACH:
		compose_detach(s);
		break;
	case CONFIG_ACTION_QUIT:
		yn = prompt(s, "Abandon this message (y/n)? ", NULL);
		if (yn && (yn[0] == 'y' || yn[0] == 'Y')) {
			compose_end(s);
			set_status(s, false, "not sent");
		}
		free(yn);
		break;
	}
}

/* --- keys -------------------------------------------------------------- */

/* Moves a list cursor; returns true when the action was a movement. */
static bool
list_move(size_t *cur, size_t n, int action)
{
	size_t page = (size_t)body_rows();

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

static void
key_folders(struct screen *s, int action)
{
	if (list_move(&s->folder_cur, s->n_folders, action))
		return;
	switch (action) {
	case CONFIG_ACTION_OPEN:
		if (s->n_folders)
			open_folder(s, s->folder_cur);
		break;
	case CONFIG_ACTION_COMPOSE:
		compose_start(s, UI_COMPOSE_NEW);
		break;
	case CONFIG_ACTION_QUIT:
		s->quit = true;
		break;
	}
}

/*
 * Reads the open folder again (new mail, changes by other clients).  Quiet
 * (a timed look for new mail): the status line changes only when new
 * messages came, and then the terminal beeps.
 */
static void
rescan_folder(struct screen *s, bool quiet)
{
	uint32_t uid = s->n_env ? s->env[s->idx_cur].uid : 0, newest = 0;
	size_t i, fresh = 0;
	char *id = xstrdup(s->folder_id), *saved = xstrdup(s->status);
	bool saved_bad = s->status_bad;

	for (i = 0; i < s->n_env; i++)
		if (s->env[i].uid > newest)
			newest = s->env[i].uid;
	for (i = 0; i < s->n_folders; i++)
		if (strcmp(s->folders[i].id, id) == 0)
			break;
	free(id);
	if (i == s->n_folders || open_folder(s, i) < 0) {
		free(saved);
		return;
	}
	for (i = 0; i < s->n_env; i++) {
		if (s->env[i].uid > newest)
			fresh++;
		if (s->env[i].uid == uid)
			s->idx_cur = i;
	}
	if (quiet && fresh == 0) {
		snprintf(s->status, sizeof(s->status), "%s", saved);
		s->status_bad = saved_bad;
	} else if (quiet) {
		set_status(s, false, "%zu new message%s in %s", fresh, fresh == 1 ? "" : "s",
			   s->folder_name);
		beep();
	} else {
		set_status(s, false, "%s: %zu message%s, %zu new since", s->folder_name,
			   s->n_env, s->n_env == 1 ? "" : "s", fresh);
	}
	free(saved);
}

static void
toggle_flag(struct screen *s)
{
	struct ui_envelope *env;
	struct err e = { 0 };
	bool on;

	if (s->n_env == 0)
		return;
	env = &s->env[s->idx_cur];
	on = env->flags & UI_FLAG_FLAGGED;
	if (ui_source_set_flags(s->src, env->uid, on ? 0 : UI_FLAG_FLAGGED,
				on ? UI_FLAG_FLAGGED : 0, &e) < 0)
		set_status(s, true, "%s", e.msg);
	else
		env->flags ^= UI_FLAG_FLAGGED;
}

static void
set_deleted(struct screen *s, bool on)
{
	struct ui_envelope *env;
	struct err e = { 0 };
	struct buf hint = BUF_INIT;

	if (s->n_env == 0)
		return;
	env = &s->env[s->idx_cur];
	if (ui_source_set_flags(s->src, env->uid, on ? UI_FLAG_DELETED : 0,
				on ? 0 : UI_FLAG_DELETED, &e) < 0) {
		set_status(s, true, "%s", e.msg);
		return;
	}
	if (on) {
		env->flags |= UI_FLAG_DELETED;
		ui_keymap_keys(&s->keys, CONFIG_ACTION_EXPUNGE, &hint);
		set_status(s, false, "marked deleted (%s in the index removes the "
			   "marked messages for good)", hint.data);
		buf_release(&hint);
		/* As in the index of other mailers: on to the next one. */
		if (s->view == UI_VIEW_INDEX && s->idx_cur + 1 < s->n_env)
			s->idx_cur++;
	} else {
		env->flags &= ~(unsigned)UI_FLAG_DELETED;
		set_status(s, false, "no longer marked deleted");
	}
}

/* Takes envelope i off the index (it left the folder). */
static void
drop_envelope(struct screen *s, size_t i)
{
	free(s->env[i].from);
	free(s->env[i].subject);
	free(s->env[i].content_type);
	free(s->env[i].message_id);
	free(s->env[i].in_reply_to);
	free(s->env[i].references);
	memmove(s->env + i, s->env + i + 1, (s->n_env - i - 1) * sizeof(*s->env));
	memmove(s->marks + i, s->marks + i + 1, (s->n_env - i - 1) * sizeof(*s->marks));
	memmove(s->seq + i, s->seq + i + 1, (s->n_env - i - 1) * sizeof(*s->seq));
	memmove(s->depth + i, s->depth + i + 1, (s->n_env - i - 1) * sizeof(*s->depth));
	s->n_env--;
	if (s->idx_cur >= s->n_env && s->idx_cur > 0)
		s->idx_cur = s->n_env ? s->n_env - 1 : 0;
}

/*
 * The folder a typed name means: the exact name, else the one name it
 * equals ignoring case, else the one name it starts.  NULL when none or
 * several.
 */
static const struct ui_folder *
folder_by_name(const struct screen *s, const char *typed)
{
	const struct ui_folder *hit = NULL;
	size_t i, n = 0, len = strlen(typed);

	for (i = 0; i < s->n_folders; i++)
		if (strcmp(s->folders[i].name, typed) == 0)
			return &s->folders[i];
	for (i = 0; i < s->n_folders; i++)
		if (str_casecmp_ascii(s->folders[i].name, typed) == 0)
			return &s->folders[i];
	for (i = 0; i < s->n_folders; i++)
		if (strncmp(s->folders[i].name, typed, len) == 0) {
			hit = &s->folders[i];
			n++;
		}
	return n == 1 ? hit : NULL;
}

static void
move_message(struct screen *s)
{
	const struct ui_folder *to;
	struct buf q = BUF_INIT;
	struct err e = { 0 };
	char *answer;
	size_t i, shown = 0;

	if (s->n_env == 0)
		return;
	/* The question lists the other folders. */
	buf_adds(&q, "Move to folder (");
	for (i = 0; i < s->n_folders; i++) {
		if (strcmp(s->folders[i].id, s->folder_id) == 0)
			continue;
		buf_addf(&q, "%s%s", shown++ ? ", " : "", s->folders[i].name);
	}
	buf_adds(&q, "): ");
	if (shown == 0) {
		set_status(s, true, "there is no other folder to move to");
		buf_release(&q);
		return;
	}
	answer = prompt(s, q.data, NULL);
	buf_release(&q);
	if (answer == NULL || *answer == '\0') {
		set_status(s, false, "not moved");
		free(answer);
		return;
	}
	to = folder_by_name(s, answer);
	if (to == NULL) {
		set_status(s, true, "not moved: no folder \"%s\" (or several start so)",
			   answer);
	} else if (strcmp(to->id, s->folder_id) == 0) {
		set_status(s, true, "not moved: the message is in %s already", to->name);
	} else {
		working(s, "moving the message");
		if (ui_source_move(s->src, s->env[s->idx_cur].uid, to->id, &e) < 0) {
			set_status(s, true, "not moved: %s", e.msg);
		} else {
			drop_envelope(s, s->idx_cur);
			set_status(s, false, "moved to %s", to->name);
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

	for (i = 0; i < s->n_env; i++)
		if (s->env[i].flags & UI_FLAG_DELETED)
			n++;
	if (n == 0) {
		rescan_folder(s, false);
		return;
	}
	q = xasprintf("Remove %zu message%s marked deleted for good (y/n)? ", n,
		      n == 1 ? "" : "s");
	yn = prompt(s, q, NULL);
	free(q);
	if (yn == NULL || (yn[0] != 'y' && yn[0] != 'Y')) {
		free(yn);
		set_status(s, false, "nothing removed");
		return;
	}
	free(yn);
	working(s, "removing the messages marked deleted");
	if (ui_source_expunge(s->src, &e) < 0) {
		set_status(s, true, "not removed: %s", e.msg);
		return;
	}
	rescan_folder(s, false);
	if (!s->status_bad)
		set_status(s, false, "%zu message%s removed; %s: %zu left", n,
			   n == 1 ? "" : "s", s->folder_name, s->n_env);
}

/* The keys that write a message, from the index and the pager. */
static bool
compose_key(struct screen *s, int action)
{
	static const struct {
		int action;
		enum ui_compose_kind kind;
	} keys[] = {
		{ CONFIG_ACTION_COMPOSE, UI_COMPOSE_NEW },
		{ CONFIG_ACTION_REPLY, UI_COMPOSE_REPLY },
		{ CONFIG_ACTION_REPLY_ALL, UI_COMPOSE_REPLY_ALL },
		{ CONFIG_ACTION_FORWARD, UI_COMPOSE_FORWARD },
		{ CONFIG_ACTION_FORWARD_ATTACHED, UI_COMPOSE_FORWARD_ATTACHED },
	};
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (keys[i].action == action) {
			compose_start(s, keys[i].kind);
			return true;
		}
	}
	return false;
}

static void
key_index(struct screen *s, int action)
{
	if (list_move(&s->idx_cur, s->n_env, action) || compose_key(s, action))
		return;
	switch (action) {
	case CONFIG_ACTION_OPEN:
		open_message(s);
		break;
	case CONFIG_ACTION_SEARCH:
		s->search_whole = false;
		if (s->n_env)
			search(s, true);
		break;
	case CONFIG_ACTION_SEARCH_SERVER:
		if (s->n_env)
			search_whole(s, true);
		break;
	case CONFIG_ACTION_SEARCH_NEXT:
		if (s->n_env && s->search_whole)
			search_whole(s, false);
		else if (s->n_env)
			search(s, false);
		break;
	case CONFIG_ACTION_FLAG:
		toggle_flag(s);
		break;
	case CONFIG_ACTION_EXPUNGE:
		expunge_folder(s);
		break;
	case CONFIG_ACTION_DELETE:
		set_deleted(s, true);
		break;
	case CONFIG_ACTION_UNDELETE:
		set_deleted(s, false);
		break;
	case CONFIG_ACTION_MOVE:
		move_message(s);
		break;
	case CONFIG_ACTION_THREADS:
		/* folder order, threads, by date, folder order... */
		s->order = s->order == ORDER_FOLDER ? ORDER_THREADS :
			   s->order == ORDER_THREADS ? ORDER_DATE : ORDER_FOLDER;
		apply_order(s);
		set_status(s, false, "%s", s->order == ORDER_THREADS ? "threads" :
			   s->order == ORDER_DATE ? "by date" : "folder order");
		break;
	case CONFIG_ACTION_FOLDERS: case CONFIG_ACTION_QUIT:
		s->view = UI_VIEW_FOLDERS;
		set_status(s, false, "%s", "");
		break;
	}
}

static void
key_pager(struct screen *s, int action)
{
	size_t room = pager_room(s);

	if (compose_key(s, action))
		return;
	switch (action) {
	case CONFIG_ACTION_NEXT: case CONFIG_ACTION_OPEN:
		s->pager_top++;
		break;
	case CONFIG_ACTION_PREVIOUS:
		if (s->pager_top > 0)
			s->pager_top--;
		break;
	case CONFIG_ACTION_PAGE_DOWN:
		s->pager_top += room > 1 ? room - 1 : 1;
		break;
	case CONFIG_ACTION_PAGE_UP:
		s->pager_top = s->pager_top > room - 1 ? s->pager_top - (room - 1) : 0;
		break;
	case CONFIG_ACTION_FIRST:
		s->pager_top = 0;
		break;
	case CONFIG_ACTION_LAST:
		s->pager_top = s->n_rows;
		break;
	case CONFIG_ACTION_NEXT_MESSAGE:
		if (s->idx_cur + 1 < s->n_env) {
			s->idx_cur++;
			open_message(s);
		} else {
			set_status(s, false, "last message");
		}
		break;
	case CONFIG_ACTION_PREVIOUS_MESSAGE:
		if (s->idx_cur > 0) {
			s->idx_cur--;
			open_message(s);
		} else {
			set_status(s, false, "first message");
		}
		break;
	case CONFIG_ACTION_SAVE:
		save_attachment(s);
		break;
	case CONFIG_ACTION_CERTIFICATE:
		certs_open(s);
		break;
	case CONFIG_ACTION_FLAG:
		toggle_flag(s);
		break;
	case CONFIG_ACTION_DELETE:
		set_deleted(s, true);
		break;
	case CONFIG_ACTION_UNDELETE:
		set_deleted(s, false);
		break;
	case CONFIG_ACTION_QUIT: case CONFIG_ACTION_INDEX:
		close_message(s);
		s->view = UI_VIEW_INDEX;
		set_status(s, false, "%s", "");
		break;
	}
}

static void
key_cert(struct screen *s, int action)
{
	switch (action) {
	case CONFIG_ACTION_NEXT: case CONFIG_ACTION_OPEN:
		s->cert_top++;
		break;
	case CONFIG_ACTION_PREVIOUS:
		if (s->cert_top > 0)
			s->cert_top--;
		break;
	case CONFIG_ACTION_PAGE_DOWN:
		s->cert_top += (size_t)body_rows();
		break;
	case CONFIG_ACTION_PAGE_UP:
		s->cert_top = s->cert_top > (size_t)body_rows() ?
			      s->cert_top - (size_t)body_rows() : 0;
		break;
	case CONFIG_ACTION_TRUST:
		certs_trust(s);
		break;
	case CONFIG_ACTION_QUIT: case CONFIG_ACTION_CERTIFICATE:
		close_certs(s);
		s->view = UI_VIEW_PAGER;
		set_status(s, false, "%s", "");
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
		free_rows(s);	/* wrap again at the new width */
		clearok(curscr, TRUE);
		return;
	}
	if (s->view == UI_VIEW_HELP) {
		if (action == CONFIG_ACTION_NEXT)
			s->help_top++;
		else if (action == CONFIG_ACTION_PREVIOUS && s->help_top > 0)
			s->help_top--;
		else if (action == CONFIG_ACTION_PAGE_DOWN)
			s->help_top += (size_t)body_rows();
		else if (action == CONFIG_ACTION_PAGE_UP)
			s->help_top = s->help_top > (size_t)body_rows() ?
				      s->help_top - (size_t)body_rows() : 0;
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
	case UI_VIEW_FOLDERS: key_folders(s, action); break;
	case UI_VIEW_INDEX: key_index(s, action); break;
	case UI_VIEW_PAGER: key_pager(s, action); break;
	case UI_VIEW_COMPOSE: key_compose(s, action); break;
	case UI_VIEW_CERT: key_cert(s, action); break;
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
	size_t i;
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
	s.tty_out = -1;
	if (ui_source_list_folders(src, &s.folders, &s.n_folders, e) < 0)
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

	for (i = 0; i < s.n_folders; i++)
		if (strcmp(s.folders[i].name, "INBOX") == 0)
			break;
	s.folder_cur = i < s.n_folders ? i : 0;
	s.view = UI_VIEW_FOLDERS;
	if (s.n_folders > 0)
		open_folder(&s, s.folder_cur);

	/* Keys are waited for a second at a time, to look for new mail. */
	interval = opt->account ? opt->account->check_interval : CONFIG_CHECK_INTERVAL_DEFAULT;
	last_check = time(NULL);
	timeout(1000);
	while (!s.quit) {
		show_notices(&s);
		draw(&s);
		r = get_wch(&ch);
		if (r == ERR) {
			if (interval && s.view == UI_VIEW_INDEX && s.folder_id &&
			    time(NULL) - last_check >= (time_t)interval) {
				rescan_folder(&s, true);
				last_check = time(NULL);
			}
			continue;
		}
		if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
			free_rows(&s);	/* wrap again at the new width */
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
	ui_draft_release(&s.draft);
	free(s.plan);
	close_message(&s);
	close_folder(&s);
	ui_folders_free(&s.folders, s.n_folders);
	ui_help_free(&s.help, s.n_help);
	free(s.search);
	free(s.hits);
	free(s.hits_text);
	free(s.hits_folder);
	smime_engine_free(&s.eng);
	free(s.eng_error);
	return rc;
}
