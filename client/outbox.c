/* outbox.c — messages waiting for submission or for their copy in Sent. */
#include "client/outbox.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#define OUTBOX_META_MAX 65536
#define OUTBOX_MESSAGE_MAX ((size_t)256 << 20)

struct outbox {
	char *dir;	/* owned */
	int lock_fd;	/* owned */
};

int
outbox_open(const char *data_dir, struct outbox **out, struct err *e)
{
	struct outbox *ob;
	char *lock;

	*out = NULL;
	if (mkdir_private(data_dir, e) < 0)
		return -1;
	ob = xcalloc(1, sizeof *ob);
	ob->dir = xasprintf("%s/outbox", data_dir);
	ob->lock_fd = -1;
	if (mkdir_private(ob->dir, e) < 0)
		goto fail;
	lock = xasprintf("%s/.lock", ob->dir);
	ob->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(lock);
	if (ob->lock_fd < 0) {
		err_set(e, ERR_IO, "%s: cannot open the lock: %s", ob->dir, strerror(errno));
		goto fail;
	}
	/* A concurrent retry waits its turn rather than sending twice. */
	while (flock(ob->lock_fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			err_set(e, ERR_IO, "%s: cannot lock: %s", ob->dir, strerror(errno));
			goto fail;
		}
	}
	*out = ob;
	return 0;
fail:
	outbox_close(&ob);
	return -1;
}

void
outbox_close(struct outbox **obp)
{
	struct outbox *ob;

	if (obp == NULL || (ob = *obp) == NULL)
		return;
	if (ob->lock_fd >= 0)
		close(ob->lock_fd);
	free(ob->dir);
	free(ob);
	*obp = NULL;
}

void
outbox_entry_release(struct outbox_entry *ent)
{
	size_t i;

	free(ent->id);
	free(ent->message_id);
	free(ent->copy);
	free(ent->subject);
	free(ent->account);
	free(ent->from);
	for (i = 0; i < ent->n_rcpts; i++)
		free(ent->rcpts[i]);
	free(ent->rcpts);
	free(ent->folder);
	free(ent->reason);
	memset(ent, 0, sizeof *ent);
}

void
outbox_entries_free(struct outbox_entry **ents, size_t n)
{
	size_t i;

	if (ents == NULL || *ents == NULL)
		return;
	for (i = 0; i < n; i++)
		outbox_entry_release(&(*ents)[i]);
	free(*ents);
	*ents = NULL;
}

/*
 * Values are one line: line breaks in a server's reason become spaces,
 * and other control characters '?' (the reason is printed by --retry).
 */
static void
add_field(struct buf *out, const char *key, const char *value)
{
	const unsigned char *p;

	buf_addf(out, "%s: ", key);
	for (p = (const unsigned char *)value; *p; p++) {
		if (*p == '\n' || *p == '\r')
			buf_addc(out, ' ');
		else if (*p < 32 || *p == 127)
			buf_addc(out, '?');
		else
			buf_addc(out, (char)*p);
	}
	buf_addc(out, '\n');
}

void
outbox_meta_format(const struct outbox_entry *ent, struct buf *out)
{
	size_t i;

	add_field(out, "state", outbox_state_name(ent->state));
	if (ent->message_id)
		add_field(out, "message-id", ent->message_id);
	if (ent->copy)
		add_field(out, "copy", ent->copy);
	if (ent->subject)
		add_field(out, "subject", ent->subject);
	add_field(out, "account", ent->account);
	add_field(out, "from", ent->from);
	for (i = 0; i < ent->n_rcpts; i++)
		add_field(out, "rcpt", ent->rcpts[i]);
	if (ent->folder)
		add_field(out, "folder", ent->folder);
	add_field(out, "reason", ent->reason ? ent->reason : "");
	buf_addf(out, "created: %lld\n", (long long)ent->created);
	buf_addf(out, "attempts: %u\n", ent->attempts);
}

