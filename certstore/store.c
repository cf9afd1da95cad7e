/* store.c — the SQLite store of certificates, bindings, history and seen messages. */
#include "certstore/store_p.h"
#include "crypto/smime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS certificates ("
	" fpr_sha1 TEXT PRIMARY KEY,"
	" fpr_sha256 TEXT NOT NULL UNIQUE,"
	" der BLOB NOT NULL,"
	" subject TEXT NOT NULL,"
	" issuer TEXT NOT NULL,"
	" serial TEXT NOT NULL,"
	" not_before INTEGER NOT NULL,"
	" not_after INTEGER NOT NULL,"
	" emails TEXT NOT NULL,"
	" added INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS bindings ("
	" address TEXT NOT NULL,"
	" fpr_sha1 TEXT NOT NULL REFERENCES certificates(fpr_sha1),"
	" state TEXT NOT NULL CHECK (state IN"
	"  ('trusted', 'pending', 'conflict', 'revoked-by-user')),"
	" first_seen INTEGER NOT NULL,"
	" last_seen INTEGER NOT NULL,"
	" message_id TEXT,"
	" message_date TEXT,"
	" source TEXT NOT NULL,"
	" PRIMARY KEY (address, fpr_sha1));"
	"CREATE INDEX IF NOT EXISTS bindings_fpr ON bindings(fpr_sha1);"
	"CREATE TABLE IF NOT EXISTS history ("
	" id INTEGER PRIMARY KEY,"
	" at INTEGER NOT NULL,"
	" address TEXT NOT NULL,"
	" fpr_sha1 TEXT NOT NULL,"
	" action TEXT NOT NULL,"
	" old_state TEXT,"
	" new_state TEXT NOT NULL,"
	" why TEXT);"
	"CREATE INDEX IF NOT EXISTS history_address ON history(address);"
	"CREATE TABLE IF NOT EXISTS seen ("
	" key TEXT PRIMARY KEY,"
	" message_id TEXT,"
	" result TEXT,"
	" at INTEGER NOT NULL);"
	/* Version 2: the trust anchors of signature verification, and the
	 * trustlist.txt text the seeded ones were read from. */
	"CREATE TABLE IF NOT EXISTS anchors ("
	" fpr_sha1 TEXT PRIMARY KEY,"
	" der BLOB NOT NULL,"
	" origin TEXT NOT NULL CHECK (origin IN ('trustlist', 'trust-ca')),"
	" added INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS anchor_seed ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" trustlist TEXT NOT NULL,"
	" at INTEGER NOT NULL);"
	/* Version 3: the keybox's state when they were seeded (a root whose
	 * certificate arrives in the keybox after its trustlist.txt line). */
	"CREATE TABLE IF NOT EXISTS anchor_keybox ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" stamp TEXT NOT NULL);"
	/* Version 4: per binding, the sMIMECapabilities its correspondent
	 * announced (dotted identifiers) in the newest signed message
	 * harvested (signing_time: its signingTime, 0 when it had none). */
	"CREATE TABLE IF NOT EXISTS capabilities ("
	" address TEXT NOT NULL,"
	" fpr_sha1 TEXT NOT NULL,"
	" oids TEXT NOT NULL,"
	" signing_time INTEGER NOT NULL,"
	" recorded INTEGER NOT NULL,"
	" PRIMARY KEY (address, fpr_sha1));"
	"PRAGMA user_version = 4;";

static const char *const state_names[] = {
	[CERTSTORE_TRUSTED] = "trusted",
	[CERTSTORE_PENDING] = "pending",
	[CERTSTORE_CONFLICT] = "conflict",
	[CERTSTORE_REVOKED] = "revoked-by-user",
};

const char *
certstore_state_name(enum certstore_state s)
{
	return (unsigned)s < 4 ? state_names[s] : "unknown";
}

enum certstore_state
store_state_parse(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (s && strcmp(s, state_names[i]) == 0)
			return (enum certstore_state)i;
	return CERTSTORE_REVOKED;
}

const char *
certstore_change_name(enum certstore_change c)
{
	switch (c) {
	case CERTSTORE_CHANGE_NEW: return "new";
	case CERTSTORE_CHANGE_KNOWN: return "known";
	case CERTSTORE_CHANGE_RENEWAL: return "renewal";
	case CERTSTORE_CHANGE_CONFLICT: return "conflict";
	}
	return "unknown";
}

/* How long a process waits for another one holding the store (ms). */
#define STORE_BUSY_MS 30000

