/* cmd_sign.c — cachet sign [--from ADDR] [--output-dir DIR] [FILE...] */
#include "cli/batch.h"
#include "cli/cli.h"
#include "crypto/smime.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cli_verb_fn cmd_sign;

/* Signing is in process and gpg-agent makes every signature over one
 * connection, asking a passphrase at most once: one worker. */
#define SIGN_MAX_WORKERS 1

struct sign_run {
	struct smime_engine *eng;	/* foreign */
	const char *from;		/* --from, or NULL */
	char **addrs, **fprs;		/* owned cache: address -> signer */
	size_t n;
};

/* The signing certificate for addr, looked up once per batch. */
static const char *
signer_for(struct sign_run *s, const char *addr, struct err *e)
{
	size_t i;
	char *fpr;

	for (i = 0; i < s->n; i++)
		if (str_casecmp_ascii(s->addrs[i], addr) == 0)
			return s->fprs[i];
	if (smime_find_signer(s->eng, addr, &fpr, e) < 0) {
		if (e->code == ERR_NOCERT)
			err_prefix(e, "no signing certificate");
		return NULL;
	}
	s->addrs = xrealloc(s->addrs, (s->n + 1) * sizeof *s->addrs);
	s->fprs = xrealloc(s->fprs, (s->n + 1) * sizeof *s->fprs);
	s->addrs[s->n] = xstrdup(addr);
	s->fprs[s->n++] = fpr;
	return fpr;
}

static int
sign_one(void *ctx, const char *name, const char *data, size_t len,
	 struct buf *out, struct buf *report, struct err *e)
{
	struct sign_run *s = ctx;
	const char *fpr;
	char *from = NULL;

	if (s->from == NULL && smime_message_from(data, len, &from, e) < 0)
		return -1;
	fpr = signer_for(s, s->from ? s->from : from, e);
	free(from);
	if (fpr == NULL || smime_sign(s->eng, data, len, fpr, 0, out, e) < 0)
		return -1;
	return 0;
}

int
cmd_sign(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "output-dir", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct batch b = { .max_size = SMIME_MAX_MESSAGE };
	struct sign_run *runs;
	struct smime_passphrase pp;
	bool have_pp;
	const char *from = NULL;
	struct err e = { 0 };
	void **ctxs;
	size_t i, j, n_workers;
	int c, rc = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': from = optarg; break;
		case 'o': b.output_dir = optarg; break;
		case 'h':
			printf("usage: cachet sign [--from ADDR] [--output-dir DIR] [FILE...]\n"
			       "Signs each message (multipart/signed, SHA-256, detached) with the\n"
			       "certificate of --from, or of the message's From address.\n");
			return 0;
		default:
			return 2;
		}
	}
	b.files = argv + optind;
	b.n_files = (size_t)(argc - optind);
	if (batch_check(&b, &e) < 0)
		return cli_fail(&e);
	have_pp = cli_passphrase_source(g, &pp);
	n_workers = batch_workers(&b, SIGN_MAX_WORKERS);
	runs = xcalloc(n_workers, sizeof *runs);
	ctxs = xcalloc(n_workers, sizeof *ctxs);
	for (i = 0; i < n_workers; i++) {
		runs[i].from = from;
		ctxs[i] = &runs[i];
		if (smime_engine_new(g->gnupg_home, &runs[i].eng, &e) < 0) {
			rc = cli_fail(&e);
			goto out;
		}
		smime_engine_set_passphrase(runs[i].eng, have_pp ? &pp : NULL);
	}
	rc = batch_run_parallel(&b, sign_one, ctxs, n_workers);
out:
	for (i = 0; i < n_workers; i++) {
		for (j = 0; j < runs[i].n; j++) {
			free(runs[i].addrs[j]);
			free(runs[i].fprs[j]);
		}
		free(runs[i].addrs);
		free(runs[i].fprs);
		smime_engine_free(&runs[i].eng);
	}
	free(runs);
	free(ctxs);
	return rc;
}
