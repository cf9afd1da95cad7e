/* store_p.h — what the certstore's files share and nobody else sees. */
#ifndef CACHET_CERTSTORE_STORE_P_H
#define CACHET_CERTSTORE_STORE_P_H

#include <gpgme.h>
#include <sqlite3.h>

#include "certstore/certstore.h"

struct certstore {
	sqlite3 *db;			/* owned */
	char *path;			/* owned; the database file */
	char *gnupg_home;		/* owned, may be NULL */
	gpgme_ctx_t gpg;		/* owned; for `certs trust-ca`, on first use */
	struct smime_engine *eng;	/* owned; chain checks, on first use */
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

/*
 * The database helpers of store.c, for the files that query it
 * (bindings.c).  store_db_fail sets ERR_STORE naming the store and what
 * failed, with SQLite's message, and returns -1; store_prepare the same
 * when a statement cannot be prepared.  store_begin opens a write
 * transaction (BEGIN IMMEDIATE: a second writer waits, up to the busy
 * timeout, instead of failing half-way); store_commit ends it,
 * store_rollback abandons it.  store_bind_text binds NULL as SQL NULL;
 * store_col_strdup copies a text column (NULL for NULL).
 */
int store_db_fail(struct certstore *s, struct err *e, const char *what);
int store_prepare(struct certstore *s, const char *sql, sqlite3_stmt **st,
		  struct err *e);
void store_bind_text(sqlite3_stmt *st, int i, const char *v);
char *store_col_strdup(sqlite3_stmt *st, int i);
int store_begin(struct certstore *s, struct err *e);
int store_commit(struct certstore *s, struct err *e);
void store_rollback(struct certstore *s);
/* A binding state from its stored name (certstore_state_name). */
enum certstore_state store_state_parse(const char *s);

#endif
