/* cmd_send.c — `cachet send`: the plan, then its perform; --dry-run prints the plan. */
#include "cli/cli.h"
#include "client/send.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/tls.h"
#include "crypto/smime.h"

static volatile sig_atomic_t caught_signal;

/*
 * The first SIGINT or SIGTERM makes the network give up (tls_interrupt),
 * so the message ends up sent or in the outbox, never half-way; a second
 * one ends cachet at once.
 */
static void
on_signal(int sig)
{
	if (caught_signal) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	caught_signal = sig;
	tls_interrupt();
}

static void
catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocked read or poll must return EINTR. */
	sa.sa_flags = 0;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction old;

		/* A signal ignored by whoever started cachet (nohup, &) stays so. */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

/* After an interruption: say so, and exit as a shell expects (128 + signal). */
static int
interrupted_status(int rc)
{
	if (caught_signal == 0)
		return rc;
	fprintf_text(stderr, "cachet: interrupted by %s\n",
		caught_signal == SIGINT ? "SIGINT" : "SIGTERM");
	return 128 + caught_signal;
}

static void
send_usage(FILE *f)
{
	fprintf_text(f, "usage: cachet [--account NAME] send [--dry-run] [--sign|--no-sign]\n"
		"                  [--encrypt|--no-encrypt] [FILE]\n"
		"       cachet [--account NAME] send [--json] [--rate N/UNIT] [--no-sent-copy]\n"
		"                  [--sign|--no-sign] [--encrypt|--no-encrypt] FILE...|MAILDIR\n"
		"       cachet [--account NAME] send --retry [--force]\n"
		"\n"
		"Sends the RFC 5322 message in FILE (or standard input): signs it and\n"
		"encrypts it as the policy says, submits it over SMTP and files a copy\n"
		"in the Sent folder.  Encrypted, each Bcc recipient gets a copy of their\n"
		"own, and the To/Cc copy names none of them.  A copy that cannot be\n"
		"submitted stays in the outbox; --retry sends what waits there (and\n"
		"files copies that could not be filed, without sending them again).\n"
		"Interrupted (SIGINT, SIGTERM), it stops talking to the servers: the\n"
		"message is then sent or kept in the outbox, never half-way; it exits\n"
		"with 128 + signal.\n"
		"Several files, or a Maildir, go through one SMTP session and one IMAP\n"
		"session, each message signed and encrypted (or refused) on its own;\n"
		"what the server refuses for now (4xx) is sent again after a pause.\n"
		"The exit status is the worst of the messages.\n"
		"\n"
		"  --dry-run       print the plan: signer, recipients and their certificates,\n"
		"                  signed? encrypted to whom? or why it would be refused;\n"
		"                  nothing is signed, encrypted or sent\n"
		"  --sign          sign even when the policy says never or ask\n"
		"                  (with sign = ask and neither option, a terminal asks;\n"
		"                  without one the message is signed)\n"
		"  --no-sign       do not sign (refused when the system policy locks it)\n"
		"  --encrypt       refuse to send unless every recipient can be encrypted to\n"
		"  --no-encrypt    do not encrypt (refused when the system policy locks it)\n"
		"  --json          one JSON object per message: file, message_id,\n"
		"                  recipients, signed, encrypted_to, result, reply\n"
		"  --rate N/UNIT   at most N messages per s, min or hour (send_rate)\n"
		"  --no-sent-copy  file no copy in the Sent folder\n"
		"  --retry         send what waits in the outbox (as 'cachet outbox retry')\n"
		"  --force         with --retry: also send again what may have been\n"
		"                  delivered already (maybe-delivered)\n");
}

/*
 * sign = ask, and neither --sign nor --no-sign: the person at the
 * controlling terminal answers (the policy allows both answers).  Without
 * a terminal the message is signed, the safe side of the question, and
 * stderr says so.
 */
static void
ask_sign(struct policy *p)
{
	char answer[16] = "";
	FILE *tty = fopen("/dev/tty", "r+");

	if (tty == NULL) {
		fprintf_text(stderr, "cachet: sign = ask and no terminal to ask on: the "
			"message is signed (--no-sign sends it unsigned)\n");
		p->sign = POLICY_SIGN_ALWAYS;
		return;
	}
	for (;;) {
		fputs("Sign this message? [Y/n] ", tty);
		fflush(tty);
		if (fgets(answer, sizeof answer, tty) == NULL) {
			answer[0] = 'y';
			break;
		}
		if (strchr("yYnN\n", answer[0]))
			break;
	}
	fclose(tty);
	p->sign = answer[0] == 'n' || answer[0] == 'N' ? POLICY_SIGN_NEVER
						       : POLICY_SIGN_ALWAYS;
}

