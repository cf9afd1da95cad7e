/* cmd_encrypt.c — cachet encrypt [--to ADDR]... [--sign] [--from ADDR]
 * [--json] [--output-dir DIR] [FILE...] */
#include "cli/batch.h"
#include "cli/cli.h"
#include "client/recipients.h"
#include "crypto/smime.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cli_verb_fn cmd_encrypt;

/* gpgsm servers started for one batch. */
#define ENCRYPT_MAX_WORKERS 4

struct encrypt_run {
	struct smime_engine *eng;	/* foreign */
	struct recipients *rcpt;	/* owned */
	char **to;			/* foreign; --to addresses */
	size_t n_to;
	const char *from;		/* --from, or NULL */
	bool sign;
	bool json;			/* a line per message: what was chosen and why */
	const char *output_dir;		/* foreign; for --json's "output" */
	char *signer_addr, *signer_fpr;	/* owned; the last signer found */
};

/*
 * encrypt --json's line for one message: the file, where the result went,
 * the content cipher and why, each recipient's certificate and key
 * transport; or the error, with nulls.
 */
static void
json_line(const struct encrypt_run *r, const char *name, const char *const *addrs,
	  const char *const *fprs, const struct smime_encryption *how,
	  const struct err *e, struct buf *report)
{
	const char *base = strrchr(name, '/');
	size_t i;

	buf_adds(report, "{\"file\":");
	smime_json_string(report, name);
	buf_adds(report, ",\"output\":");
	if (e == NULL && r->output_dir) {
		char *path = xasprintf("%s/%s", r->output_dir, base ? base + 1 : name);

		smime_json_string(report, path);
		free(path);
	} else {
		smime_json_string(report, NULL);
	}
	buf_adds(report, ",\"cipher\":");
	smime_json_string(report, e ? NULL : how->cipher);
	buf_adds(report, ",\"why\":");
	smime_json_string(report, e ? NULL : how->why);
	buf_adds(report, ",\"recipients\":[");
	for (i = 0; e == NULL && i < how->n; i++) {
		buf_adds(report, i ? ",{\"email\":" : "{\"email\":");
		smime_json_string(report, addrs[i]);
		buf_adds(report, ",\"fingerprint\":");
		smime_json_string(report, fprs[i]);
		buf_adds(report, ",\"key_transport\":");
		smime_json_string(report, how->transports ? how->transports[i] : NULL);
		buf_addc(report, '}');
	}
	buf_adds(report, "],\"error\":");
	smime_json_string(report, e ? e->msg : NULL);
	buf_adds(report, "}\n");
}

/*
 * Refuses a message that names someone in Bcc only: one encrypted output
 * would name them, by their certificate, to every To and Cc reader.
 * all are the message's To, Cc and Bcc addresses.
 */
static int
refuse_bcc(const char *data, size_t len, char *const *all, size_t n, struct err *e)
{
	struct buf shown_hdr = BUF_INIT, hidden = BUF_INIT;
	struct mime_entity m;
	struct mime_field f;
	char **shown = NULL;
	size_t n_shown = 0, pos = 0, i, j;
	int rc = -1;

	if (mime_entity_parse(data, len, true, &m, e) < 0)
		return -1;
	while (mime_field_next(&m.hdr, &pos, &f))
		if (!mime_field_is(&f, "bcc"))
			buf_add(&shown_hdr, f.raw.p, f.raw.n);
	buf_adds(&shown_hdr, "\r\n");
	if (smime_message_recipients(shown_hdr.data, shown_hdr.len, &shown, &n_shown,
				     e) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		for (j = 0; j < n_shown; j++)
			if (str_casecmp_ascii(all[i], shown[j]) == 0)
				break;
		if (j == n_shown)
			buf_addf(&hidden, "%s%s", hidden.len ? ", " : "", all[i]);
	}
	if (hidden.len == 0) {
		rc = 0;
		goto out;
	}
	err_set(e, ERR_USAGE, "Bcc names %s: one encrypted message would name %s to "
		"every To and Cc reader.  'cachet send' encrypts a copy for each Bcc "
		"recipient; to encrypt here, leave Bcc out, or give the recipients of "
		"each copy with --to", hidden.data,
		strchr(hidden.data, ',') ? "them" : "that recipient");
out:
	smime_strv_free(&shown);
	buf_release(&shown_hdr);
	buf_release(&hidden);
	return rc;
}

static int
encrypt_one(void *ctx, const char *name, const char *data, size_t len,
	    struct buf *out, struct buf *report, struct err *e)
{
	struct encrypt_run *r = ctx;
	struct smime_encryption how = { 0 };
	char **addrs = NULL, *from = NULL;
	const char **list = NULL, **fprs = NULL;
	size_t n = 0, i;
	int rc = -1;

