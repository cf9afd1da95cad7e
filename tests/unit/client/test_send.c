/*
 * test_send.c — header preparation of the send pipeline, outbox metadata,
 * and the send plan (table-driven: policy, locks, requests, recipients
 * with a certificate, an expired one or none, Bcc).  Arguments (from
 * send.sh): FIXTURES PKI GNUPGHOME TMPDIR; the fixtures are
 * tests/fixtures/gen-certstore.sh's, the gpgsm home bob's.
 */
#include "certstore/certstore.h"
#include "client/outbox.h"
#include "client/send.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <time.h>

/* Prepares msg and returns the result (static buffer reused). */
static const char *
prepare(const char *msg, int *rc)
{
	static struct buf out;
	static struct err e;

	buf_release(&out);
	/* 2026-11-27 20:14:59 UTC */
	*rc = send_prepare_headers(msg, strlen(msg), "Alice <alice@example.org>",
				   "example.org", 1795810499, &out, &e);
	return *rc == 0 ? out.data : e.msg;
}

static void
test_headers(void)
{
	const char *got;
	int rc;

	/* Complete header: only Bcc goes, with its continuation line. */
	got = prepare("From: a@example.org\nDate: x\nMessage-ID: <1@x>\n"
		      "To: b@x\nBcc: c@x,\n d@x\nSubject: s\n\nbody\nBcc: in body\n", &rc);
	CHECK_INT(rc, 0);
	CHECK_STR(got, "From: a@example.org\nDate: x\nMessage-ID: <1@x>\n"
		  "To: b@x\nSubject: s\n\nbody\nBcc: in body\n");

	/* Field names are case-insensitive; BCC and bcc both go. */
	got = prepare("from: a@x\ndate: x\nmessage-id: <1@x>\nBCC: c@x\nbcc:d@x\nTo: b@x\n\nb\n", &rc);
	CHECK_INT(rc, 0);
	CHECK_STR(got, "from: a@x\ndate: x\nmessage-id: <1@x>\nTo: b@x\n\nb\n");

	/* Missing From, Date, Message-ID are added, in the message's line ending. */
	got = prepare("To: b@x\r\nSubject: s\r\n\r\nbody\r\n", &rc);
	CHECK_INT(rc, 0);
	CHECK(strncmp(got, "From: Alice <alice@example.org>\r\nDate: ", 39) == 0);
	CHECK_CONTAINS(got, " 2026 ");
	CHECK_CONTAINS(got, "\r\nMessage-ID: <");
	CHECK_CONTAINS(got, ".cachet@example.org>\r\nTo: b@x\r\nSubject: s\r\n\r\nbody\r\n");

	/* Two runs, two Message-IDs. */
	{
		char *first;

		got = prepare("From: a@x\nDate: x\nTo: b@x\n\nb\n", &rc);
		first = xstrdup(strstr(got, "Message-ID:"));
		got = prepare("From: a@x\nDate: x\nTo: b@x\n\nb\n", &rc);
		CHECK(strcmp(first, strstr(got, "Message-ID:")) != 0);
		free(first);
	}

	/* A header without a body is kept as it is. */
	got = prepare("From: a@x\nDate: x\nMessage-ID: <1@x>\nTo: b@x\n", &rc);
	CHECK_INT(rc, 0);
	CHECK_STR(got, "From: a@x\nDate: x\nMessage-ID: <1@x>\nTo: b@x\n");

	/* Not a header: refused with the line number. */
	got = prepare("To: b@x\nthis is not a field\n\nbody\n", &rc);
	CHECK_INT(rc, -1);
	CHECK_CONTAINS(got, "line 2 of the header");
	got = prepare(" continuation first\nTo: b@x\n\n", &rc);
	CHECK_INT(rc, -1);
	CHECK_CONTAINS(got, "line 1");
	got = prepare("Bad Name: x\n\n", &rc);
	CHECK_INT(rc, -1);
	got = prepare(": no name\n\n", &rc);
	CHECK_INT(rc, -1);
	prepare("", &rc);
}