int
store_db_fail(struct certstore *s, struct err *e, const char *what)
{
	return err_set(e, ERR_STORE, "certificate store %s: %s: %s", s->path,
		       what, sqlite3_errmsg(s->db));
}

static int
exec(struct certstore *s, const char *sql, struct err *e)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(e, ERR_STORE, "certificate store %s: %s", s->path,
			msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
store_prepare(struct certstore *s, const char *sql, sqlite3_stmt **st, struct err *e)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return store_db_fail(s, e, "cannot prepare a query");
	return 0;
}

void
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

char *
store_col_strdup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? xstrdup((const char *)t) : NULL;
}

int
store_begin(struct certstore *s, struct err *e)
{
	return exec(s, "BEGIN IMMEDIATE", e);
}

int
store_commit(struct certstore *s, struct err *e)
{
	return exec(s, "COMMIT", e);
}

void
store_rollback(struct certstore *s)
{
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/*
 * Two processes that open a new store at once (two harvests started
 * together) both switch it to WAL, and SQLite answers one of them "database
 * is locked" at once, busy timeout or not: the switch takes its lock
 * without waiting.  That one waits here instead, as long as the busy
 * timeout would have; once the file is in WAL mode the switch is a no-op.
 */
static int
set_wal(struct certstore *s, struct err *e)
{
	const struct timespec pause = { 0, 10 * 1000 * 1000 };
	int tries, rc = SQLITE_BUSY;

	for (tries = 0; tries < STORE_BUSY_MS / 10 && rc == SQLITE_BUSY; tries++) {
		rc = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		if (rc == SQLITE_BUSY)
			nanosleep(&pause, NULL);
	}
	return rc == SQLITE_OK ? 0 : store_db_fail(s, e, "cannot switch to WAL mode");
}

static int
schema_version(struct certstore *s)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

int
certstore_open(const char *data_dir, const char *gnupg_home,
	       struct certstore **out, struct err *e)
{
	struct certstore *s;
	int fd;

	*out = NULL;
	if (mkdir_private(data_dir, e) < 0)
		return -1;
	s = xcalloc(1, sizeof(*s));
	s->path = xasprintf("%s/certstore.db", data_dir);
	s->gnupg_home = gnupg_home ? xstrdup(gnupg_home) : NULL;
	/* Create the file 0600 ourselves; SQLite gives -wal and -shm the same mode. */
	fd = open(s->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_set(e, ERR_IO, "cannot open %s: %s", s->path, strerror(errno));
		goto fail;
	}
	close(fd);
	if (sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		store_db_fail(s, e, "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	if (set_wal(s, e) < 0 ||
	    exec(s, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;", e) < 0)
		goto fail;
	/* The schema is written once; later opens only read its version.  A
	 * store of an older version gets the tables it lacks (all are IF NOT
	 * EXISTS). */
	if (schema_version(s) != 4) {
		if (store_begin(s, e) < 0)
			goto fail;
		if (exec(s, schema, e) < 0) {
			store_rollback(s);
			goto fail;
		}
		if (store_commit(s, e) < 0)
			goto fail;
	}
	*out = s;
	return 0;
fail:
	certstore_close(&s);
	return -1;
}

void
certstore_close(struct certstore **sp)
{
	struct certstore *s = *sp;

	if (s == NULL)
		return;
	if (s->gpg)
		gpgme_release(s->gpg);
	if (s->db)
		sqlite3_close(s->db);
	free(s->path);
	free(s->gnupg_home);
	smime_engine_free(&s->eng);
	free(s);
	*sp = NULL;
}

char *
certstore_fpr_normalize(const char *fpr)
{
	char *out = xmalloc(strlen(fpr) + 1), *o = out;
	const char *p;

	for (p = fpr; *p; p++) {
		if (*p == ':' || *p == ' ')
			continue;
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
		      (*p >= 'A' && *p <= 'F'))) {
			free(out);
			return NULL;
		}
		*o++ = (*p >= 'a' && *p <= 'f') ? (char)(*p - 32) : *p;
	}
	*o = '\0';
	if (o - out != 40 && o - out != 64) {
		free(out);
		return NULL;
	}
	return out;
}

int
certstore_cert_by_fpr(struct certstore *s, const char *fpr,
		      struct certstore_cert **out, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (store_prepare(s, "SELECT der FROM certificates WHERE fpr_sha1 = ?", &st, e) < 0)
		return -1;
	store_bind_text(st, 1, fpr);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW &&
	    certstore_cert_parse(sqlite3_column_blob(st, 0),
				 (size_t)sqlite3_column_bytes(st, 0), out, e) < 0) {
		sqlite3_finalize(st);
		return err_prefix(e, "certificate store %s", s->path);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_db_fail(s, e, "cannot read the certificates");
}

void
certstore_message_key(const void *msg, size_t len, char out[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[32];
	size_t i;

	gnutls_hash_fast(GNUTLS_DIG_SHA256, msg, len, md);
	for (i = 0; i < 32; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[64] = '\0';
}

int
certstore_seen_get(struct certstore *s, const char *key, char **result,
		   struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (result)
		*result = NULL;
	if (store_prepare(s, "SELECT result FROM seen WHERE key = ?", &st, e) < 0)
		return -1;
	store_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && result)
		*result = store_col_strdup(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_db_fail(s, e, "cannot read the seen messages");
}

int
certstore_seen_put(struct certstore *s, const char *key, const char *message_id,
		   const char *result, time_t now, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (store_prepare(s, "INSERT OR REPLACE INTO seen (key, message_id, result, at)"
		    " VALUES (?,?,?,?)", &st, e) < 0)
		return -1;
	store_bind_text(st, 1, key);
	store_bind_text(st, 2, message_id);
	store_bind_text(st, 3, result);
	sqlite3_bind_int64(st, 4, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_db_fail(s, e, "cannot record a seen message");
	return 0;
}

int
certstore_seen_forget_untrusted(struct certstore *s, struct err *e)
{
	return exec(s, "DELETE FROM seen WHERE result LIKE '%untrusted%'", e);
}

/* ---------------------------------------------------------------- trust anchors */

int
certstore_anchor_put(struct certstore *s, const unsigned char *der, size_t len,
		     const char *origin, struct err *e)
{
	struct certstore_cert *c = NULL;
	sqlite3_stmt *st;
	int rc;

	if (certstore_cert_parse(der, len, &c, e) < 0)
		return -1;
	/* An anchor the person added stays theirs when trustlist.txt names it too. */
	if (store_prepare(s, "INSERT INTO anchors (fpr_sha1, der, origin, added) VALUES (?, ?, ?, ?)"
		    " ON CONFLICT (fpr_sha1) DO UPDATE SET der = excluded.der,"
		    " origin = CASE WHEN anchors.origin = 'trust-ca' THEN 'trust-ca'"
		    " ELSE excluded.origin END", &st, e) < 0) {
		certstore_cert_free(&c);
		return -1;
	}
	store_bind_text(st, 1, c->fpr_sha1);
	sqlite3_bind_blob(st, 2, c->der, (int)c->der_len, SQLITE_STATIC);
	store_bind_text(st, 3, origin);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	certstore_cert_free(&c);
	return rc == SQLITE_DONE ? 0 : store_db_fail(s, e, "cannot record a trust anchor");
}

/* The keybox file's identity, size and modification time: a listing of
 * the keybox is due again when it changes.  "" when there is none. */
static char *
keybox_stamp(const char *home)
{
	struct stat sb;
	char *path = xasprintf("%s/pubring.kbx", home ? home : ".");
	char *stamp;

	if (home == NULL || stat(path, &sb) < 0)
		stamp = xstrdup("");
	else
		stamp = xasprintf("%llu:%lld:%lld.%09ld", (unsigned long long)sb.st_ino,
				  (long long)sb.st_size, (long long)sb.st_mtim.tv_sec,
				  sb.st_mtim.tv_nsec);
	free(path);
	return stamp;
}

/* What the seeded anchors come from: the trustlist.txt text and the
 * keybox stamp; 1 found, 0 never seeded, -1 ERR_STORE. */
static int
seed_state(struct certstore *s, char **text, char **stamp, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	*text = NULL;
	*stamp = NULL;
	if (store_prepare(s, "SELECT trustlist, (SELECT stamp FROM anchor_keybox WHERE id = 1)"
		    " FROM anchor_seed WHERE id = 1", &st, e) < 0)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*text = store_col_strdup(st, 0);
		*stamp = store_col_strdup(st, 1);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return *text && *stamp ? 1 : 0;
	return rc == SQLITE_DONE ? 0 : store_db_fail(s, e, "cannot read the trust anchors");
}

static int
reseed(struct certstore *s, const char *stamp, struct err *e)
{
	unsigned char **ders = NULL;
	size_t *lens = NULL, n = 0, i;
	char *text = NULL;
	sqlite3_stmt *st;
	int rc = -1;

	if (smime_anchors_seed(s->gnupg_home, &ders, &lens, &n, &text, e) < 0)
		return -1;
	if (store_begin(s, e) < 0)
		goto out;
	if (exec(s, "DELETE FROM anchors WHERE origin = 'trustlist'", e) < 0)
		goto fail;
	for (i = 0; i < n; i++)
		if (certstore_anchor_put(s, ders[i], lens[i], "trustlist", e) < 0)
			goto fail;
	if (store_prepare(s, "INSERT OR REPLACE INTO anchor_seed (id, trustlist, at) VALUES (1, ?, ?)",
		    &st, e) < 0)
		goto fail;
	store_bind_text(st, 1, text ? text : "");
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	i = (size_t)sqlite3_step(st);
	sqlite3_finalize(st);
	if (i != SQLITE_DONE) {
		store_db_fail(s, e, "cannot record the trust anchors");
		goto fail;
	}
	if (store_prepare(s, "INSERT OR REPLACE INTO anchor_keybox (id, stamp) VALUES (1, ?)",
		    &st, e) < 0)
		goto fail;
	store_bind_text(st, 1, stamp);
	i = (size_t)sqlite3_step(st);
	sqlite3_finalize(st);
	if (i != SQLITE_DONE) {
		store_db_fail(s, e, "cannot record the trust anchors");
		goto fail;
	}
	rc = store_commit(s, e);
	goto out;
fail:
	store_rollback(s);
out:
	smime_anchors_free(ders, lens, n);
	free(text);
	return rc;
}

int
certstore_anchors(struct certstore *s, unsigned char ***dersp, size_t **lensp,
		  size_t *np, struct err *e)
{
	unsigned char **ders = NULL;
	size_t *lens = NULL, n = 0;
	struct buf now = BUF_INIT;
	const char *home = s->gnupg_home;
	char *path, *seeded = NULL, *seeded_stamp = NULL, *stamp;
	sqlite3_stmt *st;
	struct err fe;
	int r;

	*dersp = NULL;
	*lensp = NULL;
	*np = 0;
	if (home == NULL) {
		gpgme_check_version(NULL);	/* before GPGME answers anything */
		home = gpgme_get_dirinfo("homedir");
	}
	path = home ? xasprintf("%s/trustlist.txt", home) : NULL;
	if (path == NULL || file_read(path, 1 << 20, &now, &fe) < 0)
		buf_reset(&now);
	free(path);
	/* Stamped before the listing: a keybox written meanwhile is listed
	 * again next time. */
	stamp = keybox_stamp(home);
	r = seed_state(s, &seeded, &seeded_stamp, e);
	if (r == 1 && (strcmp(seeded, now.data ? now.data : "") != 0 ||
		       strcmp(seeded_stamp, stamp) != 0))
		r = 0;
	if (r == 0)
		r = reseed(s, stamp, e);
	free(seeded);
	free(seeded_stamp);
	free(stamp);
	buf_release(&now);
	if (r < 0)
		return -1;
	if (store_prepare(s, "SELECT der FROM anchors ORDER BY fpr_sha1", &st, e) < 0)
		return -1;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		size_t len = (size_t)sqlite3_column_bytes(st, 0);

		ders = xrealloc(ders, (n + 1) * sizeof *ders);
		lens = xrealloc(lens, (n + 1) * sizeof *lens);
		ders[n] = xmalloc(len ? len : 1);
		memcpy(ders[n], sqlite3_column_blob(st, 0), len);
		lens[n++] = len;
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		smime_anchors_free(ders, lens, n);
		return store_db_fail(s, e, "cannot read the trust anchors");
	}
	*dersp = ders;
	*lensp = lens;
	*np = n;
	return 0;
}

int
certstore_give_anchors(struct certstore *s, struct smime_engine *eng, struct err *e)
{
	unsigned char **ders = NULL;
	size_t *lens = NULL, n = 0;
	int rc;

	sqlite3_stmt *st = NULL;

	if (certstore_anchors(s, &ders, &lens, &n, e) < 0)
		return -1;
	rc = smime_engine_set_anchors(eng, (const unsigned char *const *)ders, lens, n, e);
	smime_anchors_free(ders, lens, n);
	if (rc < 0)
		return -1;
	/* The certificates of trusted bindings: a signer whose message leaves
	 * out its certificate (RFC 5652 allows it) is found among them.  One
	 * that cannot be read is skipped. */
	if (store_prepare(s, "SELECT DISTINCT c.der FROM certificates c JOIN bindings b "
			  "ON b.fpr_sha1 = c.fpr_sha1 WHERE b.state = 'trusted'", &st, e) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		smime_engine_add_cert(eng, sqlite3_column_blob(st, 0),
				      (size_t)sqlite3_column_bytes(st, 0), NULL);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_db_fail(s, e, "cannot read the certificates of trusted bindings");
	return 0;
}
