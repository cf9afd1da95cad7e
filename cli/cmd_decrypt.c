/* cmd_decrypt.c — cachet decrypt [--output-dir DIR] [FILE...] */
#include "cli/batch.h"
#include "cli/cli.h"
#include "crypto/smime.h"

#include <getopt.h>
#include <stdio.h>

cli_verb_fn cmd_decrypt;

static int
decrypt_one(void *ctx, const char *name, const char *data, size_t len,
	    struct buf *out, struct buf *report, struct err *e)
{
	unsigned notes = 0;

	if (smime_decrypt_with_notes(ctx, data, len, out, &notes, e) < 0)
		return -1;
	/* Not an error: the person gets the plaintext, and learns that the
	 * signature they may have seen was not over it. */
	if (notes & SMIME_DECRYPT_SIGNATURE_REMOVED)
		fprintf(stderr, "cachet: %s: removed a signature over the encrypted part: it "
			"covered only ciphertext and vouches for none of the decrypted "
			"content ('cachet verify' shows who signed it)\n", name);
	return 0;
}

int
cmd_decrypt(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output-dir", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct batch b = { .max_size = SMIME_MAX_MESSAGE };
	struct smime_engine *eng = NULL;
	struct smime_passphrase pp;
	struct err e = { 0 };
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o': b.output_dir = optarg; break;
		case 'h':
			printf("usage: cachet decrypt [--output-dir DIR] [FILE...]\n"
			       "Removes the encryption of each message; a signature inside is\n"
			       "kept so that 'cachet verify' can check it.\n");
			return 0;
		default:
			return 2;
		}
	}
	b.files = argv + optind;
	b.n_files = (size_t)(argc - optind);
	if (batch_check(&b, &e) < 0 || smime_engine_new(g->gnupg_home, &eng, &e) < 0)
		return cli_fail(&e);
	if (cli_passphrase_source(g, &pp))
		smime_engine_set_passphrase(eng, &pp);
	rc = batch_run(&b, decrypt_one, eng);
	smime_engine_free(&eng);
	return rc;
}