static void
test_meta(void)
{
	struct outbox_entry in = { 0 }, out;
	struct buf text = BUF_INIT;
	struct err e = { 0 };

	in.state = OUTBOX_APPEND;
	in.account = xstrdup("work");
	in.from = xstrdup("a@x");
	in.rcpts = xcalloc(2, sizeof *in.rcpts);
	in.rcpts[0] = xstrdup("b@x");
	in.rcpts[1] = xstrdup("c@y");
	in.n_rcpts = 2;
	in.folder = xstrdup("Sent");
	in.reason = xstrdup("line one\r\nline two");
	in.created = 1795810499;
	in.attempts = 3;
	outbox_meta_format(&in, &text);
	CHECK_STR(text.data, "state: append\naccount: work\nfrom: a@x\nrcpt: b@x\n"
		  "rcpt: c@y\nfolder: Sent\nreason: line one  line two\n"
		  "created: 1795810499\nattempts: 3\n");
	CHECK_INT(outbox_meta_parse(text.data, &out, &e), 0);
	CHECK_INT(out.state, OUTBOX_APPEND);
	CHECK_STR(out.account, "work");
	CHECK_STR(out.from, "a@x");
	CHECK_INT(out.n_rcpts, 2);
	CHECK_STR(out.rcpts[1], "c@y");
	CHECK_STR(out.folder, "Sent");
	CHECK_STR(out.reason, "line one  line two");
	CHECK_INT(out.created, 1795810499);
	CHECK_INT(out.attempts, 3);
	outbox_entry_release(&out);
	outbox_entry_release(&in);
	buf_release(&text);

	/* A keyed entry: its key depends on the Message-ID and the copy. */
	in.state = OUTBOX_SENDING;
	in.message_id = xstrdup("<m1@x>");
	in.copy = xstrdup("d@z");
	in.subject = xstrdup("=?utf-8?q?caf=C3=A9?=");
	in.account = xstrdup("work");
	in.from = xstrdup("a@x");
	in.rcpts = xcalloc(1, sizeof *in.rcpts);
	in.rcpts[0] = xstrdup("d@z");
	in.n_rcpts = 1;
	outbox_meta_format(&in, &text);
	CHECK_STR(text.data, "state: sending\nmessage-id: <m1@x>\ncopy: d@z\n"
		  "subject: =?utf-8?q?caf=C3=A9?=\naccount: work\nfrom: a@x\n"
		  "rcpt: d@z\nreason: \ncreated: 0\nattempts: 0\n");
	CHECK_INT(outbox_meta_parse(text.data, &out, &e), 0);
	CHECK_INT(out.state, OUTBOX_SENDING);
	CHECK_STR(out.message_id, "<m1@x>");
	CHECK_STR(out.copy, "d@z");
	CHECK_STR(out.subject, "=?utf-8?q?caf=C3=A9?=");
	outbox_entry_release(&out);
	outbox_entry_release(&in);
	buf_release(&text);
	{
		char *k1 = outbox_key("<m1@x>", NULL), *k2 = outbox_key("<m1@x>", NULL);
		char *k3 = outbox_key("<m1@x>", "d@z"), *k4 = outbox_key("<m2@x>", NULL);

		CHECK_INT(strlen(k1), 16);
		CHECK_STR(k1, k2);
		CHECK(strcmp(k1, k3) != 0);
		CHECK(strcmp(k1, k4) != 0);
		free(k1);
		free(k2);
		free(k3);
		free(k4);
	}

	static const struct {
		const char *text, *err;
	} bad[] = {
		{ "state: sent\naccount: a\nfrom: a\nrcpt: b\n", "unknown state" },
		{ "account: a\nfrom: a\n", "missing" },
		{ "account: a\nfrom: a\nrcpt: b\nattempts: x\n", "bad number" },
		{ "account: a\naccount: b\nfrom: a\nrcpt: b\n", "repeated" },
		{ "account a\n", "key: value" },
		{ "account: a\nfrom: a\nrcpt: b\ncolour: red\n", "unknown" },
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&e);
		CHECK_INT(outbox_meta_parse(bad[i].text, &out, &e), -1);
		CHECK_CONTAINS(e.msg, bad[i].err);
	}
}

