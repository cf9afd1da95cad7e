/* cmd_verify.c — cachet verify [--json] [FILE...] */
#include "certstore/certstore.h"
#include "cli/batch.h"
#include "cli/cli.h"
#include "client/sender_check.h"
#include "crypto/smime.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

cli_verb_fn cmd_verify;

struct verify_run {
	struct smime_engine *eng;	/* foreign */
	bool json;
	const struct config *cfg;	/* foreign, may be NULL */
	const struct account *account;	/* foreign, may be NULL */
	struct certstore *store;	/* foreign, may be NULL */
};

/* The servers' results, one line: "dkim pass (example.org), spf ...". */
static void
authentication_line(const struct smime_authentication *a, const char *name,
		    struct buf *out)
{
	const struct smime_auth_check *k[3] = { &a->dkim, &a->spf, &a->dmarc };
	static const char *const names[3] = { "dkim", "spf", "dmarc" };
	size_t i;

	buf_addf(out, "%s: authentication", name);
	for (i = 0; i < 3; i++) {
		buf_addf(out, "%s %s %s", i ? "," : "", names[i],
			 k[i]->result ? k[i]->result : "(no result)");
		if (k[i]->domain || k[i]->policy)
			buf_addf(out, " (%s%s%s%s)", k[i]->domain ? k[i]->domain : "",
				 k[i]->domain && k[i]->policy ? ", " : "",
				 k[i]->policy ? "policy " : "",
				 k[i]->policy ? k[i]->policy : "");
	}
	buf_addf(out, "; From %s%s\n", a->aligned ? "aligned with " : "not aligned with ",
		 a->from_domain ? a->from_domain : "(no From domain)");
}

static void
human_line(const struct smime_verdict *v, const char *name, struct buf *out)
{
	size_t i;

	buf_addf(out, "%s: signature %s", name, smime_sig_name(v->signature));
	if (v->signature != SMIME_SIG_NONE)
		buf_addf(out, " (%s)", smime_coverage_name(v->coverage));
	for (i = 0; i < v->n_signers; i++)
		buf_addf(out, "%s %s [%s]%s%s", i ? "," : " by", v->signers[i].email
			 ? v->signers[i].email : "(no address)",
			 v->signers[i].fingerprint ? v->signers[i].fingerprint : "?",
			 v->signers[i].detail ? ": " : "",
			 v->signers[i].detail ? v->signers[i].detail : "");
	if (v->decryption != SMIME_DECRYPT_NONE)
		buf_addf(out, "; decryption %s", smime_decryption_name(v->decryption));
	for (i = 0; i < v->n_warnings; i++)
		buf_addf(out, "%s%s", i ? ", " : "; warnings: ",
			 smime_warning_name(v->warnings[i]));
	if (v->error)
		buf_addf(out, "; error: %s", v->error);
	buf_addc(out, '\n');
}

static int
verify_one(void *ctx, const char *name, const char *data, size_t len,
	   struct buf *out, struct buf *report, struct err *e)
{
	struct verify_run *r = ctx;
	struct smime_verdict *v = NULL;
	enum smime_summary sum;

	if (smime_verify(r->eng, data, len, 0, &v, e) < 0 ||
	    sender_check_apply(r->cfg, r->account, r->store, data, len, v, e) < 0) {
		smime_verdict_free(&v);
		if (r->json) {
			/* One line per message, even for the unreadable ones. */
			buf_adds(out, "{\"file\":");
			smime_json_string(out, name);
			buf_adds(out, ",\"signature\":\"invalid\",\"coverage\":null,"
				 "\"signer\":null,\"fingerprint\":null,\"decryption\":\"none\","
				 "\"warnings\":[],\"error\":");
			smime_json_string(out, e->msg);
			buf_adds(out, "}\n");
		}
		return -1;
	}
	if (r->json) {
		smime_verdict_json(v, name, out);
		buf_addc(out, '\n');
	} else {
		human_line(v, name, out);
		if (v->authentication)
			authentication_line(v->authentication, name, out);
	}
	/* Valid and whole, with or without a warning, is exit 0 (doc/DESIGN.md, 2.3). */
	sum = smime_verdict_summary(v);
	smime_verdict_free(&v);
	return sum == SMIME_SUMMARY_GOOD || sum == SMIME_SUMMARY_CAUTION ? 0 : 1;
}

int
cmd_verify(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct batch b = { .max_size = SMIME_MAX_MESSAGE, .report_only = true };
	struct verify_run r = { 0 };
	struct certstore *store = NULL;
	struct config *cfg = NULL;
	struct smime_passphrase pp;
	struct err e = { 0 }, se = { 0 };
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j': r.json = true; break;
		case 'h':
			printf("usage: cachet verify [--json] [FILE...]\n"
			       "Prints the verdict of each message: who signed, whether the\n"
			       "signature covers all of it, and what was decrypted; with the\n"
			       "account's authserv_id, what its servers found of DKIM, SPF and\n"
			       "DMARC.  Exit 0 only when every message is validly signed as a\n"
			       "whole.\n");
			return 0;
		default:
			return 2;
		}
	}
	b.files = argv + optind;
	b.n_files = (size_t)(argc - optind);
	/* The account's receiving servers and the policy's signs_sometimes;
	 * with no file there are none, and no account is needed. */
	if (cli_load_config(g, &cfg, &e) < 0)
		return cli_fail(&e);
	r.cfg = cfg;
	r.account = config_account(cfg, g->account);
	if (g->account && r.account == NULL) {
		cli_account(g, cfg, &e);
		config_free(&cfg);
		return cli_fail(&e);
	}
	if (smime_engine_new(g->gnupg_home, &r.eng, &e) < 0) {
		config_free(&cfg);
		return cli_fail(&e);
	}
	/* The trust anchors from the certificate store (seeded from gpgsm's
	 * trust list once, and when it changes); without a store the engine
	 * seeds them itself. */
	if (g->data_dir && certstore_open(g->data_dir, g->gnupg_home, &store, &se) == 0) {
		if (certstore_give_anchors(store, r.eng, &e) < 0) {
			certstore_close(&store);
			smime_engine_free(&r.eng);
			config_free(&cfg);
			return cli_fail(&e);
		}
		/* Kept open: its bindings say who has signed before. */
		r.store = store;
	}
	if (cli_passphrase_source(g, &pp))
		smime_engine_set_passphrase(r.eng, &pp);
	rc = batch_run(&b, verify_one, &r);
	certstore_close(&store);
	smime_engine_free(&r.eng);
	config_free(&cfg);
	return rc;
}
