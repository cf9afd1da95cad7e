/* cmd_list.c — `cachet list`: the index of an IMAP folder, one message a line. */
#include "cli/cli.h"
#include "client/imap_cache.h"
#include "crypto/smime.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void
list_usage(FILE *f)
{
	fprintf_text(f, "usage: cachet [--account NAME] list [--no-cache] [FOLDER]\n"
		"\n"
		"Prints the index of FOLDER (default INBOX; a name as `cachet folders`\n"
		"shows it, in UTF-8), one message a line:\n"
		"UID, flags (S seen, A answered, F flagged, D deleted, T draft),\n"
		"arrival time (UTC), size, sender address and subject, separated by\n"
		"tabs.  The envelopes are cached under the data directory, so the\n"
		"next run fetches only flags and new messages; --no-cache fetches\n"
		"everything and leaves the cache alone.\n");
}

static void
print_flags(unsigned flags)
{
	static const struct {
		unsigned bit;
		char c;
	} letters[] = {
		{ IMAP_FLAG_SEEN, 'S' }, { IMAP_FLAG_ANSWERED, 'A' },
		{ IMAP_FLAG_FLAGGED, 'F' }, { IMAP_FLAG_DELETED, 'D' },
		{ IMAP_FLAG_DRAFT, 'T' },
	};
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof letters / sizeof letters[0]; i++)
		if (flags & letters[i].bit) {
			putchar(letters[i].c);
			n++;
		}
	if (n == 0)
		putchar('-');
}

/* On a terminal: how many envelopes have come, on one line of stderr. */
static void
list_progress(void *arg, size_t done)
{
	fprintf_text(stderr, "\rcachet: %s: %zu envelopes", (const char *)arg, done);
	fflush(stderr);
}

int cmd_list(const struct cli_globals *g, int argc, char **argv);

int
cmd_list(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-cache", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct imap_session *s = NULL;
	struct imap_index idx = { 0 };
	struct config *cfg = NULL;
	const struct account *a;
	const char *folder_arg = "INBOX";
	char *folder = NULL;
	struct err e = { 0 };
	bool cache = true;
	char *path = NULL;
	size_t i;
	int c, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			cache = false;
			break;
		case 'h':
			list_usage(stdout);
			return 0;
		default:
			list_usage(stderr);
			return 2;
		}
	}
	if (argc - optind > 1) {
		list_usage(stderr);
		return 2;
	}
	if (optind < argc)
		folder_arg = argv[optind];
	if (imap_utf7_encode(folder_arg, &folder, &e) < 0)
		return cli_fail(&e);
	if (cli_load_config(g, &cfg, &e) < 0)
		return cli_fail(&e);
	a = cli_account(g, cfg, &e);
	if (a == NULL) {
		rc = cli_fail(&e);
		goto out;
	}
	if (cache)
		path = imap_index_path(g->data_dir, a->name, folder);
	if (imap_open_account(a, &s, &e) == 0 && isatty(STDERR_FILENO))
		imap_set_progress(s, list_progress, (void *)folder_arg);
	if (s == NULL || imap_index_refresh(s, folder, path, 0, &idx, &e) < 0) {
		if (isatty(STDERR_FILENO) && s)
			fputs("\r\033[K", stderr);
		cli_show_alerts(s, a->imap.host);
		rc = cli_fail(&e);
		goto out;
	}
	/* The progress line, if any, is cleared. */
	if (isatty(STDERR_FILENO) && idx.n >= 1000)
		fputs("\r\033[K", stderr);
	cli_show_alerts(s, a->imap.host);
	for (i = 0; i < idx.n; i++) {
		const struct imap_summary *m = &idx.msgs[i];
		struct tm tm;
		char when[32] = "-", *from;
		char *subject;

		if (m->internal_date && gmtime_r(&m->internal_date, &tm))
			strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
		fprintf_text(stdout, "%u\t", m->uid);
		print_flags(m->flags);
		fprintf_text(stdout, "\t%s\t%u\t", when, m->size);
		/* The address crypto reads in From, never the server's ENVELOPE. */
		from = mime_from_display(m->from_field, MIME_FROM_ADDRESS);
		cli_put_text(stdout, from, false);
		free(from);
		putchar('\t');
		/*
		 * RFC 2047 words decoded (the decoder drops what is unsafe
		 * to show); without any, raw bytes are shown as '?'.
		 */
		subject = m->subject && strstr(m->subject, "=?") ?
				  mime_header_decode(m->subject) : NULL;
		cli_put_text(stdout, subject ? subject : m->subject, false);
		free(subject);
		putchar('\n');
	}
	if (fflush(stdout) != 0) {
		err_set(&e, ERR_IO, "cannot write the index");
		rc = cli_fail(&e);
	}
out:
	imap_index_release(&idx);
	imap_close(&s);
	free(path);
	free(folder);
	config_free(&cfg);
	return rc;
}
