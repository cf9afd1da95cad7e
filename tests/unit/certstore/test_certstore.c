/*
 * test_certstore.c — the certificate store on real certificates made by
 * tests/fixtures/gen-certstore.sh: parsing and checks (GnuTLS), the binding
 * state machine, the renewal rule, the choice, the seen table, and the
 * harvest policy against a real gpgsm home (chain to its trust anchors).
 *
 * usage: test_certstore FIXTURES PKIDIR GNUPGHOME TMPDIR
 *   FIXTURES holds gen-certstore.sh's output, PKIDIR the test PKI it was
 *   made from (tests/lib/pki.sh; named "pki/..." below); GNUPGHOME is
 *   bob's gpgsm home trusting the test CA; TMPDIR is scratch space.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "certstore/certstore.h"
#include "crypto/smime.h"
#include "tests/unit/check.h"

static const char *fixtures, *pkidir, *gnupg_home, *tmpdir;

/* "pki/NAME" is in the test PKI, anything else among the fixtures. */
static char *
fixture_path(const char *name)
{
	if (strncmp(name, "pki/", 4) == 0)
		return xasprintf("%s/%s", pkidir, name + 4);
	return xasprintf("%s/%s", fixtures, name);
}

static struct certstore_cert *
load(const char *name)
{
	struct certstore_cert *c = NULL;
	struct buf b = BUF_INIT;
	struct err e = { 0 };
	char *path = fixture_path(name);

	if (file_read(path, 0, &b, &e) < 0 || certstore_cert_parse(b.data, b.len, &c, &e) < 0) {
		fprintf(stderr, "cannot load %s: %s\n", path, e.msg);
		exit(99);
	}
	buf_release(&b);
	free(path);
	return c;
}

static char *
read_text(const char *name)
{
	struct buf b = BUF_INIT;
	struct err e = { 0 };
	char *path = fixture_path(name);

	if (file_read(path, 0, &b, &e) < 0) {
		fprintf(stderr, "cannot read %s: %s\n", path, e.msg);
		exit(99);
	}
	free(path);
	return buf_detach(&b, NULL);
}

static struct certstore *
open_store(const char *name)
{
	struct certstore *s = NULL;
	struct err e = { 0 };
	char *dir = xasprintf("%s/%s", tmpdir, name);

	if (certstore_open(dir, gnupg_home, &s, &e) < 0) {
		fprintf(stderr, "cannot open store %s: %s\n", dir, e.msg);
		exit(99);
	}
	free(dir);
	return s;
}

/*
 * Several processes opening one new store at the same moment (harvests
 * started together) all get it: SQLite refuses the switch to WAL mode to
 * all but one without waiting, and the store must wait for them.  Before
 * it did, about 1 open in 100 failed here with "database is locked".
 */
static void
test_open_race(void)
{
	enum { ROUNDS = 100, PROCS = 4 };
	int round, i, failed = 0;

	for (round = 0; round < ROUNDS; round++) {
		char *dir = xasprintf("%s/race-%d", tmpdir, round);
		pid_t pid[PROCS];

		for (i = 0; i < PROCS; i++) {
			pid[i] = fork();
			if (pid[i] == 0) {
				struct certstore *s = NULL;
				struct err e = { 0 };

				if (certstore_open(dir, gnupg_home, &s, &e) < 0) {
					fprintf(stderr, "open %s: %s\n", dir, e.msg);
					_exit(1);
				}
				certstore_close(&s);
				_exit(0);
			}
		}
		for (i = 0; i < PROCS; i++) {
			int st = 0;

			if (pid[i] < 0 || waitpid(pid[i], &st, 0) < 0 ||
			    !WIFEXITED(st) || WEXITSTATUS(st) != 0)
				failed++;
		}
		free(dir);
	}
	CHECK_INT(failed, 0);
}

static void
test_address_normalize(void)
{
	static const struct { const char *in, *want; } t[] = {
		{ "alice@localhost", "alice@localhost" },
		{ "Alice@LocalHost", "alice@localhost" },
		{ "alice@B\xc3\xbc" "cher.example", "alice@xn--bcher-kva.example" },
		{ " <bob@Example.ORG> ", "bob@example.org" },
		{ "no-at-sign", NULL },
		{ "@example.org", NULL },
		{ "a@", NULL },
		{ "a@b@c", NULL },
		{ "a b@c", NULL },
	};
	size_t i;
	char *got;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		got = certstore_address_normalize(t[i].in);
		CHECK_STR(got, t[i].want);
		free(got);
	}
}

