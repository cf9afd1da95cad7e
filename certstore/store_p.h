/* store_p.h — what the certstore's files share and nobody else sees. */
#ifndef CACHET_CERTSTORE_STORE_P_H
#define CACHET_CERTSTORE_STORE_P_H

#include <gpgme.h>
#include <sqlite3.h>

#include "certstore/certstore.h"

struct chain_memo {
	char fpr[41];
	const char *reason;	/* static; NULL = valid */
};

struct certstore {
	sqlite3 *db;			/* owned */
	char *path;			/* owned; the database file */
	char *gnupg_home;		/* owned, may be NULL */
	gpgme_ctx_t gpg;		/* owned; created on first use */
	struct chain_memo *memo;	/* owned; chain results of this session */
	size_t n_memo;
};

/* The stored certificate with this SHA-1 fingerprint: 1 found, 0 not, -1 ERR_STORE. */
int certstore_cert_by_fpr(struct certstore *s, const char *fpr,
			  struct certstore_cert **out, struct err *e);

/* Records der as a trust anchor of origin "trustlist" or "trust-ca" (an
 * anchor already "trust-ca" stays so).  ERR_INPUT, ERR_STORE. */
int certstore_anchor_put(struct certstore *s, const unsigned char *der, size_t len,
			 const char *origin, struct err *e);

/* Upper-case hex without colons or spaces; NULL unless 40 or 64 digits. */
char *certstore_fpr_normalize(const char *fpr);

#endif
