/* files.c — files written whole or not at all: one at a time
 * (file_write_atomic, an fsync each), or in groups that pay for the
 * flush once (struct file_group). */
#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Writes data to a new private temporary file beside path (*tmp, owned),
 * with mode, synced to disk when sync.  Nothing is left behind on error. */
static int
temp_write(const char *path, const void *data, size_t len, unsigned mode,
	   bool sync, char **tmp, struct err *e)
{
	const char *p = data;
	int fd;

	*tmp = xasprintf("%s.tmp-XXXXXX", path);
	fd = mkstemp(*tmp);
	if (fd < 0) {
		err_set(e, ERR_IO, "%s: cannot create: %s", path, strerror(errno));
		goto fail;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_set(e, ERR_IO, "%s: write failed: %s", path, strerror(errno));
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, mode) < 0 || (sync && fsync(fd) < 0)) {
		err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		err_set(e, ERR_IO, "%s: close failed: %s", path, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	if (fd >= 0) {
		close(fd);
		unlink(*tmp);
	}
	free(*tmp);
	*tmp = NULL;
	return -1;
}

int
file_write_atomic(const char *path, const void *data, size_t len,
		  unsigned mode, struct err *e)
{
	char *tmp;

	if (temp_write(path, data, len, mode, true, &tmp, e) < 0)
		return -1;
	if (rename(tmp, path) < 0) {
		err_set(e, ERR_IO, "%s: cannot rename into place: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

/*
 * The temporary files of every group waiting for its flush, for
 * file_group_unlink_pending in a signal handler: a slot is in use while
 * its flag is set, and its path is written before the flag.
 */
static char pending_path[FILE_GROUP_MAX][PATH_MAX];
static volatile sig_atomic_t pending_used[FILE_GROUP_MAX];

struct file_group_entry {
	char *tmp, *path;	/* owned */
	int slot;		/* in pending_path, or -1 */
	void *cookie;		/* foreign */
};

struct file_group {
	int dirfd;		/* owned; the file system to flush */
	struct file_group_entry v[FILE_GROUP_MAX];
	size_t n;
	struct timespec first;	/* when the oldest waiting file was written */
};

static int
slot_take(const char *tmp)
{
	int i;

	if (strlen(tmp) >= PATH_MAX)
		return -1;
	for (i = 0; i < FILE_GROUP_MAX; i++)
		if (!__atomic_load_n(&pending_used[i], __ATOMIC_ACQUIRE)) {
			strcpy(pending_path[i], tmp);
			__atomic_store_n(&pending_used[i], 1, __ATOMIC_RELEASE);
			return i;
		}
	return -1;
}

static void
slot_give(int i)
{
	if (i >= 0)
		__atomic_store_n(&pending_used[i], 0, __ATOMIC_RELEASE);
}

void
file_group_unlink_pending(void)
{
	int i;

	for (i = 0; i < FILE_GROUP_MAX; i++)
		if (__atomic_load_n(&pending_used[i], __ATOMIC_ACQUIRE))
			unlink(pending_path[i]);
}

int
file_group_new(const char *dir, struct file_group **out, struct err *e)
{
	struct file_group *g;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0)
		return err_set(e, ERR_IO, "%s: cannot open: %s", dir, strerror(errno));
	g = xcalloc(1, sizeof *g);
	g->dirfd = fd;
	*out = g;
	return 0;
}

static double
elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) * 1e3 +
		(double)(now.tv_nsec - since->tv_nsec) / 1e6;
}

int
file_group_add(struct file_group *g, const char *path, const void *data, size_t len,
	       unsigned mode, void *cookie, struct err *e)
{
	struct file_group_entry *en;
	char *tmp;

	if (g->n == FILE_GROUP_MAX)
		return err_set(e, ERR_IO, "%s: the group of files waiting for their flush "
			       "is full", path);
	if (temp_write(path, data, len, mode, false, &tmp, e) < 0)
		return -1;
	if (g->n == 0)
		clock_gettime(CLOCK_MONOTONIC, &g->first);
	en = &g->v[g->n++];
	en->tmp = tmp;
	en->path = xstrdup(path);
	en->slot = slot_take(tmp);
	en->cookie = cookie;
	return g->n == FILE_GROUP_MAX || elapsed_ms(&g->first) >= FILE_GROUP_MS;
}

size_t
file_group_commit(struct file_group *g, file_group_done_fn *done, void *arg)
{
	struct err e = { 0 };
	size_t i, failed = 0;
	bool synced;

	if (g->n == 0)
		return 0;
	/* One flush of the file system for the whole group: every file's
	 * bytes are on disk before any of them takes its name. */
	synced = syncfs(g->dirfd) == 0;
	if (!synced)
		err_set(&e, ERR_IO, "cannot flush the files to disk: %s", strerror(errno));
	for (i = 0; i < g->n; i++) {
		struct file_group_entry *en = &g->v[i];
		struct err fe = { 0 };

		if (!synced) {
			err_set(&fe, ERR_IO, "%s: %s", en->path, e.msg);
		} else if (rename(en->tmp, en->path) < 0) {
			err_set(&fe, ERR_IO, "%s: cannot rename into place: %s", en->path,
				strerror(errno));
		}
		if (fe.code != ERR_NONE) {
			unlink(en->tmp);
			failed++;
		}
		slot_give(en->slot);
		if (done)
			done(en->cookie, fe.code != ERR_NONE ? &fe : NULL, arg);
		free(en->tmp);
		free(en->path);
	}
	g->n = 0;
	return failed;
}

void
file_group_free(struct file_group **gp)
{
	struct file_group *g;
	size_t i;

	if (gp == NULL || (g = *gp) == NULL)
		return;
	/* Files never flushed are not put in place. */
	for (i = 0; i < g->n; i++) {
		unlink(g->v[i].tmp);
		slot_give(g->v[i].slot);
		free(g->v[i].tmp);
		free(g->v[i].path);
	}
	close(g->dirfd);
	free(g);
	*gp = NULL;
}