static void
test_parse(void)
{
	struct certstore_cert *c = load("pki/alice.pem"), **v = NULL;
	char *want = read_text("alice.sha1"), *want256 = read_text("alice.sha256");
	char *pem, *bundle, *ca_pem;
	struct err e = { 0 };
	size_t n = 0;

	CHECK_STR(c->fpr_sha1, str_trim(want));
	CHECK_STR(c->fpr_sha256, str_trim(want256));
	CHECK_INT(c->n_emails, 1);
	CHECK_STR(c->n_emails ? c->emails[0] : NULL, "alice@localhost");
	CHECK(!c->is_ca);
	CHECK(c->has_eku && c->eku_email);
	CHECK(c->has_key_usage && c->ku_encrypt && c->ku_sign);
	CHECK_CONTAINS(c->subject, "CN=Alice Example");
	CHECK_CONTAINS(c->issuer, "CN=Cachet Test S/MIME CA");
	CHECK(c->not_after > c->not_before);
	CHECK(certstore_cert_has_email(c, "alice@LOCALHOST"));
	CHECK(certstore_cert_has_email(c, "ALICE@localhost"));
	CHECK(!certstore_cert_has_email(c, "carol@localhost"));

	/* DER round trip through the PEM export. */
	pem = certstore_cert_pem(c);
	CHECK_CONTAINS(pem, "-----BEGIN CERTIFICATE-----");
	{
		struct certstore_cert *d = NULL;

		CHECK_INT(certstore_cert_parse(c->der, c->der_len, &d, &e), 0);
		CHECK_STR(d ? d->fpr_sha1 : NULL, c->fpr_sha1);
		certstore_cert_free(&d);
		CHECK_INT(certstore_cert_parse(pem, strlen(pem), &d, &e), 0);
		CHECK_STR(d ? d->fpr_sha1 : NULL, c->fpr_sha1);
		certstore_cert_free(&d);
		CHECK_INT(certstore_cert_parse("garbage", 7, &d, &e), -1);
		CHECK_INT(e.code, ERR_INPUT);
	}
	/* A PEM bundle gives every certificate; a p7c too. */
	ca_pem = read_text("pki/smime-ca.pem");
	bundle = xasprintf("%s%s", pem, ca_pem);
	free(ca_pem);
	CHECK_INT(certstore_cert_parse_all(bundle, strlen(bundle), &v, &n, &e), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK(!v[0]->is_ca);
		CHECK(v[1]->is_ca);
	}
	certstore_certs_free(&v, n);
	{
		struct buf p7 = BUF_INIT;
		char *path = xasprintf("%s/bundle.p7c", tmpdir);

		if (file_read(path, 0, &p7, &e) == 0) {
			CHECK_INT(certstore_cert_parse_all(p7.data, p7.len, &v, &n, &e), 0);
			CHECK_INT(n, 2);
			certstore_certs_free(&v, n);
		} else {
			CHECK(!"bundle.p7c missing");
		}
		buf_release(&p7);
		free(path);
	}
	CHECK_INT(certstore_cert_parse_all("nothing here", 12, &v, &n, &e), -1);
	free(bundle);
	free(pem);
	free(want);
	free(want256);
	certstore_cert_free(&c);
}

static void
test_cert_check(void)
{
	static const struct { const char *file; const char *want; } t[] = {
		{ "pki/alice.pem", NULL },
		{ "alice2.pem", NULL },
		{ "alice-expired.pem", CERTSTORE_R_EXPIRED },
		{ "alice-noeku.pem", CERTSTORE_R_NO_EMAIL_PROTECTION },
		{ "alice-signonly.pem", NULL },
		{ "evil-ca.pem", CERTSTORE_R_CA_CERT },
		{ "pki/smime-ca.pem", CERTSTORE_R_CA_CERT },
	};
	time_t now = time(NULL);
	struct certstore_cert *c;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		c = load(t[i].file);
		CHECK_STR(certstore_cert_check(c, now), t[i].want);
		certstore_cert_free(&c);
	}
	/* Not valid yet: a day before it starts. */
	c = load("pki/alice.pem");
	CHECK_STR(certstore_cert_check(c, c->not_before - 86400), CERTSTORE_R_NOT_YET_VALID);
	certstore_cert_free(&c);
}

static size_t
count_history(struct certstore *s, const char *filter, const char *action)
{
	struct certstore_history *h = NULL;
	struct err e = { 0 };
	size_t n = 0, i, k = 0;

	if (certstore_history_list(s, filter, &h, &n, &e) < 0)
		return (size_t)-1;
	for (i = 0; i < n; i++)
		if (strcmp(h[i].action, action) == 0)
			k++;
	certstore_history_free(&h, n);
	return k;
}

static enum certstore_state
state_of(struct certstore *s, const char *addr, const char *fpr)
{
	struct certstore_binding *b = NULL;
	struct err e = { 0 };
	enum certstore_state st = (enum certstore_state)-1;
	size_t n = 0, i;

	if (certstore_list(s, addr, &b, &n, &e) < 0)
		return st;
	for (i = 0; i < n; i++)
		if (strcmp(b[i].cert->fpr_sha1, fpr) == 0)
			st = b[i].state;
	certstore_bindings_free(&b, n);
	return st;
}

