/*
 * source_maildir.c — a mail source over a local Maildir++ tree, as Dovecot
 * lays it out: the root is INBOX, "root/.Sent" is folder Sent, and '.'
 * separates levels.  Flags live in the file name's ":2," suffix.
 */
#include "client/source.h"
#include "crypto/smime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Headers beyond this are not read for the index. */
#define HEADER_READ_MAX (64 * 1024)

struct mfile {
	char *sub;	/* owned; "cur" or "new" */
	char *name;	/* owned; file name in sub */
};

struct maildir_source {
	struct mail_source base;
	char *root;		/* owned */
	char *dir;		/* owned; the open folder's directory, or NULL */
	struct mfile *files;	/* owned; files[uid - 1] */
	size_t n_files;
	unsigned counter;	/* for unique names of appended messages */
};

static const struct {
	char letter;
	unsigned flag;
} flag_letters[] = {
	{ 'D', MAIL_FLAG_DRAFT }, { 'F', MAIL_FLAG_FLAGGED },
	{ 'P', MAIL_FLAG_FORWARDED }, { 'R', MAIL_FLAG_ANSWERED },
	{ 'S', MAIL_FLAG_SEEN }, { 'T', MAIL_FLAG_DELETED },
};
#define N_FLAG_LETTERS (sizeof(flag_letters) / sizeof(flag_letters[0]))

static unsigned
flags_of_name(const char *name)
{
	const char *info = strstr(name, ":2,");
	unsigned f = 0;
	size_t i;

	if (info == NULL)
		return 0;
	for (info += 3; *info; info++)
		for (i = 0; i < N_FLAG_LETTERS; i++)
			if (*info == flag_letters[i].letter)
				f |= flag_letters[i].flag;
	return f;
}

static char *
folder_dir(struct maildir_source *m, const char *id)
{
	if (strcmp(id, "INBOX") == 0)
		return xstrdup(m->root);
	if (id[0] != '.' || strchr(id, '/') != NULL || strcmp(id, ".") == 0 ||
	    strcmp(id, "..") == 0)
		return NULL;
	return xasprintf("%s/%s", m->root, id);
}

static int
is_maildir(const char *dir)
{
	struct stat st;
	char *cur = xasprintf("%s/cur", dir);
	int ok = stat(cur, &st) == 0 && S_ISDIR(st.st_mode);

	free(cur);
	return ok;
}

static int
folder_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mail_folder *)a)->name,
		      ((const struct mail_folder *)b)->name);
}

static int
md_list_folders(struct mail_source *src, struct mail_folder **out, size_t *n_out,
		struct err *e)
{
	struct maildir_source *m = (struct maildir_source *)src;
	struct mail_folder *f = NULL;
	size_t n = 0;
	struct dirent *d;
	DIR *dir = opendir(m->root);
	char *p, *full;

	if (dir == NULL)
		return err_set(e, ERR_IO, "%s: %s", m->root, strerror(errno));
	f = xcalloc(1, sizeof(*f));
	f[0].name = xstrdup("INBOX");
	f[0].id = xstrdup("INBOX");
	n = 1;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] != '.' || strcmp(d->d_name, ".") == 0 ||
		    strcmp(d->d_name, "..") == 0)
			continue;
		full = xasprintf("%s/%s", m->root, d->d_name);
		if (is_maildir(full)) {
			f = xrealloc(f, (n + 1) * sizeof(*f));
			f[n].id = xstrdup(d->d_name);
			f[n].name = xstrdup(d->d_name + 1);
			for (p = f[n].name; *p; p++)
				if (*p == '.')
					*p = '/';
			n++;
		}
		free(full);
	}
	closedir(dir);
	qsort(f + 1, n - 1, sizeof(*f), folder_cmp);
	*out = f;
	*n_out = n;
	return 0;
}

static void
files_clear(struct maildir_source *m)
{
	size_t i;

	for (i = 0; i < m->n_files; i++) {
		free(m->files[i].sub);
		free(m->files[i].name);
	}
	free(m->files);
	m->files = NULL;
	m->n_files = 0;
}

