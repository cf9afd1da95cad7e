/*
 * view_folders.c — the list of folders: the source's folders, INBOX
 * first, with how many messages each holds and how many are unread
 * (asked again each time the list is shown); opening one shows its
 * index; $ reads the list again (folders
 * made elsewhere), C creates one, R renames and D deletes the one under
 * the cursor.
 */
#include "ui/screen_p.h"

#include <stdlib.h>
#include <string.h>

void
folders_count(struct screen *s)
{
	struct err e = { 0 };
	size_t i;

	free(s->folders.unseen);
	free(s->folders.total);
	s->folders.unseen = xcalloc(s->folders.n ? s->folders.n : 1, sizeof(unsigned));
	s->folders.total = xcalloc(s->folders.n ? s->folders.n : 1, sizeof(unsigned));
	for (i = 0; i < s->folders.n; i++)
		if (mail_source_counts(s->src, s->folders.list[i].id, &s->folders.unseen[i],
				       &s->folders.total[i], &e) < 0) {
			/* The list stays usable without its counts. */
			free(s->folders.unseen);
			free(s->folders.total);
			s->folders.unseen = s->folders.total = NULL;
			screen_status(s, true, "unread counts: %s", e.msg);
			return;
		}
}

void
folders_start(struct screen *s)
{
	size_t i;

	for (i = 0; i < s->folders.n; i++)
		if (strcmp(s->folders.list[i].name, "INBOX") == 0)
			break;
	s->folders.cur = i < s->folders.n ? i : 0;
	s->view = UI_VIEW_FOLDERS;
	folders_count(s);
	if (s->folders.n > 0)
		index_open_folder(s, s->folders.cur);
}

void
folders_draw(struct screen *s)
{
	int rows = screen_body_rows(s), y;
	size_t i;
	struct buf b = BUF_INIT;

	screen_scroll_to(s->folders.cur, &s->folders.top, rows);
	for (y = 0; y < rows; y++) {
		i = s->folders.top + (size_t)y;
		if (i >= s->folders.n)
			break;
		buf_reset(&b);
		buf_addf(&b, "%4zu  %s", i + 1, s->folders.list[i].name);
		if (s->folders.total && s->folders.unseen[i])
			buf_addf(&b, "  (%u unread of %u)", s->folders.unseen[i],
				 s->folders.total[i]);
		else if (s->folders.total)
			buf_addf(&b, "  (%u)", s->folders.total[i]);
		screen_put_row(y + 1, b.data, i == s->folders.cur ?
			       s->paint[CONFIG_ELEM_INDEX_SELECTED] : A_NORMAL);
	}
	buf_release(&b);
	buf_reset(&b);
	screen_key_hint(s, &b, CONFIG_ACTION_OPEN, "open");
	screen_key_hint(s, &b, CONFIG_ACTION_QUIT, "quit");
	screen_key_hint(s, &b, CONFIG_ACTION_HELP, "help");
	screen_bars(s, "folders", b.data ? b.data : "");
}

int
folders_reload(struct screen *s)
{
	struct mail_folder *list = NULL;
	struct err e = { 0 };
	size_t n = 0, i;
	char *cur = s->folders.n ? xstrdup(s->folders.list[s->folders.cur].id) : NULL;

	if (mail_source_list_folders(s->src, &list, &n, &e) < 0) {
		screen_status(s, true, "the folder list: %s", e.msg);
		free(cur);
		return -1;
	}
	mail_folders_free(&s->folders.list, s->folders.n);
	s->folders.list = list;
	s->folders.n = n;
	free(s->folders.unseen);
	free(s->folders.total);
	s->folders.unseen = s->folders.total = NULL;
	s->folders.cur = 0;
	for (i = 0; cur && i < n; i++)
		if (strcmp(list[i].id, cur) == 0)
			s->folders.cur = i;
	free(cur);
	folders_count(s);
	return 0;
}

int
folders_create(struct screen *s, const char *name)
{
	struct err e = { 0 };
	size_t i;

	screen_working(s, "creating the folder");
	if (mail_source_create(s->src, name, &e) < 0) {
		screen_status(s, true, "not created: %s", e.msg);
		return -1;
	}
	if (folders_reload(s) < 0)
		return -1;
	for (i = 0; i < s->folders.n; i++)
		if (strcmp(s->folders.list[i].name, name) == 0)
			s->folders.cur = i;
	screen_status(s, false, "created %s", name);
	return 0;
}

