/*
 * recipients.h — which certificate each recipient address gets.  The
 * certstore's binding table decides (doc/DESIGN.md, 3: the bindings, not
 * gpgsm's keybox, decides what cachet encrypts to): the newest valid
 * trusted certificate bound to the address, and none while a conflict
 * waits for the person's decision.  The person's own addresses (a secret
 * key in gpgsm for the address) use their own certificate.  Answers are
 * cached for the life of the struct (one batch).
 */
#ifndef CACHET_RECIPIENTS_H
#define CACHET_RECIPIENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"
#include "crypto/smime.h"

struct recipients;

/*
 * eng is foreign and must outlive r; data_dir (the certstore's) and
 * gnupg_home (NULL: GnuPG's default) are foreign too.  The store is opened
 * at the first recipients_resolve.
 */
struct recipients *recipients_new(struct smime_engine *eng, const char *data_dir,
				  const char *gnupg_home);
void recipients_free(struct recipients **r);

/*
 * Addresses in, fingerprints out: *fprs (owned by r, valid until
 * recipients_free) gets one fingerprint per address, in order.  When any
 * address lacks a usable certificate, returns -1 with ERR_NOCERT and a
 * message naming every such address and why ("no usable certificate for
 * bob@x (certificate expired), carol@y (no certificate)"); ERR_POLICY
 * instead when one of them has a certificate conflict waiting for the
 * person's decision (sending in the clear is no answer to a possible key
 * substitution); ERR_CRYPTO when the engine fails, ERR_STORE when the
 * certificate store does.
 */
int recipients_resolve(struct recipients *r, const char *const *addrs, size_t n,
		       const char ***fprs, struct err *e);

/*
 * The same choice for one address, made without touching gpgsm's keybox
 * (a look-up only, for a send plan): *fpr is the certificate's
 * fingerprint, or NULL and *why says why none is usable (*conflict when a
 * certificate conflict waits for the person's decision).  *caps is what
 * the binding announced (SMIME_CAP_*; the sender's own certificate
 * announces what cachet does), *transport the key transport its key gets
 * (SMIME_KT_*, static; NULL for a key cachet cannot encrypt to).  The
 * strings are owned by r.  A later recipients_resolve on r still puts the chosen
 * certificates in the keybox.  ERR_CRYPTO, ERR_STORE.
 */
int recipients_check(struct recipients *r, const char *addr, const char **fpr,
		     const char **why, bool *conflict, unsigned *caps,
		     const char **transport, struct err *e);

/*
 * What each certificate of the last successful recipients_resolve
 * announced (SMIME_CAP_*), in the same order: the caps argument of
 * smime_encrypt.  Owned by r, valid until the next resolve.
 */
const unsigned *recipients_capabilities(const struct recipients *r);

#endif
