/*
 * view_attach.c — the attachment menu of the message in the pager (v):
 * one line per attachment; Enter views it through mailcap (~/.mailcap,
 * then /etc/mailcap; $MAILCAPS, colon-separated, replaces both), s saves
 * it, | pipes it to a command.  The content goes to the viewer in a 0600
 * temporary file that is wiped and removed once it has finished (or on
 * its standard input); from an encrypted message, only after the person
 * says yes to handing decrypted content over.
 */
#include "ui/screen_p.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
attach_view_open(struct screen *s)
{
	if (s->pager.doc.n_atts == 0) {
		screen_status(s, false, "This message has no attachments");
		return;
	}
	s->attach.cur = s->attach.top = 0;
	s->view = UI_VIEW_ATTACH;
	screen_status(s, false, "%zu attachment%s", s->pager.doc.n_atts,
		      s->pager.doc.n_atts == 1 ? "" : "s");
}

void
attach_view_draw(struct screen *s)
{
	const struct ui_doc *d = &s->pager.doc;
	int rows = screen_body_rows(s), y;
	struct buf b = BUF_INIT, hint = BUF_INIT;
	size_t i;

	screen_scroll_to(s->attach.cur, &s->attach.top, rows);
	for (y = 0; y < rows; y++) {
		i = s->attach.top + (size_t)y;
		if (i >= d->n_atts)
			break;
		buf_reset(&b);
		buf_addf(&b, "%4zu  ", i + 1);
		utf8_sanitize(&b, d->atts[i].name ? d->atts[i].name : "(no name)",
			      strlen(d->atts[i].name ? d->atts[i].name : "(no name)"));
		buf_adds(&b, "  ");
		utf8_sanitize(&b, d->atts[i].type, strlen(d->atts[i].type));
		buf_addf(&b, "  %zu bytes", d->atts[i].decoded_size);
		screen_put_row(y + 1, b.data, i == s->attach.cur ?
			       s->paint[CONFIG_ELEM_INDEX_SELECTED] : A_NORMAL);
	}
	screen_key_hint(s, &hint, CONFIG_ACTION_OPEN, "view");
	screen_key_hint(s, &hint, CONFIG_ACTION_SAVE, "save");
	screen_key_hint(s, &hint, CONFIG_ACTION_PIPE, "pipe");
	screen_key_hint(s, &hint, CONFIG_ACTION_QUIT, "back");
	screen_bars(s, "attachments", hint.data);
	buf_release(&b);
	buf_release(&hint);
}

/*
 * From an encrypted message, asks before its decrypted content leaves
 * cachet; y alone says yes.
 */
static bool
may_hand_over(struct screen *s, const char *to)
{
	char *q, *yn;
	bool yes;

	if (!s->pager.encrypted)
		return true;
	q = xasprintf("This attachment was encrypted: hand its decrypted content to "
		      "%s (y/n)? ", to);
	yn = screen_prompt(s, q, NULL);
	free(q);
	yes = yn && (yn[0] == 'y' || yn[0] == 'Y') && yn[1] == '\0';
	free(yn);
	if (!yes)
		screen_status(s, false, "nothing handed over");
	return yes;
}

/*
 * A private temporary file holding the attachment's content: its path
 * (owned) and an open descriptor; NULL when it cannot be made (e says).
 */
