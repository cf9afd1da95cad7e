/*
 * screen.c — terminal set-up and the loop of the screen: keys read and
 * dispatched to the current view, the status line, the prompt, the help
 * screen.  The views are in view_*.c (screen_p.h).  Everything drawn comes
 * from the model in struct screen, so a resize (or ^L) redraws it all
 * from there.
 */
#include "ui/screen_p.h"
#include "client/outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
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
	utf8_from_charset(&safe, NULL, raw, strlen(raw));
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
	char *text = mail_source_take_notices(s->src);
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
		screen_put_row(LINES - 1, s->status_shown, a);
		return;
	}
	ui_text_wrap(s->status_shown, COLS, add_status_piece, &p);
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
	size_t n;

	/* What waits in the outbox is said whenever something does. */
	n = s->opt->data_dir && !s->asking ? outbox_count(s->opt->data_dir) : 0;
	if (n && s->status[0])
		snprintf(s->status_shown, sizeof s->status_shown, "%s \xc2\xb7 %zu "
			 "waiting in the outbox", s->status, n);
	else if (n)
		snprintf(s->status_shown, sizeof s->status_shown, "%zu waiting in "
			 "the outbox", n);
	else
		snprintf(s->status_shown, sizeof s->status_shown, "%s", s->status);
	s->status_rows = 1;
	if (ui_text_width(s->status_shown) <= COLS || most < 2)
		return;
	ui_text_wrap(s->status_shown, COLS, add_status_piece, &p);
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

void
screen_scroll_to(size_t cur, size_t *top, int rows)
{
	if (rows < 1)
		rows = 1;
	*top = cur - cur % (size_t)rows;
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
	case UI_VIEW_INDEX: index_draw(s); break;
	case UI_VIEW_PAGER: pager_draw(s); break;
	case UI_VIEW_HELP: draw_help(s); break;
	case UI_VIEW_COMPOSE: compose_draw(s); break;
	case UI_VIEW_CERT: certs_draw(s); break;
	case UI_VIEW_URLS: urls_draw(s); break;
	case UI_VIEW_ATTACH: attach_view_draw(s); break;
	case UI_VIEW_OUTBOX: outbox_view_draw(s); break;
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
	return screen_prompt_complete(s, question, initial, NULL);
}

/* line[0..n) as UTF-8 (owned). */
static char *
wide_to_utf8(const wchar_t *line, size_t n)
{
	struct buf out = BUF_INIT;
	char mb[8];
	size_t i;

	buf_adds(&out, "");
	for (i = 0; i < n; i++) {
		int k = wctomb(mb, line[i]);

		if (k > 0)
			buf_add(&out, mb, (size_t)k);
	}
	return buf_detach(&out, NULL);
}

/* s into line, at most cap - 1 characters; their number. */
static size_t
utf8_to_wide(const char *s, wchar_t *line, size_t cap)
{
	mbstate_t st = { 0 };
	size_t n = mbsrtowcs(line, &s, cap - 1, &st);

	return n == (size_t)-1 ? 0 : n;
}

char *
screen_prompt_complete(struct screen *s, const char *question, const char *initial,
		       char *(*complete)(struct screen *s, const char *text))
{
	wchar_t line[512];
	size_t n = 0, i;
	wint_t ch;
	int r;
	char mb[8];

	if (initial)
		n = utf8_to_wide(initial, line, sizeof(line) / sizeof(line[0]));
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
		if (ch == '\t' && complete) {
			char *text = wide_to_utf8(line, n), *done;

			curs_set(0);
			done = complete(s, text);
			free(text);
			if (done) {
				n = utf8_to_wide(done, line, sizeof(line) / sizeof(line[0]));
				free(done);
			}
			screen_draw(s);
			/* What completion said, above the prompt that covers the status. */
			if (s->status[0] && LINES > 2)
				screen_put_row(LINES - 2, s->status,
					       s->paint[s->status_bad ? CONFIG_ELEM_ERROR :
								CONFIG_ELEM_STATUS]);
			curs_set(1);
			continue;
		}
		if (ch >= 32 && n + 1 < sizeof(line) / sizeof(line[0]))
			line[n++] = (wchar_t)ch;
	}
	curs_set(0);
	return wide_to_utf8(line, n);
}

