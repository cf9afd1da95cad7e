/*
 * cmd_outbox.c — `cachet outbox list [--json] | show ID | drop ID |
 * retry [ID] [--force]`: what waits in the outbox (client/outbox.h).
 */
#include "cli/cli.h"
#include "client/outbox.h"
#include "client/send.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/smime.h"

static const char outbox_usage[] =
	"usage: cachet outbox list [--json]\n"
	"       cachet outbox show ID\n"
	"       cachet outbox drop ID\n"
	"       cachet [--account NAME] outbox retry [ID] [--force]\n"
	"\n"
	"What waits in the outbox: messages not sent yet (waiting), messages\n"
	"whose transfer was cut short after it began, so that the server may\n"
	"have them (maybe-delivered), and sent messages whose copy is not in\n"
	"Sent yet (unfiled).  list prints one entry a line: id, state, created\n"
	"(UTC), attempts, recipients, subject.  retry sends what waits (all of\n"
	"the account's, or entry ID) and files unfiled copies without sending\n"
	"them again; a maybe-delivered entry is sent again only with --force.\n"
	"drop removes an entry: its message is then not sent.\n";

/* The words of the listings (a contract: doc/DESIGN.md, 2.2). */
static const char *
state_word(enum outbox_state st)
{
	switch (st) {
	case OUTBOX_SUBMIT: return "waiting";
	case OUTBOX_SENDING: return "maybe-delivered";
	default: return "unfiled";
	}
}

