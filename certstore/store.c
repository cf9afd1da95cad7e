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
	"PRAGMA user_version = 3;";

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

static enum certstore_state
state_parse(const char *s)
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

static int
db_fail(struct certstore *s, struct err *e, const char *what)
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

static int
prepare(struct certstore *s, const char *sql, sqlite3_stmt **st, struct err *e)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_fail(s, e, "cannot prepare a query");
	return 0;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static char *
col_strdup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? xstrdup((const char *)t) : NULL;
}

static int
begin(struct certstore *s, struct err *e)
{
	return exec(s, "BEGIN IMMEDIATE", e);
}

static int
commit(struct certstore *s, struct err *e)
{
	return exec(s, "COMMIT", e);
}

static void
rollback(struct certstore *s)
{
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* mkdir -p with 0700 for the directories it creates. */
static int
make_dirs(const char *dir, struct err *e)
{
	char *p = xstrdup(dir), *q;
	int rc = 0;

	for (q = p + 1;; q++) {
		if (*q == '/' || *q == '\0') {
			char c = *q;

			*q = '\0';
			if (mkdir(p, 0700) != 0 && errno != EEXIST) {
				rc = err_set(e, ERR_IO, "cannot create %s: %s", p,
					     strerror(errno));
				break;
			}
			*q = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return rc;
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
	return rc == SQLITE_OK ? 0 : db_fail(s, e, "cannot switch to WAL mode");
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
	if (make_dirs(data_dir, e) < 0)
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
		db_fail(s, e, "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	if (set_wal(s, e) < 0 ||
	    exec(s, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;", e) < 0)
		goto fail;
	/* The schema is written once; later opens only read its version.  A
	 * store of an older version gets the tables it lacks (all are IF NOT
	 * EXISTS). */
	if (schema_version(s) != 3) {
		if (begin(s, e) < 0)
			goto fail;
		if (exec(s, schema, e) < 0) {
			rollback(s);
			goto fail;
		}
		if (commit(s, e) < 0)
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
	free(s->memo);
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

static int
insert_cert(struct certstore *s, const struct certstore_cert *c, time_t now,
	    struct err *e)
{
	sqlite3_stmt *st;
	struct buf emails = BUF_INIT;
	size_t i;
	int rc;

	if (prepare(s, "INSERT OR IGNORE INTO certificates (fpr_sha1, fpr_sha256,"
		    " der, subject, issuer, serial, not_before, not_after, emails,"
		    " added) VALUES (?,?,?,?,?,?,?,?,?,?)", &st, e) < 0)
		return -1;
	for (i = 0; i < c->n_emails; i++)
		buf_addf(&emails, "%s%s", i ? " " : "", c->emails[i]);
	sqlite3_bind_text(st, 1, c->fpr_sha1, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->fpr_sha256, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, c->der, (int)c->der_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, c->issuer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, c->serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, c->not_before);
	sqlite3_bind_int64(st, 8, c->not_after);
	sqlite3_bind_text(st, 9, emails.data ? emails.data : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	buf_release(&emails);
	if (rc != SQLITE_DONE)
		return db_fail(s, e, "cannot record the certificate");
	return 0;
}

static int
add_history(struct certstore *s, time_t now, const char *address,
	    const char *fpr, const char *action, const char *old_state,
	    const char *new_state, const char *why, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (prepare(s, "INSERT INTO history (at, address, fpr_sha1, action,"
		    " old_state, new_state, why) VALUES (?,?,?,?,?,?,?)", &st, e) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	bind_text(st, 2, address);
	bind_text(st, 3, fpr);
	bind_text(st, 4, action);
	bind_text(st, 5, old_state);
	bind_text(st, 6, new_state);
	bind_text(st, 7, why);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(s, e, "cannot write the history");
	return 0;
}

static int
set_state(struct certstore *s, const char *address, const char *fpr,
	  enum certstore_state state, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (prepare(s, "UPDATE bindings SET state = ? WHERE address = ? AND"
		    " fpr_sha1 = ?", &st, e) < 0)
		return -1;
	sqlite3_bind_text(st, 1, certstore_state_name(state), -1, SQLITE_STATIC);
	bind_text(st, 2, address);
	bind_text(st, 3, fpr);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(s, e, "cannot change a binding");
	return 0;
}

/* The newest trusted certificate of address other than fpr, for the renewal rule. */
struct current {
	bool found;
	char fpr[41];
	char *subject, *issuer;
	time_t not_after;
};

static int
current_trusted(struct certstore *s, const char *address, const char *fpr,
		struct current *cur, struct err *e)
{
	sqlite3_stmt *st;
	const unsigned char *t;
	int rc;

	memset(cur, 0, sizeof(*cur));
	if (prepare(s, "SELECT c.fpr_sha1, c.subject, c.issuer, c.not_after"
		    " FROM bindings b JOIN certificates c USING (fpr_sha1)"
		    " WHERE b.address = ? AND b.state = 'trusted' AND b.fpr_sha1 != ?"
		    " ORDER BY c.not_after DESC LIMIT 1", &st, e) < 0)
		return -1;
	bind_text(st, 1, address);
	bind_text(st, 2, fpr);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		cur->found = true;
		t = sqlite3_column_text(st, 0);
		snprintf(cur->fpr, sizeof(cur->fpr), "%s", t ? (const char *)t : "");
		cur->subject = col_strdup(st, 1);
		cur->issuer = col_strdup(st, 2);
		cur->not_after = (time_t)sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(s, e, "cannot read the bindings");
	return 0;
}

int
certstore_bind(struct certstore *s, const char *address_in,
	       const struct certstore_cert *c, enum certstore_mode mode,
	       const struct certstore_origin *o, time_t now,
	       enum certstore_state *state_out, enum certstore_change *change_out,
	       struct err *e)
{
	sqlite3_stmt *st = NULL;
	struct current cur = { 0 };
	enum certstore_state state;
	enum certstore_change change;
	const char *action;
	char *address, *why = NULL;
	int rc = -1, step;

	address = certstore_address_normalize(address_in);
	if (address == NULL)
		return err_set(e, ERR_INPUT, "'%s' is not a mail address", address_in);
	if (begin(s, e) < 0)
		goto out;
	if (insert_cert(s, c, now, e) < 0)
		goto fail;
	if (prepare(s, "SELECT state FROM bindings WHERE address = ? AND fpr_sha1 = ?",
		    &st, e) < 0)
		goto fail;
	bind_text(st, 1, address);
	bind_text(st, 2, c->fpr_sha1);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		state = state_parse((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		st = NULL;
		change = CERTSTORE_CHANGE_KNOWN;
		if (prepare(s, "UPDATE bindings SET last_seen = max(last_seen, ?)"
			    " WHERE address = ? AND fpr_sha1 = ?", &st, e) < 0)
			goto fail;
		sqlite3_bind_int64(st, 1, now);
		bind_text(st, 2, address);
		bind_text(st, 3, c->fpr_sha1);
		if (sqlite3_step(st) != SQLITE_DONE) {
			db_fail(s, e, "cannot update a binding");
			goto fail;
		}
		goto done;
	}
	if (step != SQLITE_DONE) {
		db_fail(s, e, "cannot read the bindings");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;

	if (current_trusted(s, address, c->fpr_sha1, &cur, e) < 0)
		goto fail;
	if (!cur.found) {
		state = mode == CERTSTORE_MODE_ASK ? CERTSTORE_PENDING : CERTSTORE_TRUSTED;
		change = CERTSTORE_CHANGE_NEW;
		action = o && o->source ? o->source : "harvest";
		why = xasprintf("%s%s%s", o && o->file ? "from " : "",
				o && o->file ? o->file : "",
				mode == CERTSTORE_MODE_ASK ? " (policy: ask)" : "");
	} else if (strcmp(cur.subject, c->subject) == 0 &&
		   strcmp(cur.issuer, c->issuer) == 0 &&
		   cur.not_after - now <= CERTSTORE_RENEWAL_WINDOW &&
		   c->not_after > cur.not_after) {
		state = mode == CERTSTORE_MODE_ASK ? CERTSTORE_PENDING : CERTSTORE_TRUSTED;
		change = CERTSTORE_CHANGE_RENEWAL;
		action = "renewal";
		why = xasprintf("renews %s (same subject and issuer, %s)", cur.fpr,
				cur.not_after < now ? "expired" : "expiring within 30 days");
	} else {
		state = CERTSTORE_CONFLICT;
		change = CERTSTORE_CHANGE_CONFLICT;
		action = "conflict";
		why = xasprintf("differs from trusted %s%s%s", cur.fpr,
				o && o->file ? "; from " : "", o && o->file ? o->file : "");
	}
	if (prepare(s, "INSERT INTO bindings (address, fpr_sha1, state, first_seen,"
		    " last_seen, message_id, message_date, source)"
		    " VALUES (?,?,?,?,?,?,?,?)", &st, e) < 0)
		goto fail;
	bind_text(st, 1, address);
	bind_text(st, 2, c->fpr_sha1);
	bind_text(st, 3, certstore_state_name(state));
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, now);
	bind_text(st, 6, o ? o->message_id : NULL);
	bind_text(st, 7, o ? o->date : NULL);
	bind_text(st, 8, o && o->source ? o->source : "harvest");
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_fail(s, e, "cannot add a binding");
		goto fail;
	}
	if (add_history(s, now, address, c->fpr_sha1, action, NULL,
			certstore_state_name(state), why, e) < 0)
		goto fail;
done:
	sqlite3_finalize(st);
	st = NULL;
	if (commit(s, e) < 0)
		goto fail;
	if (state_out)
		*state_out = state;
	if (change_out)
		*change_out = change;
	rc = 0;
	goto out;
fail:
	sqlite3_finalize(st);
	rollback(s);
out:
	free(cur.subject);
	free(cur.issuer);
	free(why);
	free(address);
	return rc;
}

/* The SHA-1 fingerprint the store knows for fpr (SHA-1 or SHA-256). */
static int
resolve_fpr(struct certstore *s, const char *fpr_in, char out[41], struct err *e)
{
	sqlite3_stmt *st;
	char *fpr = certstore_fpr_normalize(fpr_in);
	int rc;

	if (fpr == NULL)
		return err_set(e, ERR_USAGE, "'%s' is not a SHA-1 or SHA-256 "
			       "fingerprint", fpr_in);
	if (prepare(s, "SELECT fpr_sha1 FROM certificates WHERE fpr_sha1 = ?1"
		    " OR fpr_sha256 = ?1", &st, e) < 0) {
		free(fpr);
		return -1;
	}
	bind_text(st, 1, fpr);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(out, 41, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	free(fpr);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_USAGE, "no certificate %s in the store", fpr_in);
	return db_fail(s, e, "cannot read the certificates");
}

struct addr_state {
	char *address;
	enum certstore_state state;
};

static int
bindings_of(struct certstore *s, const char *fpr, struct addr_state **out,
	    size_t *n, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if (prepare(s, "SELECT address, state FROM bindings WHERE fpr_sha1 = ?",
		    &st, e) < 0)
		return -1;
	bind_text(st, 1, fpr);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[*n].address = col_strdup(st, 0);
		(*out)[*n].state = state_parse((const char *)sqlite3_column_text(st, 1));
		(*n)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(s, e, "cannot read the bindings");
	return 0;
}

static void
addr_states_free(struct addr_state *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].address);
	free(v);
}

/* The person chose fpr for address: its other trusted certificates go. */
static int
revoke_others(struct certstore *s, const char *address, const char *fpr,
	      time_t now, struct err *e)
{
	sqlite3_stmt *st;
	char **others = NULL, *why;
	size_t n = 0, i;
	int rc;

	if (prepare(s, "SELECT fpr_sha1 FROM bindings WHERE address = ? AND"
		    " fpr_sha1 != ? AND state = 'trusted'", &st, e) < 0)
		return -1;
	bind_text(st, 1, address);
	bind_text(st, 2, fpr);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		others = xrealloc(others, (n + 1) * sizeof(*others));
		others[n++] = col_strdup(st, 0);
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? 0 : db_fail(s, e, "cannot read the bindings");
	why = xasprintf("replaced by %s, chosen by the user", fpr);
	for (i = 0; i < n; i++) {
		if (rc == 0)
			rc = set_state(s, address, others[i], CERTSTORE_REVOKED, e);
		if (rc == 0)
			rc = add_history(s, now, address, others[i], "trust", "trusted",
					 "revoked-by-user", why, e);
		free(others[i]);
	}
	free(others);
	free(why);
	return rc;
}

static int
decide(struct certstore *s, const char *fpr_in, bool trust, time_t now,
       size_t *count, struct err *e)
{
	struct addr_state *v = NULL;
	enum certstore_state to = trust ? CERTSTORE_TRUSTED : CERTSTORE_REVOKED;
	char fpr[41];
	size_t n = 0, i;

	*count = 0;
	if (begin(s, e) < 0)
		return -1;
	if (resolve_fpr(s, fpr_in, fpr, e) < 0 || bindings_of(s, fpr, &v, &n, e) < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		if (v[i].state == to)
			continue;
		if (trust && v[i].state == CERTSTORE_CONFLICT &&
		    revoke_others(s, v[i].address, fpr, now, e) < 0)
			goto fail;
		if (set_state(s, v[i].address, fpr, to, e) < 0 ||
		    add_history(s, now, v[i].address, fpr, trust ? "trust" : "remove",
				certstore_state_name(v[i].state),
				certstore_state_name(to), "decided by the user", e) < 0)
			goto fail;
		(*count)++;
	}
	if (commit(s, e) < 0)
		goto fail;
	addr_states_free(v, n);
	return 0;
fail:
	rollback(s);
	addr_states_free(v, n);
	return -1;
}

int
certstore_trust(struct certstore *s, const char *fpr, time_t now, size_t *count,
		struct err *e)
{
	return decide(s, fpr, true, now, count, e);
}

int
certstore_remove(struct certstore *s, const char *fpr, time_t now, size_t *count,
		 struct err *e)
{
	return decide(s, fpr, false, now, count, e);
}

/* WHERE clause and its argument for a list filter (address or fingerprint). */
static const char *
filter_clause(const char *filter, char **arg)
{
	*arg = NULL;
	if (filter == NULL)
		return "";
	if (strchr(filter, '@')) {
		*arg = certstore_address_normalize(filter);
		if (*arg == NULL)
			*arg = xstrdup(filter);
		return " WHERE b.address = ?1";
	}
	*arg = certstore_fpr_normalize(filter);
	if (*arg == NULL)
		*arg = xstrdup(filter);
	return " WHERE c.fpr_sha1 = ?1 OR c.fpr_sha256 = ?1";
}

int
certstore_list(struct certstore *s, const char *filter,
	       struct certstore_binding **out, size_t *n, struct err *e)
{
	sqlite3_stmt *st;
	struct certstore_binding *b;
	char *arg, *sql;
	const char *where;
	int rc;

	*out = NULL;
	*n = 0;
	where = filter_clause(filter, &arg);
	sql = xasprintf("SELECT b.address, b.state, b.first_seen, b.last_seen,"
			" b.message_id, b.message_date, b.source, c.der"
			" FROM bindings b JOIN certificates c USING (fpr_sha1)%s"
			" ORDER BY b.address, c.not_before DESC", where);
	rc = prepare(s, sql, &st, e);
	free(sql);
	if (rc < 0) {
		free(arg);
		return -1;
	}
	if (arg)
		bind_text(st, 1, arg);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		b = &(*out)[*n];
		memset(b, 0, sizeof(*b));
		(*n)++;
		b->address = col_strdup(st, 0);
		b->state = state_parse((const char *)sqlite3_column_text(st, 1));
		b->first_seen = (time_t)sqlite3_column_int64(st, 2);
		b->last_seen = (time_t)sqlite3_column_int64(st, 3);
		b->message_id = col_strdup(st, 4);
		b->message_date = col_strdup(st, 5);
		b->source = col_strdup(st, 6);
		if (certstore_cert_parse(sqlite3_column_blob(st, 7),
					 (size_t)sqlite3_column_bytes(st, 7),
					 &b->cert, e) < 0) {
			rc = SQLITE_CORRUPT;
			break;
		}
	}
	sqlite3_finalize(st);
	free(arg);
	if (rc != SQLITE_DONE) {
		certstore_bindings_free(out, *n);
		*n = 0;
		if (rc == SQLITE_CORRUPT)
			return err_prefix(e, "certificate store %s", s->path);
		return db_fail(s, e, "cannot read the bindings");
	}
	return 0;
}

void
certstore_bindings_free(struct certstore_binding **v, size_t n)
{
	size_t i;

	if (*v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free((*v)[i].address);
		free((*v)[i].message_id);
		free((*v)[i].message_date);
		free((*v)[i].source);
		certstore_cert_free(&(*v)[i].cert);
	}
	free(*v);
	*v = NULL;
}

int
certstore_history_list(struct certstore *s, const char *filter,
		       struct certstore_history **out, size_t *n, struct err *e)
{
	sqlite3_stmt *st;
	struct certstore_history *h;
	char *arg = NULL;
	const char *sql;
	int rc;

	*out = NULL;
	*n = 0;
	if (filter && strchr(filter, '@')) {
		arg = certstore_address_normalize(filter);
		sql = "SELECT at, address, fpr_sha1, action, old_state, new_state, why"
		      " FROM history WHERE address = ?1 ORDER BY id";
	} else if (filter) {
		arg = certstore_fpr_normalize(filter);
		sql = "SELECT h.at, h.address, h.fpr_sha1, h.action, h.old_state,"
		      " h.new_state, h.why FROM history h"
		      " LEFT JOIN certificates c USING (fpr_sha1)"
		      " WHERE h.fpr_sha1 = ?1 OR c.fpr_sha256 = ?1 ORDER BY h.id";
	} else {
		sql = "SELECT at, address, fpr_sha1, action, old_state, new_state, why"
		      " FROM history ORDER BY id";
	}
	if (filter && arg == NULL)
		arg = xstrdup(filter);
	if (prepare(s, sql, &st, e) < 0) {
		free(arg);
		return -1;
	}
	if (arg)
		bind_text(st, 1, arg);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		h = &(*out)[(*n)++];
		h->at = (time_t)sqlite3_column_int64(st, 0);
		h->address = col_strdup(st, 1);
		h->fpr_sha1 = col_strdup(st, 2);
		h->action = col_strdup(st, 3);
		h->old_state = col_strdup(st, 4);
		h->new_state = col_strdup(st, 5);
		h->why = col_strdup(st, 6);
	}
	sqlite3_finalize(st);
	free(arg);
	if (rc != SQLITE_DONE) {
		certstore_history_free(out, *n);
		*n = 0;
		return db_fail(s, e, "cannot read the history");
	}
	return 0;
}

void
certstore_history_free(struct certstore_history **v, size_t n)
{
	size_t i;

	if (*v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free((*v)[i].address);
		free((*v)[i].fpr_sha1);
		free((*v)[i].action);
		free((*v)[i].old_state);
		free((*v)[i].new_state);
		free((*v)[i].why);
	}
	free(*v);
	*v = NULL;
}

static bool
usable_for_encryption(const struct certstore_cert *c)
{
	return (!c->has_key_usage || c->ku_encrypt) && (!c->has_eku || c->eku_email);
}

int
certstore_choose(struct certstore *s, const char *address, time_t now,
		 struct certstore_choice *choice, struct err *e)
{
	struct certstore_binding *v = NULL, *best = NULL, *conflict = NULL;
	bool any_trusted = false, any_valid = false, any_pending = false;
	char *norm;
	size_t n = 0, i;

	memset(choice, 0, sizeof(*choice));
	norm = certstore_address_normalize(address);
	if (norm == NULL) {
		choice->why = CERTSTORE_NONE_NO_CERT;
		choice->detail = xasprintf("'%s' is not a mail address", address);
		return 0;
	}
	if (certstore_list(s, norm, &v, &n, e) < 0) {
		free(norm);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct certstore_cert *c = v[i].cert;

		switch (v[i].state) {
		case CERTSTORE_CONFLICT:
			if (conflict == NULL)
				conflict = &v[i];
			break;
		case CERTSTORE_PENDING:
			any_pending = true;
			break;
		case CERTSTORE_REVOKED:
			break;
		case CERTSTORE_TRUSTED:
			any_trusted = true;
			if (now < c->not_before || now > c->not_after)
				break;
			any_valid = true;
			if (!usable_for_encryption(c))
				break;
			if (best == NULL || c->not_before > best->cert->not_before ||
			    (c->not_before == best->cert->not_before &&
			     c->not_after > best->cert->not_after))
				best = &v[i];
			break;
		}
	}
	if (conflict) {
		choice->why = CERTSTORE_NONE_CONFLICT;
		choice->detail = xasprintf("a different certificate (%s) for %s "
			"conflicts with the one trusted before and waits for your "
			"decision: see 'cachet certs show %s', then 'cachet certs "
			"trust %s' or 'cachet certs remove %s'",
			conflict->cert->fpr_sha1, norm, norm,
			conflict->cert->fpr_sha1, conflict->cert->fpr_sha1);
	} else if (best) {
		choice->found = true;
		choice->cert = best->cert;
		best->cert = NULL;
	} else if (any_valid) {
		choice->why = CERTSTORE_NONE_UNUSABLE;
		choice->detail = xasprintf("the certificate for %s does not allow "
					   "encryption (key usage)", norm);
	} else if (any_trusted) {
		choice->why = CERTSTORE_NONE_EXPIRED;
		choice->detail = xasprintf("the certificate for %s has expired (or "
					   "is not valid yet)", norm);
	} else if (any_pending) {
		choice->why = CERTSTORE_NONE_PENDING;
		choice->detail = xasprintf("the certificate for %s waits for your "
			"decision (policy harvest = ask): see 'cachet certs show %s'",
			norm, norm);
	} else if (n > 0) {
		choice->why = CERTSTORE_NONE_REVOKED;
		choice->detail = xasprintf("you removed the certificate for %s",
					   norm);
	} else {
		choice->why = CERTSTORE_NONE_NO_CERT;
		choice->detail = xasprintf("no certificate for %s: harvest one from "
			"a signed message ('cachet harvest') or import it "
			"('cachet certs import')", norm);
	}
	certstore_bindings_free(&v, n);
	free(norm);
	return 0;
}

void
certstore_choice_release(struct certstore_choice *c)
{
	certstore_cert_free(&c->cert);
	free(c->detail);
	memset(c, 0, sizeof(*c));
}

int
certstore_cert_by_fpr(struct certstore *s, const char *fpr,
		      struct certstore_cert **out, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (prepare(s, "SELECT der FROM certificates WHERE fpr_sha1 = ?", &st, e) < 0)
		return -1;
	bind_text(st, 1, fpr);
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
	return db_fail(s, e, "cannot read the certificates");
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
	if (prepare(s, "SELECT result FROM seen WHERE key = ?", &st, e) < 0)
		return -1;
	bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && result)
		*result = col_strdup(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_fail(s, e, "cannot read the seen messages");
}

int
certstore_seen_put(struct certstore *s, const char *key, const char *message_id,
		   const char *result, time_t now, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (prepare(s, "INSERT OR REPLACE INTO seen (key, message_id, result, at)"
		    " VALUES (?,?,?,?)", &st, e) < 0)
		return -1;
	bind_text(st, 1, key);
	bind_text(st, 2, message_id);
	bind_text(st, 3, result);
	sqlite3_bind_int64(st, 4, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(s, e, "cannot record a seen message");
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
	if (prepare(s, "INSERT INTO anchors (fpr_sha1, der, origin, added) VALUES (?, ?, ?, ?)"
		    " ON CONFLICT (fpr_sha1) DO UPDATE SET der = excluded.der,"
		    " origin = CASE WHEN anchors.origin = 'trust-ca' THEN 'trust-ca'"
		    " ELSE excluded.origin END", &st, e) < 0) {
		certstore_cert_free(&c);
		return -1;
	}
	bind_text(st, 1, c->fpr_sha1);
	sqlite3_bind_blob(st, 2, c->der, (int)c->der_len, SQLITE_STATIC);
	bind_text(st, 3, origin);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	certstore_cert_free(&c);
	return rc == SQLITE_DONE ? 0 : db_fail(s, e, "cannot record a trust anchor");
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
	if (prepare(s, "SELECT trustlist, (SELECT stamp FROM anchor_keybox WHERE id = 1)"
		    " FROM anchor_seed WHERE id = 1", &st, e) < 0)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*text = col_strdup(st, 0);
		*stamp = col_strdup(st, 1);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return *text && *stamp ? 1 : 0;
	return rc == SQLITE_DONE ? 0 : db_fail(s, e, "cannot read the trust anchors");
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
	if (begin(s, e) < 0)
		goto out;
	if (exec(s, "DELETE FROM anchors WHERE origin = 'trustlist'", e) < 0)
		goto fail;
	for (i = 0; i < n; i++)
		if (certstore_anchor_put(s, ders[i], lens[i], "trustlist", e) < 0)
			goto fail;
	if (prepare(s, "INSERT OR REPLACE INTO anchor_seed (id, trustlist, at) VALUES (1, ?, ?)",
		    &st, e) < 0)
		goto fail;
	bind_text(st, 1, text ? text : "");
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	i = (size_t)sqlite3_step(st);
	sqlite3_finalize(st);
	if (i != SQLITE_DONE) {
		db_fail(s, e, "cannot record the trust anchors");
		goto fail;
	}
	if (prepare(s, "INSERT OR REPLACE INTO anchor_keybox (id, stamp) VALUES (1, ?)",
		    &st, e) < 0)
		goto fail;
	bind_text(st, 1, stamp);
	i = (size_t)sqlite3_step(st);
	sqlite3_finalize(st);
	if (i != SQLITE_DONE) {
		db_fail(s, e, "cannot record the trust anchors");
		goto fail;
	}
	rc = commit(s, e);
	goto out;
fail:
	rollback(s);
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
	if (prepare(s, "SELECT der FROM anchors ORDER BY fpr_sha1", &st, e) < 0)
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
		return db_fail(s, e, "cannot read the trust anchors");
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

	if (certstore_anchors(s, &ders, &lens, &n, e) < 0)
		return -1;
	rc = smime_engine_set_anchors(eng, (const unsigned char *const *)ders, lens, n, e);
	smime_anchors_free(ders, lens, n);
	return rc;
}