static void
test_state_machine(void)
{
	struct certstore *s = open_store("sm");
	struct certstore_cert *alice = load("pki/alice.pem"), *alice2 = load("alice2.pem");
	struct certstore_origin o = { "harvest", "<m1@x>", "Fri, 27 Nov 2026", "m1" };
	struct certstore_binding *b = NULL;
	struct certstore_choice ch;
	enum certstore_state st;
	enum certstore_change chg;
	struct err e = { 0 };
	time_t now = time(NULL);
	size_t n = 0, count = 0;
	struct stat sb;
	char *path;

	/* The database is private. */
	path = xasprintf("%s/sm/certstore.db", tmpdir);
	CHECK_INT(stat(path, &sb), 0);
	CHECK_INT(sb.st_mode & 0777, 0600);
	free(path);
	path = xasprintf("%s/sm", tmpdir);
	CHECK_INT(stat(path, &sb), 0);
	CHECK_INT(sb.st_mode & 0777, 0700);
	free(path);

	CHECK_INT(certstore_bind(s, "alice@LOCALHOST", alice, CERTSTORE_MODE_TRUSTED,
				 &o, now, &st, &chg, &e), 0);
	CHECK_INT(st, CERTSTORE_TRUSTED);
	CHECK_INT(chg, CERTSTORE_CHANGE_NEW);
	/* Seeing it again changes nothing but last_seen. */
	CHECK_INT(certstore_bind(s, "alice@localhost", alice, CERTSTORE_MODE_TRUSTED,
				 &o, now + 10, &st, &chg, &e), 0);
	CHECK_INT(st, CERTSTORE_TRUSTED);
	CHECK_INT(chg, CERTSTORE_CHANGE_KNOWN);
	CHECK_INT(certstore_list(s, NULL, &b, &n, &e), 0);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(b[0].address, "alice@localhost");
		CHECK_STR(b[0].message_id, "<m1@x>");
		CHECK_INT(b[0].first_seen, now);
		CHECK_INT(b[0].last_seen, now + 10);
	}
	certstore_bindings_free(&b, n);
	CHECK_INT(count_history(s, "alice@localhost", "harvest"), 1);

	CHECK_INT(certstore_choose(s, "alice@localhost", now, &ch, &e), 0);
	CHECK(ch.found);
	CHECK_STR(ch.cert ? ch.cert->fpr_sha1 : NULL, alice->fpr_sha1);
	certstore_choice_release(&ch);

	/* A different certificate, not a renewal: conflict, and no choice. */
	CHECK_INT(certstore_bind(s, "alice@localhost", alice2, CERTSTORE_MODE_TRUSTED,
				 &o, now, &st, &chg, &e), 0);
	CHECK_INT(st, CERTSTORE_CONFLICT);
	CHECK_INT(chg, CERTSTORE_CHANGE_CONFLICT);
	CHECK_INT(state_of(s, "alice@localhost", alice->fpr_sha1), CERTSTORE_TRUSTED);
	CHECK_INT(count_history(s, "alice@localhost", "conflict"), 1);
	CHECK_INT(certstore_choose(s, "alice@localhost", now, &ch, &e), 0);
	CHECK(!ch.found);
	CHECK_INT(ch.why, CERTSTORE_NONE_CONFLICT);
	CHECK_CONTAINS(ch.detail, alice2->fpr_sha1);
	certstore_choice_release(&ch);
	/* Harvesting the conflicting one again keeps the conflict. */
	CHECK_INT(certstore_bind(s, "alice@localhost", alice2, CERTSTORE_MODE_TRUSTED,
				 &o, now, &st, &chg, &e), 0);
	CHECK_INT(st, CERTSTORE_CONFLICT);

	/* The person trusts the new one (by SHA-256, with colons, lower case). */
	{
		char fpr[100] = "";
		size_t i, k = 0;

		for (i = 0; i < 64; i += 2) {
			fpr[k++] = (char)(alice2->fpr_sha256[i] | 0x20);
			fpr[k++] = (char)(alice2->fpr_sha256[i + 1] | 0x20);
			if (i + 2 < 64)
				fpr[k++] = ':';
		}
		fpr[k] = '\0';
		CHECK_INT(certstore_trust(s, fpr, now, &count, &e), 0);
	}
	CHECK_INT(count, 1);
	CHECK_INT(state_of(s, "alice@localhost", alice2->fpr_sha1), CERTSTORE_TRUSTED);
	CHECK_INT(state_of(s, "alice@localhost", alice->fpr_sha1), CERTSTORE_REVOKED);
	CHECK_INT(certstore_choose(s, "alice@localhost", now, &ch, &e), 0);
	CHECK(ch.found);
	CHECK_STR(ch.cert ? ch.cert->fpr_sha1 : NULL, alice2->fpr_sha1);
	certstore_choice_release(&ch);
	/* The revoked one never comes back by harvest. */
	CHECK_INT(certstore_bind(s, "alice@localhost", alice, CERTSTORE_MODE_TRUSTED,
				 &o, now, &st, &chg, &e), 0);
	CHECK_INT(st, CERTSTORE_REVOKED);
	CHECK_INT(chg, CERTSTORE_CHANGE_KNOWN);

	/* Removing the chosen one leaves nothing to encrypt to. */
	CHECK_INT(certstore_remove(s, alice2->fpr_sha1, now, &count, &e), 0);
	CHECK_INT(count, 1);
	CHECK_INT(certstore_choose(s, "alice@localhost", now, &ch, &e), 0);
	CHECK(!ch.found);
	CHECK_INT(ch.why, CERTSTORE_NONE_REVOKED);
	certstore_choice_release(&ch);
	CHECK_INT(count_history(s, alice2->fpr_sha1, "remove"), 1);
	CHECK_INT(count_history(s, NULL, "trust"), 2);

	/* Unknown fingerprint (a name that does not exist), nonsense one. */
	CHECK_INT(certstore_trust(s, "0123456789012345678901234567890123456789", now,
				  &count, &e), -1);
	CHECK_INT(e.code, ERR_NOTFOUND);
	CHECK_INT(certstore_remove(s, "xyz", now, &count, &e), -1);
	CHECK_INT(e.code, ERR_USAGE);

	/* No certificate at all. */
	CHECK_INT(certstore_choose(s, "dave@localhost", now, &ch, &e), 0);
	CHECK(!ch.found);
	CHECK_INT(ch.why, CERTSTORE_NONE_NO_CERT);
	certstore_choice_release(&ch);

	certstore_cert_free(&alice);
	certstore_cert_free(&alice2);
	certstore_close(&s);
	certstore_close(&s);	/* NULL is fine */
}