static char *
private_copy(const struct buf *data, int *fd_out, struct err *e)
{
	const char *tmpdir = getenv("TMPDIR");
	char *path;
	int fd;

	/* The path goes into a mailcap command: only plain characters. */
	if (tmpdir == NULL || *tmpdir == '\0' || strspn(tmpdir, "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-") != strlen(tmpdir))
		tmpdir = "/tmp";
	path = xasprintf("%s/cachet-view-XXXXXX", tmpdir);
	fd = mkstemp(path);	/* 0600 */
	if (fd < 0) {
		err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	if (write(fd, data->data ? data->data : "", data->len) != (ssize_t)data->len ||
	    lseek(fd, 0, SEEK_SET) < 0) {
		err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		free(path);
		return NULL;
	}
	*fd_out = fd;
	return path;
}

/* Wipes and removes the private copy. */
static void
drop_copy(char *path, int fd, size_t len)
{
	static const char zeros[4096];
	size_t done = 0;

	if (lseek(fd, 0, SEEK_SET) == 0)
		while (done < len) {
			size_t k = len - done < sizeof zeros ? len - done : sizeof zeros;

			if (write(fd, zeros, k) != (ssize_t)k)
				break;
			done += k;
		}
	close(fd);
	unlink(path);
	free(path);
}

/* Says how the program run over an attachment ended. */
static void
say_ended(struct screen *s, int rc, const struct err *e, const char *what)
{
	if (rc < 0)
		screen_status(s, true, "%s: %s", what, e->msg);
	else if (rc != 0)
		screen_status(s, true, "%s failed (status %d)", what, rc);
	else
		screen_status(s, false, "%s done", what);
}

/* The mailcap files: $MAILCAPS, else ~/.mailcap and /etc/mailcap. */
static size_t
mailcap_files(char *files[16], char **owned)
{
	const char *env = getenv("MAILCAPS"), *home = getenv("HOME");
	char *w, *save = NULL;
	size_t n = 0;

	*owned = NULL;
	if (env && *env) {
		*owned = xstrdup(env);
		for (w = strtok_r(*owned, ":", &save); w && n + 1 < 16;
		     w = strtok_r(NULL, ":", &save))
			files[n++] = w;
	} else {
		if (home && *home)
			files[n++] = *owned = xasprintf("%s/.mailcap", home);
		files[n++] = (char *)"/etc/mailcap";
	}
	files[n] = NULL;
	return n;
}

static void
view_attachment(struct screen *s)
{
	const struct ui_attachment *a = &s->pager.doc.atts[s->attach.cur];
	struct buf data = BUF_INIT;
	struct err e = { 0 };
	char *files[16], *owned, *cmd, *script, *path;
	bool on_stdin = false, term = false, copious = false;
	int fd = -1, rc;

	ui_attachment_decode(a, &data);
	path = private_copy(&data, &fd, &e);
	if (path == NULL) {
		screen_status(s, true, "%s", e.msg);
		buf_release(&data);
		return;
	}
	mailcap_files(files, &owned);
	cmd = ui_mailcap_find((const char *const *)files, a->type, path, &on_stdin,
			      &term, &copious);
	free(owned);
	if (cmd == NULL) {
		screen_status(s, true, "no mailcap entry views %s (s saves it, | pipes it)",
			      a->type);
	} else if (may_hand_over(s, "the mailcap viewer")) {
		/* Output meant to be paged is paged; the screen comes back after. */
		script = copious ? xasprintf("(%s) | ${PAGER:-less}", cmd) : xstrdup(cmd);
		rc = screen_run(s, script, path, on_stdin ? fd : -1, &e);
		say_ended(s, rc, &e, "the viewer");
		free(script);
	}
	free(cmd);
	drop_copy(path, fd, data.len);
	buf_release(&data);
}

static void
pipe_attachment(struct screen *s)
{
	char *cmd = screen_prompt(s, "Pipe the attachment to: ", NULL);

	if (cmd == NULL || *cmd == '\0') {
		free(cmd);
		screen_status(s, false, "not piped");
		return;
	}
	if (may_hand_over(s, cmd)) {
		const struct ui_attachment *a = &s->pager.doc.atts[s->attach.cur];
		struct buf data = BUF_INIT;
		struct err e = { 0 };
		char *path;
		int fd = -1;

		ui_attachment_decode(a, &data);
		path = private_copy(&data, &fd, &e);
		if (path == NULL) {
			screen_status(s, true, "%s", e.msg);
		} else {
			say_ended(s, screen_run(s, cmd, path, fd, &e), &e, cmd);
			drop_copy(path, fd, data.len);
		}
		buf_release(&data);
	}
	free(cmd);
}

void
attach_view_key(struct screen *s, int action)
{
	if (screen_list_move(s, &s->attach.cur, s->pager.doc.n_atts, action))
		return;
	switch (action) {
	case CONFIG_ACTION_OPEN:
		view_attachment(s);
		break;
	case CONFIG_ACTION_SAVE:
		pager_save_attachment(s, s->attach.cur);
		break;
	case CONFIG_ACTION_PIPE:
		pipe_attachment(s);
		break;
	case CONFIG_ACTION_QUIT:
		s->view = UI_VIEW_PAGER;
		screen_status(s, false, "%s", "");
		break;
	}
}
