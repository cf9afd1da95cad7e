/* test_keys.c — the keymap from defaults and [keys], the help text, paints. */
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "ui/ui_p.h"
#include "tests/unit/check.h"

static bool
help_has(char **lines, size_t n, const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(lines[i], a) && (b == NULL || strstr(lines[i], b)))
			return true;
	return false;
}

static void
test_defaults(void)
{
	struct ui_keymap km;
	struct err e = { 0 };
	char **help;
	size_t n;

	CHECK_INT(ui_keymap_init(&km, NULL, &e), 0);
	CHECK_INT(ui_keymap_action(&km, UI_VIEW_INDEX, 'j'), CONFIG_ACTION_NEXT);
	CHECK_INT(ui_keymap_action(&km, UI_VIEW_INDEX, CONFIG_KEY_DOWN), CONFIG_ACTION_NEXT);
	CHECK_INT(ui_keymap_action(&km, UI_VIEW_INDEX, CONFIG_KEY_ENTER), CONFIG_ACTION_OPEN);
	/* The same key, another screen, another action. */
	CHECK_INT(ui_keymap_action(&km, UI_VIEW_INDEX, 's'), CONFIG_ACTION_MOVE);
	CHECK_INT(ui_keymap_action(&km, UI_VIEW_PAGER, 's'), CONFIG_ACTION_SAVE);
	CHECK_INT(ui_keymap_action(&km, UI_VIEW_COMPOSE, 's'), CONFIG_ACTION_EDIT_SUBJECT);
	CHECK_INT(ui_keymap_action(&km, UI_VIEW_INDEX, 'd'), CONFIG_ACTION_DELETE);
	CHECK_INT(ui_keymap_action(&km, UI_VIEW_INDEX, '$'), CONFIG_ACTION_EXPUNGE);
	CHECK_INT(ui_keymap_action(&km, UI_VIEW_FOLDERS, 'q'), CONFIG_ACTION_QUIT);
	CHECK_INT(ui_keymap_action(&km, UI_VIEW_FOLDERS, 12), CONFIG_ACTION_REDRAW);
	/* Not bound there. */
	CHECK_INT(ui_keymap_action(&km, UI_VIEW_FOLDERS, 'd'), -1);
	CHECK_INT(ui_keymap_action(&km, UI_VIEW_COMPOSE, 'j'), -1);

	help = ui_help_build(&km, &n);
	CHECK(n > 30);
	CHECK(help_has(help, n, "j, Down", "next"));
	CHECK(help_has(help, n, "PageDown, Space", "page-down"));
	CHECK(help_has(help, n, "^L", "redraw"));
	CHECK(help_has(help, n, "    d ", "delete"));
	/* Every view's section lists keys (the Pager's was empty), and
	 * every action is listed. */
	{
		static const char *const titles[] = {
			"  Everywhere", "  Folder list and index",
			"  Reading (index and pager)", "  Index", "  Pager",
			"  Certificate view", "  Compose screen",
		};
		enum config_action a;
		size_t i, t;

		for (t = 0; t < sizeof titles / sizeof titles[0]; t++) {
			for (i = 0; i < n && strcmp(help[i], titles[t]) != 0; i++)
				;
			CHECK(i + 1 < n);
			if (i + 1 < n)
				CHECK(strncmp(help[i + 1], "    ", 4) == 0);
		}
		for (a = 0; a < CONFIG_ACTION_COUNT; a++) {
			char name[64];

			snprintf(name, sizeof name, " %s ", config_action_name(a));
			CHECK(help_has(help, n, name, NULL));
		}
	}
	ui_help_free(&help, n);
	CHECK(help == NULL);
}

