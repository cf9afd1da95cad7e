/* main.c — global options, then the verb (or the screen without one). */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static void
usage(FILE *f)
{
	const struct cli_verb *v;

	fprintf_text(f,
		"usage: cachet [OPTIONS] [VERB [ARGS...]]\n"
		"\n"
		"A terminal mail client that signs every message and encrypts with\n"
		"S/MIME whenever it can.  Without a verb it opens the screen.\n"
		"\n"
		"Options (before the verb):\n"
		"  --config FILE      configuration file (default $XDG_CONFIG_HOME/cachet/config)\n"
		"  --account NAME     account to use (default: the first in the file)\n"
		"  --gnupg-home DIR   GnuPG home: gpg-agent's keys, the keybox, trustlist.txt\n"
		"                     (default $GNUPGHOME, then ~/.gnupg)\n"
		"  --data-dir DIR     certificate store and caches (default $XDG_DATA_HOME/cachet)\n"
		"  --passphrase-fd N  read passphrases from descriptor N, one per line\n"
		"                     (default: ask on the terminal)\n"
		"  --version          print the version and exit\n"
		"  --help             print this help and exit\n"
		"\n"
		"Verbs:\n");
	for (v = cli_verbs; v->name; v++)
		fprintf_text(f, "  %-10s %s\n", v->name, v->summary);
	fprintf_text(f,
		"\n"
		"Message verbs read RFC 5322 messages from the files named (or standard\n"
		"input) and write to standard output, or with --output-dir DIR one file\n"
		"per input.  Run 'cachet VERB --help' for a verb's options.\n"
		"\n"
		"Exit status: 0 success; 1 not valid, or a recipient lacks a certificate;\n"
		"2 usage error; 3 bad input; 4 crypto engine error; 5 network, TLS or\n"
		"authentication error.  See cachet(1) and cachet(5).\n");
}

static char *
default_path(const char *env, const char *home_rel, const char *leaf)
{
	const char *base = getenv(env);
	const char *home = getenv("HOME");

	if (base && *base)
		return xasprintf("%s/cachet%s%s", base, leaf ? "/" : "", leaf ? leaf : "");
	if (home == NULL || *home == '\0')
		home = "/";
	return xasprintf("%s/%s/cachet%s%s", home, home_rel, leaf ? "/" : "",
			 leaf ? leaf : "");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "account", required_argument, NULL, 'a' },
		{ "gnupg-home", required_argument, NULL, 'g' },
		{ "data-dir", required_argument, NULL, 'd' },
		{ "passphrase-fd", required_argument, NULL, 'p' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_globals g = { 0 };
	char *config_default = NULL, *data_default = NULL, *gnupg_default = NULL;
	const struct cli_verb *v;
	const char *env;
	struct err e;
	char *end;
	long fd;
	int c, rc;

	/* Decrypted mail never reaches a core file (doc/DESIGN.md, 3). */
	if (process_forbid_core_dumps(&e) < 0) {
		fprintf_text(stderr, "cachet: %s\n", e.msg);
		return err_exit_status(e.code);
	}
	g.passphrase_fd = -1;
	/* "+": stop at the verb; its options are its own. */
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			g.config_path = optarg;
			g.config_explicit = true;
			break;
		case 'a':
			g.account = optarg;
			break;
		case 'g':
			g.gnupg_home = optarg;
			break;
		case 'd':
			g.data_dir = optarg;
			break;
		case 'p':
			fd = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || fd < 0 || fd > 65535) {
				fprintf_text(stderr, "cachet: --passphrase-fd wants a file descriptor "
					"number, not '");
				cli_put_text(stderr, optarg, false);
				fprintf_text(stderr, "'\n");
				return 2;
			}
			g.passphrase_fd = (int)fd;
			break;
		case 'V':
			fprintf_text(stdout, "cachet %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf_text(stderr, "cachet: run 'cachet --help' for the options\n");
			return 2;
		}
	}
	if (g.config_path == NULL)
		g.config_path = config_default = default_path("XDG_CONFIG_HOME", ".config", "config");
	if (g.data_dir == NULL)
		g.data_dir = data_default = default_path("XDG_DATA_HOME", ".local/share", NULL);
	if (g.gnupg_home == NULL) {
		env = getenv("GNUPGHOME");
		if (env && *env) {
			g.gnupg_home = env;
		} else {
			env = getenv("HOME");
			g.gnupg_home = gnupg_default = xasprintf("%s/.gnupg", env ? env : "");
		}
	}
	/* The administrator's file always applies; the variable only adds. */
	g.system_policies[0] = CACHET_SYSTEM_POLICY;
	env = getenv("CACHET_SYSTEM_POLICY");
	g.system_policies[1] = env && *env ? env : NULL;
	g.system_policies[2] = NULL;

	if (optind >= argc) {
		for (v = cli_verbs; v->name; v++)
			if (strcmp(v->name, "ui") == 0)
				break;
		if (v->name == NULL) {
			fprintf_text(stderr, "cachet: this build has no screen; "
				"run 'cachet --help' for the verbs\n");
			rc = 2;
			goto out;
		}
	} else {
		for (v = cli_verbs; v->name; v++)
			if (strcmp(v->name, argv[optind]) == 0)
				break;
		if (v->name == NULL) {
			fprintf_text(stderr, "cachet: unknown verb '%s'; run 'cachet --help' "
				"for the list\n", argv[optind]);
			rc = 2;
			goto out;
		}
	}
	/* The verb sees argv[0] = its own name, then its arguments. */
	rc = v->run(&g, argc - optind, argv + optind);
out:
	free(config_default);
	free(data_default);
	free(gnupg_default);
	return rc;
}
