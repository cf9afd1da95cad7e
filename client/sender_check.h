/*
 * sender_check.h — what cachet can say about who sent a message beyond
 * its signature: the DKIM, SPF and DMARC results the person's own
 * receiving servers recorded (Authentication-Results, RFC 8601), and
 * whether a correspondent who has signed before sent this one unsigned.
 *
 * Both take configuration (the account's authserv_id, the policy's
 * signs_sometimes) and the certificate store, which crypto/ does not see;
 * the verify verb and the screen's pager call this after smime_verify, so
 * the JSON, the exit status, the banner and the index mark come from one
 * verdict.
 */
#ifndef CACHET_SENDER_CHECK_H
#define CACHET_SENDER_CHECK_H

#include "base/base.h"

struct account;
struct certstore;
struct config;
struct smime_verdict;

/*
 * Completes v, the verdict of msg:
 *   - v->authentication from the Authentication-Results fields of the
 *     servers in a's authserv_id (smime_authentication_read); left NULL
 *     when a is NULL or names none: nothing is guessed;
 *   - the warning unsigned-from-signer when v has no signature at all,
 *     its From (v->from) has a trusted binding in store (the
 *     correspondent's certificate was harvested or trusted: they have
 *     signed before) and cfg's signs_sometimes names neither the address
 *     nor its domain.  With store NULL nothing is looked up.
 * cfg and a may be NULL.  Returns 0, or -1 with ERR_STORE (the store
 * could not be read) or ERR_INPUT (the header cannot be read); v is
 * complete as far as it got.
 */
int sender_check_apply(const struct config *cfg, const struct account *a,
		       struct certstore *store, const char *msg, size_t len,
		       struct smime_verdict *v, struct err *e);

#endif