static void
test_user(void)
{
	struct config *cfg = config_new();
	struct ui_keymap km;
	struct err e = { 0 };
	char **help;
	size_t n;

	CHECK_INT(config_parse(cfg, "keys", "[keys]\nnext = x ^N\nsearch = F3\n"
			       "compose = none\n", false, &e), 0);
	CHECK_STR(e.msg, "");
	CHECK_INT(ui_keymap_init(&km, cfg, &e), 0);
	CHECK_INT(ui_keymap_action(&km, UI_VIEW_INDEX, 'x'), CONFIG_ACTION_NEXT);
	CHECK_INT(ui_keymap_action(&km, UI_VIEW_PAGER, 14), CONFIG_ACTION_NEXT);
	/* The defaults of a rebound action are gone. */
	CHECK_INT(ui_keymap_action(&km, UI_VIEW_INDEX, 'j'), -1);
	CHECK_INT(ui_keymap_action(&km, UI_VIEW_INDEX, CONFIG_KEY_F1 + 2),
		  CONFIG_ACTION_SEARCH);
	CHECK_INT(ui_keymap_action(&km, UI_VIEW_INDEX, 'm'), -1);
	help = ui_help_build(&km, &n);
	CHECK(help_has(help, n, "x, ^N", "next"));
	CHECK(help_has(help, n, "F3", "search"));
	CHECK(help_has(help, n, "(no key)", "compose"));
	CHECK(!help_has(help, n, "j, Down", NULL));
	ui_help_free(&help, n);
	config_free(&cfg);

	/* Swapping two keys is fine when both are said. */
	cfg = config_new();
	CHECK_INT(config_parse(cfg, "swap", "[keys]\ndelete = r\nreply = d\n", false,
			       &e), 0);
	CHECK_INT(ui_keymap_init(&km, cfg, &e), 0);
	CHECK_INT(ui_keymap_action(&km, UI_VIEW_PAGER, 'r'), CONFIG_ACTION_DELETE);
	CHECK_INT(ui_keymap_action(&km, UI_VIEW_PAGER, 'd'), CONFIG_ACTION_REPLY);
	config_free(&cfg);

	/* A key on two actions of one screen names the line and both actions. */
	cfg = config_new();
	CHECK_INT(config_parse(cfg, "clash", "[keys]\n\nreply = d\n", false, &e), 0);
	CHECK_INT(ui_keymap_init(&km, cfg, &e), -1);
	CHECK_INT(e.code, ERR_CONFIG);
	CHECK_CONTAINS(e.msg, "configuration:3: key d is both delete and reply in "
		       "the index");
	config_free(&cfg);

	/* Same key on screens that do not meet: fine. */
	cfg = config_new();
	err_clear(&e);
	CHECK_INT(config_parse(cfg, "apart", "[keys]\ntrust = d\n", false, &e), 0);
	CHECK_INT(ui_keymap_init(&km, cfg, &e), 0);
	CHECK_INT(ui_keymap_action(&km, UI_VIEW_CERT, 'd'), CONFIG_ACTION_TRUST);
	config_free(&cfg);
}

static void
test_paint(void)
{
	struct config *cfg = config_new();
	struct ui_paint p;
	struct err e = { 0 };

	ui_paint_resolve(NULL, CONFIG_ELEM_BANNER_BAD, true, &p);
	CHECK_INT(p.fg, 7);
	CHECK_INT(p.bg, 1);
	CHECK_INT(p.attrs, CONFIG_ATTR_BOLD);
	ui_paint_resolve(NULL, CONFIG_ELEM_BANNER_BAD, false, &p);
	CHECK_INT(p.fg, -1);
	CHECK_INT(p.attrs, CONFIG_ATTR_BOLD | CONFIG_ATTR_REVERSE);

	CHECK_INT(config_parse(cfg, "colors", "[colors]\nbanner-bad = yellow "
			       "magenta underline\nquote = green\n", false, &e), 0);
	ui_paint_resolve(cfg, CONFIG_ELEM_BANNER_BAD, true, &p);
	CHECK_INT(p.fg, 3);
	CHECK_INT(p.bg, 5);
	CHECK_INT(p.attrs, CONFIG_ATTR_UNDERLINE);
	/* Monochrome: the attributes given, else the defaults. */
	ui_paint_resolve(cfg, CONFIG_ELEM_BANNER_BAD, false, &p);
	CHECK_INT(p.attrs, CONFIG_ATTR_UNDERLINE);
	ui_paint_resolve(cfg, CONFIG_ELEM_QUOTE, true, &p);
	CHECK_INT(p.fg, 2);
	CHECK_INT(p.bg, -1);
	ui_paint_resolve(cfg, CONFIG_ELEM_ATTACHMENT, false, &p);
	CHECK_INT(p.attrs, CONFIG_ATTR_UNDERLINE);
	config_free(&cfg);
}

int
main(void)
{
	test_defaults();
	test_user();
	test_paint();
	return check_exit();
}