bool
screen_yes_no(struct screen *s, const char *question)
{
	wint_t ch;
	int r;

	if (s->status_rows > 1) {
		screen_status(s, false, "%s", "");
		screen_draw(s);
	}
	for (;;) {
		screen_put_row(LINES - 1, question, A_NORMAL);
		move(LINES - 1, ui_text_width(question) < COLS ? ui_text_width(question) : COLS - 1);
		curs_set(1);
		refresh();
		r = get_wch(&ch);
		curs_set(0);
		if (r == ERR)
			continue;
		if (r == KEY_CODE_YES) {
			if (ch == KEY_RESIZE) {
				screen_draw(s);
				continue;
			}
			return false;
		}
		return ch == 'y' || ch == 'Y';
	}
}

/* Longer than any passphrase gpg-agent takes (255). */
#define SECRET_MAX 1024

/* Drops the last UTF-8 character of b, its bytes wiped. */
static void
utf8_drop_last(struct buf *b)
{
	while (b->len > 0) {
		unsigned char c = (unsigned char)b->data[--b->len];

		b->data[b->len] = '\0';
		if ((c & 0xc0) != 0x80)
			break;
	}
}

int
screen_prompt_secret(struct screen *s, const char *question, struct buf *out)
{
	char before[sizeof(s->status)];
	bool before_bad = s->status_bad;
	struct status_pieces p;
	wint_t ch;
	int r, i, rc = -1;

	buf_reset(out);
	/* Room for the longest answer at once: growing would leave copies of
	 * what was typed in freed memory. */
	buf_grow(out, SECRET_MAX);
	/* The question is the status line, wrapped as it is (a key's
	 * description can be long) and drawn again after a resize. */
	memcpy(before, s->status, sizeof before);
	screen_status(s, false, "%s", question);
	s->asking = true;	/* the question alone on the status line */
	curs_set(1);
	for (;;) {
		/* The question alone: nothing of the answer, not even its length. */
		screen_draw(s);
		memset(&p, 0, sizeof p);
		ui_text_wrap(s->status, COLS, add_status_piece, &p);
		i = p.n ? ui_text_width(p.text[p.n - 1]) + 1 : 0;
		move(LINES - 1, i < COLS ? i : COLS - 1);
		for (i = 0; i < p.n; i++)
			free(p.text[i]);
		refresh();
		r = get_wch(&ch);
		if (r == ERR)
			continue;
		if (r == KEY_CODE_YES) {
			if (ch == KEY_BACKSPACE)
				utf8_drop_last(out);
			else if (ch == KEY_ENTER)
				break;
			continue;	/* a resize too: drawn again above */
		}
		if (ch == 27 || ch == 7)	/* Escape, Ctrl-G */
			goto done;
		if (ch == '\n' || ch == '\r')
			break;
		if (ch == 127 || ch == 8) {
			utf8_drop_last(out);
		} else if (ch == 21) {		/* Ctrl-U */
			explicit_bzero(out->data ? out->data : (char *)"", out->data ? out->cap : 0);
			buf_reset(out);
		} else if (ch >= 32 && out->len + MB_LEN_MAX < SECRET_MAX) {
			char mb[MB_LEN_MAX];
			int k = wctomb(mb, (wchar_t)ch);

			if (k > 0)
				buf_add(out, mb, (size_t)k);
			explicit_bzero(mb, sizeof mb);
		}
	}
	rc = 0;
done:
	s->asking = false;
	if (rc < 0) {
		explicit_bzero(out->data ? out->data : (char *)"", out->data ? out->cap : 0);
		buf_reset(out);
	}
	curs_set(0);
	/* Back to what was said before the question ("working..."). */
	memcpy(s->status, before, sizeof before);
	s->status_bad = before_bad;
	screen_draw(s);
	return rc;
}

/*
 * The engine's passphrase source (struct smime_passphrase): the question
 * on the status line, the try and how to cancel in it.  desc names the key
 * as its certificate does, so it is made safe for the terminal first.
 */
