/*
 * batch.h — what the message verbs (sign, encrypt, decrypt, verify) share:
 * the list of input files (or standard input), --output-dir with atomic
 * private per-file output, a progress line on stderr when it is a
 * terminal, and the exit status of the worst message.
 */
#ifndef CACHET_BATCH_H
#define CACHET_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"

/*
 * One message: name is the file name ("-" for standard input), data its
 * bytes.  The function appends its result to out and returns the message's
 * exit status (0 or 1), or -1 with e filled (the batch prints
 * "cachet: NAME: MESSAGE" and goes on).  What it appends to report goes to
 * standard output, in input order, after out is written (or the error
 * printed): encrypt --json's lines beside the files of --output-dir.
 */
typedef int batch_fn(void *ctx, const char *name, const char *data, size_t len,
		     struct buf *out, struct buf *report, struct err *e);

struct batch {
	char **files;		/* foreign; NULL or empty = standard input */
	size_t n_files;
	const char *output_dir;	/* foreign; NULL = standard output */
	bool report_only;	/* output always goes to stdout (verify) */
	size_t max_size;	/* largest message read, in bytes */
};

/* Checks the options (output dir exists, no two inputs with the same
 * name in it); 0 or -1 with ERR_USAGE / ERR_IO. */
int batch_check(const struct batch *b, struct err *e);
/* Runs fn over every input; returns the worst exit status. */
int batch_run(const struct batch *b, batch_fn *fn, void *ctx);

/*
 * The same with n_workers threads: worker i calls fn with ctxs[i] only (one
 * crypto engine each), so fn must touch nothing shared but what it was
 * given.  Outputs, error messages and progress still come in input order,
 * each file's error its own; at most a few results per worker are held
 * ahead of the one being written.  With one worker, or one file, it is
 * batch_run with ctxs[0].
 */
int batch_run_parallel(const struct batch *b, batch_fn *fn, void **ctxs,
		       size_t n_workers);
/* Workers worth starting for b: one per online CPU, at most max, at most
 * one per file, at least one. */
size_t batch_workers(const struct batch *b, size_t max);

#endif
