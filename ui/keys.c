/*
 * keys.c — which key does what on which screen, the help text that says
 * so, and the colours and attributes of each element: the defaults, with
 * the configuration's [keys] and [colors] on top.
 */
#include "ui/ui_p.h"

#include <stdlib.h>
#include <string.h>

#define ALL_BUT_HELP (UI_IN(UI_VIEW_FOLDERS) | UI_IN(UI_VIEW_INDEX) | \
		      UI_IN(UI_VIEW_PAGER) | UI_IN(UI_VIEW_COMPOSE) | \
		      UI_IN(UI_VIEW_CERT) | UI_IN(UI_VIEW_OUTBOX) | UI_IN(UI_VIEW_URLS) | \
		      UI_IN(UI_VIEW_ATTACH))
#define LISTS (UI_IN(UI_VIEW_FOLDERS) | UI_IN(UI_VIEW_INDEX))
#define OUTBOX UI_IN(UI_VIEW_OUTBOX)
#define URLS (UI_IN(UI_VIEW_URLS) | UI_IN(UI_VIEW_ATTACH))
#define SCROLLING (LISTS | UI_IN(UI_VIEW_PAGER) | UI_IN(UI_VIEW_CERT) | \
		   UI_IN(UI_VIEW_HELP) | OUTBOX | URLS)
#define READING (UI_IN(UI_VIEW_INDEX) | UI_IN(UI_VIEW_PAGER))
#define COMPOSE UI_IN(UI_VIEW_COMPOSE)

