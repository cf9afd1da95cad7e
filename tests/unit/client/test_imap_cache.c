/* test_imap_cache.c — the on-disk form of a folder index, and its file names. */
#include "client/imap_cache.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>

static void
test_roundtrip(void)
{
	struct imap_index in = { 0 }, out;
	struct buf text = BUF_INIT;

	in.uidvalidity = 1795813026;
	in.uidnext = 12;
	in.modseq = 18446744073709551615ULL;
	in.n = 2;
	in.msgs = xcalloc(2, sizeof *in.msgs);
	in.msgs[0].uid = 3;
	in.msgs[0].size = 1234;
	in.msgs[0].flags = IMAP_FLAG_SEEN | IMAP_FLAG_FLAGGED;
	in.msgs[0].internal_date = 1795813026;
	{
		const char *str[IMAP_SUM_FIELDS] = {
			[IMAP_SUM_DATE] = "Fri, 27 Nov 2026 20:57:06 +0000",
			[IMAP_SUM_SUBJECT] = "tab\there, newline\nthere, back\\slash\r",
			[IMAP_SUM_FROM_NAME] = "Bob Example",
			[IMAP_SUM_FROM_ADDR] = "bob@localhost",
			[IMAP_SUM_MESSAGE_ID] = "<1@x>",
			[IMAP_SUM_IN_REPLY_TO] = "<0@x>",
			[IMAP_SUM_CONTENT_TYPE] = "multipart/signed; protocol=\"application/"
						  "pkcs7-signature\"; micalg=sha-256",
			[IMAP_SUM_FROM_FIELD] = "=?utf-8?q?B=C3=B6b?= <bob@localhost>, eve@x",
		};

		imap_summary_set(&in.msgs[0], str);
	}
	in.msgs[1].uid = 11;	/* every text field absent */

	imap_index_format(&in, &text);
	CHECK_CONTAINS(text.data, "cachet-imap-index 4 1795813026 12 18446744073709551615 2\n");
	CHECK_CONTAINS(text.data, "tab\\there, newline\\nthere, back\\\\slash\\r\t");
	CHECK_CONTAINS(text.data, "\t<1@x>\t<0@x>\tmultipart/signed; protocol=");
	CHECK_CONTAINS(text.data, "\n11\t0\t0\t0\t\t\t\t\t\t\t\t\n");
	CHECK_INT(imap_index_parse(text.data, text.len, &out), 0);
	CHECK_INT(out.uidvalidity, 1795813026);
	CHECK_INT(out.uidnext, 12);
	CHECK(out.modseq == 18446744073709551615ULL);
	CHECK_INT(out.n, 2);
	if (out.n == 2) {
		CHECK_INT(out.msgs[0].uid, 3);
		CHECK_INT(out.msgs[0].size, 1234);
		CHECK_INT(out.msgs[0].flags, IMAP_FLAG_SEEN | IMAP_FLAG_FLAGGED);
		CHECK_INT(out.msgs[0].internal_date, 1795813026);
		CHECK_STR(out.msgs[0].subject, in.msgs[0].subject);
		CHECK_STR(out.msgs[0].date, in.msgs[0].date);
		CHECK_STR(out.msgs[0].from_name, "Bob Example");
		CHECK_STR(out.msgs[0].from_addr, "bob@localhost");
		CHECK_STR(out.msgs[0].message_id, "<1@x>");
		CHECK_STR(out.msgs[0].in_reply_to, "<0@x>");
		CHECK_STR(out.msgs[0].content_type, in.msgs[0].content_type);
		CHECK_STR(out.msgs[0].from_field, in.msgs[0].from_field);
		CHECK_INT(out.msgs[1].uid, 11);
		CHECK(out.msgs[1].subject == NULL);
		CHECK(out.msgs[1].message_id == NULL);
		CHECK(out.msgs[1].content_type == NULL);
		CHECK(out.msgs[1].from_field == NULL);
	}
	imap_index_release(&out);
	imap_index_release(&in);
	buf_release(&text);
}

