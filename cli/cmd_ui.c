/* cmd_ui.c — `cachet ui` (and cachet without a verb): open the screen. */
#include "cli/cli.h"
#include "client/imap.h"
#include "ui/ui.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void
ui_usage(FILE *f)
{
	fprintf_text(f,
		"usage: cachet [OPTIONS] ui [--maildir DIR]\n"
		"\n"
		"Opens the screen on the account's IMAP server: folders, index,\n"
		"pager.  Press ? on any screen for the keys; the configuration's\n"
		"[keys] and [colors] sections change keys and colours (cachet(5)).\n"
		"\n"
		"  --maildir DIR   read a local Maildir++ tree instead of the account's\n"
		"                  IMAP server\n");
}

int cmd_ui(const struct cli_globals *g, int argc, char **argv);

int
cmd_ui(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "maildir", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct config *cfg = NULL;
	const struct account *acct = NULL;
	struct mail_source *src = NULL;
	struct ui_options opt = { 0 };
	struct err e = { 0 };
	const char *maildir = NULL;
	char *log_path = NULL;
	int c, rc;

	/* Started without a verb, there are no arguments at all. */
	if (argc > 0) {
		optind = 1;
		while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
			switch (c) {
			case 'm':
				maildir = optarg;
				break;
			case 'h':
				ui_usage(stdout);
				return 0;
			default:
				ui_usage(stderr);
				return 2;
			}
		}
		if (optind < argc) {
			fprintf_text(stderr, "cachet ui: unexpected argument '%s'\n", argv[optind]);
			return 2;
		}
	}

	/* A Maildir needs no configuration; an account is still used when there. */
	if (cli_load_config(g, &cfg, &e) < 0) {
		if (maildir == NULL || g->config_explicit)
			return cli_fail(&e);
		err_clear(&e);
	}
	if (cfg)
		acct = config_account(cfg, g->account);
	if (g->account && acct == NULL) {
		fprintf_text(stderr, "cachet: no account '%s' in %s\n", g->account,
			g->config_path);
		rc = 2;
		goto out;
	}

	if (maildir) {
		if (mail_source_maildir_open(maildir, &src, &e) < 0) {
			rc = cli_fail(&e);
			goto out;
		}
	} else {
		struct imap_session *s = NULL;

		if (acct == NULL || acct->imap.host == NULL) {
			fprintf_text(stderr, "cachet: no account with an IMAP server in %s; "
				"add one, or run 'cachet ui --maildir DIR'\n",
				g->config_path);
			rc = 2;
			goto out;
		}
		/* Before the screen: a password command may need the terminal. */
		if (imap_open_account(acct, &s, &e) < 0) {
			rc = cli_fail(&e);
			goto out;
		}
		src = mail_source_imap_new(s, g->data_dir, acct->name);
	}

	if (mkdir_private(g->data_dir, &e) < 0) {
		rc = cli_fail(&e);
		goto out;
	}
	log_path = xasprintf("%s/ui.log", g->data_dir);
	opt.account = acct;
	opt.policy = cfg ? &cfg->policy : NULL;
	opt.data_dir = g->data_dir;
	opt.gnupg_home = g->gnupg_home;
	opt.log_path = log_path;
	opt.config = cfg;
	rc = ui_run(src, &opt, &e) < 0 ? cli_fail(&e) : 0;
out:
	mail_source_free(&src);
	config_free(&cfg);
	free(log_path);
	return rc;
}