static const struct {
	unsigned views;		/* UI_IN() of the views it acts in */
	const char *defaults;	/* key names, as in [keys] */
	const char *help;
} actions[CONFIG_ACTION_COUNT] = {
	[CONFIG_ACTION_HELP] = { ALL_BUT_HELP, "?", "this help" },
	[CONFIG_ACTION_REDRAW] = { ALL_BUT_HELP | UI_IN(UI_VIEW_HELP), "^L", "redraw" },
	[CONFIG_ACTION_QUIT] = { ALL_BUT_HELP, "q",
		"back; quit from the folder list; abandon in compose" },
	[CONFIG_ACTION_NEXT] = { SCROLLING, "j Down", "next (one line down)" },
	[CONFIG_ACTION_PREVIOUS] = { SCROLLING, "k Up", "previous (one line up)" },
	[CONFIG_ACTION_PAGE_DOWN] = { SCROLLING, "PageDown Space", "next page" },
	[CONFIG_ACTION_PAGE_UP] = { SCROLLING, "PageUp -", "previous page" },
	[CONFIG_ACTION_FIRST] = { LISTS | UI_IN(UI_VIEW_PAGER) | OUTBOX | URLS, "Home =",
		"first" },
	[CONFIG_ACTION_LAST] = { LISTS | UI_IN(UI_VIEW_PAGER) | OUTBOX | URLS, "End *",
		"last" },
	[CONFIG_ACTION_OPEN] = { LISTS | UI_IN(UI_VIEW_PAGER) | UI_IN(UI_VIEW_CERT) |
		OUTBOX | URLS, "Enter", "open the folder, read the message (pager: one line "
		"down; outbox: all about the entry; link list: open the link; attachments: "
		"view it through mailcap)" },
	[CONFIG_ACTION_INDEX] = { UI_IN(UI_VIEW_PAGER), "i", "back to the index" },
	[CONFIG_ACTION_FOLDERS] = { UI_IN(UI_VIEW_INDEX), "c", "the folder list" },
	[CONFIG_ACTION_SEARCH] = { READING, "/",
		"search in subject and sender (pager: in the message), case aside" },
	[CONFIG_ACTION_SEARCH_NEXT] = { READING, "n", "search again: the next match" },
	[CONFIG_ACTION_FLAG] = { READING, "F", "flag or unflag the message" },
	[CONFIG_ACTION_DELETE] = { READING, "d", "mark the message deleted" },
	[CONFIG_ACTION_UNDELETE] = { READING, "u", "unmark it" },
	[CONFIG_ACTION_MOVE] = { UI_IN(UI_VIEW_INDEX), "s",
		"move the message to another folder" },
	[CONFIG_ACTION_EXPUNGE] = { LISTS, "$",
		"remove the messages marked deleted, read the folder again "
		"(folder list: read the list again)" },
	[CONFIG_ACTION_NEXT_MESSAGE] = { UI_IN(UI_VIEW_PAGER), "J", "next message" },
	[CONFIG_ACTION_PREVIOUS_MESSAGE] = { UI_IN(UI_VIEW_PAGER), "K",
		"previous message" },
	[CONFIG_ACTION_SAVE] = { UI_IN(UI_VIEW_PAGER) | UI_IN(UI_VIEW_ATTACH), "s",
		"save an attachment to a file" },
	[CONFIG_ACTION_CERTIFICATE] = { UI_IN(UI_VIEW_PAGER) | UI_IN(UI_VIEW_CERT), "C",
		"the signer's certificate and whether the store trusts it" },
	[CONFIG_ACTION_TRUST] = { UI_IN(UI_VIEW_CERT), "T",
		"trust a pending or conflicting certificate (you type yes)" },
	[CONFIG_ACTION_COMPOSE] = { LISTS | UI_IN(UI_VIEW_PAGER), "m", "new message" },
	[CONFIG_ACTION_REPLY] = { READING, "r", "reply" },
	[CONFIG_ACTION_REPLY_ALL] = { READING, "g", "reply to all" },
	[CONFIG_ACTION_FORWARD] = { READING, "f", "forward" },
	[CONFIG_ACTION_EDIT_TO] = { COMPOSE, "t", "edit To" },
	[CONFIG_ACTION_EDIT_CC] = { COMPOSE, "c", "edit Cc" },
	[CONFIG_ACTION_EDIT_BCC] = { COMPOSE, "b", "edit Bcc" },
	[CONFIG_ACTION_EDIT_SUBJECT] = { COMPOSE, "s", "edit Subject" },
	[CONFIG_ACTION_EDIT_BODY] = { COMPOSE, "e", "edit the text ($VISUAL, $EDITOR)" },
	[CONFIG_ACTION_TOGGLE_SIGN] = { COMPOSE, "S",
		"do not sign, or back to the policy" },
	[CONFIG_ACTION_TOGGLE_ENCRYPT] = { COMPOSE, "E",
		"do not encrypt, or back to the policy" },
	[CONFIG_ACTION_SEND] = { COMPOSE, "y", "send" },
	[CONFIG_ACTION_POSTPONE] = { COMPOSE, "P", "postpone to Drafts" },
	[CONFIG_ACTION_ATTACH] = { COMPOSE, "a", "attach a file" },
	[CONFIG_ACTION_DETACH] = { COMPOSE, "D", "remove an attachment" },
	[CONFIG_ACTION_FORWARD_ATTACHED] = { READING, "A",
		"forward the message as received, attached" },
	[CONFIG_ACTION_THREADS] = { UI_IN(UI_VIEW_INDEX), "o",
		"threads, by date, or the folder's order" },
	[CONFIG_ACTION_SEARCH_SERVER] = { UI_IN(UI_VIEW_INDEX), "S",
		"search whole messages (on the IMAP server); n: the next one" },
	[CONFIG_ACTION_TAG] = { UI_IN(UI_VIEW_INDEX), "t", "tag or untag the message" },
	[CONFIG_ACTION_TAG_PATTERN] = { UI_IN(UI_VIEW_INDEX), "T",
		"tag the messages whose subject or sender holds a text (as /)" },
	[CONFIG_ACTION_TAG_PREFIX] = { UI_IN(UI_VIEW_INDEX), ";",
		"apply the next key (d u s C F N w) to the tagged messages" },
	[CONFIG_ACTION_TOGGLE_READ] = { READING, "N", "mark the message read or unread" },
	[CONFIG_ACTION_COPY] = { UI_IN(UI_VIEW_INDEX), "C",
		"copy the message to another folder" },
	[CONFIG_ACTION_SAVE_MESSAGE] = { UI_IN(UI_VIEW_INDEX), "w",
		"save the message, as received, to an mbox file" },
	[CONFIG_ACTION_URLS] = { UI_IN(UI_VIEW_PAGER), "^B",
		"the links of the message; Enter opens one with url_command" },
	[CONFIG_ACTION_ATTACHMENTS] = { UI_IN(UI_VIEW_PAGER), "v",
		"the attachments: Enter views one (mailcap), s saves, | pipes" },
	[CONFIG_ACTION_PIPE] = { UI_IN(UI_VIEW_ATTACH), "|",
		"pipe the attachment to a command" },
	[CONFIG_ACTION_CREATE_FOLDER] = { UI_IN(UI_VIEW_FOLDERS), "C",
		"create a folder" },
	[CONFIG_ACTION_RENAME_FOLDER] = { UI_IN(UI_VIEW_FOLDERS), "R", "rename the folder" },
	[CONFIG_ACTION_DELETE_FOLDER] = { UI_IN(UI_VIEW_FOLDERS), "D",
		"delete the folder and its messages (you type yes)" },
	[CONFIG_ACTION_OUTBOX] = { LISTS | UI_IN(UI_VIEW_PAGER), "O",
		"the outbox: what waits to be sent" },
	[CONFIG_ACTION_RETRY] = { OUTBOX, "r",
		"send the entry again (you type yes when it may have been delivered)" },
	[CONFIG_ACTION_DROP] = { OUTBOX, "d", "drop the entry: it is not sent" },
	[CONFIG_ACTION_RESUME] = { READING, "e R",
		"resume a postponed message (in Drafts; elsewhere: open Drafts)" },
};

