/*
 * config_names.c — the names the configuration's [keys] and [colors] use:
 * the screen's actions, the elements it paints, the colours, and the keys
 * (named, Ctrl-letter, or one character).
 */
#include "client/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const action_names[CONFIG_ACTION_COUNT] = {
	[CONFIG_ACTION_HELP] = "help",
	[CONFIG_ACTION_REDRAW] = "redraw",
	[CONFIG_ACTION_QUIT] = "quit",
	[CONFIG_ACTION_NEXT] = "next",
	[CONFIG_ACTION_PREVIOUS] = "previous",
	[CONFIG_ACTION_PAGE_DOWN] = "page-down",
	[CONFIG_ACTION_PAGE_UP] = "page-up",
	[CONFIG_ACTION_FIRST] = "first",
	[CONFIG_ACTION_LAST] = "last",
	[CONFIG_ACTION_OPEN] = "open",
	[CONFIG_ACTION_INDEX] = "index",
	[CONFIG_ACTION_FOLDERS] = "folders",
	[CONFIG_ACTION_SEARCH] = "search",
	[CONFIG_ACTION_SEARCH_NEXT] = "search-next",
	[CONFIG_ACTION_FLAG] = "flag",
	[CONFIG_ACTION_DELETE] = "delete",
	[CONFIG_ACTION_UNDELETE] = "undelete",
	[CONFIG_ACTION_MOVE] = "move",
	[CONFIG_ACTION_EXPUNGE] = "expunge",
	[CONFIG_ACTION_NEXT_MESSAGE] = "next-message",
	[CONFIG_ACTION_PREVIOUS_MESSAGE] = "previous-message",
	[CONFIG_ACTION_SAVE] = "save",
	[CONFIG_ACTION_CERTIFICATE] = "certificate",
	[CONFIG_ACTION_TRUST] = "trust",
	[CONFIG_ACTION_COMPOSE] = "compose",
	[CONFIG_ACTION_REPLY] = "reply",
	[CONFIG_ACTION_REPLY_ALL] = "reply-all",
	[CONFIG_ACTION_FORWARD] = "forward",
	[CONFIG_ACTION_EDIT_TO] = "edit-to",
	[CONFIG_ACTION_EDIT_CC] = "edit-cc",
	[CONFIG_ACTION_EDIT_BCC] = "edit-bcc",
	[CONFIG_ACTION_EDIT_SUBJECT] = "edit-subject",
	[CONFIG_ACTION_EDIT_BODY] = "edit-body",
	[CONFIG_ACTION_TOGGLE_SIGN] = "toggle-sign",
	[CONFIG_ACTION_TOGGLE_ENCRYPT] = "toggle-encrypt",
	[CONFIG_ACTION_SEND] = "send",
	[CONFIG_ACTION_POSTPONE] = "postpone",
	[CONFIG_ACTION_ATTACH] = "attach",
	[CONFIG_ACTION_DETACH] = "detach",
	[CONFIG_ACTION_FORWARD_ATTACHED] = "forward-attached",
	[CONFIG_ACTION_THREADS] = "threads",
	[CONFIG_ACTION_SEARCH_SERVER] = "search-server",
	[CONFIG_ACTION_OUTBOX] = "outbox",
	[CONFIG_ACTION_RETRY] = "retry",
	[CONFIG_ACTION_DROP] = "drop",
	[CONFIG_ACTION_RESUME] = "resume",
	[CONFIG_ACTION_TAG] = "tag",
	[CONFIG_ACTION_TAG_PATTERN] = "tag-pattern",
	[CONFIG_ACTION_TAG_PREFIX] = "tag-prefix",
	[CONFIG_ACTION_TOGGLE_READ] = "toggle-read",
	[CONFIG_ACTION_COPY] = "copy",
	[CONFIG_ACTION_SAVE_MESSAGE] = "save-message",
	[CONFIG_ACTION_URLS] = "urls",
	[CONFIG_ACTION_ATTACHMENTS] = "attachments",
	[CONFIG_ACTION_PIPE] = "pipe",
	[CONFIG_ACTION_CREATE_FOLDER] = "create-folder",
	[CONFIG_ACTION_RENAME_FOLDER] = "rename-folder",
	[CONFIG_ACTION_DELETE_FOLDER] = "delete-folder",
};

static const char *const element_names[CONFIG_ELEM_COUNT] = {
	[CONFIG_ELEM_BARS] = "bars",
	[CONFIG_ELEM_STATUS] = "status",
	[CONFIG_ELEM_ERROR] = "error",
	[CONFIG_ELEM_BANNER_GOOD] = "banner-good",
	[CONFIG_ELEM_BANNER_BAD] = "banner-bad",
	[CONFIG_ELEM_BANNER_INFO] = "banner-info",
	[CONFIG_ELEM_HEADER] = "header",
	[CONFIG_ELEM_QUOTE] = "quote",
	[CONFIG_ELEM_ATTACHMENT] = "attachment",
	[CONFIG_ELEM_NOTE] = "note",
	[CONFIG_ELEM_INDEX_SELECTED] = "index-selected",
	[CONFIG_ELEM_INDEX_UNREAD] = "index-unread",
	[CONFIG_ELEM_INDEX_PROBLEM] = "index-problem",
	[CONFIG_ELEM_INDEX_DELETED] = "index-deleted",
};

