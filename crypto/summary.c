/*
 * summary.c — what a verdict comes to: the warnings' codes and words, and
 * the one rule that says whether a message is good, and if not, why.
 */
#include "crypto/smime.h"

/* Indexed by enum smime_warning; the test checks every value has both. */
static const struct {
	const char *name;	/* verify --json's code: never changes */
	const char *words;
} warnings[SMIME_WARNING_COUNT] = {
	[SMIME_WARN_NO_SIGNERS] = { "no-signers",
		"The signature has no signer at all" },
	[SMIME_WARN_MULTIPLE_SIGNERS] = { "multiple-signers",
		"The signature has several signers: the weakest decides" },
	[SMIME_WARN_MULTIPLE_FROM] = { "multiple-from",
		"The message has more than one From address" },
	[SMIME_WARN_NO_FROM] = { "no-from",
		"The message has no From address" },
	[SMIME_WARN_FROM_MISMATCH] = { "from-mismatch",
		"The From address is not one of the signer's certificate" },
	[SMIME_WARN_DETACHED_WITH_CONTENT] = { "detached-with-content",
		"The signature carries content of its own besides the message" },
	[SMIME_WARN_ENCRYPTED_PART_REFUSED] = { "encrypted-part-refused",
		"An encrypted part inside this message was not opened: only the "
		"message's top layer is decrypted" },
	[SMIME_WARN_TRUNCATED_MULTIPART] = { "truncated-multipart",
		"The message's structure is cut short" },
	[SMIME_WARN_UNSIGNED_CONTENT] = { "unsigned-content",
		"Only part of this message is signed: the rest could come from anyone" },
	[SMIME_WARN_SENDER_MISMATCH] = { "sender-mismatch",
		"The Sender field does not match the signer" },
	[SMIME_WARN_SIGNATURE_OVER_CIPHERTEXT] = { "signature-over-ciphertext",
		"The signature covers only the encrypted data, not what you read: "
		"it does not show who wrote it" },
	[SMIME_WARN_INNER_FROM_MISMATCH] = { "inner-from-mismatch",
		"The signed or encrypted content names another author than the "
		"From shown" },
	[SMIME_WARN_WEAK_DIGEST] = { "weak-digest",
		"Signed with a weak digest (such as SHA-1): the signature no longer "
		"proves who signed" },
	[SMIME_WARN_TOO_MANY_CERTIFICATES] = { "too-many-certificates",
		"The signature carries more certificates than cachet reads: it was "
		"not checked" },
	[SMIME_WARN_TOO_MANY_SIGNERS] = { "too-many-signers",
		"The signature has more signers than cachet reads: it was not checked" },
	[SMIME_WARN_CERTS_ONLY] = { "certs-only",
		"The message only delivers certificates: it is not signed" },
	[SMIME_WARN_REVOCATION_UNKNOWN] = { "revocation-unknown",
		"Whether the signer's certificate was revoked could not be checked "
		"(no certificate revocation list or OCSP answer)" },
	[SMIME_WARN_HEADER_MISMATCH] = { "header-mismatch",
		"A header outside the protected part was changed, added or removed "
		"after the message was sent" },
	[SMIME_WARN_UNSIGNED_FROM_SIGNER] = { "unsigned-from-signer",
		"The sender has signed before; this message is not signed" },
};

const char *
smime_warning_name(enum smime_warning w)
{
	return (unsigned)w < SMIME_WARNING_COUNT ? warnings[w].name : "unknown";
}

const char *
smime_warning_words(enum smime_warning w)
{
	return (unsigned)w < SMIME_WARNING_COUNT ? warnings[w].words
		: "An unknown warning";
}

bool
smime_verdict_has_warning(const struct smime_verdict *v, enum smime_warning w)
{
	size_t i;

	for (i = 0; i < v->n_warnings; i++)
		if (v->warnings[i] == w)
			return true;
	return false;
}

void
smime_verdict_warn(struct smime_verdict *v, enum smime_warning w)
{
	if (!smime_verdict_has_warning(v, w) && v->n_warnings < SMIME_WARNING_COUNT)
		v->warnings[v->n_warnings++] = w;
}

enum smime_summary
smime_verdict_summary(const struct smime_verdict *v)
{
	if (v->decryption == SMIME_DECRYPT_FAILED)
		return SMIME_SUMMARY_NOT_DECRYPTED;
	if (v->signature == SMIME_SIG_NONE)
		return SMIME_SUMMARY_NOT_SIGNED;
	if (v->coverage != SMIME_COVERAGE_WHOLE ||
	    smime_verdict_has_warning(v, SMIME_WARN_UNSIGNED_CONTENT) ||
	    smime_verdict_has_warning(v, SMIME_WARN_DETACHED_WITH_CONTENT) ||
	    smime_verdict_has_warning(v, SMIME_WARN_ENCRYPTED_PART_REFUSED) ||
	    v->decryption == SMIME_DECRYPT_REFUSED)
		return SMIME_SUMMARY_PARTIAL;
	if (smime_verdict_has_warning(v, SMIME_WARN_NO_FROM))
		return SMIME_SUMMARY_NO_FROM;
	if (v->signature == SMIME_SIG_MISMATCH ||
	    smime_verdict_has_warning(v, SMIME_WARN_FROM_MISMATCH) ||
	    smime_verdict_has_warning(v, SMIME_WARN_MULTIPLE_FROM) ||
	    smime_verdict_has_warning(v, SMIME_WARN_INNER_FROM_MISMATCH))
		return SMIME_SUMMARY_FROM_MISMATCH;
	switch (v->signature) {
	case SMIME_SIG_UNTRUSTED: return SMIME_SUMMARY_UNTRUSTED;
	case SMIME_SIG_EXPIRED: return SMIME_SUMMARY_EXPIRED;
	case SMIME_SIG_REVOKED: return SMIME_SUMMARY_REVOKED;
	case SMIME_SIG_VALID: break;
	default: return SMIME_SUMMARY_INVALID;
	}
	/* Valid signers only from here; a layer without one is invalid. */
	if (v->n_signers == 0)
		return SMIME_SUMMARY_INVALID;
	if (v->n_signers > 1 || v->n_warnings > 0 || v->error)
		return SMIME_SUMMARY_CAUTION;
	return SMIME_SUMMARY_GOOD;
}