/* --- the plan, over a real certificate store and bob's gpgsm home ------- */

static const char *fx_dir, *pki_dir, *plan_gnupg, *plan_tmp;

/* Binds the certificate in FILE to its addresses, as `certs import --force`. */
static void
store_cert(struct certstore *s, const char *dir, const char *file, time_t now)
{
	struct certstore_outcomes out = { 0 };
	struct certstore_cert *c = NULL;
	struct buf pem = BUF_INIT;
	struct err e = { 0 };
	char *path = xasprintf("%s/%s", dir, file);

	if (file_read(path, 0, &pem, &e) < 0 ||
	    certstore_cert_parse(pem.data, pem.len, &c, &e) < 0 ||
	    certstore_import_cert(s, c, NULL, 0, true, path, now, &out, &e) < 0) {
		fprintf(stderr, "%s: %s\n", path, e.msg);
		exit(99);
	}
	certstore_outcomes_release(&out);
	certstore_cert_free(&c);
	buf_release(&pem);
	free(path);
}

enum want { NO = 0, YES };

/*
 * One row: the policy (sign, encrypt, both locked or not), the requests,
 * the message's recipients, and what the plan must say.  In the store:
 * carol@localhost has a usable certificate, alice@localhost only an
 * expired one, dave@localhost none; bob (the sender) has his key and
 * certificate in his gpgsm home, carol no key at all.
 */
