/*
 * view_tag.c — tagging in the index (t, and T with the matcher of /) and
 * acting on several messages: ; and then a key applies delete, undelete,
 * move, copy, flag, read/unread or save to every tagged message.  The
 * same actions on the current message alone (N, C, w) are here too.
 */
#include "ui/screen_p.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static size_t
count_tagged(const struct screen *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->index.n; i++)
		n += s->index.rows[i].tagged;
	return n;
}

static void
tag_pattern(struct screen *s)
{
	char *q = screen_prompt(s, "Tag messages holding: ", NULL);
	size_t i, n = 0;

	if (q == NULL || *q == '\0') {
		free(q);
		screen_status(s, false, "%s", "");
		return;
	}
	for (i = 0; i < s->index.n; i++)
		if (ui_envelope_matches(&s->index.rows[i].env, q) && !s->index.rows[i].tagged) {
			s->index.rows[i].tagged = true;
			n++;
		}
	screen_status(s, n == 0, "%zu message%s tagged (%zu in all) for \"%s\"", n,
		      n == 1 ? "" : "s", count_tagged(s), q);
	free(q);
}

/* Whether row i is one the action applies to. */
static bool
target(const struct screen *s, size_t i, bool tagged)
{
	return tagged ? s->index.rows[i].tagged : i == s->index.cur;
}

/*
 * Sets or clears a flag on the targets.  For F and N on several messages:
 * when any target lacks it, all get it (flagged, read); else all lose it.
 */
static void
apply_flag(struct screen *s, unsigned flag, int on, bool tagged, const char *set,
	   const char *cleared)
{
	struct err e = { 0 };
	size_t i, done = 0;
	struct mail_envelope *env;

	if (on < 0) {
		on = 0;
		for (i = 0; i < s->index.n; i++)
			if (target(s, i, tagged) && !(s->index.rows[i].env.flags & flag))
				on = 1;
	}
	for (i = 0; i < s->index.n; i++) {
		if (!target(s, i, tagged))
			continue;
		env = &s->index.rows[i].env;
		if (mail_source_set_flags(s->src, env->uid, on ? flag : 0, on ? 0 : flag,
					  &e) < 0) {
			screen_status(s, true, "%s", e.msg);
			return;
		}
		if (on)
			env->flags |= flag;
		else
			env->flags &= ~flag;
		done++;
	}
	if (tagged)
		screen_status(s, false, "%zu message%s %s", done, done == 1 ? "" : "s",
			      on ? set : cleared);
	else
		screen_status(s, false, "%s", on ? set : cleared);
}

static void
move_or_copy(struct screen *s, bool move, bool tagged)
{
	const struct mail_folder *to;
	struct err e = { 0 };
	struct buf raw = BUF_INIT;
	size_t i, done = 0;
	char *to_name;
	int rc = 0;

	to = index_ask_folder(s, move ? "Move" : "Copy");
	if (to == NULL)
		return;
	to_name = xstrdup(to->name);
	screen_working(s, move ? "moving" : "copying");
	for (i = 0; i < s->index.n && rc == 0;) {
		const struct mail_envelope *env = &s->index.rows[i].env;

		if (!target(s, i, tagged)) {
			i++;
			continue;
		}
		if (move) {
			rc = mail_source_move(s->src, env->uid, to->id, &e);
			if (rc == 0) {
				index_drop_row(s, i);
				done++;
				continue;	/* row i is the next one now */
			}
		} else {
			/* The message as stored, flags and all, appended there. */
			buf_reset(&raw);
			rc = mail_source_fetch(s->src, env->uid, &raw, &e);
			if (rc == 0)
				rc = mail_source_append(s->src, to->id, raw.data, raw.len,
							env->flags & ~(unsigned)MAIL_FLAG_DELETED,
							&e);
			if (rc == 0)
				done++;
		}
		i++;
	}
	buf_release(&raw);
	if (rc < 0)
		screen_status(s, true, "%zu %s to %s, then: %s", done,
			      move ? "moved" : "copied", to_name, e.msg);
	else
		screen_status(s, false, "%zu message%s %s to %s", done, done == 1 ? "" : "s",
			      move ? "moved" : "copied", to_name);
	free(to_name);
}

/*
 * Appends one message to an mbox: a "From " line, the message with its
 * lines that start "From " (after any '>') quoted with one more '>'
 * (mboxrd), and an empty line.
 */
