/* batch.c — input files, per-file output, progress and exit status. */
#include "client/batch.h"

#include <errno.h>
#include <libgen.h>
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

static int
one(const struct batch *b, const char *name, batch_fn *fn, void *ctx)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	struct err e = { 0 };
	int status;

	if (strcmp(name, "-") == 0) {
		if (fd_read_all(0, b->max_size, &in, &e) < 0) {
			err_prefix(&e, "standard input");
			goto fail;
		}
	} else if (file_read(name, b->max_size, &in, &e) < 0) {
		goto fail;
	}
	status = fn(ctx, name, in.data ? in.data : "", in.len, &out, &e);
	if (status < 0) {
		/* A verdict line may still have been produced (verify). */
		if (b->report_only && write_stdout(&out, NULL) < 0)
			status = 3;
		err_prefix(&e, "%s", name);
		goto fail;
	}
	if (b->output_dir && !b->report_only) {
		char *path = xasprintf("%s/%s", b->output_dir, base_name(name));
		int r = file_write_atomic(path, out.data ? out.data : "", out.len, 0600, &e);

		free(path);
		if (r < 0)
			goto fail;
	} else if (write_stdout(&out, &e) < 0) {
		goto fail;
	}
	buf_release(&in);
	buf_release(&out);
	return status;
fail:
	fprintf(stderr, "cachet: %s\n", e.msg);
	buf_release(&in);
	buf_release(&out);
	return err_exit_status(e.code ? e.code : ERR_IO);
}

int
batch_run(const struct batch *b, batch_fn *fn, void *ctx)
{
	bool progress = b->n_files > 1 && isatty(2);
	size_t i;
	int worst = 0, s;

	if (b->n_files == 0)
		return one(b, "-", fn, ctx);
	for (i = 0; i < b->n_files; i++) {
		if (progress)
			fprintf(stderr, "\r\033[K[%zu/%zu] %s", i + 1, b->n_files,
				base_name(b->files[i]));
		s = one(b, b->files[i], fn, ctx);
		if (s > worst)
			worst = s;
	}
	if (progress)
		fprintf(stderr, "\r\033[K");
	return worst;
}