static void
test_renewal(void)
{
	struct certstore *s = open_store("renewal"), *s2 = open_store("renewal-early");
	struct certstore_cert *shortc = load("alice-short.pem");
	struct certstore_cert *renew = load("alice-renew.pem");
	struct certstore_cert *carol = load("pki/carol.pem");
	struct certstore_cert *evil = load("alice-evil.pem");
	struct certstore_choice ch;
	enum certstore_state st;
	enum certstore_change chg;
	struct err e = { 0 };
	time_t now = time(NULL), early;

	/* alice-short ends in 10 days: alice-renew (same subject and issuer)
	 * is a renewal. */
	CHECK_INT(certstore_bind(s, "alice@localhost", shortc, CERTSTORE_MODE_TRUSTED,
				 NULL, now, &st, &chg, &e), 0);
	CHECK_INT(certstore_bind(s, "alice@localhost", renew, CERTSTORE_MODE_TRUSTED,
				 NULL, now, &st, &chg, &e), 0);
	CHECK_INT(st, CERTSTORE_TRUSTED);
	CHECK_INT(chg, CERTSTORE_CHANGE_RENEWAL);
	CHECK_INT(count_history(s, "alice@localhost", "renewal"), 1);
	/* Both stay; the newest valid one is chosen. */
	CHECK_INT(state_of(s, "alice@localhost", shortc->fpr_sha1), CERTSTORE_TRUSTED);
	CHECK_INT(certstore_choose(s, "alice@localhost", now, &ch, &e), 0);
	CHECK(ch.found);
	CHECK_STR(ch.cert ? ch.cert->fpr_sha1 : NULL, renew->fpr_sha1);
	certstore_choice_release(&ch);
	/* After both expire... only expired ones remain. */
	CHECK_INT(certstore_choose(s, "alice@localhost", renew->not_after + 1, &ch, &e), 0);
	CHECK(!ch.found);
	CHECK_INT(ch.why, CERTSTORE_NONE_EXPIRED);
	certstore_choice_release(&ch);
	/* Before the renewal existed (alice-renew not valid yet), the old one. */
	CHECK_INT(certstore_choose(s, "alice@localhost", renew->not_before - 60, &ch, &e), 0);
	CHECK(ch.found);
	CHECK_STR(ch.cert ? ch.cert->fpr_sha1 : NULL, shortc->fpr_sha1);
	certstore_choice_release(&ch);

	/* Same pair 60 days before alice-short ends: outside the window. */
	early = shortc->not_after - 60 * 86400;
	CHECK_INT(certstore_bind(s2, "alice@localhost", shortc, CERTSTORE_MODE_TRUSTED,
				 NULL, early, &st, &chg, &e), 0);
	CHECK_INT(certstore_bind(s2, "alice@localhost", renew, CERTSTORE_MODE_TRUSTED,
				 NULL, early, &st, &chg, &e), 0);
	CHECK_INT(st, CERTSTORE_CONFLICT);
	certstore_close(&s2);

	/* Inside the window but another subject (carol's certificate) or a
	 * certificate that ends earlier: conflict. */
	s2 = open_store("renewal-subject");
	CHECK_INT(certstore_bind(s2, "alice@localhost", shortc, CERTSTORE_MODE_TRUSTED,
				 NULL, now, &st, &chg, &e), 0);
	CHECK_INT(certstore_bind(s2, "alice@localhost", carol, CERTSTORE_MODE_TRUSTED,
				 NULL, now, &st, &chg, &e), 0);
	CHECK_INT(st, CERTSTORE_CONFLICT);
	certstore_close(&s2);
	s2 = open_store("renewal-backwards");
	CHECK_INT(certstore_bind(s2, "alice@localhost", renew, CERTSTORE_MODE_TRUSTED,
				 NULL, renew->not_after - 86400, &st, &chg, &e), 0);
	CHECK_INT(certstore_bind(s2, "alice@localhost", shortc, CERTSTORE_MODE_TRUSTED,
				 NULL, renew->not_after - 86400, &st, &chg, &e), 0);
	CHECK_INT(st, CERTSTORE_CONFLICT);
	certstore_close(&s2);
	/* Same subject, inside the window, but another issuer (the untrusted
	 * CA): not a renewal. */
	s2 = open_store("renewal-issuer");
	CHECK_INT(certstore_bind(s2, "alice@localhost", shortc, CERTSTORE_MODE_TRUSTED,
				 NULL, now, &st, &chg, &e), 0);
	CHECK_INT(certstore_bind(s2, "alice@localhost", evil, CERTSTORE_MODE_TRUSTED,
				 NULL, now, &st, &chg, &e), 0);
	CHECK_INT(st, CERTSTORE_CONFLICT);
	CHECK_INT(chg, CERTSTORE_CHANGE_CONFLICT);
	certstore_close(&s2);

	certstore_cert_free(&shortc);
	certstore_cert_free(&renew);
	certstore_cert_free(&carol);
	certstore_cert_free(&evil);
	certstore_close(&s);
}