int
outbox_meta_parse(const char *text, struct outbox_entry *ent, struct err *e)
{
	char *copy = xstrdup(text), *line, *save = NULL;
	unsigned lineno = 0;
	int rc = -1;

	memset(ent, 0, sizeof *ent);
	ent->state = OUTBOX_SUBMIT;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strstr(line, ": "), *key, *value, *end;

		lineno++;
		if (colon == NULL) {
			err_set(e, ERR_INPUT, "line %u: expected 'key: value'", lineno);
			goto out;
		}
		*colon = '\0';
		key = line;
		value = colon + 2;
		if (strcmp(key, "state") == 0) {
			if (strcmp(value, "submit") == 0) {
				ent->state = OUTBOX_SUBMIT;
			} else if (strcmp(value, "sending") == 0) {
				ent->state = OUTBOX_SENDING;
			} else if (strcmp(value, "append") == 0) {
				ent->state = OUTBOX_APPEND;
			} else {
				err_set(e, ERR_INPUT, "line %u: unknown state '%s'", lineno, value);
				goto out;
			}
		} else if (strcmp(key, "message-id") == 0 && !ent->message_id) {
			ent->message_id = xstrdup(value);
		} else if (strcmp(key, "copy") == 0 && !ent->copy) {
			ent->copy = xstrdup(value);
		} else if (strcmp(key, "subject") == 0 && !ent->subject) {
			ent->subject = xstrdup(value);
		} else if (strcmp(key, "account") == 0 && !ent->account) {
			ent->account = xstrdup(value);
		} else if (strcmp(key, "from") == 0 && !ent->from) {
			ent->from = xstrdup(value);
		} else if (strcmp(key, "rcpt") == 0) {
			ent->rcpts = xrealloc(ent->rcpts, (ent->n_rcpts + 1) * sizeof *ent->rcpts);
			ent->rcpts[ent->n_rcpts++] = xstrdup(value);
		} else if (strcmp(key, "folder") == 0 && !ent->folder) {
			ent->folder = xstrdup(value);
		} else if (strcmp(key, "reason") == 0 && !ent->reason) {
			ent->reason = xstrdup(value);
		} else if (strcmp(key, "created") == 0) {
			ent->created = (time_t)strtoll(value, &end, 10);
			if (*end || end == value)
				goto bad_number;
		} else if (strcmp(key, "attempts") == 0) {
			ent->attempts = (unsigned)strtoul(value, &end, 10);
			if (*end || end == value)
				goto bad_number;
		} else {
			err_set(e, ERR_INPUT, "line %u: unknown or repeated key '%s'",
				lineno, key);
			goto out;
		}
	}
	if (!ent->account || !ent->from || (ent->state != OUTBOX_APPEND && !ent->n_rcpts)) {
		err_set(e, ERR_INPUT, "account, from or rcpt missing");
		goto out;
	}
	rc = 0;
	goto out;
bad_number:
	err_set(e, ERR_INPUT, "line %u: bad number", lineno);
out:
	free(copy);
	if (rc < 0)
		outbox_entry_release(ent);
	return rc;
}

static char *
entry_path(const struct outbox *ob, const char *id, const char *ext)
{
	return xasprintf("%s/%s.%s", ob->dir, id, ext);
}

char *
outbox_message_path(struct outbox *ob, const char *id)
{
	return entry_path(ob, id, "eml");
}

/* Ids sort by creation time: seconds, then a counter against collisions. */
static char *
new_id(const struct outbox *ob, time_t now)
{
	unsigned n;

	for (n = 0;; n++) {
		char *id = xasprintf("%010lld-%d-%u", (long long)now, (int)getpid(), n);
		char *meta = entry_path(ob, id, "meta"), *eml = entry_path(ob, id, "eml");
		bool taken = access(meta, F_OK) == 0 || access(eml, F_OK) == 0;

		free(meta);
		free(eml);
		if (!taken)
			return id;
		free(id);
	}
}

int
outbox_update(struct outbox *ob, const struct outbox_entry *ent, struct err *e)
{
	struct buf meta = BUF_INIT;
	char *path = entry_path(ob, ent->id, "meta");
	int rc;

	outbox_meta_format(ent, &meta);
	rc = file_write_atomic(path, meta.data, meta.len, 0600, e);
	buf_release(&meta);
	free(path);
	return rc;
}

int
outbox_put(struct outbox *ob, struct outbox_entry *ent, const char *msg,
	   size_t len, struct err *e)
{
	char *eml;

	if (ent->created == 0)
		ent->created = time(NULL);
	free(ent->id);
	ent->id = ent->message_id ? outbox_key(ent->message_id, ent->copy) :
		new_id(ob, ent->created);
	/* Sending the same message again: its attempts go on counting. */
	if (ent->message_id) {
		struct outbox_entry old;

		if (outbox_get(ob, ent->id, &old, NULL) == 0)
			ent->attempts += old.attempts;
		outbox_entry_release(&old);
	}
	eml = entry_path(ob, ent->id, "eml");
	if (file_write_atomic(eml, msg, len, 0600, e) < 0) {
		free(eml);
		return -1;
	}
	free(eml);
	return outbox_update(ob, ent, e);
}

int
outbox_remove(struct outbox *ob, const char *id, struct err *e)
{
	char *meta = entry_path(ob, id, "meta"), *eml = entry_path(ob, id, "eml");
	int rc = 0;

	/* The .meta goes first: without it the entry no longer exists. */
	if (unlink(meta) < 0 && errno != ENOENT)
		rc = err_set(e, ERR_IO, "%s: cannot remove: %s", meta, strerror(errno));
	else if (unlink(eml) < 0 && errno != ENOENT)
		rc = err_set(e, ERR_IO, "%s: cannot remove: %s", eml, strerror(errno));
	free(meta);
	free(eml);
	return rc;
}

