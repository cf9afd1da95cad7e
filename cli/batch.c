/* batch.c — input files, per-file output, progress and exit status. */
#include "cli/batch.h"
#include "cli/cli.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
is_maildir(const char *dir)
{
	struct stat st;
	char *cur = xasprintf("%s/cur", dir), *new = xasprintf("%s/new", dir);
	bool yes = (stat(cur, &st) == 0 && S_ISDIR(st.st_mode)) ||
		   (stat(new, &st) == 0 && S_ISDIR(st.st_mode));

	free(cur);
	free(new);
	return yes;
}

int
batch_maildir_files(const char *dir, char ***out, size_t *n, struct err *e)
{
	static const char *const subs[] = { "cur", "new" };
	size_t i, start;

	if (!is_maildir(dir))
		return err_set(e, ERR_USAGE, "%s is a directory but not a Maildir "
			       "(no cur/ or new/)", dir);
	for (i = 0; i < 2; i++) {
		char *sub = xasprintf("%s/%s", dir, subs[i]);
		struct dirent *de;
		DIR *d = opendir(sub);

		if (d == NULL) {
			free(sub);
			continue;
		}
		start = *n;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			*out = xrealloc(*out, (*n + 1) * sizeof(**out));
			(*out)[(*n)++] = xasprintf("%s/%s", sub, de->d_name);
		}
		closedir(d);
		free(sub);
		if (*n > start)	/* an empty cur/ or new/ leaves *out NULL */
			qsort(*out + start, *n - start, sizeof(**out), cmp_str);
	}
	return 0;
}

int
batch_expand_inputs(struct batch *b, char **args, size_t n, struct err *e)
{
	struct stat st;
	size_t i;

	b->owned_files = NULL;
	b->n_files = 0;
	for (i = 0; i < n; i++) {
		if (strcmp(args[i], "-") != 0 && stat(args[i], &st) == 0 &&
		    S_ISDIR(st.st_mode)) {
			if (batch_maildir_files(args[i], &b->owned_files, &b->n_files, e) < 0) {
				batch_inputs_release(b);
				return -1;
			}
			continue;
		}
		b->owned_files = xrealloc(b->owned_files,
					  (b->n_files + 1) * sizeof(*b->owned_files));
		b->owned_files[b->n_files++] = xstrdup(args[i]);
	}
	b->files = b->owned_files;
	b->none = n > 0 && b->n_files == 0;	/* empty Maildirs: not stdin */
	return 0;
}

void
batch_inputs_release(struct batch *b)
{
	size_t i;

	for (i = 0; b->owned_files && i < b->n_files; i++)
		free(b->owned_files[i]);
	free(b->owned_files);
	b->owned_files = NULL;
	b->files = NULL;
	b->n_files = 0;
}