static void
test_ask_and_usage(void)
{
	struct certstore *s = open_store("ask");
	struct certstore_cert *alice = load("pki/alice.pem");
	struct certstore_cert *signonly = load("alice-signonly.pem");
	struct certstore_choice ch;
	enum certstore_state st;
	enum certstore_change chg;
	struct err e = { 0 };
	time_t now = time(NULL);
	size_t count;

	CHECK_INT(certstore_bind(s, "alice@localhost", alice, CERTSTORE_MODE_ASK,
				 NULL, now, &st, &chg, &e), 0);
	CHECK_INT(st, CERTSTORE_PENDING);
	CHECK_INT(certstore_choose(s, "alice@localhost", now, &ch, &e), 0);
	CHECK(!ch.found);
	CHECK_INT(ch.why, CERTSTORE_NONE_PENDING);
	certstore_choice_release(&ch);
	CHECK_INT(certstore_trust(s, alice->fpr_sha1, now, &count, &e), 0);
	CHECK_INT(count, 1);
	CHECK_INT(certstore_choose(s, "alice@localhost", now, &ch, &e), 0);
	CHECK(ch.found);
	certstore_choice_release(&ch);

	/* A signing-only certificate is kept but never chosen to encrypt. */
	CHECK_INT(certstore_bind(s, "signer@localhost", signonly, CERTSTORE_MODE_TRUSTED,
				 NULL, now, &st, &chg, &e), 0);
	CHECK_INT(certstore_choose(s, "signer@localhost", now, &ch, &e), 0);
	CHECK(!ch.found);
	CHECK_INT(ch.why, CERTSTORE_NONE_UNUSABLE);
	certstore_choice_release(&ch);

	certstore_cert_free(&alice);
	certstore_cert_free(&signonly);
	certstore_close(&s);
}

