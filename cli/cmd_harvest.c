/* cmd_harvest.c — cachet harvest [--json] FILE... | MAILDIR... | imap:FOLDER */
#include "certstore/certstore.h"
#include "cli/batch.h"
#include "cli/cli.h"
#include "client/imap.h"
#include "crypto/smime.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

cli_verb_fn cmd_harvest;

static const char harvest_usage[] =
	"usage: cachet harvest [--json] FILE... | MAILDIR... | imap:FOLDER | -\n"
	"\n"
	"Stores the certificates of correspondents from their signed mail, as\n"
	"the policy (harvest = trusted|ask|never) allows: only the signer's own\n"
	"certificate, only after a good signature over the whole message whose\n"
	"chain reaches a trust anchor, not expired, with emailProtection usage\n"
	"and an address equal to From.  A Maildir (cur/ and new/) is read whole;\n"
	"imap:FOLDER reads a folder of the account; - reads standard input.\n"
	"Messages harvested before are not verified again.\n"
	"\n"
	"  --json   one object per message: file, stored [{email, fingerprint}],\n"
	"           refused [{email, reason}]\n";

struct harvest_run {
	struct certstore *store;	/* foreign */
	struct smime_engine *eng;	/* owned; started at the first verification */
	enum certstore_mode mode;
	bool json;
	bool progress;			/* stderr is a terminal */
	size_t total, done, seen, stored, not_signed, refused, errors;
	int worst;
};

static void
worse(struct harvest_run *r, int status)
{
	if (status > r->worst)
		r->worst = status;
}

static void
progress(struct harvest_run *r)
{
	if (!r->progress)
		return;
	if (r->done % 50 != 0 && r->done != r->total)
		return;
	fprintf_text(stderr, "\rharvest: %zu/%zu messages, %zu stored, %zu not signed, "
		"%zu refused", r->done, r->total, r->stored, r->not_signed, r->refused);
	fflush(stderr);
}

static void
report(struct harvest_run *r, const char *name, const struct certstore_outcomes *o,
       bool seen)
{
	struct buf out = BUF_INIT;
	size_t i;
	bool first;

	if (r->json) {
		buf_adds(&out, "{\"file\":");
		smime_json_string(&out, name);
		buf_adds(&out, ",\"stored\":[");
		for (i = 0, first = true; i < o->n; i++) {
			if (o->v[i].reason)
				continue;
			buf_adds(&out, first ? "{\"email\":" : ",{\"email\":");
			smime_json_string(&out, o->v[i].email);
			buf_adds(&out, ",\"fingerprint\":");
			smime_json_string(&out, o->v[i].fingerprint);
			buf_adds(&out, ",\"state\":");
			smime_json_string(&out, certstore_state_name(o->v[i].state));
			buf_adds(&out, ",\"change\":");
			smime_json_string(&out, certstore_change_name(o->v[i].change));
			buf_addc(&out, '}');
			first = false;
		}
		buf_adds(&out, "],\"refused\":[");
		for (i = 0, first = true; i < o->n; i++) {
			if (!o->v[i].reason)
				continue;
			buf_adds(&out, first ? "{\"email\":" : ",{\"email\":");
			smime_json_string(&out, o->v[i].email);
			buf_adds(&out, ",\"reason\":");
			smime_json_string(&out, o->v[i].reason);
			buf_adds(&out, ",\"fingerprint\":");
			smime_json_string(&out, o->v[i].fingerprint);
			buf_addc(&out, '}');
			first = false;
		}
		buf_addf_text(&out, "],\"seen\":%s}\n", seen ? "true" : "false");
	} else {
		for (i = 0; i < o->n; i++) {
			const struct certstore_outcome *c = &o->v[i];

			if (c->reason == NULL && c->change == CERTSTORE_CHANGE_KNOWN)
				continue;
			/* Unsigned mail is most mail: not worth a line. */
			if (c->reason && strcmp(c->reason, CERTSTORE_R_NOT_SIGNED) == 0)
				continue;
			if (c->reason)
				buf_addf_text(&out, "%s: refused %s%s%s: %s\n", name,
					 c->email ? c->email : "(no address)",
					 c->fingerprint ? " " : "",
					 c->fingerprint ? c->fingerprint : "", c->reason);
			else
				buf_addf_text(&out, "%s: stored %s %s (%s%s)\n", name, c->email,
					 c->fingerprint, certstore_state_name(c->state),
					 c->change == CERTSTORE_CHANGE_RENEWAL ? ", renewal" : "");
		}
	}
	if (out.len) {
		if (r->progress)
			fputs("\r\033[K", stderr);
		fwrite(out.data, 1, out.len, stdout);
		fflush(stdout);
	}
	buf_release(&out);
}