static const char *const view_names[] = {
	[UI_VIEW_FOLDERS] = "folder list", [UI_VIEW_INDEX] = "index",
	[UI_VIEW_PAGER] = "pager", [UI_VIEW_HELP] = "help",
	[UI_VIEW_COMPOSE] = "compose screen", [UI_VIEW_CERT] = "certificate view",
	[UI_VIEW_URLS] = "link list", [UI_VIEW_ATTACH] = "attachment menu",
	[UI_VIEW_OUTBOX] = "outbox view",
};

unsigned
ui_action_views(enum config_action a)
{
	return actions[a].views;
}

int
ui_keymap_init(struct ui_keymap *km, const struct config *cfg, struct err *e)
{
	enum config_action a, b;
	size_t i, j;
	int v;

	memset(km, 0, sizeof *km);
	for (a = 0; a < CONFIG_ACTION_COUNT; a++) {
		const struct config_binding *user = cfg ? &cfg->keys[a] : NULL;

		if (user && user->line) {
			km->b[a] = *user;
			continue;
		}
		{
			char *copy = xstrdup(actions[a].defaults), *w, *save = NULL;

			for (w = strtok_r(copy, " ", &save); w && km->b[a].n < CONFIG_KEYS_MAX;
			     w = strtok_r(NULL, " ", &save))
				km->b[a].keys[km->b[a].n++] = config_key_parse(w);
			free(copy);
		}
	}
	/* One key, one action, on each screen. */
	for (a = 0; a < CONFIG_ACTION_COUNT; a++)
		for (b = a + 1; b < CONFIG_ACTION_COUNT; b++) {
			unsigned both = actions[a].views & actions[b].views;

			if (both == 0)
				continue;
			for (i = 0; i < km->b[a].n; i++)
				for (j = 0; j < km->b[b].n; j++) {
					char name[16];
					enum config_action set;

					if (km->b[a].keys[i] != km->b[b].keys[j])
						continue;
					for (v = 0; !(both & UI_IN(v)); v++)
						;
					config_key_text(km->b[a].keys[i], name);
					set = km->b[b].line > km->b[a].line ? b : a;
					return err_set(e, ERR_CONFIG, "%s:%u: key %s is both "
						       "%s and %s in the %s; give one of "
						       "them another key in [keys]",
						       cfg && cfg->path ? cfg->path :
						       "configuration", km->b[set].line,
						       name, config_action_name(a),
						       config_action_name(b), view_names[v]);
				}
		}
	return 0;
}

int
ui_keymap_action(const struct ui_keymap *km, enum ui_view v, int key)
{
	enum config_action a;
	size_t i;

	for (a = 0; a < CONFIG_ACTION_COUNT; a++) {
		if (!(actions[a].views & UI_IN(v)))
			continue;
		for (i = 0; i < km->b[a].n; i++)
			if (km->b[a].keys[i] == key)
				return (int)a;
	}
	return -1;
}

void
ui_keymap_keys(const struct ui_keymap *km, enum config_action a, struct buf *out)
{
	char name[16];
	size_t i;

	if (km->b[a].n == 0) {
		buf_adds(out, "(no key)");
		return;
	}
	for (i = 0; i < km->b[a].n; i++) {
		config_key_text(km->b[a].keys[i], name);
		buf_addf(out, "%s%s", i ? ", " : "", name);
	}
}

static void
help_add(char ***lines, size_t *n, char *line)
{
	*lines = xrealloc(*lines, (*n + 1) * sizeof **lines);
	(*lines)[(*n)++] = line;
}