/* Delivery order: the names start with the delivery time in seconds. */
static int
mfile_cmp(const void *a, const void *b)
{
	const struct mfile *x = a, *y = b;
	unsigned long long tx = strtoull(x->name, NULL, 10);
	unsigned long long ty = strtoull(y->name, NULL, 10);

	if (tx != ty)
		return tx < ty ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
scan_sub(struct maildir_source *m, const char *sub, struct err *e)
{
	char *path = xasprintf("%s/%s", m->dir, sub);
	DIR *dir = opendir(path);
	struct dirent *d;

	if (dir == NULL) {
		err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		m->files = xrealloc(m->files, (m->n_files + 1) * sizeof(*m->files));
		m->files[m->n_files].sub = xstrdup(sub);
		m->files[m->n_files].name = xstrdup(d->d_name);
		m->n_files++;
	}
	closedir(dir);
	free(path);
	return 0;
}

static char *
file_path(struct maildir_source *m, const struct mfile *f)
{
	return xasprintf("%s/%s/%s", m->dir, f->sub, f->name);
}

/* Reads the header block of a message file (at most HEADER_READ_MAX). */
static int
read_header(const char *path, struct buf *out, size_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0)
		*size = (size_t)st.st_size;
	buf_grow(out, HEADER_READ_MAX + 1);
	while (out->len < HEADER_READ_MAX) {
		r = read(fd, out->data + out->len, HEADER_READ_MAX - out->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		out->len += (size_t)r;
		out->data[out->len] = '\0';
		if (mime_header_end(out->data, out->len) < out->len)
			break;
	}
	out->data[out->len] = '\0';
	close(fd);
	return 0;
}

/* A decoded header field for the index: "" when absent. */
static char *
header_decoded(const char *hdr, size_t len, const char *name)
{
	char *d = mime_header_first_decoded(hdr, len, name);

	return d ? d : xstrdup("");
}

static int
md_open_folder(struct mail_source *src, const char *id, struct mail_envelope **out,
	       size_t *n_out, struct err *e)
{
	struct maildir_source *m = (struct maildir_source *)src;
	struct mail_envelope *env;
	struct buf hdr = BUF_INIT;
	char *dir = folder_dir(m, id), *path, *v;
	size_t i, hlen;

	if (dir == NULL || !is_maildir(dir)) {
		free(dir);
		return err_set(e, ERR_INPUT, "no folder \"%s\" in %s", id, m->root);
	}
	files_clear(m);
	free(m->dir);
	m->dir = dir;
	if (scan_sub(m, "new", e) < 0 || scan_sub(m, "cur", e) < 0)
		return -1;
	/* An empty folder has no array: qsort must not see NULL. */
	if (m->n_files > 1)
		qsort(m->files, m->n_files, sizeof(*m->files), mfile_cmp);

	env = xcalloc(m->n_files ? m->n_files : 1, sizeof(*env));
	for (i = 0; i < m->n_files; i++) {
		env[i].uid = (uint32_t)(i + 1);
		env[i].flags = flags_of_name(m->files[i].name);
		path = file_path(m, &m->files[i]);
		buf_reset(&hdr);
		if (read_header(path, &hdr, &env[i].size) < 0) {
			/* Gone since the scan (another client moved it): shown empty. */
			env[i].from = xstrdup("");
			env[i].sender = xstrdup("");
			env[i].subject = xstrdup("(message vanished)");
			env[i].content_type = xstrdup("");
			free(path);
			continue;
		}
		hlen = mime_header_end(hdr.data, hdr.len);
		/* Who crypto reads in From, never a display name alone. */
		v = mime_header_joined(hdr.data, hlen, "From");
		env[i].from = v ? mime_from_display(v, MIME_FROM_FULL) : xstrdup("");
		env[i].sender = v ? mime_from_display(v, MIME_FROM_SHORT) : xstrdup("");
		free(v);
		env[i].subject = header_decoded(hdr.data, hlen, "Subject");
		v = mime_header_first(hdr.data, hlen, "Content-Type");
		env[i].content_type = v ? v : xstrdup("");
		v = mime_header_first(hdr.data, hlen, "Date");
		env[i].date = mime_date_parse(v);
		free(v);
		env[i].message_id = mime_header_first(hdr.data, hlen, "Message-ID");
		env[i].in_reply_to = mime_header_first(hdr.data, hlen, "In-Reply-To");
		env[i].references = mime_header_first(hdr.data, hlen, "References");
		free(path);
	}
	buf_release(&hdr);
	*out = env;
	*n_out = m->n_files;
	return 0;
}

static struct mfile *
lookup(struct maildir_source *m, uint32_t uid, struct err *e)
{
	if (m->dir == NULL) {
		err_set(e, ERR_INPUT, "no folder is open");
		return NULL;
	}
	if (uid == 0 || uid > m->n_files) {
		err_set(e, ERR_INPUT, "no message %u in %s", uid, m->dir);
		return NULL;
	}
	if (m->files[uid - 1].sub == NULL) {
		err_set(e, ERR_INPUT, "message %u was moved or removed", uid);
		return NULL;
	}
	return &m->files[uid - 1];
}

/*
 * Another client may have renamed the file since the scan (new/ to cur/,
 * other flags): finds it again by the unique part of its name.
 */
static int
relocate(struct maildir_source *m, struct mfile *f)
{
	static const char *const subs[] = { "cur", "new" };
	size_t base = strcspn(f->name, ":"), i;
	struct dirent *d;
	char *path;
	DIR *dir;

	for (i = 0; i < 2; i++) {
		path = xasprintf("%s/%s", m->dir, subs[i]);
		dir = opendir(path);
		free(path);
		if (dir == NULL)
			continue;
		while ((d = readdir(dir)) != NULL) {
			if (strncmp(d->d_name, f->name, base) != 0 ||
			    (d->d_name[base] != '\0' && d->d_name[base] != ':'))
				continue;
			free(f->name);
			free(f->sub);
			f->name = xstrdup(d->d_name);
			f->sub = xstrdup(subs[i]);
			closedir(dir);
			return 0;
		}
		closedir(dir);
	}
	return -1;
}

/* The file's path now, following a rename by someone else. */
static char *
current_path(struct maildir_source *m, struct mfile *f)
{
	char *path = file_path(m, f);

	if (access(path, F_OK) < 0 && errno == ENOENT && relocate(m, f) == 0) {
		free(path);
		path = file_path(m, f);
	}
	return path;
}

static int
md_fetch(struct mail_source *src, uint32_t uid, struct buf *out, struct err *e)
{
	struct maildir_source *m = (struct maildir_source *)src;
	struct mfile *f = lookup(m, uid, e);
	char *path;
	int rc;

	if (f == NULL)
		return -1;
	path = current_path(m, f);
	rc = file_read(path, 0, out, e);
	free(path);
	return rc;
}

/* The ":2,LETTERS" suffix for flags, keeping letters we do not know. */
static char *
name_with_flags(const char *name, unsigned flags)
{
	const char *info = strstr(name, ":2,");
	size_t base = info ? (size_t)(info - name) : strlen(name), i;
	struct buf b = BUF_INIT;
	char letters[64];
	size_t nl = 0;
	const char *p;

	for (i = 0; i < N_FLAG_LETTERS; i++)
		if (flags & flag_letters[i].flag)
			letters[nl++] = flag_letters[i].letter;
	if (info)
		for (p = info + 3; *p && nl + 1 < sizeof(letters); p++) {
			int known = 0;

			for (i = 0; i < N_FLAG_LETTERS; i++)
				if (*p == flag_letters[i].letter)
					known = 1;
			if (!known)
				letters[nl++] = *p;
		}
	letters[nl] = '\0';
	/* Maildir wants the letters in ASCII order. */
	for (i = 1; i < nl; i++) {
		char c = letters[i];
		size_t j = i;

		while (j > 0 && letters[j - 1] > c) {
			letters[j] = letters[j - 1];
			j--;
		}
		letters[j] = c;
	}
	buf_add(&b, name, base);
	buf_addf(&b, ":2,%s", letters);
	return buf_detach(&b, NULL);
}

static int
md_set_flags(struct mail_source *src, uint32_t uid, unsigned set, unsigned clear,
	     struct err *e)
{
	struct maildir_source *m = (struct maildir_source *)src;
	struct mfile *f = lookup(m, uid, e);
	char *from, *to, *name;
	unsigned flags;

	if (f == NULL)
		return -1;
	from = current_path(m, f);
	flags = (flags_of_name(f->name) | set) & ~clear;
	name = name_with_flags(f->name, flags);
	to = xasprintf("%s/cur/%s", m->dir, name);
	if (strcmp(from, to) != 0 && rename(from, to) < 0) {
		err_set(e, ERR_IO, "%s: %s", from, strerror(errno));
		free(from);
		free(to);
		free(name);
		return -1;
	}
	free(from);
	free(to);
	free(f->name);
	free(f->sub);
	f->name = name;
	f->sub = xstrdup("cur");
	return 0;
}

static int
md_append(struct mail_source *src, const char *id, const char *msg, size_t len,
	  unsigned flags, struct err *e)
{
	struct maildir_source *m = (struct maildir_source *)src;
	char *dir = folder_dir(m, id), *tmp = NULL, *dst = NULL, *base = NULL, *name;
	char host[256] = "localhost";
	size_t off = 0;
	ssize_t w;
	int fd = -1, rc = -1;

	if (dir == NULL || !is_maildir(dir)) {
		err_set(e, ERR_INPUT, "no folder \"%s\" in %s", id, m->root);
		goto out;
	}
	gethostname(host, sizeof(host) - 1);
	host[strcspn(host, "/:")] = '\0';
	base = xasprintf("%lld.P%ldQ%u.%s", (long long)time(NULL), (long)getpid(),
			 ++m->counter, host);
	tmp = xasprintf("%s/tmp/%s", dir, base);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_set(e, ERR_IO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	while (off < len) {
		w = write(fd, msg + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			err_set(e, ERR_IO, "%s: %s", tmp, strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		err_set(e, ERR_IO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (flags) {
		name = name_with_flags(base, flags);
		dst = xasprintf("%s/cur/%s", dir, name);
		free(name);
	} else {
		dst = xasprintf("%s/new/%s", dir, base);
	}
	if (rename(tmp, dst) < 0) {
		err_set(e, ERR_IO, "%s: %s", dst, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp)
		unlink(tmp);
	free(dir);
	free(tmp);
	free(dst);
	free(base);
	return rc;
}

/* The file has left the open folder: its uid answers no more. */
static void
mfile_gone(struct mfile *f)
{
	free(f->sub);
	f->sub = NULL;
}

static int
md_move(struct mail_source *src, uint32_t uid, const char *id, struct err *e)
{
	struct maildir_source *m = (struct maildir_source *)src;
	struct mfile *f = lookup(m, uid, e);
	char *dir, *from = NULL, *to = NULL;
	int rc = -1;

	if (f == NULL)
		return -1;
	dir = folder_dir(m, id);
	if (dir == NULL || !is_maildir(dir)) {
		err_set(e, ERR_INPUT, "no folder \"%s\" in %s", id, m->root);
		goto out;
	}
	if (strcmp(dir, m->dir) == 0) {
		err_set(e, ERR_INPUT, "the message is already in that folder");
		goto out;
	}
	from = current_path(m, f);
	/* The name (unique, with its flags) stays; so does new/ or cur/. */
	to = xasprintf("%s/%s/%s", dir, f->sub, f->name);
	if (rename(from, to) < 0) {
		err_set(e, ERR_IO, "cannot move %s to %s: %s", from, dir,
			strerror(errno));
		goto out;
	}
	mfile_gone(f);
	rc = 0;
out:
	free(dir);
	free(from);
	free(to);
	return rc;
}

/* Unlinks the message's file for good. */
static int
remove_file(struct maildir_source *m, struct mfile *f, struct err *e)
{
	char *path = current_path(m, f);

	if (unlink(path) < 0 && errno != ENOENT) {
		err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	mfile_gone(f);
	free(path);
	return 0;
}

static int
md_expunge(struct mail_source *src, struct err *e)
{
	struct maildir_source *m = (struct maildir_source *)src;
	struct mfile *f;
	size_t i;

	if (m->dir == NULL)
		return err_set(e, ERR_INPUT, "no folder is open");
	for (i = 0; i < m->n_files; i++) {
		f = &m->files[i];
		if (f->sub == NULL)
			continue;
		if ((flags_of_name(f->name) & MAIL_FLAG_DELETED) &&
		    remove_file(m, f, e) < 0)
			return -1;
	}
	return 0;
}

static int
md_remove(struct mail_source *src, uint32_t uid, struct err *e)
{
	struct maildir_source *m = (struct maildir_source *)src;
	struct mfile *f = lookup(m, uid, e);

	return f ? remove_file(m, f, e) : -1;
}

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Case-insensitive (ASCII) search of needle in [p, p+len). */
static bool
contains_nocase(const char *p, size_t len, const char *needle)
{
	size_t n = strlen(needle), i, j;

	if (n == 0)
		return true;
	for (i = 0; i + n <= len; i++) {
		for (j = 0; j < n; j++)
			if (ascii_lower((unsigned char)p[i + j]) !=
			    ascii_lower((unsigned char)needle[j]))
				break;
		if (j == n)
			return true;
	}
	return false;
}

/* The raw bytes of every message (a base64 or quoted-printable body is not decoded). */
static int
md_search(struct mail_source *src, const char *text, uint32_t **out, size_t *n_out,
	  struct err *e)
{
	struct maildir_source *m = (struct maildir_source *)src;
	size_t i, n = 0;

	*out = NULL;
	*n_out = 0;
	if (m->dir == NULL)
		return err_set(e, ERR_INPUT, "no folder is open");
	*out = xcalloc(m->n_files + 1, sizeof **out);
	for (i = 0; i < m->n_files; i++) {
		struct buf raw = BUF_INIT;
		char *path;

		if (m->files[i].sub == NULL)
			continue;
		path = current_path(m, &m->files[i]);
		if (file_read(path, 0, &raw, NULL) == 0 &&
		    contains_nocase(raw.data ? raw.data : "", raw.len, text))
			(*out)[n++] = (uint32_t)(i + 1);
		buf_release(&raw);
		free(path);
	}
	*n_out = n;
	return 0;
}

static void
md_close(struct mail_source *src)
{
	struct maildir_source *m = (struct maildir_source *)src;

	files_clear(m);
	free(m->dir);
	free(m->root);
	free(m);
}

/*
 * The directory of a new Maildir++ folder: ".Name" with "/" as "."; NULL
 * (e says why) for a name it cannot be or one that is taken.
 */
static char *
new_folder_dir(struct maildir_source *m, const char *name, struct err *e)
{
	char *dir, *p;

	if (*name == '\0' || strcmp(name, "INBOX") == 0 || strchr(name, '.') ||
	    name[0] == '/' || name[strlen(name) - 1] == '/' || strstr(name, "//")) {
		err_set(e, ERR_INPUT, "\"%s\" cannot be a Maildir++ folder name "
			"(no dots, no empty level)", name);
		return NULL;
	}
	dir = xasprintf("%s/.%s", m->root, name);
	for (p = dir + strlen(m->root) + 2; *p; p++)
		if (*p == '/')
			*p = '.';
	if (is_maildir(dir)) {
		err_set(e, ERR_INPUT, "there is a folder \"%s\" already", name);
		free(dir);
		return NULL;
	}
	return dir;
}

/* A Maildir++ folder with its cur/, new/ and tmp/. */
static int
md_create(struct mail_source *src, const char *name, struct err *e)
{
	static const char *const subs[] = { "", "/cur", "/new", "/tmp" };
	char *dir = new_folder_dir((struct maildir_source *)src, name, e), *path;
	size_t i;
	int rc = 0;

	if (dir == NULL)
		return -1;
	for (i = 0; i < sizeof subs / sizeof subs[0] && rc == 0; i++) {
		path = xasprintf("%s%s", dir, subs[i]);
		rc = mkdir_private(path, e);
		free(path);
	}
	free(dir);
	return rc;
}

/* An existing folder other than INBOX and the open one; NULL: e says why. */
static char *
other_folder_dir(struct maildir_source *m, const char *id, struct err *e)
{
	char *dir = strcmp(id, "INBOX") == 0 ? NULL : folder_dir(m, id);

	if (dir == NULL || !is_maildir(dir)) {
		err_set(e, ERR_INPUT, "no folder \"%s\" that can change in %s", id, m->root);
		free(dir);
		return NULL;
	}
	if (m->dir && strcmp(dir, m->dir) == 0) {
		err_set(e, ERR_INPUT, "the folder is open; open another one first");
		free(dir);
		return NULL;
	}
	return dir;
}

static int
md_rename(struct mail_source *src, const char *id, const char *name, struct err *e)
{
	struct maildir_source *m = (struct maildir_source *)src;
	char *from = other_folder_dir(m, id, e), *to;
	int rc = -1;

	if (from == NULL)
		return -1;
	to = new_folder_dir(m, name, e);
	if (to && rename(from, to) < 0)
		err_set(e, ERR_IO, "cannot rename %s: %s", from, strerror(errno));
	else if (to)
		rc = 0;
	free(from);
	free(to);
	return rc;
}

/* Removes the files of dir (not its subdirectories), then dir if empty. */
static int
remove_files(const char *dir, struct err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *path;
	int rc = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : err_set(e, ERR_IO, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL && rc == 0) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (unlink(path) < 0 && errno != EISDIR && errno != EPERM)
			rc = err_set(e, ERR_IO, "cannot remove %s: %s", path, strerror(errno));
		free(path);
	}
	closedir(d);
	return rc;
}

static int
md_remove_folder(struct mail_source *src, const char *id, struct err *e)
{
	static const char *const subs[] = { "/cur", "/new", "/tmp", "" };
	char *dir = other_folder_dir((struct maildir_source *)src, id, e), *path;
	size_t i;
	int rc = 0;

	if (dir == NULL)
		return -1;
	for (i = 0; i < sizeof subs / sizeof subs[0] && rc == 0; i++) {
		path = xasprintf("%s%s", dir, subs[i]);
		rc = remove_files(path, e);
		if (rc == 0 && rmdir(path) < 0 && errno != ENOENT)
			rc = err_set(e, ERR_IO, "cannot remove %s: %s", path, strerror(errno));
		free(path);
	}
	free(dir);
	return rc;
}

/* Files in new/ are unread; in cur/, those without the S flag. */
static int
md_counts(struct mail_source *src, const char *id, unsigned *unseen, unsigned *total,
	  struct err *e)
{
	static const char *const subs[] = { "new", "cur" };
	char *dir = folder_dir((struct maildir_source *)src, id), *path;
	const char *info;
	struct dirent *de;
	size_t i;
	DIR *d;

	*unseen = *total = 0;
	if (dir == NULL || !is_maildir(dir)) {
		free(dir);
		return err_set(e, ERR_INPUT, "no folder \"%s\"", id);
	}
	for (i = 0; i < 2; i++) {
		path = xasprintf("%s/%s", dir, subs[i]);
		d = opendir(path);
		free(path);
		if (d == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			(*total)++;
			info = strstr(de->d_name, ":2,");
			if (i == 0 || info == NULL || strchr(info + 3, 'S') == NULL)
				(*unseen)++;
		}
		closedir(d);
	}
	free(dir);
	return 0;
}

static const struct mail_source_ops maildir_ops = {
	.kind = "maildir",
	.list_folders = md_list_folders,
	.open_folder = md_open_folder,
	.fetch = md_fetch,
	.set_flags = md_set_flags,
	.append = md_append,
	.move = md_move,
	.expunge = md_expunge,
	.remove = md_remove,
	.search = md_search,
	.create = md_create,
	.rename = md_rename,
	.remove_folder = md_remove_folder,
	.counts = md_counts,
	.close = md_close,
};

int
mail_source_maildir_open(const char *root, struct mail_source **out, struct err *e)
{
	struct maildir_source *m;

	if (access(root, F_OK) < 0 && errno == ENOENT)
		return err_set(e, ERR_NOTFOUND, "%s: no such directory", root);
	if (!is_maildir(root))
		return err_set(e, ERR_IO, "%s is not a Maildir (no cur/ folder in it)",
			       root);
	m = xcalloc(1, sizeof(*m));
	m->base.ops = &maildir_ops;
	m->root = xstrdup(root);
	*out = &m->base;
	return 0;
}