static void
test_refused(void)
{
	static const char *const bad[] = {
		"",
		/* older versions, even when well formed */
		"cachet-imap-index 1 1 2 0\n",
		"cachet-imap-index 1 1 9 1\n1\t1\t0\t0\t\t\t\t\t\n",
		"cachet-imap-index 2 1 2 0\n",
		"cachet-imap-index 2 1 9 1\n1\t1\t0\t0\t\t\t\t\t\t\n",
		"cachet-imap-index 3 1 9 0 1\n1\t1\t0\t0\t\t\t\t\t\t\t\n",	/* version 3 */
		"cachet-imap-index 5 1 2 0 0\n",		/* a later version */
		"cachet-imap-index 4 1 2 0\n",			/* no modseq */
		"cachet-imap-index 4 1 2 0 1\n",		/* a record missing */
		"cachet-imap-index 4 1 2 0 0\nextra\n",	/* trailing garbage */
		"cachet-imap-index 4 1 9 0 1\n0\t1\t0\t0\t\t\t\t\t\t\t\t\n", /* UID 0 */
		"cachet-imap-index 4 1 9 0 1\n1\t1\t0\t0\t\t\t\t\t\t\t\n",   /* 11 fields */
		"cachet-imap-index 4 1 9 0 1\n1\t1\t0\t0\t\t\t\t\t\t\t\t\t\n", /* 13 */
		"cachet-imap-index 4 1 9 0 1\nx\t1\t0\t0\t\t\t\t\t\t\t\t\n", /* not a number */
		"cachet-imap-index 4 1 9 0 2\n5\t1\t0\t0\t\t\t\t\t\t\t\t\n"
		"5\t1\t0\t0\t\t\t\t\t\t\t\t\n",		/* UIDs not ascending */
		"cachet-imap-index 4 1 9 0 1\n1\t1\t0\t0\t\t\t\t\t\t\t\t",  /* no final newline */
		"cachet-imap-index 4 1 9 x 0\n",		/* modseq not a number */
		"cachet-imap-index 3 1 2 0 0\n",		/* an older version */
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct imap_index idx;

		CHECK_INT(imap_index_parse(bad[i], strlen(bad[i]), &idx), -1);
		CHECK(idx.msgs == NULL && idx.n == 0);
	}
}

/* A content type longer than the summary keeps is refused, not cut. */
static void
test_long_content_type(void)
{
	struct buf text = BUF_INIT;
	struct imap_index idx;
	size_t i;

	buf_adds(&text, "cachet-imap-index 4 1 9 0 1\n1\t1\t0\t0\t\t\t\t\t\t\t");
	for (i = 0; i < IMAP_CONTENT_TYPE_MAX; i++)
		buf_addc(&text, 'x');
	buf_adds(&text, "\t\n");
	CHECK_INT(imap_index_parse(text.data, text.len, &idx), 0);
	imap_index_release(&idx);
	buf_reset(&text);
	buf_adds(&text, "cachet-imap-index 4 1 9 0 1\n1\t1\t0\t0\t\t\t\t\t\t\t");
	for (i = 0; i <= IMAP_CONTENT_TYPE_MAX; i++)
		buf_addc(&text, 'x');
	buf_adds(&text, "\t\n");
	CHECK_INT(imap_index_parse(text.data, text.len, &idx), -1);
	buf_release(&text);
}

/* The Content-Type out of the header block a server answers. */
static void
test_content_type_of(void)
{
	static const struct {
		const char *hdr;
		const char *want;	/* NULL: none */
	} cases[] = {
		{ "Content-Type: text/plain\r\n\r\n", "text/plain" },
		{ "content-type:application/pkcs7-mime;\r\n\tsmime-type=enveloped-data;"
		  "\r\n name=\"smime.p7m\"\r\n\r\n",
		  "application/pkcs7-mime; smime-type=enveloped-data; name=\"smime.p7m\"" },
		{ "CONTENT-TYPE:   multipart/signed; micalg=sha-256  \n\n",
		  "multipart/signed; micalg=sha-256" },
		/* a field that only starts the same is another field */
		{ "Content-Typex: text/html\r\n\r\n", NULL },
		{ "X-Content-Type: text/html\r\nContent-Type: text/plain\r\n",
		  "text/plain" },
		/* control characters never reach the screen or the cache */
		{ "Content-Type: text/plain;\x1b[31m x=1\r\n", "text/plain; [31m x=1" },
		{ "\r\n", NULL },
		{ "Content-Type:\r\n\r\n", NULL },
		/* no final line end */
		{ "Content-Type: text/plain", "text/plain" },
		{ "Content-Type: a/b;\r\n", "a/b;" },
	};
	struct buf big = BUF_INIT;
	size_t i;
	char *ct;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ct = imap_content_type_of(cases[i].hdr, strlen(cases[i].hdr));
		if (cases[i].want == NULL)
			CHECK(ct == NULL);
		else
			CHECK_STR(ct ? ct : "(none)", cases[i].want);
		free(ct);
	}
	buf_adds(&big, "Content-Type: text/plain; x=");
	for (i = 0; i < IMAP_CONTENT_TYPE_MAX; i++)
		buf_addc(&big, 'y');
	buf_adds(&big, "\r\n\r\n");
	CHECK(imap_content_type_of(big.data, big.len) == NULL);
	buf_release(&big);
}

static void
test_paths(void)
{
	char *p;

	p = imap_index_path("/d", "work", "INBOX");
	CHECK_STR(p, "/d/imap-cache/work/INBOX");
	free(p);
	p = imap_index_path("/d", "work", "Archive/2026");
	CHECK_STR(p, "/d/imap-cache/work/Archive%2F2026");
	free(p);
	p = imap_index_path("/d", "..", "../x");
	CHECK_STR(p, "/d/imap-cache/%2E./%2E.%2Fx");
	free(p);
	p = imap_index_path("/d", "a", "50%");
	CHECK_STR(p, "/d/imap-cache/a/50%25");
	free(p);
}

int
main(void)
{
	test_roundtrip();
	test_refused();
	test_long_content_type();
	test_content_type_of();
	test_paths();
	return check_exit();
}
