/* test_summary.c — the warnings' codes and words, and what a verdict comes to. */
#include "crypto/smime.h"
#include "tests/unit/check.h"

#include <string.h>

/* The codes of verify --json (DESIGN.md, cachet.1): byte for byte. */
static const char *const documented[SMIME_WARNING_COUNT] = {
	"no-signers", "multiple-signers", "multiple-from", "no-from",
	"from-mismatch", "detached-with-content", "encrypted-part-refused",
	"truncated-multipart", "unsigned-content", "sender-mismatch",
	"signature-over-ciphertext", "inner-from-mismatch", "weak-digest",
	"too-many-certificates", "too-many-signers", "revocation-unknown",
	"header-mismatch",
	"unsigned-from-signer",
	"certs-only",
};

static void
test_names_and_words(void)
{
	size_t i, j;

	for (i = 0; i < SMIME_WARNING_COUNT; i++) {
		const char *name = smime_warning_name((enum smime_warning)i);
		const char *words = smime_warning_words((enum smime_warning)i);

		CHECK(name != NULL && *name != '\0');
		CHECK(words != NULL && *words != '\0');
		CHECK_STR(name, documented[i]);
		/* A sentence for a person, not the code again. */
		CHECK(words && strstr(words, name) == NULL);
		CHECK(words && strlen(words) > 20);
		for (j = 0; j < i; j++) {
			CHECK(strcmp(name, smime_warning_name((enum smime_warning)j)) != 0);
			CHECK(strcmp(words, smime_warning_words((enum smime_warning)j)) != 0);
		}
	}
}

/* has_warning finds what was raised and nothing else. */
static void
test_has_warning(void)
{
	struct smime_verdict v = { .n_warnings = 2 };
	size_t i;

	v.warnings[0] = SMIME_WARN_WEAK_DIGEST;
	v.warnings[1] = SMIME_WARN_NO_SIGNERS;
	for (i = 0; i < SMIME_WARNING_COUNT; i++)
		CHECK(smime_verdict_has_warning(&v, (enum smime_warning)i) ==
		      (i == SMIME_WARN_WEAK_DIGEST || i == SMIME_WARN_NO_SIGNERS));
}

struct tcase {
	const char *name;
	enum smime_sig sig;
	enum smime_coverage cov;
	enum smime_decryption dec;
	size_t n_signers;
	enum smime_warning warnings[3];
	size_t n_warnings;
	const char *error;
	enum smime_summary want;
};

