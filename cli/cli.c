/* cli.c — what every verb shares: loading the configuration, reporting errors. */
#include "cli/cli.h"
#include "client/imap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int
cli_load_config(const struct cli_globals *g, struct config **out, struct err *e)
{
	size_t i;

	if (config_load(g->config_path, g->config_explicit, g->system_policies,
			out, e) < 0)
		return -1;
	/* A user setting the locked policy overrode is said, not silently dropped. */
	for (i = 0; i < (*out)->n_warnings; i++)
		fprintf(stderr, "cachet: %s\n", (*out)->warnings[i]);
	return 0;
}

const struct account *
cli_account(const struct cli_globals *g, const struct config *cfg, struct err *e)
{
	const struct account *a = config_account(cfg, g->account);
	struct stat st;

	if (a)
		return a;
	if (g->account)
		err_set(e, ERR_CONFIG, "no account '%s' in %s", g->account, g->config_path);
	else if (stat(g->config_path, &st) != 0)
		err_set(e, ERR_CONFIG, "no configuration: %s does not exist; write it with "
			"an [account NAME] section (cachet(5) has an example), or name "
			"another file with --config", g->config_path);
	else
		err_set(e, ERR_CONFIG, "no account in %s: add an [account NAME] section "
			"(see cachet(5))", g->config_path);
	return NULL;
}

void
cli_put_text(FILE *f, const char *s, bool keep_newlines)
{
	struct buf b = BUF_INIT;

	if (s == NULL)
		return;
	if (keep_newlines)
		utf8_sanitize(&b, s, strlen(s));
	else
		utf8_sanitize_line(&b, s, strlen(s));
	if (b.len)
		fwrite(b.data, 1, b.len, f);
	buf_release(&b);
}

void
cli_show_alerts(struct imap_session *s, const char *host)
{
	char *alerts = s ? imap_take_alerts(s) : NULL, *line, *next;

	for (line = alerts; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		fprintf(stderr, "cachet: alert from %s: ", host);
		cli_put_text(stderr, line, false);
		putc('\n', stderr);
		if (next == NULL)
			break;
	}
	free(alerts);
}

int
cli_fail(const struct err *e)
{
	fputs("cachet: ", stderr);
	/* Messages can quote a server or a file: never a terminal escape. */
	cli_put_text(stderr, e->msg[0] ? e->msg : "failed", true);
	putc('\n', stderr);
	return err_exit_status(e->code);
}