int cmd_send(const struct cli_globals *g, int argc, char **argv);

int
cmd_send(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "retry", no_argument, NULL, 'r' },
		{ "force", no_argument, NULL, 'f' },
		{ "sign", no_argument, NULL, 's' },
		{ "no-sign", no_argument, NULL, 'S' },
		{ "encrypt", no_argument, NULL, 'e' },
		{ "no-encrypt", no_argument, NULL, 'E' },
		{ "json", no_argument, NULL, 'j' },
		{ "rate", required_argument, NULL, 'R' },
		{ "no-sent-copy", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct send_options o = { 0 };
	struct send_plan plan = { 0 };
	struct send_report rep = { 0 };
	struct smime_passphrase pp;
	struct config *cfg = NULL;
	const struct account *a = NULL;
	struct buf msg = BUF_INIT;
	struct err e = { 0 };
	const char *file = NULL;
	bool retry = false, dry_run = false, force = false, json = false;
	unsigned interval_ms = 0;
	struct stat st;
	int c, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': dry_run = true; break;
		case 'r': retry = true; break;
		case 'f': force = true; break;
		case 's': o.sign = SEND_YES; break;
		case 'S': o.sign = SEND_NO; break;
		case 'e': o.encrypt = SEND_YES; break;
		case 'E': o.encrypt = SEND_NO; break;
		case 'j': json = true; break;
		case 'C': o.no_sent_copy = true; break;
		case 'R':
			if (config_rate_parse(optarg, &interval_ms, &e) < 0) {
				err_prefix(&e, "--rate");
				return cli_fail(&e);
			}
			break;
		case 'h':
			send_usage(stdout);
			return 0;
		default:
			send_usage(stderr);
			return 2;
		}
	}
	if ((retry && (argc - optind > 0 || dry_run || o.sign || o.encrypt ||
		       json || o.no_sent_copy)) || (force && !retry) ||
	    (dry_run && (argc - optind > 1 || json))) {
		send_usage(stderr);
		return 2;
	}
	if (optind < argc)
		file = argv[optind];
	o.gnupg_home = g->gnupg_home;
	o.data_dir = g->data_dir;
	if (cli_passphrase_source(g, &pp))
		o.passphrase = &pp;

	if (cli_load_config(g, &cfg, &e) < 0)
		return cli_fail(&e);
	if (!retry) {
		a = cli_account(g, cfg, &e);
		if (a == NULL) {
			rc = cli_fail(&e);
			goto out;
		}
	}

	catch_signals();
	if (retry) {
		rc = cli_outbox_retry(g, cfg, NULL, force);
		goto out;
	}
	if (cfg->policy.sign == POLICY_SIGN_ASK && o.sign == SEND_DEFAULT && !dry_run)
		ask_sign(&cfg->policy);
	if (!dry_run && (argc - optind > 1 || json || (file && stat(file, &st) == 0 &&
						       S_ISDIR(st.st_mode)))) {
		rc = cli_send_batch(a, &cfg->policy, &o, argv + optind,
				    (size_t)(argc - optind), json, interval_ms);
		goto out;
	}

	if (file) {
		if (file_read(file, SMIME_MAX_MESSAGE, &msg, &e) < 0) {
			rc = cli_fail(&e);
			goto out;
		}
	} else if (fd_read_all(STDIN_FILENO, SMIME_MAX_MESSAGE, &msg, &e) < 0) {
		err_prefix(&e, "standard input");
		rc = cli_fail(&e);
		goto out;
	}
	rc = send_plan(a, &cfg->policy, msg.data ? msg.data : "", msg.len, &o, &plan,
		       &e);
	if (dry_run && (rc == 0 || plan.refusal)) {
		send_plan_print(a, &plan, stdout);
		fprintf_text(stdout, "dry run: nothing was sent\n");
	}
	if (rc == 0 && !dry_run)
		rc = send_perform(a, &plan, &o, &rep, stderr, &e);
	if (rc < 0) {
		if (file)
			err_name(&e, file);
		rc = cli_fail(&e);
		goto out;
	}
	if (rep.notice)
		fprintf(stderr, "cachet: %s\n", rep.notice);
	if (rep.warning)
		fprintf_text(stderr, "cachet: %s\n", rep.warning);
out:
	send_plan_release(&plan);
	send_report_release(&rep);
	buf_release(&msg);
	config_free(&cfg);
	return interrupted_status(rc);
}
