/*
 * bindings.c — what the store knows about addresses: binding a
 * certificate to an address (and the history of every change), the
 * person's trust and removal decisions, the listings, and the choice of
 * the certificate to encrypt to.  The database itself (schema, opening,
 * the query helpers) is store.c's.
 */
#include "certstore/store_p.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static int
insert_cert(struct certstore *s, const struct certstore_cert *c, time_t now,
	    struct err *e)
{
	sqlite3_stmt *st;
	struct buf emails = BUF_INIT;
	size_t i;
	int rc;

	if (store_prepare(s, "INSERT OR IGNORE INTO certificates (fpr_sha1, fpr_sha256,"
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
		return store_db_fail(s, e, "cannot record the certificate");
	return 0;
}

static int
add_history(struct certstore *s, time_t now, const char *address,
	    const char *fpr, const char *action, const char *old_state,
	    const char *new_state, const char *why, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (store_prepare(s, "INSERT INTO history (at, address, fpr_sha1, action,"
		    " old_state, new_state, why) VALUES (?,?,?,?,?,?,?)", &st, e) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	store_bind_text(st, 2, address);
	store_bind_text(st, 3, fpr);
	store_bind_text(st, 4, action);
	store_bind_text(st, 5, old_state);
	store_bind_text(st, 6, new_state);
	store_bind_text(st, 7, why);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_db_fail(s, e, "cannot write the history");
	return 0;
}

static int
set_state(struct certstore *s, const char *address, const char *fpr,
	  enum certstore_state state, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (store_prepare(s, "UPDATE bindings SET state = ? WHERE address = ? AND"
		    " fpr_sha1 = ?", &st, e) < 0)
		return -1;
	sqlite3_bind_text(st, 1, certstore_state_name(state), -1, SQLITE_STATIC);
	store_bind_text(st, 2, address);
	store_bind_text(st, 3, fpr);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_db_fail(s, e, "cannot change a binding");
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
	if (store_prepare(s, "SELECT c.fpr_sha1, c.subject, c.issuer, c.not_after"
		    " FROM bindings b JOIN certificates c USING (fpr_sha1)"
		    " WHERE b.address = ? AND b.state = 'trusted' AND b.fpr_sha1 != ?"
		    " ORDER BY c.not_after DESC LIMIT 1", &st, e) < 0)
		return -1;
	store_bind_text(st, 1, address);
	store_bind_text(st, 2, fpr);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		cur->found = true;
		t = sqlite3_column_text(st, 0);
		snprintf(cur->fpr, sizeof(cur->fpr), "%s", t ? (const char *)t : "");
		cur->subject = store_col_strdup(st, 1);
		cur->issuer = store_col_strdup(st, 2);
		cur->not_after = (time_t)sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_db_fail(s, e, "cannot read the bindings");
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
	if (store_begin(s, e) < 0)
		goto out;
	if (insert_cert(s, c, now, e) < 0)
		goto fail;
	if (store_prepare(s, "SELECT state FROM bindings WHERE address = ? AND fpr_sha1 = ?",
		    &st, e) < 0)
		goto fail;
	store_bind_text(st, 1, address);
	store_bind_text(st, 2, c->fpr_sha1);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		state = store_state_parse((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		st = NULL;
		change = CERTSTORE_CHANGE_KNOWN;
		if (store_prepare(s, "UPDATE bindings SET last_seen = max(last_seen, ?)"
			    " WHERE address = ? AND fpr_sha1 = ?", &st, e) < 0)
			goto fail;
		sqlite3_bind_int64(st, 1, now);
		store_bind_text(st, 2, address);
		store_bind_text(st, 3, c->fpr_sha1);
		if (sqlite3_step(st) != SQLITE_DONE) {
			store_db_fail(s, e, "cannot update a binding");
			goto fail;
		}
		goto done;
	}
	if (step != SQLITE_DONE) {
		store_db_fail(s, e, "cannot read the bindings");
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
	if (store_prepare(s, "INSERT INTO bindings (address, fpr_sha1, state, first_seen,"
		    " last_seen, message_id, message_date, source)"
		    " VALUES (?,?,?,?,?,?,?,?)", &st, e) < 0)
		goto fail;
	store_bind_text(st, 1, address);
	store_bind_text(st, 2, c->fpr_sha1);
	store_bind_text(st, 3, certstore_state_name(state));
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, now);
	store_bind_text(st, 6, o ? o->message_id : NULL);
	store_bind_text(st, 7, o ? o->date : NULL);
	store_bind_text(st, 8, o && o->source ? o->source : "harvest");
	if (sqlite3_step(st) != SQLITE_DONE) {
		store_db_fail(s, e, "cannot add a binding");
		goto fail;
	}
	if (add_history(s, now, address, c->fpr_sha1, action, NULL,
			certstore_state_name(state), why, e) < 0)
		goto fail;
done:
	sqlite3_finalize(st);
	st = NULL;
	if (store_commit(s, e) < 0)
		goto fail;
	if (state_out)
		*state_out = state;
	if (change_out)
		*change_out = change;
	rc = 0;
	goto out;
fail:
	sqlite3_finalize(st);
	store_rollback(s);
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
	if (store_prepare(s, "SELECT fpr_sha1 FROM certificates WHERE fpr_sha1 = ?1"
		    " OR fpr_sha256 = ?1", &st, e) < 0) {
		free(fpr);
		return -1;
	}
	store_bind_text(st, 1, fpr);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(out, 41, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	free(fpr);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_USAGE, "no certificate %s in the store", fpr_in);
	return store_db_fail(s, e, "cannot read the certificates");
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
	if (store_prepare(s, "SELECT address, state FROM bindings WHERE fpr_sha1 = ?",
		    &st, e) < 0)
		return -1;
	store_bind_text(st, 1, fpr);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[*n].address = store_col_strdup(st, 0);
		(*out)[*n].state = store_state_parse((const char *)sqlite3_column_text(st, 1));
		(*n)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_db_fail(s, e, "cannot read the bindings");
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

	if (store_prepare(s, "SELECT fpr_sha1 FROM bindings WHERE address = ? AND"
		    " fpr_sha1 != ? AND state = 'trusted'", &st, e) < 0)
		return -1;
	store_bind_text(st, 1, address);
	store_bind_text(st, 2, fpr);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		others = xrealloc(others, (n + 1) * sizeof(*others));
		others[n++] = store_col_strdup(st, 0);
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? 0 : store_db_fail(s, e, "cannot read the bindings");
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
	if (store_begin(s, e) < 0)
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
	if (store_commit(s, e) < 0)
		goto fail;
	addr_states_free(v, n);
	return 0;
fail:
	store_rollback(s);
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
			" b.message_id, b.message_date, b.source, c.der, p.oids,"
			" p.signing_time"
			" FROM bindings b JOIN certificates c USING (fpr_sha1)"
			" LEFT JOIN capabilities p ON p.address = b.address"
			" AND p.fpr_sha1 = b.fpr_sha1%s"
			" ORDER BY b.address, c.not_before DESC", where);
	rc = store_prepare(s, sql, &st, e);
	free(sql);
	if (rc < 0) {
		free(arg);
		return -1;
	}
	if (arg)
		store_bind_text(st, 1, arg);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		b = &(*out)[*n];
		memset(b, 0, sizeof(*b));
		(*n)++;
		b->address = store_col_strdup(st, 0);
		b->state = store_state_parse((const char *)sqlite3_column_text(st, 1));
		b->first_seen = (time_t)sqlite3_column_int64(st, 2);
		b->last_seen = (time_t)sqlite3_column_int64(st, 3);
		b->message_id = store_col_strdup(st, 4);
		b->message_date = store_col_strdup(st, 5);
		b->source = store_col_strdup(st, 6);
		b->capabilities = store_col_strdup(st, 8);
		b->capabilities_time = (time_t)sqlite3_column_int64(st, 9);
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
		return store_db_fail(s, e, "cannot read the bindings");
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
		free((*v)[i].capabilities);
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
	if (store_prepare(s, sql, &st, e) < 0) {
		free(arg);
		return -1;
	}
	if (arg)
		store_bind_text(st, 1, arg);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		h = &(*out)[(*n)++];
		h->at = (time_t)sqlite3_column_int64(st, 0);
		h->address = store_col_strdup(st, 1);
		h->fpr_sha1 = store_col_strdup(st, 2);
		h->action = store_col_strdup(st, 3);
		h->old_state = store_col_strdup(st, 4);
		h->new_state = store_col_strdup(st, 5);
		h->why = store_col_strdup(st, 6);
	}
	sqlite3_finalize(st);
	free(arg);
	if (rc != SQLITE_DONE) {
		certstore_history_free(out, *n);
		*n = 0;
		return store_db_fail(s, e, "cannot read the history");
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
		choice->capabilities = best->capabilities;
		best->capabilities = NULL;
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
	free(c->capabilities);
	memset(c, 0, sizeof(*c));
}

int
certstore_capabilities_record(struct certstore *s, const char *address,
			      const char *fpr, const char *oids, time_t signing_time,
			      time_t now, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	/* The newest signingTime wins; one without a signingTime only fills
	 * an empty place. */
	if (store_prepare(s, "INSERT INTO capabilities (address, fpr_sha1, oids,"
		    " signing_time, recorded) VALUES (?,?,?,?,?)"
		    " ON CONFLICT (address, fpr_sha1) DO UPDATE SET"
		    " oids = excluded.oids, signing_time = excluded.signing_time,"
		    " recorded = excluded.recorded"
		    " WHERE excluded.signing_time > capabilities.signing_time", &st, e) < 0)
		return -1;
	store_bind_text(st, 1, address);
	store_bind_text(st, 2, fpr);
	store_bind_text(st, 3, oids);
	sqlite3_bind_int64(st, 4, signing_time > 0 ? signing_time : 0);
	sqlite3_bind_int64(st, 5, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_db_fail(s, e, "cannot record the capabilities");
	return 0;
}