static void
test_seen(void)
{
	struct certstore *s = open_store("seen");
	struct err e = { 0 };
	char k1[65], k2[65], *res = NULL;

	certstore_message_key("abc", 3, k1);
	certstore_message_key("abd", 3, k2);
	/* SHA-256("abc") */
	CHECK_STR(k1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK(strcmp(k1, k2) != 0);
	CHECK_INT(certstore_seen_get(s, k1, &res, &e), 0);
	CHECK_INT(certstore_seen_put(s, k1, "<a@b>", "untrusted", 1, &e), 0);
	CHECK_INT(certstore_seen_put(s, k2, "<a@c>", "stored", 1, &e), 0);
	CHECK_INT(certstore_seen_get(s, k1, &res, &e), 1);
	CHECK_STR(res, "untrusted");
	free(res);
	/* A new trust anchor makes untrusted refusals worth a second look. */
	CHECK_INT(certstore_seen_forget_untrusted(s, &e), 0);
	CHECK_INT(certstore_seen_get(s, k1, NULL, &e), 0);
	CHECK_INT(certstore_seen_get(s, k2, NULL, &e), 1);
	certstore_close(&s);
}

static void
test_msginfo(void)
{
	static const char folded[] =
		"Received: x\r\n"
		"From: \"Doe, John\"\r\n"
		"  <John.Doe@Example.ORG>\r\n"
		"Message-ID: <id1@example.org>\r\n"
		"Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n"
		"\r\n"
		"From: not@header.example\r\n";
	static const char two[] =
		"From: a@example.org, b@example.org\n\nbody\n";
	static const char twice[] =
		"From: a@example.org\nFrom: b@example.org\n\nbody\n";
	static const char comment[] =
		"From: a@Example.org (Alice, the one)\n\nbody\n";
	struct certstore_msginfo m;
	struct err e = { 0 };
	char *text;

	CHECK_INT(certstore_msginfo_parse(folded, sizeof(folded) - 1, &m, &e), 0);
	CHECK_STR(m.from, "john.doe@example.org");
	CHECK_INT(m.n_from, 1);
	CHECK_STR(m.message_id, "<id1@example.org>");
	CHECK_STR(m.date, "Fri, 27 Nov 2026 10:00:00 +0000");
	CHECK(!m.certs_only);
	certstore_msginfo_release(&m);
	CHECK_INT(certstore_msginfo_parse(two, sizeof(two) - 1, &m, &e), 0);
	CHECK_INT(m.n_from, 2);
	certstore_msginfo_release(&m);
	CHECK_INT(certstore_msginfo_parse(twice, sizeof(twice) - 1, &m, &e), 0);
	CHECK_INT(m.n_from, 2);
	certstore_msginfo_release(&m);
	CHECK_INT(certstore_msginfo_parse(comment, sizeof(comment) - 1, &m, &e), 0);
	CHECK_STR(m.from, "a@example.org");
	CHECK_INT(m.n_from, 1);
	certstore_msginfo_release(&m);

	CHECK_INT(certstore_msginfo_parse("\nno header\n", 11, &m, &e), -1);
	CHECK_INT(e.code, ERR_INPUT);
	CHECK_INT(certstore_msginfo_parse("", 0, &m, &e), -1);

	text = read_text("certs-only-good.eml");
	CHECK_INT(certstore_msginfo_parse(text, strlen(text), &m, &e), 0);
	CHECK(m.certs_only);
	CHECK(m.certs_der_len > 500);
	{
		struct certstore_cert **v = NULL;
		size_t n = 0;

		CHECK_INT(certstore_cert_parse_all(m.certs_der, m.certs_der_len, &v, &n, &e), 0);
		CHECK_INT(n, 2);
		certstore_certs_free(&v, n);
	}
	certstore_msginfo_release(&m);
	free(text);

	/* The header as the verdict's parser reads it: a quoted, mixed-case
	 * smime-type, white space before a colon, a body that is not base64. */
	{
		static const char quoted[] =
			"From : a@example.org\r\n"
			"Content-Type: Application/PKCS7-MIME; name=x.p7c;\r\n"
			" smime-type=\"Certs-Only\"\r\n"
			"Content-Transfer-Encoding: BASE64\r\n\r\nZm9v\r\n";
		static const char bad[] =
			"From: a@example.org\n"
			"Content-Type: application/pkcs7-mime; smime-type=certs-only\n"
			"Content-Transfer-Encoding: base64\n\nZm9v!\n";

		CHECK_INT(certstore_msginfo_parse(quoted, sizeof(quoted) - 1, &m, &e), 0);
		CHECK_STR(m.from, "a@example.org");
		CHECK(m.certs_only);
		CHECK_INT(m.certs_der_len, 3);
		CHECK(m.certs_der && memcmp(m.certs_der, "foo", 3) == 0);
		certstore_msginfo_release(&m);
		CHECK_INT(certstore_msginfo_parse(bad, sizeof(bad) - 1, &m, &e), -1);
		CHECK_INT(e.code, ERR_INPUT);
		CHECK_CONTAINS(e.msg, "not valid base64");
	}
}

/* A verdict as crypto/ builds it, around a real certificate. */
static struct smime_verdict *
verdict_for(const char *certfile, enum smime_sig sig, enum smime_coverage cov)
{
	struct smime_verdict *v = xcalloc(1, sizeof(*v));
	struct certstore_cert *c = load(certfile);

	v->signature = sig;
	v->coverage = cov;
	v->n_signers = 1;
	v->signers = xcalloc(1, sizeof(*v->signers));
	v->signers[0].state = sig;
	v->signers[0].coverage = cov;
	v->signers[0].email = c->n_emails ? xstrdup(c->emails[0]) : NULL;
	v->signers[0].fingerprint = xstrdup(c->fpr_sha1);
	v->signers[0].cert_der = xmalloc(c->der_len);
	memcpy(v->signers[0].cert_der, c->der, c->der_len);
	v->signers[0].cert_der_len = c->der_len;
	certstore_cert_free(&c);
	return v;
}

static const char *
harvest_one(struct certstore *s, const char *certfile, enum smime_sig sig,
	    enum smime_coverage cov, const char *from)
{
	struct smime_verdict *v = verdict_for(certfile, sig, cov);
	struct certstore_msginfo m = { 0 };
	struct certstore_outcomes out = { 0 };
	struct err e = { 0 };
	static char reason[ERR_MSG_MAX + 16];

	m.from = from ? xstrdup(from) : NULL;
	m.n_from = from ? 1 : 0;
	if (certstore_harvest_verdict(s, v, &m, CERTSTORE_MODE_TRUSTED, "t", time(NULL),
				      &out, &e) < 0) {
		snprintf(reason, sizeof(reason), "error: %s", e.msg);
	} else if (out.n != 1) {
		snprintf(reason, sizeof(reason), "%zu outcomes", out.n);
	} else {
		snprintf(reason, sizeof(reason), "%s",
			 out.v[0].reason ? out.v[0].reason : "stored");
	}
	certstore_outcomes_release(&out);
	certstore_msginfo_release(&m);
	smime_verdict_free(&v);
	return reason;
}

/* Verdicts that look whole at the top but are not, for this signer. */
static void
test_harvest_structure(void)
{
	struct certstore *s = open_store("structure");
	struct certstore_msginfo m = { 0 };
	struct certstore_outcomes out = { 0 };
	struct smime_verdict *v;
	struct err e = { 0 };
	int i;

	m.from = xstrdup("alice@localhost");
	m.n_from = 1;
	for (i = 0; i < 4; i++) {
		v = verdict_for("pki/alice.pem", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE);
		switch (i) {
		case 0:	/* another layer is whole, this signer's is not */
			v->signers[0].coverage = SMIME_COVERAGE_PART;
			break;
		case 1:
			v->n_warnings = 1;
			v->warnings[0] = SMIME_WARN_DETACHED_WITH_CONTENT;
			break;
		case 2:	/* crypto/ read another From than we did */
			v->from = xstrdup("carol@localhost");
			break;
		case 3:
			v->n_warnings = 1;
			v->warnings[0] = SMIME_WARN_MULTIPLE_FROM;
			break;
		}
		CHECK_INT(certstore_harvest_verdict(s, v, &m, CERTSTORE_MODE_TRUSTED, "t",
						    time(NULL), &out, &e), 0);
		smime_verdict_free(&v);
	}
	CHECK_INT(out.n, 4);
	if (out.n == 4) {
		CHECK_STR(out.v[0].reason, CERTSTORE_R_PARTIAL);
		CHECK_STR(out.v[1].reason, CERTSTORE_R_PARTIAL);
		CHECK_STR(out.v[2].reason, CERTSTORE_R_FROM_MISMATCH);
		CHECK_STR(out.v[3].reason, CERTSTORE_R_FROM_MISMATCH);
	}
	certstore_outcomes_release(&out);
	certstore_msginfo_release(&m);
	certstore_close(&s);
}

static void
test_harvest_verdict(void)
{
	struct certstore *s = open_store("harvest");
	struct certstore_binding *b = NULL;
	struct err e = { 0 };
	size_t n = 0;

	/* Refusals first, so nothing is bound when they are checked. */
	CHECK_STR(harvest_one(s, "pki/alice.pem", SMIME_SIG_VALID, SMIME_COVERAGE_PART,
			      "alice@localhost"), CERTSTORE_R_PARTIAL);
	CHECK_STR(harvest_one(s, "pki/alice.pem", SMIME_SIG_VALID,
			      SMIME_COVERAGE_CIPHERTEXT, "alice@localhost"),
		  CERTSTORE_R_PARTIAL);
	CHECK_STR(harvest_one(s, "pki/alice.pem", SMIME_SIG_INVALID, SMIME_COVERAGE_WHOLE,
			      "alice@localhost"), CERTSTORE_R_INVALID);
	CHECK_STR(harvest_one(s, "pki/alice.pem", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE,
			      "carol@localhost"), CERTSTORE_R_FROM_MISMATCH);
	CHECK_STR(harvest_one(s, "pki/alice.pem", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE,
			      NULL), CERTSTORE_R_NO_FROM);
	/* The verdict says valid, but gpgsm finds no path to a trust anchor. */
	CHECK_STR(harvest_one(s, "alice-evil.pem", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE,
			      "alice@localhost"), CERTSTORE_R_UNTRUSTED);
	CHECK_STR(harvest_one(s, "alice-expired.pem", SMIME_SIG_VALID,
			      SMIME_COVERAGE_WHOLE, "alice@localhost"),
		  CERTSTORE_R_EXPIRED);
	CHECK_STR(harvest_one(s, "alice-noeku.pem", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE,
			      "alice@localhost"), CERTSTORE_R_NO_EMAIL_PROTECTION);
	CHECK_INT(certstore_list(s, NULL, &b, &n, &e), 0);
	CHECK_INT(n, 0);
	certstore_bindings_free(&b, n);

	CHECK_STR(harvest_one(s, "pki/alice.pem", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE,
			      "alice@LOCALHOST"), "stored");
	CHECK_STR(harvest_one(s, "alice2.pem", SMIME_SIG_VALID, SMIME_COVERAGE_WHOLE,
			      "alice@localhost"), CERTSTORE_R_CONFLICT);
	CHECK_INT(certstore_list(s, NULL, &b, &n, &e), 0);
	CHECK_INT(n, 2);
	certstore_bindings_free(&b, n);
	certstore_close(&s);
}

static void
test_certs_only(void)
{
	struct certstore *s = open_store("certs-only");
	struct certstore_msginfo m;
	struct certstore_outcomes out = { 0 };
	struct certstore_binding *b = NULL;
	struct err e = { 0 };
	char *text;
	size_t n = 0;

	text = read_text("certs-only-untrusted.eml");
	CHECK_INT(certstore_msginfo_parse(text, strlen(text), &m, &e), 0);
	CHECK_INT(certstore_harvest_certs_only(s, &m, CERTSTORE_MODE_TRUSTED, "u",
					       time(NULL), &out, &e), 0);
	CHECK_INT(out.n, 1);
	if (out.n == 1)
		CHECK_STR(out.v[0].reason, CERTSTORE_R_UNTRUSTED);
	certstore_outcomes_release(&out);
	certstore_msginfo_release(&m);
	free(text);
	CHECK_INT(certstore_list(s, NULL, &b, &n, &e), 0);
	CHECK_INT(n, 0);
	certstore_bindings_free(&b, n);

	text = read_text("certs-only-good.eml");
	CHECK_INT(certstore_msginfo_parse(text, strlen(text), &m, &e), 0);
	CHECK_INT(certstore_harvest_certs_only(s, &m, CERTSTORE_MODE_TRUSTED, "g",
					       time(NULL), &out, &e), 0);
	/* alice is bound; the CA in the bundle is not. */
	CHECK_INT(out.n, 1);
	if (out.n == 1) {
		CHECK_STR(out.v[0].reason, NULL);
		CHECK_STR(out.v[0].email, "alice@localhost");
	}
	certstore_outcomes_release(&out);
	certstore_msginfo_release(&m);
	free(text);
	CHECK_INT(certstore_list(s, NULL, &b, &n, &e), 0);
	CHECK_INT(n, 1);
	certstore_bindings_free(&b, n);
	certstore_close(&s);
}

/*
 * The one entry point: the seen key is the source's identity when it has
 * one, else the message's bytes; a message recorded under it is seen by
 * the next caller, whether that one has the verdict (the screen) or only
 * the identity (cachet harvest, before fetching over IMAP).
 */
static void
test_harvest_message(void)
{
	static const char msg[] = "From: Alice Example <alice@localhost>\r\n"
				  "Message-ID: <entry@localhost>\r\n\r\nsigned words\r\n";
	static const char id[] = "imap:bob@localhost/INBOX;UIDVALIDITY=7/;UID=3";
	struct certstore *s = open_store("entry");
	struct smime_verdict *v = verdict_for("pki/alice.pem", SMIME_SIG_VALID,
					      SMIME_COVERAGE_WHOLE);
	struct certstore_outcomes out = { 0 };
	struct err e = { 0 };
	char key[65], *res = NULL;
	bool seen = true;

	/* As the screen: with its verdict, known by the IMAP identity. */
	CHECK_INT(certstore_harvest_message(s, id, msg, strlen(msg), v, NULL,
					    CERTSTORE_MODE_TRUSTED, "INBOX/3", time(NULL),
					    &out, &seen, &e), 0);
	CHECK(!seen);
	CHECK_INT(out.n, 1);
	if (out.n == 1) {
		CHECK(out.v[0].reason == NULL);
		CHECK_STR(out.v[0].email, "alice@localhost");
	}
	certstore_outcomes_release(&out);
	CHECK_INT(certstore_seen_get(s, id, &res, &e), 1);
	CHECK_STR(res, "stored");
	free(res);
	certstore_message_key(msg, strlen(msg), key);
	CHECK_INT(certstore_seen_get(s, key, NULL, &e), 0);

	/* As cachet harvest over IMAP: the identity alone says "seen". */
	seen = false;
	CHECK_INT(certstore_harvest_message(s, id, NULL, 0, NULL, NULL,
					    CERTSTORE_MODE_TRUSTED, "imap:INBOX/3",
					    time(NULL), &out, &seen, &e), 0);
	CHECK(seen);
	CHECK_INT(out.n, 0);
	/* Another UID is another message; nothing without bytes is recorded. */
	CHECK_INT(certstore_harvest_message(s, "imap:bob@localhost/INBOX;UIDVALIDITY=7/;UID=4",
					    NULL, 0, NULL, NULL, CERTSTORE_MODE_TRUSTED,
					    "imap:INBOX/4", time(NULL), &out, &seen, &e), 0);
	CHECK(!seen);
	CHECK_INT(certstore_seen_get(s, "imap:bob@localhost/INBOX;UIDVALIDITY=7/;UID=4",
				     NULL, &e), 0);

	/* Without an identity the bytes are the key: a file, then a Maildir. */
	CHECK_INT(certstore_harvest_message(s, NULL, msg, strlen(msg), v, NULL,
					    CERTSTORE_MODE_TRUSTED, "file", time(NULL),
					    &out, &seen, &e), 0);
	CHECK(!seen);
	CHECK_INT(out.n, 1);
	if (out.n == 1)
		CHECK_INT(out.v[0].change, CERTSTORE_CHANGE_KNOWN);
	certstore_outcomes_release(&out);
	CHECK_INT(certstore_seen_get(s, key, NULL, &e), 1);
	CHECK_INT(certstore_harvest_message(s, NULL, msg, strlen(msg), v, NULL,
					    CERTSTORE_MODE_TRUSTED, "cur/1:2,S", time(NULL),
					    &out, &seen, &e), 0);
	CHECK(seen);
	CHECK_INT(out.n, 0);

	/* Neither bytes nor identity; bytes without a header: nothing recorded. */
	CHECK_INT(certstore_harvest_message(s, NULL, NULL, 0, v, NULL,
					    CERTSTORE_MODE_TRUSTED, "x", time(NULL),
					    &out, &seen, &e), -1);
	CHECK_INT(e.code, ERR_USAGE);
	CHECK_INT(certstore_harvest_message(s, "imap:x", "\r\nno header\r\n", 13, v,
					    NULL, CERTSTORE_MODE_TRUSTED, "x", time(NULL),
					    &out, &seen, &e), -1);
	CHECK_INT(e.code, ERR_INPUT);
	CHECK_INT(certstore_seen_get(s, "imap:x", NULL, &e), 0);
	smime_verdict_free(&v);
	certstore_close(&s);
}

int
main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: test_certstore FIXTURES PKIDIR GNUPGHOME TMPDIR\n");
		return 99;
	}
	fixtures = argv[1];
	pkidir = argv[2];
	gnupg_home = argv[3];
	tmpdir = argv[4];
	test_open_race();
	test_address_normalize();
	test_parse();
	test_cert_check();
	test_state_machine();
	test_renewal();
	test_ask_and_usage();
	test_seen();
	test_msginfo();
	test_harvest_verdict();
	test_harvest_structure();
	test_certs_only();
	test_harvest_message();
	return check_exit();
}