int
batch_check(const struct batch *b, struct err *e)
{
	struct stat st;
	size_t i, j;

	if (b->output_dir == NULL || b->report_only)
		return 0;
	if (stat(b->output_dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_set(e, ERR_USAGE, "--output-dir %s: not a directory", b->output_dir);
	if (b->n_files == 0)
		return err_set(e, ERR_USAGE, "--output-dir needs input files, not standard input");
	for (i = 0; i < b->n_files; i++) {
		const char *bi = base_name(b->files[i]);

		if (strcmp(b->files[i], "-") == 0 || *bi == '\0')
			return err_set(e, ERR_USAGE, "--output-dir needs named input files, "
				       "not \"%s\"", b->files[i]);
		for (j = 0; j < i; j++)
			if (strcmp(bi, base_name(b->files[j])) == 0)
				return err_set(e, ERR_USAGE, "%s and %s would both be written "
					       "to %s/%s", b->files[j], b->files[i],
					       b->output_dir, bi);
	}
	return 0;
}

static int
write_stdout(const struct buf *out, struct err *e)
{
	if (out->len && fwrite(out->data, 1, out->len, stdout) != out->len)
		return err_set(e, ERR_IO, "writing to standard output: %s", strerror(errno));
	if (fflush(stdout) != 0)
		return err_set(e, ERR_IO, "writing to standard output: %s", strerror(errno));
	return 0;
}

/* One message's result, computed by a worker and emitted in input order. */
struct batch_result {
	struct buf out;		/* owned */
	struct buf report;	/* owned */
	struct err e;
	int status;		/* fn's status, -1 with e */
	bool done;
};

static void
compute(const struct batch *b, const char *name, batch_fn *fn, void *ctx,
	struct batch_result *r)
{
	struct buf in = BUF_INIT;

	buf_init(&r->out);
	buf_init(&r->report);
	memset(&r->e, 0, sizeof r->e);
	if (strcmp(name, "-") == 0) {
		if (fd_read_all(0, b->max_size, &in, &r->e) < 0) {
			err_prefix(&r->e, "standard input");
			r->status = -2;	/* no verdict line to write */
			goto out;
		}
	} else if (file_read(name, b->max_size, &in, &r->e) < 0) {
		r->status = -2;
		goto out;
	}
	r->status = fn(ctx, name, in.data ? in.data : "", in.len, &r->out, &r->report,
		       &r->e);
	if (r->status < 0)
		err_name(&r->e, name);
out:
	buf_release(&in);
}

/*
 * Where results go, in input order.  Files of --output-dir are written in
 * groups (base's file_group): each to a temporary file, then one flush of
 * the file system and the renames, so an output is complete or absent
 * and the batch pays one flush per group rather than an fsync per file.
 * A file's report lines wait with it and are printed once it is in place.
 */
struct emitter {
	struct file_group *group;	/* owned; NULL: standard output */
	int worst;			/* exit status of failures found at a flush */
};

struct waiting {
	struct buf report;	/* owned */
};

static void
write_report(const struct buf *report)
{
	if (report->len) {
		fwrite(report->data, 1, report->len, stdout);
		fflush(stdout);
	}
}

static void
flushed(void *cookie, const struct err *e, void *arg)
{
	struct waiting *w = cookie;
	struct emitter *em = arg;

	if (e) {
		fprintf(stderr, "cachet: %s\n", e->msg);
		if (em->worst < err_exit_status(e->code))
			em->worst = err_exit_status(e->code);
	} else {
		write_report(&w->report);
	}
	buf_release(&w->report);
	free(w);
}

static void
emitter_flush(struct emitter *em)
{
	if (em->group)
		file_group_commit(em->group, flushed, em);
}

/* Removes the files waiting for their flush, then dies of the signal. */
static void
on_signal(int sig)
{
	file_group_unlink_pending();
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int batch_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void
emitter_init(const struct batch *b, struct emitter *em, struct sigaction *old)
{
	struct sigaction sa;
	struct err e = { 0 };
	size_t i;

	memset(em, 0, sizeof *em);
	if (b->output_dir == NULL || b->report_only || b->n_files < 2)
		return;
	if (file_group_new(b->output_dir, &em->group, &e) < 0)
		return;	/* one file at a time, as file_write_atomic does */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof batch_signals / sizeof batch_signals[0]; i++) {
		sigaction(batch_signals[i], NULL, &old[i]);
		if (old[i].sa_handler == SIG_DFL)
			sigaction(batch_signals[i], &sa, NULL);
	}
}

static int
emitter_done(struct emitter *em, const struct sigaction *old)
{
	size_t i;

	if (em->group == NULL)
		return 0;
	emitter_flush(em);
	file_group_free(&em->group);
	for (i = 0; i < sizeof batch_signals / sizeof batch_signals[0]; i++)
		if (old[i].sa_handler == SIG_DFL)
			sigaction(batch_signals[i], &old[i], NULL);
	return em->worst;
}

/* Writes r's output (stdout or the output dir) or prints its error. */
static int
emit(const struct batch *b, struct emitter *em, const char *name,
     struct batch_result *r)
{
	struct err *e = &r->e;
	int status = r->status;

	if (status < 0) {
		/* What waits is older: its lines come first. */
		emitter_flush(em);
		/* A verdict line may still have been produced (verify). */
		if (status == -1 && b->report_only && write_stdout(&r->out, NULL) < 0)
			status = 3;
		goto fail;
	}
	if (b->output_dir && !b->report_only) {
		char *path = xasprintf("%s/%s", b->output_dir, base_name(name));
		int rc;

		if (em->group) {
			struct waiting *w = xcalloc(1, sizeof *w);

			w->report = r->report;
			buf_init(&r->report);
			rc = file_group_add(em->group, path, r->out.data ? r->out.data : "",
					    r->out.len, 0600, w, e);
			if (rc < 0) {
				buf_release(&w->report);
				free(w);
			} else if (rc == 1) {
				emitter_flush(em);
			}
		} else {
			rc = file_write_atomic(path, r->out.data ? r->out.data : "", r->out.len,
					       0600, e);
		}
		free(path);
		if (rc < 0)
			goto fail;
	} else if (write_stdout(&r->out, e) < 0) {
		goto fail;
	}
	write_report(&r->report);
	buf_release(&r->out);
	buf_release(&r->report);
	return status;
fail:
	fprintf_text(stderr, "cachet: %s\n", e->msg);
	write_report(&r->report);
	buf_release(&r->out);
	buf_release(&r->report);
	return err_exit_status(e->code ? e->code : ERR_IO);
}

static int
one(const struct batch *b, struct emitter *em, const char *name, batch_fn *fn,
    void *ctx)
{
	struct batch_result r;

	compute(b, name, fn, ctx, &r);
	return emit(b, em, name, &r);
}

int
batch_run(const struct batch *b, batch_fn *fn, void *ctx)
{
	bool progress = b->n_files > 1 && isatty(2);
	struct emitter em;
	struct sigaction old[3];
	size_t i;
	int worst = 0, s;

	if (b->n_files == 0) {
		if (b->none)	/* inputs named, none found (empty Maildirs) */
			return 0;
		memset(&em, 0, sizeof em);
		return one(b, &em, "-", fn, ctx);
	}
	emitter_init(b, &em, old);
	for (i = 0; i < b->n_files; i++) {
		if (progress)
			fprintf_text(stderr, "\r\033[K[%zu/%zu] %s", i + 1, b->n_files,
				base_name(b->files[i]));
		s = one(b, &em, b->files[i], fn, ctx);
		if (s > worst)
			worst = s;
	}
	s = emitter_done(&em, old);
	if (s > worst)
		worst = s;
	if (progress)
		fprintf_text(stderr, "\r\033[K");
	return worst;
}

/* Results computed ahead of the one being written: bounds the memory a
 * slow output (or a long run of large messages) can take. */
#define BATCH_AHEAD 8

size_t
batch_workers(const struct batch *b, size_t max)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = cpus > 0 ? (size_t)cpus : 1;

	if (n > max)
		n = max;
	if (n > b->n_files)
		n = b->n_files;
	return n ? n : 1;
}

struct batch_pool {
	const struct batch *b;
	batch_fn *fn;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct batch_result *results;	/* owned; one per file */
	size_t next;			/* next file to compute */
	size_t emitted;			/* files written so far */
	size_t window;
};

struct batch_worker {
	struct batch_pool *pool;	/* foreign */
	void *ctx;			/* foreign; this thread's only */
	pthread_t thread;
};

static void *
worker_main(void *arg)
{
	struct batch_worker *w = arg;
	struct batch_pool *p = w->pool;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (p->next < p->b->n_files && p->next >= p->emitted + p->window)
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->next >= p->b->n_files) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		compute(p->b, p->b->files[i], p->fn, w->ctx, &p->results[i]);
		pthread_mutex_lock(&p->lock);
		p->results[i].done = true;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
	}
}

