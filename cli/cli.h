/*
 * cli.h — the command-line verbs.  Each verb is a function that takes the
 * global options and its own arguments and returns an exit status of the
 * contract in doc/DESIGN.md, 2.3 (0, 1, 2 usage, 3 bad input, 4 crypto,
 * 5 network).
 */
#ifndef CACHET_CLI_H
#define CACHET_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "client/config.h"

struct cli_globals {
	const char *config_path;	/* --config or the XDG default */
	bool config_explicit;		/* --config was given: the file must exist */
	const char *account;		/* --account, may be NULL */
	const char *gnupg_home;		/* --gnupg-home, $GNUPGHOME or ~/.gnupg */
	const char *data_dir;		/* --data-dir or $XDG_DATA_HOME/cachet */
	int passphrase_fd;		/* --passphrase-fd N, or -1: the terminal */
	/*
	 * The built-in system policy path, then $CACHET_SYSTEM_POLICY if set:
	 * the variable adds a policy layer (tests use it) but cannot lift the
	 * administrator's locks.
	 */
	const char *system_policies[3];
};

/* Loads the configuration for a verb; on failure prints and returns -1. */
int cli_load_config(const struct cli_globals *g, struct config **out,
		    struct err *e);
/*
 * The account a verb works with: --account NAME, else the first one.  NULL
 * with e set (ERR_CONFIG) when there is none, saying what to do: add one,
 * or, when the configuration file does not exist, where it is looked for
 * and where an example is.
 */
const struct account *cli_account(const struct cli_globals *g,
				  const struct config *cfg, struct err *e);
/*
 * `cachet outbox retry [ID] [--force]` and `send --retry [--force]`: sends
 * what waits in the outbox (the --account's entries, or all, or entry ID),
 * saying on stderr what was done and what still waits; the exit status.
 */
int cli_outbox_retry(const struct cli_globals *g, const struct config *cfg,
		     const char *id, bool force);
/*
 * Prints "cachet: MESSAGE" on stderr (through cli_put_text) and returns
 * the exit status for e.
 */
int cli_fail(const struct err *e);
/*
 * Writes text from outside (a server, a message, a file name) for a
 * terminal through the one sanitiser (utf8_sanitize_line, or
 * utf8_sanitize when keep_newlines): controls, escape sequences and
 * bidirectional formatting characters become visible placeholders.
 * Formatted lines go through fprintf_text (base.h).
 */
void cli_put_text(FILE *f, const char *s, bool keep_newlines);
/*
 * A passphrase for gpg-agent or a file (doc/DESIGN.md, 3: never a pinentry): the
 * next line of --passphrase-fd when it was given (one passphrase per
 * line, each call reads one), else asked on the controlling terminal with
 * prompt, echo off.  Replaces out's contents; ERR_USAGE when there is no
 * terminal, the descriptor is not open, or the input ends.
 */
int cli_read_passphrase(const struct cli_globals *g, const char *prompt,
			struct buf *out, struct err *e);
/*
 * Fills pp for gpg-agent's passphrase questions (struct smime_passphrase):
 * each question is one cli_read_passphrase ("Passphrase for KEY: ", after
 * a wrong one "Wrong passphrase (try N of 3)..."); when nothing can be
 * read, ERR_CRYPTO naming the key and the ways to unlock it.  g must
 * outlive pp.  False, with pp empty, when there is nowhere to ask (neither
 * --passphrase-fd nor a terminal): a locked key then fails naming itself
 * and how to unlock it, without a question.
 */
struct smime_passphrase;
bool cli_passphrase_source(const struct cli_globals *g, struct smime_passphrase *pp);
struct imap_session;
/* Prints the IMAP server's [ALERT]s (imap_take_alerts) on stderr. */
void cli_show_alerts(struct imap_session *s, const char *host);

typedef int cli_verb_fn(const struct cli_globals *g, int argc, char **argv);

struct cli_verb {
	const char *name;
	cli_verb_fn *run;
	const char *summary;
};

/* The verbs, NULL-terminated; each lives in its own file (cmd_*.c). */
extern const struct cli_verb cli_verbs[];

/*
 * `cachet send FILE... | MAILDIR` with more than one message, or --json:
 * each message planned and performed with options o (o->batch set to a
 * batch of its own for the run: one SMTP and one IMAP session, paced at
 * interval_ms, else the account's send_rate); a progress line on a
 * terminal, one --json line per message; the worst exit status.
 */
struct send_options;
int cli_send_batch(const struct account *a, const struct policy *policy,
		   struct send_options *o, char **args, size_t n_args, bool json,
		   unsigned interval_ms);

#endif
