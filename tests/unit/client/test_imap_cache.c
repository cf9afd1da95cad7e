/* test_imap_cache.c — the on-disk form of a folder index, and its file names. */
#include "client/imap_cache.h"
#include "tests/unit/check.h"

#include <stdlib.h>

static void
test_roundtrip(void)
{
	struct imap_index in = { 0 }, out;
	struct buf text = BUF_INIT;

	in.uidvalidity = 1795813026;
	in.uidnext = 12;
	in.n = 2;
	in.msgs = xcalloc(2, sizeof *in.msgs);
	in.msgs[0].uid = 3;
	in.msgs[0].size = 1234;
	in.msgs[0].flags = IMAP_FLAG_SEEN | IMAP_FLAG_FLAGGED;
	in.msgs[0].internal_date = 1795813026;
	in.msgs[0].date = xstrdup("Fri, 27 Nov 2026 20:57:06 +0000");
	in.msgs[0].subject = xstrdup("tab\there, newline\nthere, back\\slash\r");
	in.msgs[0].from_name = xstrdup("Bob Example");
	in.msgs[0].from_addr = xstrdup("bob@localhost");
	in.msgs[0].message_id = xstrdup("<1@x>");
	in.msgs[1].uid = 11;	/* every text field absent */

	imap_index_format(&in, &text);
	CHECK_CONTAINS(text.data, "cachet-imap-index 1 1795813026 12 2\n");
	CHECK_CONTAINS(text.data, "tab\\there, newline\\nthere, back\\\\slash\\r\t");
	CHECK_CONTAINS(text.data, "\n11\t0\t0\t0\t\t\t\t\t\n");
	CHECK_INT(imap_index_parse(text.data, text.len, &out), 0);
	CHECK_INT(out.uidvalidity, 1795813026);
	CHECK_INT(out.uidnext, 12);
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
		CHECK_INT(out.msgs[1].uid, 11);
		CHECK(out.msgs[1].subject == NULL);
		CHECK(out.msgs[1].message_id == NULL);
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
		"cachet-imap-index 2 1 2 0\n",			/* other version */
		"cachet-imap-index 1 1 2 1\n",			/* a record missing */
		"cachet-imap-index 1 1 2 0\nextra\n",		/* trailing garbage */
		"cachet-imap-index 1 1 9 1\n0\t1\t0\t0\t\t\t\t\t\n", /* UID 0 */
		"cachet-imap-index 1 1 9 1\n1\t1\t0\t0\t\t\t\t\n",   /* 8 fields */
		"cachet-imap-index 1 1 9 1\nx\t1\t0\t0\t\t\t\t\t\n", /* not a number */
		"cachet-imap-index 1 1 9 2\n5\t1\t0\t0\t\t\t\t\t\n"
		"5\t1\t0\t0\t\t\t\t\t\n",			/* UIDs not ascending */
		"cachet-imap-index 1 1 9 1\n1\t1\t0\t0\t\t\t\t\t",  /* no final newline */
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct imap_index idx;

		CHECK_INT(imap_index_parse(bad[i], strlen(bad[i]), &idx), -1);
		CHECK(idx.msgs == NULL && idx.n == 0);
	}
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
	test_paths();
	return check_exit();
}