/* The folder under the cursor changes: an index open on it is closed. */
static void
leave_folder(struct screen *s, const char *id)
{
	if (s->index.folder_id && strcmp(s->index.folder_id, id) == 0)
		index_release(s);
}

static void
rename_folder(struct screen *s)
{
	struct mail_folder *f = &s->folders.list[s->folders.cur];
	struct err e = { 0 };
	char *q = xasprintf("Rename %s to: ", f->name), *name = screen_prompt(s, q, f->name);
	char *id = xstrdup(f->id);

	free(q);
	if (name == NULL || *name == '\0' || strcmp(name, f->name) == 0) {
		screen_status(s, false, "not renamed");
	} else {
		screen_working(s, "renaming the folder");
		if (mail_source_rename(s->src, id, name, &e) < 0) {
			screen_status(s, true, "not renamed: %s", e.msg);
		} else {
			leave_folder(s, id);
			if (folders_reload(s) == 0)
				screen_status(s, false, "renamed to %s", name);
		}
	}
	free(id);
	free(name);
}

static void
delete_folder(struct screen *s)
{
	struct mail_folder *f = &s->folders.list[s->folders.cur];
	struct err e = { 0 };
	char *q, *yes, *id = xstrdup(f->id), *name = xstrdup(f->name);

	q = xasprintf("Delete the folder %s and every message in it, for good? "
		      "Type yes: ", f->name);
	yes = screen_prompt(s, q, NULL);
	free(q);
	if (yes == NULL || strcmp(yes, "yes") != 0) {
		screen_status(s, false, "not deleted");
	} else {
		screen_working(s, "deleting the folder");
		if (mail_source_remove_folder(s->src, id, &e) < 0) {
			screen_status(s, true, "not deleted: %s", e.msg);
		} else {
			leave_folder(s, id);
			if (folders_reload(s) == 0)
				screen_status(s, false, "deleted %s", name);
		}
	}
	free(yes);
	free(id);
	free(name);
}

void
folders_key(struct screen *s, int action)
{
	if (screen_list_move(s, &s->folders.cur, s->folders.n, action))
		return;
	switch (action) {
	case CONFIG_ACTION_OPEN:
		if (s->folders.n)
			index_open_folder(s, s->folders.cur);
		break;
	case CONFIG_ACTION_COMPOSE:
		compose_start(s, UI_COMPOSE_NEW);
		break;
	case CONFIG_ACTION_EXPUNGE:
		screen_working(s, "reading the folder list");
		if (folders_reload(s) == 0)
			screen_status(s, false, "%zu folder%s", s->folders.n,
				      s->folders.n == 1 ? "" : "s");
		break;
	case CONFIG_ACTION_RENAME_FOLDER:
		if (s->folders.n)
			rename_folder(s);
		break;
	case CONFIG_ACTION_DELETE_FOLDER:
		if (s->folders.n)
			delete_folder(s);
		break;
	case CONFIG_ACTION_CREATE_FOLDER: {
		char *name = screen_prompt(s, "Create folder: ", NULL);

		if (name && *name)
			folders_create(s, name);
		else
			screen_status(s, false, "nothing created");
		free(name);
		break;
	}
	case CONFIG_ACTION_QUIT:
		s->quit = true;
		break;
	}
}

const struct mail_folder *
folders_find(const struct screen *s, const char *typed)
{
	const struct mail_folder *hit = NULL;
	size_t i, n = 0, len = strlen(typed);

	for (i = 0; i < s->folders.n; i++)
		if (strcmp(s->folders.list[i].name, typed) == 0)
			return &s->folders.list[i];
	for (i = 0; i < s->folders.n; i++)
		if (str_casecmp_ascii(s->folders.list[i].name, typed) == 0)
			return &s->folders.list[i];
	for (i = 0; i < s->folders.n; i++)
		if (strncmp(s->folders.list[i].name, typed, len) == 0) {
			hit = &s->folders.list[i];
			n++;
		}
	return n == 1 ? hit : NULL;
}
