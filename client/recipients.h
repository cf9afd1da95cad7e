/*
 * recipients.h — which certificate each recipient address gets.  For now
 * the answer comes from gpgsm's keybox (a valid, unexpired, unrevoked,
 * encryption-capable certificate whose chain gpgsm trusts); the certstore
 * binding table will take over behind the same interface.  Answers are
 * cached for the life of the struct (one batch).
 */
#ifndef CACHET_RECIPIENTS_H
#define CACHET_RECIPIENTS_H

#include <stddef.h>

#include "base/base.h"
#include "crypto/smime.h"

struct recipients;

/* eng is foreign and must outlive r. */
struct recipients *recipients_new(struct smime_engine *eng);
void recipients_free(struct recipients **r);

/*
 * Addresses in, fingerprints out: *fprs (owned by r, valid until
 * recipients_free) gets one fingerprint per address, in order.  When any
 * address lacks a usable certificate, returns -1 with ERR_NOCERT and a
 * message naming every such address and why ("no usable certificate for
 * bob@x (certificate expired), carol@y (no certificate)"); ERR_CRYPTO when
 * the engine fails.
 */
int recipients_resolve(struct recipients *r, const char *const *addrs, size_t n,
		       const char ***fprs, struct err *e);

#endif
