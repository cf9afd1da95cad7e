/* test_banner.c — the security banner's words for each kind of verdict. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check.h"
#include "ui/ui_p.h"

#define ISSUER "CN=Cachet Test S/MIME CA,O=Cachet Tests"

static struct smime_signer alice = {
	.state = SMIME_SIG_VALID, .email = (char *)"alice@localhost",
	.subject = (char *)"CN=Alice Example,EMAIL=alice@localhost",
	.issuer = (char *)ISSUER,
};

static struct smime_signer
signer(enum smime_sig state, const char *email)
{
	struct smime_signer s = alice;

	s.state = state;
	s.email = (char *)email;
	return s;
}

struct want {
	enum ui_tone tone;
	const char *text;
};

struct tcase {
	const char *name;
	enum smime_sig sig;
	enum smime_coverage cov;
	enum smime_decryption dec;
	struct smime_signer signers[3];
	size_t n_signers;
	const char *from;
	enum smime_warning warnings[3];
	size_t n_warnings;
	const char *error;
	struct want want[5];
	size_t n_want;
};

static void
run(const struct tcase *t)
{
	struct smime_verdict v = { 0 };
	struct ui_banner b;
	size_t i;

	v.signature = t->sig;
	v.coverage = t->cov;
	v.decryption = t->dec;
	v.signers = (struct smime_signer *)t->signers;
	v.n_signers = t->n_signers;
	v.from = (char *)t->from;
	memcpy(v.warnings, t->warnings, sizeof t->warnings);
	v.n_warnings = t->n_warnings;
	v.error = (char *)t->error;
	ui_banner_build(&v, &b);
	if (b.n != t->n_want)
		fprintf(stderr, "case %s: %zu lines, expected %zu\n", t->name, b.n, t->n_want);
	CHECK_INT(b.n, t->n_want);
	for (i = 0; i < b.n && i < t->n_want; i++) {
		CHECK_INT(b.lines[i].tone, t->want[i].tone);
		CHECK_STR(b.lines[i].text, t->want[i].text);
	}
	ui_banner_release(&b);
}

/*
 * A locked key in plain words, with the engine's advice kept: the messages
 * are those crypto/engine.c gives when gpg-agent lacks the passphrase.
 */
static void
test_locked_key(void)
{
	static const char *const locked[] = {
		"decrypting: the secret key of 0123ABCD is protected by a passphrase that "
		"gpg-agent does not hold, and cachet does not start a pinentry in batch; "
		"unlock it first (one gpgsm operation with the key in a terminal, e.g. "
		"'gpgsm --sign', or gpg-preset-passphrase with allow-preset-passphrase)",
		"signing: the secret key needs a passphrase that gpg-agent does not hold; "
		"unlock it first (run 'gpgsm --sign' once in a terminal, or preset it "
		"with gpg-preset-passphrase)",
		"signing: the secret key needs a passphrase and there is no terminal for "
		"a pinentry; unlock it in gpg-agent first (gpg-preset-passphrase, or one "
		"'gpgsm --sign' in a terminal)",
	};
	struct smime_verdict v = { 0 };
	struct ui_banner b;
	char *t;
	size_t i;

	for (i = 0; i < sizeof locked / sizeof locked[0]; i++) {
		t = ui_locked_key_text(locked[i]);
		CHECK(t != NULL);
		if (t == NULL)
			continue;
		CHECK_CONTAINS(t, "Your secret key is locked: gpg-agent does not hold its "
			       "passphrase");
		CHECK_CONTAINS(t, "gpg-preset-passphrase");
		CHECK_CONTAINS(t, "'gpgsm --sign'");
		CHECK_CONTAINS(t, ", then try again.");
		CHECK_CONTAINS(t, ". Unlock it ");
		free(t);
	}
	/* Other failures are not a locked key. */
	CHECK(ui_locked_key_text(NULL) == NULL);
	CHECK(ui_locked_key_text("decrypting: no secret key for this certificate in "
				 "the gpgsm home") == NULL);
	CHECK(ui_locked_key_text("Subject: the passphrase is swordfish") == NULL);

	v.decryption = SMIME_DECRYPT_FAILED;
	v.error = (char *)locked[0];
	ui_banner_build(&v, &b);
	CHECK_INT(b.n, 1);
	if (b.n == 1) {
		CHECK_INT(b.lines[0].tone, UI_TONE_BAD);
		CHECK_CONTAINS(b.lines[0].text, "Encrypted, but not opened. Your secret key "
			       "is locked");
		CHECK_CONTAINS(b.lines[0].text, "gpg-preset-passphrase");
	}
	ui_banner_release(&b);
	v.error = (char *)"decrypting: Decryption failed (from gpgsm)";
	ui_banner_build(&v, &b);
	CHECK_INT(b.n, 1);
	if (b.n == 1)
		CHECK_STR(b.lines[0].text, "Encrypted, but it could not be decrypted: "
			  "decrypting: Decryption failed (from gpgsm)");
	ui_banner_release(&b);
}

