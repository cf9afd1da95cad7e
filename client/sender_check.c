/* sender_check.c — server authentication results and signing continuity. */
#include "client/sender_check.h"

#include "certstore/certstore.h"
#include "client/config.h"
#include "crypto/smime.h"

#include <stdlib.h>

/* A trusted binding, expired or not: the address signed before. */
static int
has_signed_before(struct certstore *store, const char *addr, bool *yes,
		  struct err *e)
{
	struct certstore_binding *b = NULL;
	size_t n = 0, i;

	*yes = false;
	if (certstore_list(store, addr, &b, &n, e) < 0)
		return -1;
	for (i = 0; i < n; i++)
		*yes |= b[i].state == CERTSTORE_TRUSTED;
	certstore_bindings_free(&b, n);
	return 0;
}

int
sender_check_apply(const struct config *cfg, const struct account *a,
		   struct certstore *store, const char *msg, size_t len,
		   struct smime_verdict *v, struct err *e)
{
	bool before;

	if (a && a->n_authserv_ids > 0 && v->authentication == NULL &&
	    smime_authentication_read(msg, len, (const char *const *)a->authserv_ids,
				      a->n_authserv_ids, &v->authentication, e) < 0)
		return -1;
	if (store == NULL || v->signature != SMIME_SIG_NONE || v->n_signers > 0 ||
	    v->decryption == SMIME_DECRYPT_FAILED || v->from == NULL ||
	    (cfg && config_signs_sometimes(cfg, v->from)))
		return 0;
	if (has_signed_before(store, v->from, &before, e) < 0)
		return -1;
	if (before)
		smime_verdict_warn(v, SMIME_WARN_UNSIGNED_FROM_SIGNER);
	return 0;
}