int
batch_run_parallel(const struct batch *b, batch_fn *fn, void **ctxs, size_t n_workers)
{
	struct batch_pool p = { .b = b, .fn = fn };
	struct batch_worker *w;
	struct emitter em;
	struct sigaction old[3];
	sigset_t stop, mask;
	bool progress = b->n_files > 1 && isatty(2);
	size_t i, started = 0;
	int worst = 0, s;

	if (n_workers <= 1 || b->n_files <= 1)
		return batch_run(b, fn, ctxs[0]);
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.cond, NULL);
	p.results = xcalloc(b->n_files, sizeof *p.results);
	p.window = BATCH_AHEAD * n_workers;
	w = xcalloc(n_workers, sizeof *w);
	/* The workers never take the signals that end a batch: the handler
	 * runs where the output files are made, which a signal arriving
	 * there can wait for (file_group_add). */
	sigemptyset(&stop);
	for (i = 0; i < sizeof batch_signals / sizeof batch_signals[0]; i++)
		sigaddset(&stop, batch_signals[i]);
	pthread_sigmask(SIG_BLOCK, &stop, &mask);
	for (i = 0; i < n_workers; i++) {
		w[i].pool = &p;
		w[i].ctx = ctxs[i];
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]) != 0)
			break;
		started++;
	}
	pthread_sigmask(SIG_SETMASK, &mask, NULL);
	if (started == 0) {
		/* No thread at all: the files are still all done, in order. */
		free(w);
		free(p.results);
		pthread_cond_destroy(&p.cond);
		pthread_mutex_destroy(&p.lock);
		return batch_run(b, fn, ctxs[0]);
	}
	emitter_init(b, &em, old);
	for (i = 0; i < b->n_files; i++) {
		pthread_mutex_lock(&p.lock);
		while (!p.results[i].done)
			pthread_cond_wait(&p.cond, &p.lock);
		pthread_mutex_unlock(&p.lock);
		if (progress)
			fprintf_text(stderr, "\r\033[K[%zu/%zu] %s", i + 1, b->n_files,
				base_name(b->files[i]));
		s = emit(b, &em, b->files[i], &p.results[i]);
		if (s > worst)
			worst = s;
		pthread_mutex_lock(&p.lock);
		p.emitted = i + 1;
		pthread_cond_broadcast(&p.cond);
		pthread_mutex_unlock(&p.lock);
	}
	s = emitter_done(&em, old);
	if (s > worst)
		worst = s;
	if (progress)
		fprintf_text(stderr, "\r\033[K");
	for (i = 0; i < started; i++)
		pthread_join(w[i].thread, NULL);
	free(w);
	free(p.results);
	pthread_cond_destroy(&p.cond);
	pthread_mutex_destroy(&p.lock);
	return worst;
}
