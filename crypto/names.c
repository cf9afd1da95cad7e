/* names.c — the words the verdict uses (doc/DESIGN.md, 2.2: JSON). */
#include "crypto/smime_p.h"

#include <stdlib.h>

const char *
smime_sig_name(enum smime_sig s)
{
	switch (s) {
	case SMIME_SIG_NONE: return "none";
	case SMIME_SIG_VALID: return "valid";
	case SMIME_SIG_INVALID: return "invalid";
	case SMIME_SIG_UNTRUSTED: return "untrusted";
	case SMIME_SIG_EXPIRED: return "expired";
	case SMIME_SIG_REVOKED: return "revoked";
	case SMIME_SIG_MISMATCH: return "mismatch";
	}
	return "invalid";
}

const char *
smime_coverage_name(enum smime_coverage c)
{
	switch (c) {
	case SMIME_COVERAGE_NONE: return "none";
	case SMIME_COVERAGE_WHOLE: return "whole";
	case SMIME_COVERAGE_PART: return "part";
	case SMIME_COVERAGE_CIPHERTEXT: return "ciphertext";
	}
	return "none";
}

const char *
smime_decryption_name(enum smime_decryption d)
{
	switch (d) {
	case SMIME_DECRYPT_NONE: return "none";
	case SMIME_DECRYPT_OK: return "ok";
	case SMIME_DECRYPT_FAILED: return "failed";
	case SMIME_DECRYPT_REFUSED: return "refused";
	}
	return "failed";
}

void
smime_verdict_free(struct smime_verdict **vp)
{
	struct smime_verdict *v;
	size_t i, j;

	if (vp == NULL || (v = *vp) == NULL)
		return;
	for (i = 0; i < v->n_signers; i++) {
		struct smime_signer *s = &v->signers[i];

		free(s->email);
		for (j = 0; j < s->n_emails; j++)
			free(s->emails[j]);
		free(s->emails);
		free(s->fingerprint);
		free(s->subject);
		free(s->issuer);
		free(s->cert_der);
		for (j = 0; j < s->n_issuers; j++)
			free(s->issuers[j].der);
		free(s->issuers);
		free(s->detail);
		free(s->capabilities);
	}
	free(v->signers);
	free(v->from);
	free(v->error);
	hp_verdict_release(v);
	smime_authentication_free(&v->authentication);
	free(v);
	*vp = NULL;
}