static void
put_time(FILE *f, time_t t)
{
	struct tm tm;
	char s[32];

	gmtime_r(&t, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fputs(s, f);
}

static char *
subject_of(const struct outbox_entry *ent)
{
	return ent->subject ? mime_header_decode(ent->subject) : xstrdup("");
}

static void
print_line(const struct outbox_entry *ent)
{
	char *subject = subject_of(ent);
	size_t i;

	printf("%s\t%s\t", ent->id, state_word(ent->state));
	put_time(stdout, ent->created);
	printf("\t%u\t", ent->attempts);
	for (i = 0; i < ent->n_rcpts; i++) {
		if (i)
			putchar(',');
		cli_put_text(stdout, ent->rcpts[i], false);
	}
	putchar('\t');
	cli_put_text(stdout, subject, false);
	putchar('\n');
	free(subject);
}

static void
json_or_null(struct buf *out, const char *s)
{
	if (s)
		smime_json_string(out, s);
	else
		buf_adds(out, "null");
}

static void
print_json(const struct outbox_entry *ent)
{
	struct buf out = BUF_INIT;
	char *subject = subject_of(ent);
	struct tm tm;
	char t[32];
	size_t i;

	buf_adds(&out, "{\"id\":");
	smime_json_string(&out, ent->id);
	buf_addf(&out, ",\"state\":\"%s\",\"message_id\":", state_word(ent->state));
	json_or_null(&out, ent->message_id);
	buf_adds(&out, ",\"account\":");
	smime_json_string(&out, ent->account);
	buf_adds(&out, ",\"from\":");
	smime_json_string(&out, ent->from);
	buf_adds(&out, ",\"rcpts\":[");
	for (i = 0; i < ent->n_rcpts; i++) {
		if (i)
			buf_addc(&out, ',');
		smime_json_string(&out, ent->rcpts[i]);
	}
	buf_adds(&out, "],\"bcc_copy\":");
	json_or_null(&out, ent->copy);
	buf_adds(&out, ",\"subject\":");
	smime_json_string(&out, subject);
	gmtime_r(&ent->created, &tm);
	strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_addf(&out, ",\"created\":\"%s\",\"attempts\":%u,\"folder\":", t,
		 ent->attempts);
	json_or_null(&out, ent->folder);
	buf_adds(&out, ",\"reason\":");
	json_or_null(&out, ent->reason);
	buf_adds(&out, "}\n");
	fwrite(out.data, 1, out.len, stdout);
	buf_release(&out);
	free(subject);
}

static int
outbox_list_cmd(struct outbox *ob, bool json)
{
	struct outbox_entry *ents = NULL;
	struct err e = { 0 };
	size_t n = 0, i;

	if (outbox_list(ob, &ents, &n, &e) < 0)
		return cli_fail(&e);
	for (i = 0; i < n; i++) {
		if (json)
			print_json(&ents[i]);
		else
			print_line(&ents[i]);
	}
	outbox_entries_free(&ents, n);
	return 0;
}

static void
show_field(const char *name, const char *value)
{
	printf("%-11s", name);
	cli_put_text(stdout, value ? value : "", false);
	putchar('\n');
}

static int
outbox_show_cmd(struct outbox *ob, const char *id)
{
	struct outbox_entry ent;
	struct err e = { 0 };
	char *subject, *path;
	size_t i;

	if (outbox_get(ob, id, &ent, &e) < 0)
		return cli_fail(&e);
	subject = subject_of(&ent);
	path = outbox_message_path(ob, ent.id);
	show_field("id:", ent.id);
	show_field("state:", state_word(ent.state));
	show_field("subject:", subject);
	show_field("message-id:", ent.message_id);
	show_field("account:", ent.account);
	show_field("from:", ent.from);
	for (i = 0; i < ent.n_rcpts; i++)
		show_field(ent.copy ? "bcc:" : "to:", ent.rcpts[i]);
	printf("%-11s", "created:");
	put_time(stdout, ent.created);
	printf("\n%-11s%u\n", "attempts:", ent.attempts);
	if (ent.folder)
		show_field("copy in:", ent.folder);
	show_field("reason:", ent.reason);
	show_field("message:", path);
	if (ent.state == OUTBOX_SENDING)
		printf("The server may have this message already: 'cachet outbox "
		       "retry --force %s' sends it again, 'cachet outbox drop %s' "
		       "forgets it.\n", ent.id, ent.id);
	free(subject);
	free(path);
	outbox_entry_release(&ent);
	return 0;
}

static int
outbox_drop_cmd(struct outbox *ob, const char *id)
{
	struct outbox_entry ent;
	struct err e = { 0 };

	if (outbox_get(ob, id, &ent, &e) < 0 || outbox_remove(ob, ent.id, &e) < 0) {
		outbox_entry_release(&ent);
		return cli_fail(&e);
	}
	fprintf(stderr, "cachet: dropped %s (%s)%s\n", ent.id, state_word(ent.state),
		ent.state == OUTBOX_SUBMIT ? ": it will not be sent" : "");
	outbox_entry_release(&ent);
	return 0;
}


int
cli_outbox_retry(const struct cli_globals *g, const struct config *cfg,
		 const char *id, bool force)
{
	struct send_options o = { 0 };
	const struct account *a = NULL;
	struct err e = { 0 };
	size_t done = 0, left = 0;
	int rc = 0;

	o.gnupg_home = g->gnupg_home;
	o.data_dir = g->data_dir;
	if (g->account && (a = cli_account(g, cfg, &e)) == NULL)
		return cli_fail(&e);
	if (send_retry(cfg, a, &o, id, force, &done, &left, stderr, &e) < 0) {
		rc = cli_fail(&e);
		fprintf(stderr, "cachet: %zu done, %zu still in the outbox\n", done, left);
	} else {
		fprintf(stderr, "cachet: outbox: %zu done, nothing waits\n", done);
	}
	return rc;
}

int cmd_outbox(const struct cli_globals *g, int argc, char **argv);

int
cmd_outbox(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct outbox *ob = NULL;
	struct config *cfg = NULL;
	struct err e = { 0 };
	const char *sub, *id;
	bool json = false, force = false;
	int c, rc;

	/* 0, not 1: a fresh scan that takes options after the subcommand and
	 * the id too (main's scan stopped at the first word). */
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'f': force = true; break;
		case 'h':
			fputs(outbox_usage, stdout);
			return 0;
		default:
			fputs(outbox_usage, stderr);
			return 2;
		}
	}
	sub = optind < argc ? argv[optind] : "list";
	id = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (argc - optind > 2 || (json && strcmp(sub, "list") != 0) ||
	    (force && strcmp(sub, "retry") != 0) ||
	    (strcmp(sub, "list") == 0 && id) ||
	    ((strcmp(sub, "show") == 0 || strcmp(sub, "drop") == 0) && !id) ||
	    !(strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0 ||
	      strcmp(sub, "drop") == 0 || strcmp(sub, "retry") == 0)) {
		fputs(outbox_usage, stderr);
		return 2;
	}
	if (strcmp(sub, "retry") == 0) {
		if (cli_load_config(g, &cfg, &e) < 0)
			return cli_fail(&e);
		rc = cli_outbox_retry(g, cfg, id, force);
		config_free(&cfg);
		return rc;
	}
	if (outbox_open(g->data_dir, &ob, &e) < 0)
		return cli_fail(&e);
	if (strcmp(sub, "list") == 0)
		rc = outbox_list_cmd(ob, json);
	else if (strcmp(sub, "show") == 0)
		rc = outbox_show_cmd(ob, id);
	else
		rc = outbox_drop_cmd(ob, id);
	outbox_close(&ob);
	return rc;
}