/* An unsigned message: what the person's servers said, and continuity. */
static void
test_unsigned(void)
{
	struct smime_authentication a = { .from_domain = (char *)"example.org" };
	struct smime_verdict v = { .signature = SMIME_SIG_NONE,
				   .from = (char *)"bob@example.org" };
	struct ui_banner b;

	v.authentication = &a;
	ui_banner_build(&v, &b);	/* no DMARC result: nothing more to say */
	CHECK_INT(b.n, 1);
	if (b.n == 1)
		CHECK_STR(b.lines[0].text, "Not signed");
	ui_banner_release(&b);
	CHECK(!ui_dmarc_failed(&v));

	a.dmarc.result = (char *)"pass";
	a.dmarc.domain = (char *)"example.org";
	ui_banner_build(&v, &b);
	CHECK_INT(b.n, 1);
	if (b.n == 1) {
		CHECK_STR(b.lines[0].text, "Not signed; DMARC pass for example.org");
		CHECK_INT(b.lines[0].tone, UI_TONE_INFO);
	}
	ui_banner_release(&b);

	a.dmarc.result = (char *)"fail";
	CHECK(ui_dmarc_failed(&v));
	ui_banner_build(&v, &b);
	CHECK_INT(b.n, 1);
	if (b.n == 1) {
		CHECK_STR(b.lines[0].text,
			  "Not signed; DMARC fail: example.org did not send this");
		CHECK_INT(b.lines[0].tone, UI_TONE_BAD);
	}
	ui_banner_release(&b);

	/* Continuity first among the problems; then the DMARC line. */
	a.dmarc.result = (char *)"pass";
	v.warnings[0] = SMIME_WARN_UNSIGNED_FROM_SIGNER;
	v.n_warnings = 1;
	ui_banner_build(&v, &b);
	CHECK_INT(b.n, 2);
	if (b.n == 2) {
		CHECK_STR(b.lines[0].text,
			  "bob@example.org has signed before; this message is not signed");
		CHECK_INT(b.lines[0].tone, UI_TONE_BAD);
		CHECK_STR(b.lines[1].text, "Not signed; DMARC pass for example.org");
	}
	ui_banner_release(&b);
}