static int
screen_passphrase_get(void *opaque, const char *desc, unsigned try, bool is_new,
		      struct buf *out, struct err *e)
{
	struct screen *s = opaque;
	struct buf key = BUF_INIT;
	char *question, *p;
	int rc;

	utf8_sanitize(&key, desc, strlen(desc));
	for (p = key.data; p && *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	question = xasprintf("%s%s for %s (try %u of %u, Esc cancels): ",
			     try > 1 ? "Wrong passphrase. " : "",
			     is_new ? "New passphrase" : "Passphrase",
			     key.len ? key.data : "your key", try, SMIME_PASSPHRASE_TRIES);
	rc = screen_prompt_secret(s, question, out);
	free(question);
	if (rc < 0)
		err_set(e, ERR_CRYPTO, "cancelled: no passphrase given for %s",
			key.len ? key.data : "the secret key");
	buf_release(&key);
	return rc;
}

/* --- shared by the views ------------------------------------------------ */

struct smime_engine *
screen_engine(struct screen *s)
{
	struct err e = { 0 };

	if (s->eng || s->eng_error)
		return s->eng;
	if (smime_engine_new(s->opt->gnupg_home, &s->eng, &e) < 0) {
		s->eng_error = xstrdup(e.msg[0] ? e.msg : "the S/MIME engine did not start");
		return NULL;
	}
	smime_engine_set_passphrase(s->eng, &s->passphrase);
	if (s->opt->data_dir) {
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

int
screen_next_key(struct screen *s)
{
	wint_t ch;
	int r, key;

	for (;;) {
		screen_draw(s);
		r = get_wch(&ch);
		if (r == ERR || (r == KEY_CODE_YES && ch == KEY_RESIZE))
			continue;
		if ((key = key_of(r, ch)) >= 0)
			return key;
	}
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
	if (action == CONFIG_ACTION_OUTBOX) {
		outbox_view_open(s);
		return;
	}
	switch (s->view) {
	case UI_VIEW_FOLDERS: folders_key(s, action); break;
	case UI_VIEW_INDEX: index_key(s, action); break;
	case UI_VIEW_PAGER: pager_key(s, action); break;
	case UI_VIEW_COMPOSE: compose_key(s, action); break;
	case UI_VIEW_CERT: certs_key(s, action); break;
	case UI_VIEW_URLS: urls_key(s, action); break;
	case UI_VIEW_ATTACH: attach_view_key(s, action); break;
	case UI_VIEW_OUTBOX: outbox_view_key(s, action); break;
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
ui_run(struct mail_source *src, const struct ui_options *opt, struct err *e)
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
	s.pager.find_line = SIZE_MAX;
	s.passphrase.get = screen_passphrase_get;
	s.passphrase.opaque = &s;
	if (mail_source_list_folders(src, &s.folders.list, &s.folders.n, e) < 0)
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
	screen_draw(&s);
	compose_recover(&s);

	/* Keys are waited for a second at a time, to look for new mail. */
	interval = opt->account ? opt->account->check_interval : CONFIG_CHECK_INTERVAL_DEFAULT;
	last_check = time(NULL);
	timeout(1000);
	while (!s.quit) {
		show_notices(&s);
		screen_draw(&s);
		/* While a folder streams in, keys come first, then its next step. */
		timeout(s.index.streaming ? 0 : 1000);
		r = get_wch(&ch);
		if (r == ERR) {
			if (s.index.streaming) {
				index_stream_step(&s);
				continue;
			}
			if (interval && s.view == UI_VIEW_INDEX && s.index.folder_id &&
			    time(NULL) - last_check >= (time_t)interval) {
				index_rescan(&s, true);
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
	urls_close(&s);
	free(s.pager.find);
	index_release(&s);
	outbox_view_close(&s);
	mail_folders_free(&s.folders.list, s.folders.n);
	free(s.folders.unseen);
	free(s.folders.total);
	ui_help_free(&s.help, s.n_help);
	smime_engine_free(&s.eng);
	free(s.eng_error);
	return rc;
}