static const struct {
	const char *name;
	int key;
} key_names[] = {
	{ "Enter", CONFIG_KEY_ENTER }, { "Return", CONFIG_KEY_ENTER },
	{ "Backspace", CONFIG_KEY_BACKSPACE }, { "Up", CONFIG_KEY_UP },
	{ "Down", CONFIG_KEY_DOWN }, { "Left", CONFIG_KEY_LEFT },
	{ "Right", CONFIG_KEY_RIGHT }, { "PageUp", CONFIG_KEY_PAGE_UP },
	{ "PgUp", CONFIG_KEY_PAGE_UP }, { "PageDown", CONFIG_KEY_PAGE_DOWN },
	{ "PgDn", CONFIG_KEY_PAGE_DOWN }, { "Home", CONFIG_KEY_HOME },
	{ "End", CONFIG_KEY_END }, { "Insert", CONFIG_KEY_INSERT },
	{ "Delete", CONFIG_KEY_DELETE }, { "Space", ' ' }, { "Tab", '\t' },
};

static const char *const color_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

const char *
config_action_name(enum config_action a)
{
	return action_names[a];
}

const char *
config_element_name(enum config_element el)
{
	return element_names[el];
}

/* The code point of a UTF-8 string holding exactly one character, or -1. */
static int
single_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t k;

	if (p[0] < 0x80)
		return p[0] && !p[1] ? p[0] : -1;
	k = utf8_decode(p, strlen(s), &cp);
	/* One character only, and never a C1 control. */
	if (k == 0 || p[k] != '\0' || (cp >= 0x80 && cp < 0xa0))
		return -1;
	return (int)cp;
}

int
config_key_parse(const char *text)
{
	size_t i;
	int c;

	for (i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
		if (strcasecmp(text, key_names[i].name) == 0)
			return key_names[i].key;
	if ((text[0] == 'F' || text[0] == 'f') && text[1] >= '1' && text[1] <= '9') {
		c = text[1] - '0';
		if (text[2] >= '0' && text[2] <= '9' && text[3] == '\0')
			c = c * 10 + (text[2] - '0');
		else if (text[2] != '\0')
			return -1;
		return c >= 1 && c <= 12 ? CONFIG_KEY_F1 + c - 1 : -1;
	}
	if (text[0] == '^' && text[1] != '\0' && text[2] == '\0') {
		c = text[1];
		if (c == '?' || c == 'h' || c == 'H')
			return CONFIG_KEY_BACKSPACE;
		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		/* ^[ is Escape, which cancels prompts: not a key to bind. */
		if (c < '@' || c > '_' || c == '[')
			return -1;
		c &= 0x1f;
		if (c == '\r' || c == '\n')
			return CONFIG_KEY_ENTER;
		return c;
	}
	c = single_utf8(text);
	return c > ' ' && c != 0x7f ? c : -1;
}

void
config_key_text(int key, char out[16])
{
	size_t i;

	for (i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
		if (key_names[i].key == key && strcmp(key_names[i].name, "Return") != 0 &&
		    strcmp(key_names[i].name, "PgUp") != 0 &&
		    strcmp(key_names[i].name, "PgDn") != 0) {
			snprintf(out, 16, "%s", key_names[i].name);
			return;
		}
	if (key >= CONFIG_KEY_F1 && key <= CONFIG_KEY_F12)
		snprintf(out, 16, "F%d", key - CONFIG_KEY_F1 + 1);
	else if (key > 0 && key < ' ')
		snprintf(out, 16, "^%c", key | 0x40);
	else if (key < 0x80)
		snprintf(out, 16, "%c", key);
	else if (key < 0x800)
		snprintf(out, 16, "%c%c", 0xc0 | key >> 6, 0x80 | (key & 0x3f));
	else if (key < 0x10000)
		snprintf(out, 16, "%c%c%c", 0xe0 | key >> 12, 0x80 | (key >> 6 & 0x3f),
			 0x80 | (key & 0x3f));
	else if (key < 0x110000)
		snprintf(out, 16, "%c%c%c%c", 0xf0 | key >> 18, 0x80 | (key >> 12 & 0x3f),
			 0x80 | (key >> 6 & 0x3f), 0x80 | (key & 0x3f));
	else
		snprintf(out, 16, "?");
}

int
config_name_index(const char *name, enum config_names kind)
{
	const char *const *names = kind == CONFIG_NAMES_ACTION ? action_names :
				   kind == CONFIG_NAMES_ELEMENT ? element_names : color_names;
	int i, n = kind == CONFIG_NAMES_ACTION ? CONFIG_ACTION_COUNT :
		   kind == CONFIG_NAMES_ELEMENT ? CONFIG_ELEM_COUNT :
		   (int)(sizeof color_names / sizeof color_names[0]);

	for (i = 0; i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}