/* Oldest first; ids break ties. */
static int
compare_entries(const void *a, const void *b)
{
	const struct outbox_entry *x = a, *y = b;

	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

int
outbox_list(struct outbox *ob, struct outbox_entry **out, size_t *n,
	    struct err *e)
{
	struct outbox_entry *ents = NULL;
	size_t count = 0;
	struct dirent *d;
	DIR *dir;

	*out = NULL;
	*n = 0;
	dir = opendir(ob->dir);
	if (dir == NULL)
		return err_set(e, ERR_IO, "%s: %s", ob->dir, strerror(errno));
	while ((d = readdir(dir)) != NULL) {
		size_t len = strlen(d->d_name);
		struct buf text = BUF_INIT;
		struct outbox_entry ent;
		char *path;

		if (len <= 5 || strcmp(d->d_name + len - 5, ".meta") != 0 ||
		    d->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", ob->dir, d->d_name);
		if (file_read(path, OUTBOX_META_MAX, &text, e) < 0 ||
		    outbox_meta_parse(text.data ? text.data : "", &ent, e) < 0) {
			err_prefix(e, "%s", path);
			free(path);
			buf_release(&text);
			closedir(dir);
			outbox_entries_free(&ents, count);
			return -1;
		}
		free(path);
		buf_release(&text);
		ent.id = xstrndup(d->d_name, len - 5);
		ents = xrealloc(ents, (count + 1) * sizeof *ents);
		ents[count++] = ent;
	}
	closedir(dir);
	if (count)
		qsort(ents, count, sizeof *ents, compare_entries);
	*out = ents;
	*n = count;
	return 0;
}

int
outbox_read_message(struct outbox *ob, const char *id, struct buf *out,
		    struct err *e)
{
	char *path = entry_path(ob, id, "eml");
	int rc = file_read(path, OUTBOX_MESSAGE_MAX, out, e);

	free(path);
	return rc;
}

const char *
outbox_state_name(enum outbox_state st)
{
	switch (st) {
	case OUTBOX_SUBMIT: return "submit";
	case OUTBOX_SENDING: return "sending";
	default: return "append";
	}
}

char *
outbox_key(const char *message_id, const char *copy)
{
	struct buf in = BUF_INIT;
	unsigned char md[32];
	char *id = xcalloc(1, 17);
	size_t i;

	buf_adds(&in, message_id);
	buf_addc(&in, '\0');
	if (copy)
		buf_adds(&in, copy);
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, in.data, in.len, md) < 0)
		abort();
	for (i = 0; i < 8; i++)
		snprintf(id + 2 * i, 3, "%02x", md[i]);
	buf_release(&in);
	return id;
}

/* An id as a person may type it: no path, no hidden file. */
static bool
id_valid(const char *id)
{
	const char *p;

	if (*id == '\0' || *id == '.' || strlen(id) > 64)
		return false;
	for (p = id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || *p == '-'))
			return false;
	return true;
}

int
outbox_get(struct outbox *ob, const char *id, struct outbox_entry *ent,
	   struct err *e)
{
	struct buf text = BUF_INIT;
	struct err le = { 0 };
	char *path;
	int rc;

	memset(ent, 0, sizeof *ent);
	if (!id_valid(id))
		return err_set(e, ERR_USAGE, "no outbox entry '%s' (cachet outbox "
			       "list shows them)", id);
	path = entry_path(ob, id, "meta");
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		free(path);
		return err_set(e, ERR_USAGE, "no outbox entry %s (cachet outbox list "
			       "shows them)", id);
	}
	rc = file_read(path, OUTBOX_META_MAX, &text, &le);
	if (rc == 0)
		rc = outbox_meta_parse(text.data ? text.data : "", ent, &le);
	if (rc < 0) {
		err_prefix(&le, "%s", path);
		if (e)
			*e = le;
	} else {
		ent->id = xstrdup(id);
	}
	free(path);
	buf_release(&text);
	return rc;
}

int
outbox_supersede(struct outbox *ob, const char *message_id,
		 const char *const *keep, size_t n_keep, size_t *n, struct err *e)
{
	struct outbox_entry *ents = NULL;
	size_t count = 0, i, k;
	int rc = 0;

	*n = 0;
	if (outbox_list(ob, &ents, &count, e) < 0)
		return -1;
	for (i = 0; i < count && rc == 0; i++) {
		bool kept = false;

		if (ents[i].state == OUTBOX_APPEND || ents[i].message_id == NULL ||
		    strcmp(ents[i].message_id, message_id) != 0)
			continue;
		for (k = 0; k < n_keep && !kept; k++)
			kept = strcmp(keep[k], ents[i].id) == 0;
		if (kept)
			continue;
		rc = outbox_remove(ob, ents[i].id, e);
		if (rc == 0)
			(*n)++;
	}
	outbox_entries_free(&ents, count);
	return rc;
}

size_t
outbox_count(const char *data_dir)
{
	char *dir = xasprintf("%s/outbox", data_dir);
	struct dirent *d;
	size_t n = 0;
	DIR *dp = opendir(dir);

	free(dir);
	if (dp == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL) {
		size_t len = strlen(d->d_name);

		if (len > 5 && d->d_name[0] != '.' &&
		    strcmp(d->d_name + len - 5, ".meta") == 0)
			n++;
	}
	closedir(dp);
	return n;
}
