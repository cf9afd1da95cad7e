/* cmd_folders.c — `cachet folders`: the account's IMAP folders, one a line. */
#include "cli/cli.h"
#include "client/imap.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void
folders_usage(FILE *f)
{
	fprintf_text(f, "usage: cachet [--account NAME] folders [--count]\n"
		"\n"
		"Lists the account's IMAP folders.  With --count, each selectable\n"
		"folder is followed by a tab and its number of messages.\n");
}

int cmd_folders(const struct cli_globals *g, int argc, char **argv);

int
cmd_folders(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct imap_session *s = NULL;
	struct imap_folder *folders = NULL;
	struct config *cfg = NULL;
	const struct account *a;
	struct err e = { 0 };
	bool count = false;
	size_t n = 0, i;
	int c, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ch", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			count = true;
			break;
		case 'h':
			folders_usage(stdout);
			return 0;
		default:
			folders_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		folders_usage(stderr);
		return 2;
	}
	if (cli_load_config(g, &cfg, &e) < 0)
		return cli_fail(&e);
	a = cli_account(g, cfg, &e);
	if (a == NULL) {
		rc = cli_fail(&e);
		goto out;
	}
	if (imap_open_account(a, &s, &e) < 0 || imap_list(s, &folders, &n, &e) < 0) {
		cli_show_alerts(s, a->imap.host);
		rc = cli_fail(&e);
		goto out;
	}
	cli_show_alerts(s, a->imap.host);
	for (i = 0; i < n; i++) {
		struct imap_status st;
		char *shown = imap_utf7_decode(folders[i].name);

		cli_put_text(stdout, shown, false);
		free(shown);
		if (!count || folders[i].noselect) {
			putchar('\n');
			continue;
		}
		if (imap_select(s, folders[i].name, &st, &e) < 0) {
			putchar('\n');
			rc = cli_fail(&e);
			goto out;
		}
		fprintf_text(stdout, "\t%u\n", st.exists);
	}
	if (fflush(stdout) != 0) {
		err_set(&e, ERR_IO, "cannot write the list");
		rc = cli_fail(&e);
	}
out:
	imap_folders_free(&folders, n);
	imap_close(&s);
	config_free(&cfg);
	return rc;
}