	if (r->from == NULL && smime_message_from(data, len, &from, e) < 0)
		goto out;
	if (r->n_to == 0 && (smime_message_recipients(data, len, &addrs, &n, e) < 0 ||
			     refuse_bcc(data, len, addrs, n, e) < 0))
		goto out;
	/* The sender is always a recipient: the sent copy stays readable. */
	list = xcalloc((r->n_to ? r->n_to : n) + 2, sizeof *list);
	for (i = 0; i < (r->n_to ? r->n_to : n); i++)
		list[i] = r->n_to ? r->to[i] : addrs[i];
	list[i++] = r->from ? r->from : from;
	if (i == 1) {
		err_set(e, ERR_USAGE, "no recipient: the message has no To, Cc or Bcc "
			"and no --to was given");
		goto out;
	}
	if (recipients_resolve(r->rcpt, list, i, &fprs, e) < 0)
		goto out;
	if (r->sign) {
		const char *sa = r->from ? r->from : from;

		if (r->signer_addr == NULL || str_casecmp_ascii(r->signer_addr, sa) != 0) {
			free(r->signer_addr);
			free(r->signer_fpr);
			r->signer_addr = NULL;
			r->signer_fpr = NULL;
			if (smime_find_signer(r->eng, sa, &r->signer_fpr, e) < 0) {
				if (e->code == ERR_NOCERT)
					err_prefix(e, "no signing certificate");
				goto out;
			}
			r->signer_addr = xstrdup(sa);
		}
	}
	if (smime_encrypt(r->eng, data, len, fprs, recipients_capabilities(r->rcpt), i,
			  r->sign ? r->signer_fpr : NULL, out, &how, e) < 0)
		goto out;
	rc = 0;
out:
	if (r->json)
		json_line(r, name, list, fprs, &how, rc < 0 ? e : NULL, report);
	smime_encryption_release(&how);
	free(list);
	free(from);
	smime_strv_free(&addrs);
	return rc;
}

int
cmd_encrypt(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "sign", no_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'f' },
		{ "output-dir", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct batch b = { .max_size = SMIME_MAX_MESSAGE };
	struct encrypt_run r = { 0 }, *runs = NULL;
	struct err e = { 0 };
	void **ctxs = NULL;
	struct smime_passphrase pp;
	bool have_pp;
	size_t i, n_workers = 0;
	int c, rc;

	r.to = xcalloc((size_t)argc + 1, sizeof *r.to);
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': r.to[r.n_to++] = optarg; break;
		case 's': r.sign = true; break;
		case 'f': r.from = optarg; break;
		case 'o': b.output_dir = optarg; break;
		case 'j': r.json = true; break;
		case 'h':
			printf("usage: cachet encrypt [--to ADDR]... [--sign] [--from ADDR] "
			       "[--json] [--output-dir DIR] [FILE...]\n"
			       "Encrypts each message to its To and Cc (or the --to\n"
			       "addresses) and to the sender; --sign signs first.  A message\n"
			       "with Bcc recipients needs --to (or cachet send).  AES-256-GCM\n"
			       "when every recipient announced it, else AES-256-CBC; RSAES-OAEP\n"
			       "to those who announced it.  --json (with --output-dir) prints\n"
			       "a line per message saying what was chosen and why.\n");
			free(r.to);
			return 0;
		default:
			free(r.to);
			return 2;
		}
	}
	b.files = argv + optind;
	b.n_files = (size_t)(argc - optind);
	r.output_dir = b.output_dir;
	if (r.json && b.output_dir == NULL) {
		err_set(&e, ERR_USAGE, "encrypt --json needs --output-dir: the messages "
			"and the lines about them would share standard output");
		rc = cli_fail(&e);
		goto out;
	}
	if (batch_check(&b, &e) < 0) {
		rc = cli_fail(&e);
		goto out;
	}
	/* One engine (one gpgsm) and one certificate lookup per worker thread:
	 * the time is spent in gpgsm, and there are cores to spread it on. */
	/* Signing goes through one gpg-agent connection, which asks a
	 * passphrase at most once. */
	n_workers = batch_workers(&b, r.sign ? 1 : ENCRYPT_MAX_WORKERS);
	have_pp = r.sign && cli_passphrase_source(g, &pp);
	runs = xcalloc(n_workers, sizeof *runs);
	ctxs = xcalloc(n_workers, sizeof *ctxs);
	for (i = 0; i < n_workers; i++) {
		runs[i] = r;
		ctxs[i] = &runs[i];
		if (smime_engine_new(g->gnupg_home, &runs[i].eng, &e) < 0) {
			rc = cli_fail(&e);
			goto out;
		}
		smime_engine_set_passphrase(runs[i].eng, have_pp ? &pp : NULL);
		runs[i].rcpt = recipients_new(runs[i].eng, g->data_dir, g->gnupg_home);
	}
	rc = batch_run_parallel(&b, encrypt_one, ctxs, n_workers);
out:
	for (i = 0; i < n_workers; i++) {
		recipients_free(&runs[i].rcpt);
		free(runs[i].signer_addr);
		free(runs[i].signer_fpr);
		smime_engine_free(&runs[i].eng);
	}
	free(runs);
	free(ctxs);
	free(r.to);
	return rc;
}