static const struct plan_case {
	const char *name;
	enum policy_sign sign;
	enum policy_encrypt encrypt;
	bool locked;
	enum send_request req_sign, req_encrypt;
	const char *sender;		/* the account's address */
	const char *header;		/* To, Cc, Bcc fields */
	int rc;
	enum err_code code;		/* when rc is -1 */
	bool refused;			/* a complete plan with refusals */
	const char *why;		/* in e.msg, or in the refusal */
	enum want sign_, encrypt_;
	const char *rcpts;		/* the envelope, Bcc ones marked "+" */
	const char *why_not_encrypted;	/* contained, or NULL */
} plan_cases[] = {
	{ "certificate present", POLICY_SIGN_ALWAYS, POLICY_ENCRYPT_OPPORTUNISTIC,
	  false, SEND_DEFAULT, SEND_DEFAULT, "bob", "To: carol@localhost\n",
	  0, 0, false, NULL, YES, YES, "carol@localhost", NULL },
	{ "certificate absent", POLICY_SIGN_ALWAYS, POLICY_ENCRYPT_OPPORTUNISTIC,
	  false, SEND_DEFAULT, SEND_DEFAULT, "bob", "To: dave@localhost\n",
	  0, 0, false, NULL, YES, NO, "dave@localhost",
	  "no usable certificate for dave@localhost (" },
	{ "certificate expired", POLICY_SIGN_ALWAYS, POLICY_ENCRYPT_OPPORTUNISTIC,
	  false, SEND_DEFAULT, SEND_DEFAULT, "bob", "To: alice@localhost\n",
	  0, 0, false, NULL, YES, NO, "alice@localhost", "has expired" },
	{ "Bcc expired", POLICY_SIGN_ALWAYS, POLICY_ENCRYPT_OPPORTUNISTIC,
	  false, SEND_DEFAULT, SEND_DEFAULT, "bob",
	  "Bcc: alice@localhost\nTo: carol@localhost\n",
	  0, 0, false, NULL, YES, NO, "carol@localhost +alice@localhost",
	  "no usable certificate for alice@localhost" },
	{ "To, Cc and Bcc present", POLICY_SIGN_ALWAYS, POLICY_ENCRYPT_ALWAYS,
	  true, SEND_DEFAULT, SEND_DEFAULT, "bob",
	  "To: carol@localhost\nCc: bob@localhost\nBcc: Carol <carol@localhost>\n",
	  0, 0, false, NULL, YES, YES, "carol@localhost bob@localhost", NULL },
	{ "always, absent", POLICY_SIGN_ALWAYS, POLICY_ENCRYPT_ALWAYS,
	  false, SEND_DEFAULT, SEND_DEFAULT, "bob", "To: dave@localhost\n",
	  -1, ERR_NOCERT, true, "encryption is required (encrypt = always)",
	  YES, NO, "dave@localhost", "dave@localhost" },
	{ "always locked, Bcc absent", POLICY_SIGN_ALWAYS, POLICY_ENCRYPT_ALWAYS,
	  true, SEND_DEFAULT, SEND_DEFAULT, "bob",
	  "To: carol@localhost\nBcc: dave@localhost\n",
	  -1, ERR_NOCERT, true, "no usable certificate for dave@localhost",
	  YES, NO, "carol@localhost +dave@localhost", "dave@localhost" },
	{ "always, expired", POLICY_SIGN_NEVER, POLICY_ENCRYPT_ALWAYS,
	  false, SEND_DEFAULT, SEND_DEFAULT, "bob", "To: alice@localhost\n",
	  -1, ERR_NOCERT, true, "has expired", NO, NO, "alice@localhost", NULL },
	{ "--encrypt, absent", POLICY_SIGN_ALWAYS, POLICY_ENCRYPT_OPPORTUNISTIC,
	  false, SEND_DEFAULT, SEND_YES, "bob", "To: dave@localhost\n",
	  -1, ERR_NOCERT, true, "encryption is required", YES, NO, "dave@localhost",
	  NULL },
	{ "never, never", POLICY_SIGN_NEVER, POLICY_ENCRYPT_NEVER,
	  false, SEND_DEFAULT, SEND_DEFAULT, "bob", "To: carol@localhost\n",
	  0, 0, false, NULL, NO, NO, "carol@localhost", "policy encrypt = never" },
	{ "ask signs", POLICY_SIGN_ASK, POLICY_ENCRYPT_NEVER,
	  false, SEND_DEFAULT, SEND_DEFAULT, "bob", "To: dave@localhost\n",
	  0, 0, false, NULL, YES, NO, "dave@localhost", NULL },
	{ "--sign over never", POLICY_SIGN_NEVER, POLICY_ENCRYPT_OPPORTUNISTIC,
	  false, SEND_YES, SEND_DEFAULT, "bob", "To: carol@localhost\n",
	  0, 0, false, NULL, YES, YES, "carol@localhost", NULL },
	{ "--no-sign, unlocked", POLICY_SIGN_ALWAYS, POLICY_ENCRYPT_NEVER,
	  false, SEND_NO, SEND_DEFAULT, "bob", "To: carol@localhost\n",
	  0, 0, false, NULL, NO, NO, "carol@localhost", NULL },
	{ "--no-sign, locked", POLICY_SIGN_ALWAYS, POLICY_ENCRYPT_NEVER,
	  true, SEND_NO, SEND_DEFAULT, "bob", "To: carol@localhost\n",
	  -1, ERR_POLICY, false, "--no-sign refused: signing is locked to 'always'",
	  NO, NO, NULL, NULL },
	{ "--no-encrypt, locked", POLICY_SIGN_ALWAYS, POLICY_ENCRYPT_ALWAYS,
	  true, SEND_DEFAULT, SEND_NO, "bob", "To: carol@localhost\n",
	  -1, ERR_POLICY, false, "--no-encrypt refused", NO, NO, NULL, NULL },
	{ "--no-encrypt, unlocked", POLICY_SIGN_ALWAYS, POLICY_ENCRYPT_ALWAYS,
	  false, SEND_DEFAULT, SEND_NO, "bob", "To: dave@localhost\n",
	  0, 0, false, NULL, YES, NO, "dave@localhost", "--no-encrypt" },
	{ "no signing key", POLICY_SIGN_ALWAYS, POLICY_ENCRYPT_OPPORTUNISTIC,
	  false, SEND_DEFAULT, SEND_DEFAULT, "carol", "To: carol@localhost\n",
	  -1, ERR_NOCERT, true, "cannot sign, and the policy says sign",
	  NO, YES, "carol@localhost", NULL },
	{ "no signing key, never", POLICY_SIGN_NEVER, POLICY_ENCRYPT_OPPORTUNISTIC,
	  false, SEND_DEFAULT, SEND_DEFAULT, "carol", "To: dave@localhost\n",
	  0, 0, false, NULL, NO, NO, "dave@localhost", NULL },
	{ "no recipients", POLICY_SIGN_ALWAYS, POLICY_ENCRYPT_OPPORTUNISTIC,
	  false, SEND_DEFAULT, SEND_DEFAULT, "bob", "Subject: none\n",
	  -1, ERR_INPUT, false, "no recipients", NO, NO, NULL, NULL },
	{ "another sender", POLICY_SIGN_ALWAYS, POLICY_ENCRYPT_OPPORTUNISTIC,
	  false, SEND_DEFAULT, SEND_DEFAULT, "bob",
	  "From: carol@localhost\nTo: dave@localhost\n",
	  -1, ERR_INPUT, false, "but account bob sends as bob@localhost",
	  NO, NO, NULL, NULL },
};

