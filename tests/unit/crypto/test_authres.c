/* test_authres.c — Authentication-Results fields, and which of them count. */
#include "crypto/smime.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>

/* One field: readable or not, and what it says, as "id|method=result
 * ptype.property=value ...|..." ("none" for "; none"). */
static void
describe(const struct smime_authres_field *f, struct buf *out)
{
	size_t i, j;

	buf_adds(out, f->authserv_id);
	if (f->none)
		buf_adds(out, "|none");
	for (i = 0; i < f->n_results; i++) {
		const struct smime_authres_result *r = &f->results[i];

		buf_addf(out, "|%s=%s", r->method, r->result);
		if (r->reason)
			buf_addf(out, " reason=%s", r->reason);
		if (r->comment)
			buf_addf(out, " (%s)", r->comment);
		for (j = 0; j < r->n_props; j++)
			buf_addf(out, " %s.%s=%s", r->props[j].ptype, r->props[j].property,
				 r->props[j].value);
	}
}

static void
test_parse(void)
{
	static const struct {
		const char *in;
		const char *out;	/* NULL: unreadable */
	} t[] = {
		{ "mx.example.com; dkim=pass header.d=example.org header.s=sel",
		  "mx.example.com|dkim=pass header.d=example.org header.s=sel" },
		{ "MX.Example.COM 1; SPF=Pass smtp.mailfrom=bob@example.org",
		  "mx.example.com|spf=pass smtp.mailfrom=bob@example.org" },
		{ "mx.example.com; none", "mx.example.com|none" },
		{ "mx.example.com (a comment (nested)); none ", "mx.example.com|none" },
		{ "mx.example.com;\r\n\tdkim=pass (1024-bit key; unprotected) header.d=example.org;"
		  "\r\n\tspf=softfail smtp.mailfrom=example.org; dmarc=fail (p=reject dis=none)"
		  " header.from=example.org",
		  "mx.example.com|dkim=pass (1024-bit key; unprotected) header.d=example.org"
		  "|spf=softfail smtp.mailfrom=example.org"
		  "|dmarc=fail (p=reject dis=none) header.from=example.org" },
		{ "\"mx.example.com\"; dkim/1=neutral reason=\"bad; sig\" header.i=@example.org",
		  "mx.example.com|dkim=neutral reason=bad; sig header.i=@example.org" },
		{ "mx.example.com; dmarc=pass policy.dmarc=quarantine header.from = example.org",
		  "mx.example.com|dmarc=pass policy.dmarc=quarantine header.from=example.org" },
		{ "mx.example.com; auth=pass smtp.auth=\"bob\"@example.org",
		  "mx.example.com|auth=pass smtp.auth=bob@example.org" },
		/* Unreadable: the whole field, never half of it. */
		{ "", NULL },
		{ "mx.example.com", NULL },
		{ "mx.example.com;", NULL },
		{ "mx.example.com; dkim", NULL },
		{ "mx.example.com; dkim=", NULL },
		{ "mx.example.com; dkim=pass header", NULL },
		{ "mx.example.com; dkim=pass header.d", NULL },
		{ "mx.example.com; dkim=pass header.d=", NULL },
		{ "mx.example.com; dkim=pass (unclosed", NULL },
		{ "mx.example.com; dkim=pass; ", NULL },
		{ "mx.example.com 2; dkim=pass", NULL },
		{ "mx.example.com; none; dkim=pass", NULL },
		{ "mx.example.com; dkim=pass header.d=\"open", NULL },
		{ "; dkim=pass", NULL },
		{ "mx.example.com; dkim=pass x.y=1 x.y=2 x.y=3 x.y=4 x.y=5 x.y=6 x.y=7 x.y=8 x.y=9",
		  NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct smime_authres_field f;
		struct buf b = BUF_INIT;
		int rc = smime_authres_parse(t[i].in, strlen(t[i].in), &f);

		if (t[i].out == NULL) {
			CHECK_INT(rc, -1);
			CHECK(f.authserv_id == NULL && f.results == NULL);
			continue;
		}
		CHECK_INT(rc, 0);
		if (rc == 0) {
			describe(&f, &b);
			CHECK_STR(b.data, t[i].out);
		}
		buf_release(&b);
		smime_authres_field_release(&f);
	}
}

/* Comments nested past the limit, and many results: bounded, refused. */
static void
test_limits(void)
{
	struct smime_authres_field f;
	struct buf b = BUF_INIT;
	size_t i;

	buf_adds(&b, "mx.example.com ");
	for (i = 0; i < 100; i++)
		buf_addc(&b, '(');
	for (i = 0; i < 100; i++)
		buf_addc(&b, ')');
	buf_adds(&b, "; none");
	CHECK_INT(smime_authres_parse(b.data, b.len, &f), -1);
	buf_reset(&b);
	buf_adds(&b, "mx.example.com");
	for (i = 0; i <= SMIME_AUTHRES_MAX_RESULTS; i++)
		buf_adds(&b, "; dkim=pass");
	CHECK_INT(smime_authres_parse(b.data, b.len, &f), -1);
	buf_release(&b);
}

static void
test_aligned(void)
{
	CHECK(smime_domains_aligned("example.org", "EXAMPLE.org"));
	CHECK(smime_domains_aligned("mail.example.org", "example.org"));
	CHECK(smime_domains_aligned("example.org", "mail.example.org"));
	CHECK(!smime_domains_aligned("badexample.org", "example.org"));
	CHECK(!smime_domains_aligned("example.org.evil", "example.org"));
	CHECK(!smime_domains_aligned(NULL, "example.org"));
	CHECK(!smime_domains_aligned("", ""));
}

/* Which fields count: only ours, only above what the message came with. */
static void
test_read(void)
{
	static const char *const ids[] = { "mx.localhost", "imap.localhost" };
	static const struct {
		const char *msg;
		const char *dkim, *dkim_d, *spf, *dmarc, *dmarc_d, *policy;
		int aligned;
	} t[] = {
		{ "Return-Path: <bob@example.org>\n"
		  "Delivered-To: alice@localhost\n"
		  "Received: from mx.localhost by imap.localhost with LMTP\n"
		  "Authentication-Results: mx.localhost; dkim=pass header.d=example.org;"
		  " spf=pass smtp.mailfrom=bob@example.org;\n"
		  "  dmarc=pass (p=reject dis=none) header.from=example.org\n"
		  "Received: from mail.example.org by mx.localhost (Postfix)\n"
		  "From: Bob <bob@example.org>\n\nhi\n",
		  "pass", "example.org", "pass", "pass", "example.org", "reject", 1 },
		/* Forged below the message's own fields: ignored. */
		{ "Authentication-Results: mx.localhost; dmarc=fail header.from=example.org\n"
		  "Received: from evil by mx.localhost\n"
		  "Received: from x by mail.evil.example\n"
		  "Authentication-Results: mx.localhost; dmarc=pass header.from=example.org\n"
		  "From: bob@example.org\n\nhi\n",
		  NULL, NULL, NULL, "fail", "example.org", NULL, 0 },
		{ "Authentication-Results: mx.localhost; spf=fail smtp.mailfrom=example.org\n"
		  "From: bob@example.org\n"
		  "Authentication-Results: mx.localhost; dmarc=pass header.from=example.org\n"
		  "\nhi\n",
		  NULL, NULL, "fail", NULL, NULL, NULL, 0 },
		/* Another authserv-id ends the reading. */
		{ "Authentication-Results: mx.evil.example; dmarc=pass header.from=example.org\n"
		  "Authentication-Results: mx.localhost; dmarc=pass header.from=example.org\n"
		  "From: bob@example.org\n\nhi\n",
		  NULL, NULL, NULL, NULL, NULL, NULL, 0 },
		/* So does one that cannot be read. */
		{ "Authentication-Results: mx.localhost; dmarc=pass (oops\n"
		  "Authentication-Results: mx.localhost; dmarc=pass header.from=example.org\n"
		  "From: bob@example.org\n\nhi\n",
		  NULL, NULL, NULL, NULL, NULL, NULL, 0 },
		/* Several signatures: the passing one aligned with From. */
		{ "Authentication-Results: mx.localhost; dkim=fail header.d=example.org;"
		  " dkim=pass header.d=list.example.net; dkim=pass header.d=example.org\n"
		  "From: bob@example.org\n\nhi\n",
		  "pass", "example.org", NULL, NULL, NULL, NULL, 1 },
		{ "Authentication-Results: mx.localhost; dkim=pass header.d=list.example.net;"
		  " spf=pass smtp.mailfrom=list.example.net; dmarc=fail policy.dmarc=reject\n"
		  "From: bob@example.org\n\nhi\n",
		  "pass", "list.example.net", "pass", "fail", NULL, "reject", 0 },
		/* Right below the Received of the hop from outside: the message's. */
		{ "Received: from harness ([127.0.0.1]) by imap.localhost with LMTP\n"
		  "Authentication-Results: mx.localhost; dmarc=pass header.from=example.org\n"
		  "Received: from mail.example.org (mail.example.org [192.0.2.1])\n"
		  "\tby mx.localhost (Postfix) with ESMTPS id 1\n"
		  "Authentication-Results: mx.localhost; dmarc=fail header.from=example.org\n"
		  "From: bob@example.org\n\nhi\n",
		  NULL, NULL, NULL, "pass", "example.org", NULL, 0 },
		/* A peer that names itself as one of ours: the connection says not. */
		{ "Received: from mx.localhost (evil.example [192.0.2.66]) by mx.localhost\n"
		  "Authentication-Results: mx.localhost; dmarc=pass header.from=example.org\n"
		  "From: bob@example.org\n\nhi\n",
		  NULL, NULL, NULL, NULL, NULL, NULL, 0 },
		{ "Received: from imap.localhost (mx.localhost [192.0.2.5]) by imap.localhost\n"
		  "Received: from x by mx.localhost id 2\n"
		  "Authentication-Results: mx.localhost; dmarc=pass header.from=example.org\n"
		  "From: bob@example.org\n\nhi\n",
		  NULL, NULL, NULL, NULL, NULL, NULL, 0 },
		{ "Received: from imap.localhost (mx.localhost [192.0.2.5]) by imap.localhost\n"
		  "Authentication-Results: mx.localhost; dmarc=pass header.from=example.org\n"
		  "Received: by mx.localhost (Postfix, from userid 0) id 3\n"
		  "Authentication-Results: mx.localhost; dmarc=fail header.from=example.org\n"
		  "From: bob@example.org\n\nhi\n",
		  NULL, NULL, NULL, "pass", "example.org", NULL, 0 },
		{ "Received: by mx.localhost.\nFrom: bob@example.org\n"
		  "Authentication-Results: mx.localhost; dkim=pass header.d=example.org\n\nhi\n",
		  NULL, NULL, NULL, NULL, NULL, NULL, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct smime_authentication *a = NULL;
		struct err e = { 0 };

		CHECK_INT(smime_authentication_read(t[i].msg, strlen(t[i].msg), ids, 2,
						    &a, &e), 0);
		if (a == NULL)
			continue;
#define CHECK_OPT(got, want) \
	do { if ((want) == NULL) CHECK((got) == NULL); else CHECK_STR((got), (want)); } while (0)
		CHECK_OPT(a->dkim.result, t[i].dkim);
		CHECK_OPT(a->dkim.domain, t[i].dkim_d);
		CHECK_OPT(a->spf.result, t[i].spf);
		CHECK_OPT(a->dmarc.result, t[i].dmarc);
		CHECK_OPT(a->dmarc.domain, t[i].dmarc_d);
		CHECK_OPT(a->dmarc.policy, t[i].policy);
		CHECK_INT(a->aligned, t[i].aligned);
		smime_authentication_free(&a);
		CHECK(a == NULL);
	}
}

int
main(void)
{
	test_parse();
	test_limits();
	test_aligned();
	test_read();
	return check_exit();
}
