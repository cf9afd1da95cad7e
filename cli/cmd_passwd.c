/* cmd_passwd.c — `cachet passwd`: store the account password in the Secret Service. */
#include "cli/cli.h"
#include "client/cred.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define PASSWD_MAX 4096

/*
 * Reads one line from standard input; when it is a terminal, prompts on
 * stderr and turns echo off for the line.
 */
static int
read_password(char **out, struct err *e)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	*out = NULL;
	if (tty) {
		if (tcgetattr(STDIN_FILENO, &old) < 0)
			return err_set(e, ERR_IO, "cannot read the terminal settings");
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		fputs("Password: ", stderr);
		fflush(stderr);
		if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) < 0)
			return err_set(e, ERR_IO, "cannot turn off echo on the terminal");
	}
	n = getline(&line, &cap, stdin);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	if (n < 0) {
		free(line);
		return err_set(e, ERR_INPUT, "no password given on standard input");
	}
	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '\0' || strlen(line) > PASSWD_MAX) {
		explicit_bzero(line, cap);
		free(line);
		return err_set(e, ERR_INPUT, "the password is empty or too long");
	}
	*out = xstrdup(line);
	explicit_bzero(line, cap);
	free(line);
	return 0;
}

static void
passwd_usage(FILE *f)
{
	fprintf_text(f, "usage: cachet [--account NAME] passwd\n"
		"\n"
		"Stores the account's password in the Secret Service (for its IMAP\n"
		"and SMTP servers).  Reads it from the terminal without echo, or the\n"
		"first line of standard input when that is not a terminal.\n");
}

int cmd_passwd(const struct cli_globals *g, int argc, char **argv);

int
cmd_passwd(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct server_url *servers[2];
	struct config *cfg = NULL;
	const struct account *a;
	struct err e = { 0 };
	char *pw = NULL;
	int c, rc = 0;
	size_t i;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			passwd_usage(stdout);
			return 0;
		}
		passwd_usage(stderr);
		return 2;
	}
	if (optind != argc) {
		passwd_usage(stderr);
		return 2;
	}
	if (cli_load_config(g, &cfg, &e) < 0)
		return cli_fail(&e);
	a = cli_account(g, cfg, &e);
	if (a == NULL) {
		rc = cli_fail(&e);
		goto out;
	}
	servers[0] = a->imap.host ? &a->imap : NULL;
	servers[1] = a->smtp.host ? &a->smtp : NULL;
	if (!servers[0] && !servers[1]) {
		err_set(&e, ERR_CONFIG, "account %s has neither imap nor smtp", a->name);
		rc = cli_fail(&e);
		goto out;
	}
	if (a->password_command)
		fprintf_text(stderr, "cachet: note: account %s has a password_command, "
			"which is used instead of the Secret Service\n", a->name);
	if (read_password(&pw, &e) < 0) {
		rc = cli_fail(&e);
		goto out;
	}
	for (i = 0; i < 2; i++) {
		struct cred_key k, prev;

		if (servers[i] == NULL)
			continue;
		cred_key_for(a, servers[i], &k);
		if (i == 1 && servers[0]) {
			cred_key_for(a, servers[0], &prev);
			if (strcmp(prev.user, k.user) == 0 && strcmp(prev.host, k.host) == 0)
				continue;
		}
		if (cred_store(&k, pw, &e) < 0) {
			rc = cli_fail(&e);
			goto out;
		}
		fprintf_text(stderr, "cachet: stored the password of %s@%s\n", k.user, k.host);
	}
out:
	cred_password_free(&pw);
	config_free(&cfg);
	return rc;
}