static void
mbox_add(struct buf *out, const struct mail_envelope *env, const struct buf *raw)
{
	char when[64];
	time_t t = env->date ? env->date : time(NULL);
	struct tm tm;
	const char *p = raw->data, *end = raw->data + raw->len, *nl, *q;

	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%a %b %e %H:%M:%S %Y", &tm);
	buf_addf(out, "From cachet %s\n", when);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		nl = nl ? nl + 1 : end;
		for (q = p; q < nl && *q == '>'; q++)
			;
		if (nl - q >= 5 && memcmp(q, "From ", 5) == 0)
			buf_addc(out, '>');
		/* CRLF from the server: plain LF in a file. */
		if (nl - p >= 2 && nl[-1] == '\n' && nl[-2] == '\r') {
			buf_add(out, p, (size_t)(nl - p - 2));
			buf_addc(out, '\n');
		} else {
			buf_add(out, p, (size_t)(nl - p));
		}
		p = nl;
	}
	if (out->len && out->data[out->len - 1] != '\n')
		buf_addc(out, '\n');
	buf_addc(out, '\n');
}

/*
 * Saves the messages as they are stored (an encrypted one stays
 * encrypted) to the end of an mbox file, made 0600 when new.
 */
static void
save_messages(struct screen *s, bool tagged)
{
	struct err e = { 0 };
	struct buf raw = BUF_INIT, box = BUF_INIT;
	size_t i, done = 0;
	char *path;
	int fd;

	path = screen_prompt(s, "Save to mbox file: ", NULL);
	if (path == NULL || *path == '\0') {
		free(path);
		screen_status(s, false, "not saved");
		return;
	}
	screen_working(s, "saving");
	for (i = 0; i < s->index.n; i++) {
		if (!target(s, i, tagged))
			continue;
		buf_reset(&raw);
		if (mail_source_fetch(s->src, s->index.rows[i].env.uid, &raw, &e) < 0) {
			screen_status(s, true, "not saved: %s", e.msg);
			goto done;
		}
		mbox_add(&box, &s->index.rows[i].env, &raw);
		done++;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		screen_status(s, true, "not saved: %s: %s", path, strerror(errno));
		goto done;
	}
	{
		size_t off = 0;
		ssize_t w;

		while (off < box.len) {
			w = write(fd, box.data + off, box.len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		if (close(fd) < 0 || off < box.len) {
			screen_status(s, true, "not saved in full: %s: %s", path,
				      strerror(errno));
			goto done;
		}
	}
	screen_status(s, false, "%zu message%s saved to %s", done, done == 1 ? "" : "s",
		      path);
done:
	buf_release(&raw);
	buf_release(&box);
	free(path);
}

void
tag_apply(struct screen *s, int action, bool tagged)
{
	if (s->index.n == 0)
		return;
	switch (action) {
	case CONFIG_ACTION_DELETE:
		apply_flag(s, MAIL_FLAG_DELETED, 1, tagged, "marked deleted", "");
		break;
	case CONFIG_ACTION_UNDELETE:
		apply_flag(s, MAIL_FLAG_DELETED, 0, tagged, "", "no longer marked deleted");
		break;
	case CONFIG_ACTION_FLAG:
		apply_flag(s, MAIL_FLAG_FLAGGED, -1, tagged, "flagged", "unflagged");
		break;
	case CONFIG_ACTION_TOGGLE_READ:
		apply_flag(s, MAIL_FLAG_SEEN, -1, tagged, "marked read", "marked unread");
		break;
	case CONFIG_ACTION_MOVE:
		move_or_copy(s, true, tagged);
		break;
	case CONFIG_ACTION_COPY:
		move_or_copy(s, false, tagged);
		break;
	case CONFIG_ACTION_SAVE_MESSAGE:
		save_messages(s, tagged);
		break;
	default:
		screen_status(s, true, "that key does not act on tagged messages");
	}
}

void
tag_key(struct screen *s, int action)
{
	struct index_row *r;
	size_t n;

	if (s->index.n == 0)
		return;
	switch (action) {
	case CONFIG_ACTION_TAG:
		r = &s->index.rows[s->index.cur];
		r->tagged = !r->tagged;
		screen_status(s, false, "%s; %zu tagged", r->tagged ? "tagged" : "untagged",
			      count_tagged(s));
		/* As d does: on to the next one. */
		if (r->tagged && s->index.cur + 1 < s->index.n)
			s->index.cur++;
		break;
	case CONFIG_ACTION_TAG_PATTERN:
		tag_pattern(s);
		break;
	case CONFIG_ACTION_TAG_PREFIX:
		n = count_tagged(s);
		if (n == 0) {
			screen_status(s, true, "no message is tagged (t, T tag them)");
			break;
		}
		screen_status(s, false, "on %zu tagged: d delete, u undelete, s move, "
			      "C copy, F flag, N read/unread, w save (Esc: nothing)", n);
		{
			int key = screen_next_key(s);
			int a = ui_keymap_action(&s->keys, UI_VIEW_INDEX, key);

			if (key == 27 || key == 7) {
				screen_status(s, false, "%s", "");
				break;
			}
			tag_apply(s, a, true);
		}
		break;
	}
}