char **
ui_help_build(const struct ui_keymap *km, size_t *n_out)
{
	static const struct {
		const char *title;
		unsigned view;
	} groups[] = {
		{ "Everywhere", ALL_BUT_HELP },
		{ "Folder list and index", LISTS },
		{ "Reading (index and pager)", READING },
		{ "Folder list", UI_IN(UI_VIEW_FOLDERS) },
		{ "Index", UI_IN(UI_VIEW_INDEX) },
		{ "Pager", UI_IN(UI_VIEW_PAGER) },
		{ "Certificate view", UI_IN(UI_VIEW_CERT) },
		{ "Compose screen", COMPOSE },
		{ "Outbox view", OUTBOX },
		{ "Link list and attachment menu", URLS },
		{ "Link list", UI_IN(UI_VIEW_URLS) },
		{ "Attachment menu", UI_IN(UI_VIEW_ATTACH) },
		{ "Help", UI_IN(UI_VIEW_HELP) },
	};
	char **lines = NULL;
	size_t n = 0, g;
	enum config_action a;
	bool done[CONFIG_ACTION_COUNT] = { false };
	struct buf b = BUF_INIT;

	help_add(&lines, &n, xstrdup("Keys (change them in the [keys] section of "
				     "the configuration, see cachet(5))"));
	for (g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		size_t before = n;

		help_add(&lines, &n, xstrdup(""));
		help_add(&lines, &n, xasprintf("  %s", groups[g].title));
		for (a = 0; a < CONFIG_ACTION_COUNT; a++) {
			unsigned v = actions[a].views;

			if (done[a])
				continue;
			/*
			 * Each action once, in the first group all of whose
			 * views it acts in, so every view's keys are listed.
			 */
			if ((v & groups[g].view) != groups[g].view)
				continue;
			done[a] = true;
			buf_reset(&b);
			buf_adds(&b, "    ");
			ui_keymap_keys(km, a, &b);
			while (b.len < 22)
				buf_addc(&b, ' ');
			buf_addf(&b, " %-16s %s", config_action_name(a), actions[a].help);
			help_add(&lines, &n, xstrdup(b.data));
		}
		if (n == before + 2) {	/* no key of its own: no title */
			free(lines[--n]);
			free(lines[--n]);
		}
	}
	help_add(&lines, &n, xstrdup(""));
	help_add(&lines, &n, xstrdup("  The index's crypto column: S signed (checked "
				     "when read), S+ valid,"));
	help_add(&lines, &n, xstrdup("  S! a problem (read it to see which), E "
				     "encrypted; D marked deleted."));
	help_add(&lines, &n, xstrdup("  The pager's banner names the signer by the "
				     "address in its certificate."));
	buf_release(&b);
	*n_out = n;
	return lines;
}

void
ui_help_free(char ***lines, size_t n)
{
	size_t i;

	if (*lines == NULL)
		return;
	for (i = 0; i < n; i++)
		free((*lines)[i]);
	free(*lines);
	*lines = NULL;
}

/* --- colours ------------------------------------------------------------ */

static const struct {
	int fg, bg;
	unsigned attrs;		/* on a colour terminal */
	unsigned mono;		/* on a monochrome one */
} paints[CONFIG_ELEM_COUNT] = {
	[CONFIG_ELEM_BARS] = { 7, 4, 0, CONFIG_ATTR_REVERSE },
	[CONFIG_ELEM_STATUS] = { -1, -1, 0, 0 },
	[CONFIG_ELEM_ERROR] = { 7, 1, CONFIG_ATTR_BOLD,
		CONFIG_ATTR_REVERSE | CONFIG_ATTR_BOLD },
	[CONFIG_ELEM_BANNER_GOOD] = { 0, 2, CONFIG_ATTR_BOLD, CONFIG_ATTR_BOLD },
	[CONFIG_ELEM_BANNER_BAD] = { 7, 1, CONFIG_ATTR_BOLD,
		CONFIG_ATTR_REVERSE | CONFIG_ATTR_BOLD },
	[CONFIG_ELEM_BANNER_INFO] = { 0, 6, 0, CONFIG_ATTR_UNDERLINE },
	[CONFIG_ELEM_HEADER] = { 3, -1, CONFIG_ATTR_BOLD, CONFIG_ATTR_BOLD },
	[CONFIG_ELEM_QUOTE] = { 6, -1, 0, 0 },
	[CONFIG_ELEM_ATTACHMENT] = { 5, -1, 0, CONFIG_ATTR_UNDERLINE },
	[CONFIG_ELEM_NOTE] = { 4, -1, 0, UI_ATTR_DIM },
	[CONFIG_ELEM_INDEX_SELECTED] = { -1, -1, CONFIG_ATTR_REVERSE,
		CONFIG_ATTR_REVERSE },
	[CONFIG_ELEM_INDEX_UNREAD] = { -1, -1, CONFIG_ATTR_BOLD, CONFIG_ATTR_BOLD },
	[CONFIG_ELEM_INDEX_PROBLEM] = { 1, -1, CONFIG_ATTR_BOLD, CONFIG_ATTR_BOLD },
	[CONFIG_ELEM_INDEX_DELETED] = { -1, -1, UI_ATTR_DIM, UI_ATTR_DIM },
};

void
ui_paint_resolve(const struct config *cfg, enum config_element el, bool color,
		 struct ui_paint *out)
{
	const struct config_color *user = cfg && cfg->colors[el].line ?
					  &cfg->colors[el] : NULL;

	if (!color) {
		/* Attributes alone must tell the elements apart. */
		out->fg = out->bg = -1;
		out->attrs = user && user->attrs ? user->attrs : paints[el].mono;
		return;
	}
	out->fg = user ? user->fg : paints[el].fg;
	out->bg = user ? user->bg : paints[el].bg;
	out->attrs = user ? user->attrs : paints[el].attrs;
}