int
main(void)
{
	struct tcase cases[] = {
		{ "valid", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE, SMIME_DECRYPT_NONE,
		  { alice }, 1, "alice@localhost", { 0 }, 0, NULL,
		  { { UI_TONE_GOOD, "Signed by alice@localhost (certificate from "
				    "Cachet Test S/MIME CA, valid)" } }, 1 },
		{ "not signed", SMIME_SIG_NONE, SMIME_COVERAGE_NONE, SMIME_DECRYPT_NONE,
		  { { 0 } }, 0, "bob@localhost", { 0 }, 0, NULL,
		  { { UI_TONE_INFO, "Not signed" } }, 1 },
		{ "untrusted", SMIME_SIG_UNTRUSTED, SMIME_COVERAGE_WHOLE, SMIME_DECRYPT_NONE,
		  { signer(SMIME_SIG_UNTRUSTED, "alice@localhost") }, 1, "alice@localhost",
		  { 0 }, 0, NULL,
		  { { UI_TONE_BAD, "Signed by alice@localhost, but the certificate's "
				   "issuer \"Cachet Test S/MIME CA\" is not trusted" } }, 1 },
		{ "revoked", SMIME_SIG_REVOKED, SMIME_COVERAGE_WHOLE, SMIME_DECRYPT_NONE,
		  { signer(SMIME_SIG_REVOKED, "alice@localhost") }, 1, "alice@localhost",
		  { 0 }, 0, NULL,
		  { { UI_TONE_BAD, "Signed by alice@localhost, but the certificate "
				   "(from Cachet Test S/MIME CA) has been revoked" } }, 1 },
		{ "mismatch", SMIME_SIG_MISMATCH, SMIME_COVERAGE_WHOLE, SMIME_DECRYPT_NONE,
		  { signer(SMIME_SIG_MISMATCH, "mallory@localhost") }, 1, "alice@localhost",
		  { SMIME_WARN_FROM_MISMATCH }, 1, NULL,
		  { { UI_TONE_BAD, "From says alice@localhost, but it was signed by "
				   "mallory@localhost" } }, 1 },
		{ "mismatch as a warning", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE,
		  SMIME_DECRYPT_NONE, { signer(SMIME_SIG_VALID, "mallory@localhost") }, 1,
		  "alice@localhost", { SMIME_WARN_FROM_MISMATCH }, 1, NULL,
		  { { UI_TONE_BAD, "Signed by mallory@localhost (certificate from Cachet "
				   "Test S/MIME CA, valid)" },
		    { UI_TONE_BAD, "From says alice@localhost, but it was signed by "
				   "mallory@localhost" } }, 2 },
		{ "part", SMIME_SIG_VALID, SMIME_COVERAGE_PART, SMIME_DECRYPT_NONE,
		  { alice }, 1, "alice@localhost", { SMIME_WARN_UNSIGNED_CONTENT }, 1, NULL,
		  { { UI_TONE_BAD, "Signed by alice@localhost (certificate from Cachet "
				   "Test S/MIME CA, valid)" },
		    { UI_TONE_BAD, "Only part of this message is signed: the rest could "
				   "come from anyone" } }, 2 },
		{ "ciphertext", SMIME_SIG_VALID, SMIME_COVERAGE_CIPHERTEXT,
		  SMIME_DECRYPT_OK, { alice }, 1, "alice@localhost",
		  { SMIME_WARN_SIGNATURE_OVER_CIPHERTEXT }, 1, NULL,
		  { { UI_TONE_BAD, "Signed by alice@localhost (certificate from Cachet "
				   "Test S/MIME CA, valid)" },
		    { UI_TONE_BAD, "The signature covers only the encrypted data, not "
				   "what you read: it does not show who wrote it" },
		    { UI_TONE_INFO, "Encrypted to you" } }, 3 },
		{ "several", SMIME_SIG_INVALID, SMIME_COVERAGE_WHOLE, SMIME_DECRYPT_NONE,
		  { alice, signer(SMIME_SIG_INVALID, "bob@localhost") }, 2,
		  "alice@localhost", { SMIME_WARN_MULTIPLE_SIGNERS }, 1, NULL,
		  { { UI_TONE_BAD, "Several signers (2): each is shown below, the "
				   "weakest decides" },
		    { UI_TONE_BAD, "Signed by alice@localhost (certificate from Cachet "
				   "Test S/MIME CA, valid)" },
		    { UI_TONE_BAD, "Invalid signature (claimed signer bob@localhost): the "
				   "message was changed after signing, or the signature "
				   "is not genuine" } }, 3 },
		{ "invalid", SMIME_SIG_INVALID, SMIME_COVERAGE_WHOLE, SMIME_DECRYPT_NONE,
		  { signer(SMIME_SIG_INVALID, "alice@localhost") }, 1, "alice@localhost",
		  { 0 }, 0, NULL,
		  { { UI_TONE_BAD, "Invalid signature (claimed signer alice@localhost): "
				   "the message was changed after signing, or the "
				   "signature is not genuine" } }, 1 },
		{ "encrypted, valid inside", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE,
		  SMIME_DECRYPT_OK, { alice }, 1, "alice@localhost", { 0 }, 0, NULL,
		  { { UI_TONE_GOOD, "Signed by alice@localhost (certificate from Cachet "
				    "Test S/MIME CA, valid)" },
		    { UI_TONE_INFO, "Encrypted to you" } }, 2 },
		{ "encrypted, unsigned", SMIME_SIG_NONE, SMIME_COVERAGE_NONE,
		  SMIME_DECRYPT_OK, { { 0 } }, 0, "bob@localhost", { 0 }, 0, NULL,
		  { { UI_TONE_INFO, "Encrypted to you" }, { UI_TONE_INFO, "Not signed" } }, 2 },
		{ "decryption failed", SMIME_SIG_NONE, SMIME_COVERAGE_NONE,
		  SMIME_DECRYPT_FAILED, { { 0 } }, 0, "bob@localhost", { 0 }, 0,
		  "no secret key",
		  { { UI_TONE_BAD, "Encrypted, but it could not be decrypted: no secret key" } },
		  1 },
		{ "inner encrypted part", SMIME_SIG_NONE, SMIME_COVERAGE_NONE,
		  SMIME_DECRYPT_REFUSED, { { 0 } }, 0, "bob@localhost",
		  { SMIME_WARN_ENCRYPTED_PART_REFUSED }, 1, NULL,
		  { { UI_TONE_BAD, "An encrypted part inside this message was not opened: "
				   "only the message's top layer is decrypted" },
		    { UI_TONE_INFO, "Not signed" } }, 2 },
		{ "no signers", SMIME_SIG_INVALID, SMIME_COVERAGE_WHOLE, SMIME_DECRYPT_NONE,
		  { { 0 } }, 0, "alice@localhost", { SMIME_WARN_NO_SIGNERS }, 1, NULL,
		  { { UI_TONE_BAD, "The signature has no signer at all" } }, 1 },
		{ "weak digest", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE,
		  SMIME_DECRYPT_NONE, { alice }, 1, "alice@localhost",
		  { SMIME_WARN_WEAK_DIGEST }, 1, NULL,
		  { { UI_TONE_BAD, "Signed by alice@localhost (certificate from Cachet "
				   "Test S/MIME CA, valid)" },
		    { UI_TONE_BAD, "Signed with a weak digest (such as SHA-1): the "
				   "signature no longer proves who signed" } }, 2 },
		{ "inner From", SMIME_SIG_MISMATCH, SMIME_COVERAGE_WHOLE,
		  SMIME_DECRYPT_OK, { signer(SMIME_SIG_MISMATCH, "alice@localhost") }, 1,
		  "alice@localhost", { SMIME_WARN_INNER_FROM_MISMATCH }, 1, NULL,
		  { { UI_TONE_BAD, "From says alice@localhost, but it was signed by "
				   "alice@localhost" },
		    { UI_TONE_BAD, "The signed or encrypted content names another author "
				   "than the From shown" },
		    { UI_TONE_INFO, "Encrypted to you" } }, 3 },
		{ "one signer checked of several", SMIME_SIG_INVALID, SMIME_COVERAGE_WHOLE,
		  SMIME_DECRYPT_NONE, { signer(SMIME_SIG_INVALID, "alice@localhost") }, 1,
		  "alice@localhost", { SMIME_WARN_MULTIPLE_SIGNERS }, 1,
		  "some signers of the message could not be checked",
		  { { UI_TONE_BAD, "Invalid signature (claimed signer alice@localhost): "
				   "the message was changed after signing, or the "
				   "signature is not genuine" },
		    { UI_TONE_BAD, "The signature has several signers: the weakest "
				   "decides" },
		    { UI_TONE_BAD, "Could not check: some signers of the message could "
				   "not be checked" } }, 3 },
		{ "escape in certificate", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE,
		  SMIME_DECRYPT_NONE, { signer(SMIME_SIG_VALID, "evil\x1b[2J@localhost") },
		  1, "evil@localhost", { 0 }, 0, NULL,
		  { { UI_TONE_GOOD, "Signed by evil\xe2\x90\x9b[2J@localhost (certificate from "
				    "Cachet Test S/MIME CA, valid)" } }, 1 },
	};
	struct smime_signer expired = signer(SMIME_SIG_EXPIRED, "alice@localhost");
	struct smime_signer noaddr = signer(SMIME_SIG_VALID, NULL);
	struct smime_verdict v = { 0 };
	struct ui_banner b;
	char *cn;
	size_t i;

	setlocale(LC_ALL, "C.UTF-8");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run(&cases[i]);

	/* Expiry names the date from the certificate. */
	expired.not_after = 1700000000;	/* 2023-11-14 */
	v.signature = SMIME_SIG_EXPIRED;
	v.coverage = SMIME_COVERAGE_WHOLE;
	v.signers = &expired;
	v.n_signers = 1;
	ui_banner_build(&v, &b);
	CHECK_INT(b.n, 1);
	CHECK_STR(b.lines[0].text, "Signed by alice@localhost, but the certificate "
		  "expired on 2023-11-14");
	CHECK_INT(b.lines[0].tone, UI_TONE_BAD);
	ui_banner_release(&b);

	/* No address in the certificate: say so, with the subject's name. */
	v.signature = SMIME_SIG_VALID;
	v.signers = &noaddr;
	ui_banner_build(&v, &b);
	CHECK_INT(b.n, 1);
	CHECK_STR(b.lines[0].text, "Signed by a certificate without an e-mail address "
		  "(\"Alice Example\") (certificate from Cachet Test S/MIME CA, valid)");
	ui_banner_release(&b);

	/* Every warning in words: never its code, never a bad line missing. */
	for (i = 0; i < SMIME_WARNING_COUNT; i++) {
		struct smime_verdict w = { .signature = SMIME_SIG_VALID,
					   .coverage = SMIME_COVERAGE_WHOLE,
					   .signers = &alice, .n_signers = 1,
					   .from = (char *)"alice@localhost",
					   .n_warnings = 1 };
		size_t j, bad = 0;

		w.warnings[0] = (enum smime_warning)i;
		ui_banner_build(&w, &b);
		for (j = 0; j < b.n; j++) {
			CHECK(strstr(b.lines[j].text, smime_warning_name(w.warnings[0])) == NULL);
			CHECK(strncmp(b.lines[j].text, "Warning", 7) != 0);
			bad += b.lines[j].tone == UI_TONE_BAD;
		}
		if (bad < 2)
			fprintf(stderr, "warning %s: %zu bad lines\n",
				smime_warning_name(w.warnings[0]), bad);
		CHECK(bad >= 2);
		ui_banner_release(&b);
	}

	/* No verdict (not computed yet): no banner. */
	ui_banner_build(NULL, &b);
	CHECK_INT(b.n, 0);
	ui_banner_release(&b);

	cn = ui_dn_common_name("O=Org,CN=Name\\, with comma,C=DE");
	CHECK_STR(cn, "Name, with comma");
	free(cn);
	cn = ui_dn_common_name("O=No Common Name");
	CHECK_STR(cn, "O=No Common Name");
	free(cn);
	test_locked_key();
	test_unsigned();
	return check_exit();
}