/*
 * One message, through certstore's one entry point: identity is the IMAP
 * message's (NULL for a file: its bytes are its key); data NULL only asks
 * whether the message was seen, and then says nothing unless it was.
 * Returns 1 when it was seen before.
 */
static int
harvest_message(struct harvest_run *r, const char *name, const char *identity,
		const char *data, size_t len)
{
	struct certstore_outcomes out = { 0 };
	struct err e = { 0 };
	bool seen;
	size_t i;

	if (certstore_harvest_message(r->store, identity, data, len, NULL, &r->eng,
				      r->mode, name, time(NULL), &out, &seen, &e) < 0)
		goto fail;
	if (!seen && data == NULL)
		return 0;
	r->done++;
	if (seen) {
		r->seen++;
		if (r->json)
			report(r, name, &out, true);
		progress(r);
		return 1;
	}
	for (i = 0; i < out.n; i++) {
		/* Mail without a signature is not a certificate refused. */
		if (out.v[i].reason &&
		    strcmp(out.v[i].reason, CERTSTORE_R_NOT_SIGNED) == 0)
			r->not_signed++;
		else if (out.v[i].reason)
			r->refused++;
		else if (out.v[i].change != CERTSTORE_CHANGE_KNOWN)
			r->stored++;
	}
	report(r, name, &out, false);
	certstore_outcomes_release(&out);
	progress(r);
	return 0;
fail:
	certstore_outcomes_release(&out);
	r->done++;
	r->errors++;
	if (r->progress)
		fputs("\r\033[K", stderr);
	if (r->json) {
		struct buf j = BUF_INIT;

		buf_adds(&j, "{\"file\":");
		smime_json_string(&j, name);
		buf_adds(&j, ",\"stored\":[],\"refused\":[],\"error\":");
		smime_json_string(&j, e.msg);
		buf_adds(&j, "}\n");
		fwrite(j.data, 1, j.len, stdout);
		buf_release(&j);
	}
	fprintf_text(stderr, "cachet: %s: %s\n", name, e.msg);
	worse(r, err_exit_status(e.code));
	progress(r);
	return -1;
}

static void
harvest_file(struct harvest_run *r, const char *path)
{
	struct buf b = BUF_INIT;
	struct err e = { 0 };

	if ((strcmp(path, "-") == 0 ? fd_read_all(0, SMIME_MAX_MESSAGE, &b, &e)
				    : file_read(path, SMIME_MAX_MESSAGE, &b, &e)) < 0) {
		r->done++;
		r->errors++;
		fprintf_text(stderr, "cachet: %s\n", e.msg);
		worse(r, err_exit_status(e.code));
		return;
	}
	harvest_message(r, path, NULL, b.data, b.len);
	buf_release(&b);
}