/* The envelope as the table writes it: "a b +c" (+: Bcc). */
static char *
envelope(const struct send_plan *plan)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_adds(&b, "");
	for (i = 0; i < plan->n_rcpts; i++)
		buf_addf(&b, "%s%s%s", i ? " " : "", plan->rcpts[i].bcc ? "+" : "",
			 plan->rcpts[i].addr);
	return buf_detach(&b, NULL);
}

static void
account_init(struct account *a, const char *user)
{
	memset(a, 0, sizeof *a);
	a->name = xstrdup(user);
	a->from_addr = xasprintf("%s@localhost", user);
	a->from = xasprintf("%s <%s>", user, a->from_addr);
	a->smtp.scheme = xstrdup("smtps");
	a->smtp.host = xstrdup("127.0.0.1");
	a->smtp.port = 1;	/* nothing listens: a plan never connects */
	a->sent = xstrdup("Sent");
}

static void
account_release(struct account *a)
{
	free(a->name);
	free(a->from_addr);
	free(a->from);
	free(a->smtp.scheme);
	free(a->smtp.host);
	free(a->sent);
}

static void
test_plan(void)
{
	struct certstore *s = NULL;
	struct account bob, carol;
	struct send_options o = { 0 };
	struct err e = { 0 };
	char *data = xasprintf("%s/data", plan_tmp);
	time_t now = time(NULL);
	size_t i, j;

	if (certstore_open(data, plan_gnupg, &s, &e) < 0) {
		fprintf(stderr, "%s: %s\n", data, e.msg);
		exit(99);
	}
	store_cert(s, pki_dir, "carol.pem", now);
	store_cert(s, fx_dir, "alice-expired.pem", now);
	certstore_close(&s);
	account_init(&bob, "bob");
	account_init(&carol, "carol");
	o.gnupg_home = plan_gnupg;
	o.data_dir = data;

	for (i = 0; i < sizeof plan_cases / sizeof plan_cases[0]; i++) {
		const struct plan_case *c = &plan_cases[i];
		struct policy p = { .sign = c->sign, .encrypt = c->encrypt,
				    .sign_locked = c->locked,
				    .encrypt_locked = c->locked };
		struct send_plan plan;
		char *msg = xasprintf("%sSubject: %s\n\nbody\n", c->header, c->name);
		char *env;
		int rc;

		fprintf(stderr, "case: %s\n", c->name);
		err_clear(&e);
		o.sign = c->req_sign;
		o.encrypt = c->req_encrypt;
		rc = send_plan(strcmp(c->sender, "bob") == 0 ? &bob : &carol, &p, msg,
			       strlen(msg), &o, &plan, &e);
		CHECK_INT(rc, c->rc);
		if (rc < 0) {
			CHECK_INT(e.code, c->code);
			CHECK_CONTAINS(e.msg, c->why);
		}
		CHECK_INT(plan.refusal != NULL, c->refused);
		if (c->refused)
			CHECK_CONTAINS(plan.refusal, c->why);
		if (rc == 0 || c->refused) {
			CHECK_INT(plan.sign, c->sign_ == YES);
			CHECK_INT(plan.encrypt, c->encrypt_ == YES);
			CHECK_INT(plan.signer != NULL, plan.sign);
			CHECK_INT(plan.why_unsigned != NULL, !plan.sign);
			CHECK_INT(plan.why_not_encrypted != NULL, !plan.encrypt);
			if (c->why_not_encrypted)
				CHECK_CONTAINS(plan.why_not_encrypted, c->why_not_encrypted);
			env = envelope(&plan);
			CHECK_STR(env, c->rcpts);
			free(env);
			/* Bcc never stays in what the recipients get. */
			CHECK(strstr(plan.prepared.data, "Bcc:") == NULL);
			/* Encrypting: every recipient and the sender have a certificate;
			 * looked up, each has one or says why not. */
			for (j = 0; j < plan.n_rcpts; j++) {
				const struct send_plan_rcpt *r = &plan.rcpts[j];

				if (plan.encrypt)
					CHECK(r->cert != NULL);
				if (c->encrypt != POLICY_ENCRYPT_NEVER &&
				    c->req_encrypt != SEND_NO)
					CHECK((r->cert == NULL) != (r->why_no_cert == NULL));
				if (strcmp(r->addr, "carol@localhost") == 0 &&
				    c->encrypt != POLICY_ENCRYPT_NEVER &&
				    c->req_encrypt != SEND_NO)
					CHECK(r->cert != NULL);
			}
			/* Both senders have a certificate: found whenever looked up. */
			CHECK_INT(plan.sender_cert != NULL,
				  plan.policy.encrypt != POLICY_ENCRYPT_NEVER);
		}
		send_plan_release(&plan);
		free(msg);
	}

	/* The printed plan: Bcc on its own line, each certificate, the refusal. */
	{
		struct policy p = { .sign = POLICY_SIGN_ALWAYS,
				    .encrypt = POLICY_ENCRYPT_ALWAYS };
		const char *msg = "To: carol@localhost\nBcc: dave@localhost\n\nb\n";
		struct send_plan plan;
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		o.sign = o.encrypt = SEND_DEFAULT;
		CHECK_INT(send_plan(&bob, &p, msg, strlen(msg), &o, &plan, &e), -1);
		send_plan_print(&bob, &plan, f);
		fclose(f);
		CHECK_CONTAINS(text, "from:      bob@localhost\nto:        carol@localhost\n"
			       "bcc:       dave@localhost\nsigned:    yes, certificate ");
		CHECK_CONTAINS(text, "\ncert:      carol@localhost ");
		CHECK_CONTAINS(text, "\ncert:      dave@localhost none: ");
		CHECK_CONTAINS(text, " (sender), key transport RSAES-OAEP (announced)\nvia:       smtps://127.0.0.1:1\n");
		CHECK_CONTAINS(text, "\nrefused:   encryption is required (encrypt = "
			       "always), nothing was sent: no usable certificate for "
			       "dave@localhost");
		free(text);
		send_plan_release(&plan);
	}
	account_release(&bob);
	account_release(&carol);
	free(data);
}

int
main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: test_send FIXTURES PKI GNUPGHOME TMPDIR\n");
		return 99;
	}
	fx_dir = argv[1];
	pki_dir = argv[2];
	plan_gnupg = argv[3];
	plan_tmp = argv[4];
	test_headers();
	test_meta();
	test_plan();
	return check_exit();
}