static void
test_summary(void)
{
	static const struct tcase t[] = {
		{ "valid, whole", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE, SMIME_DECRYPT_NONE,
		  1, { 0 }, 0, NULL, SMIME_SUMMARY_GOOD },
		{ "valid inside an encryption", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE,
		  SMIME_DECRYPT_OK, 1, { 0 }, 0, NULL, SMIME_SUMMARY_GOOD },
		{ "valid, part", SMIME_SIG_VALID, SMIME_COVERAGE_PART, SMIME_DECRYPT_NONE,
		  1, { SMIME_WARN_UNSIGNED_CONTENT }, 1, NULL, SMIME_SUMMARY_PARTIAL },
		{ "valid over ciphertext", SMIME_SIG_VALID, SMIME_COVERAGE_CIPHERTEXT,
		  SMIME_DECRYPT_OK, 1, { SMIME_WARN_SIGNATURE_OVER_CIPHERTEXT }, 1, NULL,
		  SMIME_SUMMARY_PARTIAL },
		{ "valid, encrypted part refused", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE,
		  SMIME_DECRYPT_REFUSED, 1, { SMIME_WARN_ENCRYPTED_PART_REFUSED }, 1, NULL,
		  SMIME_SUMMARY_PARTIAL },
		{ "valid, From not the signer's", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE,
		  SMIME_DECRYPT_NONE, 1, { SMIME_WARN_FROM_MISMATCH }, 1, NULL,
		  SMIME_SUMMARY_FROM_MISMATCH },
		{ "mismatch", SMIME_SIG_MISMATCH, SMIME_COVERAGE_WHOLE, SMIME_DECRYPT_NONE,
		  1, { SMIME_WARN_FROM_MISMATCH }, 1, NULL, SMIME_SUMMARY_FROM_MISMATCH },
		{ "two From", SMIME_SIG_MISMATCH, SMIME_COVERAGE_WHOLE, SMIME_DECRYPT_NONE,
		  1, { SMIME_WARN_MULTIPLE_FROM }, 1, NULL, SMIME_SUMMARY_FROM_MISMATCH },
		{ "inner From", SMIME_SIG_MISMATCH, SMIME_COVERAGE_WHOLE, SMIME_DECRYPT_OK,
		  1, { SMIME_WARN_INNER_FROM_MISMATCH }, 1, NULL,
		  SMIME_SUMMARY_FROM_MISMATCH },
		{ "no From", SMIME_SIG_MISMATCH, SMIME_COVERAGE_WHOLE, SMIME_DECRYPT_NONE,
		  1, { SMIME_WARN_NO_FROM }, 1, NULL, SMIME_SUMMARY_NO_FROM },
		{ "untrusted", SMIME_SIG_UNTRUSTED, SMIME_COVERAGE_WHOLE, SMIME_DECRYPT_NONE,
		  1, { 0 }, 0, NULL, SMIME_SUMMARY_UNTRUSTED },
		{ "expired", SMIME_SIG_EXPIRED, SMIME_COVERAGE_WHOLE, SMIME_DECRYPT_NONE,
		  1, { 0 }, 0, NULL, SMIME_SUMMARY_EXPIRED },
		{ "revoked", SMIME_SIG_REVOKED, SMIME_COVERAGE_WHOLE, SMIME_DECRYPT_NONE,
		  1, { 0 }, 0, NULL, SMIME_SUMMARY_REVOKED },
		{ "invalid", SMIME_SIG_INVALID, SMIME_COVERAGE_WHOLE, SMIME_DECRYPT_NONE,
		  1, { 0 }, 0, NULL, SMIME_SUMMARY_INVALID },
		{ "no signer named", SMIME_SIG_INVALID, SMIME_COVERAGE_WHOLE,
		  SMIME_DECRYPT_NONE, 0, { SMIME_WARN_NO_SIGNERS }, 1,
		  "the signature has no signer", SMIME_SUMMARY_INVALID },
		{ "detached with content", SMIME_SIG_INVALID, SMIME_COVERAGE_WHOLE,
		  SMIME_DECRYPT_NONE, 0, { SMIME_WARN_DETACHED_WITH_CONTENT }, 1,
		  "the detached signature carries content of its own",
		  SMIME_SUMMARY_PARTIAL },
		{ "not signed", SMIME_SIG_NONE, SMIME_COVERAGE_NONE, SMIME_DECRYPT_NONE,
		  0, { 0 }, 0, NULL, SMIME_SUMMARY_NOT_SIGNED },
		{ "encrypted, not signed", SMIME_SIG_NONE, SMIME_COVERAGE_NONE,
		  SMIME_DECRYPT_OK, 0, { 0 }, 0, NULL, SMIME_SUMMARY_NOT_SIGNED },
		{ "encrypted part refused, not signed", SMIME_SIG_NONE, SMIME_COVERAGE_NONE,
		  SMIME_DECRYPT_REFUSED, 0, { SMIME_WARN_ENCRYPTED_PART_REFUSED }, 1, NULL,
		  SMIME_SUMMARY_NOT_SIGNED },
		{ "decryption failed", SMIME_SIG_NONE, SMIME_COVERAGE_NONE,
		  SMIME_DECRYPT_FAILED, 0, { 0 }, 0, "no secret key",
		  SMIME_SUMMARY_NOT_DECRYPTED },
		{ "valid over what could not be decrypted", SMIME_SIG_VALID,
		  SMIME_COVERAGE_WHOLE, SMIME_DECRYPT_FAILED, 1, { 0 }, 0, "no secret key",
		  SMIME_SUMMARY_NOT_DECRYPTED },
		{ "valid, weak digest", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE,
		  SMIME_DECRYPT_NONE, 1, { SMIME_WARN_WEAK_DIGEST }, 1, NULL,
		  SMIME_SUMMARY_CAUTION },
		{ "valid, Sender not the signer", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE,
		  SMIME_DECRYPT_NONE, 1, { SMIME_WARN_SENDER_MISMATCH }, 1, NULL,
		  SMIME_SUMMARY_CAUTION },
		{ "valid, cut short", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE,
		  SMIME_DECRYPT_NONE, 1, { SMIME_WARN_TRUNCATED_MULTIPART }, 1, NULL,
		  SMIME_SUMMARY_CAUTION },
		{ "valid inside, signed ciphertext outside", SMIME_SIG_VALID,
		  SMIME_COVERAGE_WHOLE, SMIME_DECRYPT_OK, 2,
		  { SMIME_WARN_SIGNATURE_OVER_CIPHERTEXT }, 1, NULL, SMIME_SUMMARY_CAUTION },
		{ "two valid signers", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE,
		  SMIME_DECRYPT_NONE, 2, { SMIME_WARN_MULTIPLE_SIGNERS }, 1, NULL,
		  SMIME_SUMMARY_CAUTION },
		{ "two valid layers", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE,
		  SMIME_DECRYPT_NONE, 2, { 0 }, 0, NULL, SMIME_SUMMARY_CAUTION },
		{ "one good signer, one untrusted", SMIME_SIG_UNTRUSTED,
		  SMIME_COVERAGE_WHOLE, SMIME_DECRYPT_NONE, 2,
		  { SMIME_WARN_MULTIPLE_SIGNERS }, 1, NULL, SMIME_SUMMARY_UNTRUSTED },
		{ "part and untrusted: the structure first", SMIME_SIG_UNTRUSTED,
		  SMIME_COVERAGE_PART, SMIME_DECRYPT_NONE, 1,
		  { SMIME_WARN_UNSIGNED_CONTENT }, 1, NULL, SMIME_SUMMARY_PARTIAL },
		{ "From and Sender: From first", SMIME_SIG_MISMATCH, SMIME_COVERAGE_WHOLE,
		  SMIME_DECRYPT_NONE, 1, { SMIME_WARN_SENDER_MISMATCH,
		  SMIME_WARN_FROM_MISMATCH }, 2, NULL, SMIME_SUMMARY_FROM_MISMATCH },
		{ "an outer header changed: valid, never good", SMIME_SIG_VALID,
		  SMIME_COVERAGE_WHOLE, SMIME_DECRYPT_NONE, 1,
		  { SMIME_WARN_HEADER_MISMATCH }, 1, NULL, SMIME_SUMMARY_CAUTION },
	};
	struct smime_signer signers[2] = { { .state = SMIME_SIG_VALID },
					   { .state = SMIME_SIG_VALID } };
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct smime_verdict v = { 0 };
		enum smime_summary got;

		v.signature = t[i].sig;
		v.coverage = t[i].cov;
		v.decryption = t[i].dec;
		v.signers = signers;
		v.n_signers = t[i].n_signers;
		memcpy(v.warnings, t[i].warnings, sizeof t[i].warnings);
		v.n_warnings = t[i].n_warnings;
		v.error = (char *)t[i].error;
		got = smime_verdict_summary(&v);
		if (got != t[i].want)
			fprintf(stderr, "case %s: summary %d, expected %d\n", t[i].name,
				(int)got, (int)t[i].want);
		CHECK_INT(got, t[i].want);
	}
}

int
main(void)
{
	test_names_and_words();
	test_has_warning();
	test_summary();
	return check_exit();
}