static int
harvest_imap(struct harvest_run *r, const struct cli_globals *g,
	     const struct config *cfg, const char *folder)
{
	struct err e = { 0 };
	const struct account *a = cli_account(g, cfg, &e);
	struct imap_session *sess = NULL;
	struct imap_status st;
	char *wire = NULL;
	int rc = 0;

	if (a == NULL) {
		err_prefix(&e, "imap:%s", folder);
		return cli_fail(&e);
	}
	/* The name as typed (UTF-8); the server's is modified UTF-7. */
	if (imap_utf7_encode(folder, &wire, &e) < 0)
		return cli_fail(&e);
	if (imap_open_account(a, &sess, &e) < 0 || imap_select(sess, wire, &st, &e) < 0) {
		cli_show_alerts(sess, a->imap.host);
		/* Named once, as the person wrote it. */
		if (e.code == ERR_NOTFOUND)
			err_set(&e, ERR_NOTFOUND, "imap:%s: no such folder on %s", folder,
				a->imap.host);
		else
			err_prefix(&e, "imap:%s", folder);
		imap_close(&sess);
		free(wire);
		return cli_fail(&e);
	}
	cli_show_alerts(sess, a->imap.host);
	{
		struct imap_summary *sums = NULL;
		size_t n = 0, i;

		/* Only the UIDs: each message is read whole, or skipped as seen. */
		if (imap_fetch_flags(sess, 1, 0, &sums, &n, &e) < 0) {
			err_prefix(&e, "imap:%s", folder);
			rc = cli_fail(&e);
			n = 0;
		}
		r->total += n;
		for (i = 0; i < n && rc == 0; i++) {
			struct buf msg = BUF_INIT;
			char *id = imap_message_identity(sess, sums[i].uid);
			char *name = xasprintf("imap:%s/%u", folder, sums[i].uid);

			/* A message seen before is not even fetched. */
			if (harvest_message(r, name, id, NULL, 0) != 0) {
				/* seen, or said as an error */
			} else if (imap_fetch_message(sess, sums[i].uid, &msg, &e) == 0) {
				harvest_message(r, name, id, msg.data, msg.len);
			} else {
				err_name(&e, name);
				rc = cli_fail(&e);
			}
			buf_release(&msg);
			free(id);
			free(name);
		}
		imap_summaries_free(&sums, n);
	}
	free(wire);
	imap_close(&sess);
	return rc;
}

int
cmd_harvest(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct harvest_run r = { 0 };
	struct config *cfg = NULL;
	struct certstore *store = NULL;
	struct err e = { 0 };
	char **files = NULL;
	size_t n_files = 0, i;
	int c, rc = 0, k;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			r.json = true;
			break;
		case 'h':
			fputs(harvest_usage, stdout);
			return 0;
		default:
			fputs(harvest_usage, stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fputs(harvest_usage, stderr);
		return 2;
	}
	if (cli_load_config(g, &cfg, &e) < 0)
		return cli_fail(&e);
	if (cfg->policy.harvest == POLICY_HARVEST_NEVER) {
		fprintf_text(stderr, "cachet: policy harvest = never%s: nothing is stored\n",
			cfg->policy.harvest_locked ? " (set by the system policy)" : "");
		config_free(&cfg);
		return 0;
	}
	r.mode = cfg->policy.harvest == POLICY_HARVEST_ASK ? CERTSTORE_MODE_ASK
							   : CERTSTORE_MODE_TRUSTED;
	/* Expand the inputs first so the progress line knows the total. */
	for (k = optind; k < argc; k++) {
		struct stat st;

		if (str_has_prefix(argv[k], "imap:"))
			continue;
		if (stat(argv[k], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (batch_maildir_files(argv[k], &files, &n_files, &e) < 0) {
				rc = cli_fail(&e);
				goto out;
			}
		} else {
			files = xrealloc(files, (n_files + 1) * sizeof(*files));
			files[n_files++] = xstrdup(argv[k]);
		}
	}
	if (certstore_open(g->data_dir, g->gnupg_home, &store, &e) < 0) {
		rc = cli_fail(&e);
		goto out;
	}
	r.store = store;
	r.total = n_files;
	r.progress = isatty(2);
	for (i = 0; i < n_files; i++)
		harvest_file(&r, files[i]);
	for (k = optind; k < argc; k++) {
		if (!str_has_prefix(argv[k], "imap:"))
			continue;
		int st = harvest_imap(&r, g, cfg, argv[k] + 5);

		/* A folder that could not be read at all is one error of the run. */
		if (st != 0)
			r.errors++;
		worse(&r, st);
	}
	if (r.progress)
		fputs("\r\033[K", stderr);
	fprintf_text(stderr, "harvest: %zu messages (%zu seen before), %zu "
		"certificates stored, %zu not signed, %zu refused, %zu error%s\n",
		r.done, r.seen, r.stored, r.not_signed, r.refused, r.errors,
		r.errors == 1 ? "" : "s");
	rc = r.worst;
out:
	for (i = 0; i < n_files; i++)
		free(files[i]);
	free(files);
	smime_engine_free(&r.eng);
	certstore_close(&store);
	config_free(&cfg);
	return rc;
}
