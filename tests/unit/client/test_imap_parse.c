/* test_imap_parse.c — untagged FETCH answers as the index reads them. */
#include "client/imap.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>

static int
parse(const char *resp, struct imap_summary *sum)
{
	return imap_parse_fetch(resp, strlen(resp), sum);
}

/* What Dovecot answers for the index's items, literal header included. */
static void
test_full(void)
{
	static const char resp[] =
		"* 12 FETCH (UID 4711 FLAGS (\\Seen \\Flagged $Forwarded) "
		"RFC822.SIZE 3456 INTERNALDATE \"27-Nov-2026 20:57:06 +0100\" "
		"ENVELOPE (\"Fri, 27 Nov 2026 20:57:06 +0100\" \"Re: the \\\"plan\\\"\" "
		"((\"Bob Example\" NIL \"bob\" \"localhost\")) "
		"((\"Bob Example\" NIL \"bob\" \"localhost\")) NIL "
		"((NIL NIL \"alice\" \"localhost\")(NIL NIL \"carol\" \"localhost\")) "
		"NIL NIL \"<1@localhost>\" \"<2@localhost>\") "
		"MODSEQ (123456789012) "
		"BODY[HEADER.FIELDS (CONTENT-TYPE FROM)] {113}\r\n"
		"Content-Type: multipart/signed;\r\n micalg=sha-256; protocol=\"a/b\"\r\n"
		"From: alice@localhost:\r\n mallory@localhost;\r\n\r\n"
		")\r\n";
	struct imap_summary s;

	CHECK_INT(parse(resp, &s), 0);
	CHECK_INT(s.seq, 12);
	CHECK_INT(s.uid, 4711);
	CHECK_INT(s.flags, IMAP_FLAG_SEEN | IMAP_FLAG_FLAGGED);
	CHECK_INT(s.size, 3456);
	/* 20:57:06 at +0100 is 19:57:06 UTC */
	CHECK_INT(s.internal_date, 1795809426);
	CHECK_STR(s.date, "Fri, 27 Nov 2026 20:57:06 +0100");
	CHECK_STR(s.subject, "Re: the \"plan\"");
	CHECK_STR(s.from_name, "Bob Example");
	CHECK_STR(s.from_addr, "bob@localhost");
	/* The From the index shows is the field as sent, not the ENVELOPE's. */
	CHECK_STR(s.from_field, "alice@localhost: mallory@localhost;");
	CHECK_STR(s.in_reply_to, "<1@localhost>");
	CHECK_STR(s.message_id, "<2@localhost>");
	CHECK(s.modseq == 123456789012ULL);
	CHECK_STR(s.content_type, "multipart/signed; micalg=sha-256; protocol=\"a/b\"");
	imap_summary_release(&s);
}

static void
test_shapes(void)
{
	struct imap_summary s;

	/* flags only, MODSEQ from CHANGEDSINCE, odd spacing and case */
	CHECK_INT(parse("* 3 fetch (uid 9 flags () modseq (5))\r\n", &s), 0);
	CHECK_INT(s.uid, 9);
	CHECK_INT(s.flags, 0);
	CHECK(s.modseq == 5);
	imap_summary_release(&s);
	/* a FETCH without UID (another client's flag change) parses, uid 0 */
	CHECK_INT(parse("* 3 FETCH (FLAGS (\\Deleted \\Draft \\Answered))\r\n", &s), 0);
	CHECK_INT(s.uid, 0);
	CHECK_INT(s.flags, IMAP_FLAG_DELETED | IMAP_FLAG_DRAFT | IMAP_FLAG_ANSWERED);
	imap_summary_release(&s);
	/* a group and an empty From: no sender address, no invented one */
	CHECK_INT(parse("* 1 FETCH (UID 1 ENVELOPE (NIL NIL "
			"((NIL NIL \"undisclosed\" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL NIL NIL NIL))\r\n",
			&s), 0);
	CHECK(s.from_addr == NULL && s.from_name == NULL && s.subject == NULL);
	imap_summary_release(&s);
	/* a group first, then a real mailbox: the mailbox is the sender */
	CHECK_INT(parse("* 1 FETCH (UID 1 ENVELOPE (NIL NIL "
			"((NIL NIL \"team\" NIL)(\"Al\" NIL \"al\" \"x.org\")(NIL NIL NIL NIL)) "
			"NIL NIL NIL NIL NIL NIL NIL))\r\n", &s), 0);
	CHECK_STR(s.from_addr, "al@x.org");
	CHECK_STR(s.from_name, "Al");
	imap_summary_release(&s);
	/* strings as literals, with a NUL byte dropped */
	{
		static const char lit[] = "* 1 FETCH (UID 2 ENVELOPE (NIL {5}\r\nab\0cd NIL "
					  "NIL NIL NIL NIL NIL NIL NIL))\r\n";

		CHECK_INT(imap_parse_fetch(lit, sizeof lit - 1, &s), 0);
	}
	CHECK_STR(s.subject, "abcd");
	imap_summary_release(&s);
	/* items not asked for are skipped, nested lists included */
	CHECK_INT(parse("* 1 FETCH (X-GM-LABELS (\"a b\" \\Inbox) BODYSTRUCTURE "
			"((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 1) "
			"\"mixed\") BINARY.SIZE[1] 12 UID 77)\r\n", &s), 0);
	CHECK_INT(s.uid, 77);
	imap_summary_release(&s);
	/* a date that cannot be read is no date; the answer still counts */
	CHECK_INT(parse("* 1 FETCH (UID 5 INTERNALDATE \"31-Foo-2026 25:00:00 +0000\")\r\n",
			&s), 0);
	CHECK_INT(s.internal_date, 0);
	CHECK_INT(s.uid, 5);
	imap_summary_release(&s);
	/* a day padded with a space */
	CHECK_INT(parse("* 1 FETCH (UID 5 INTERNALDATE \" 1-Jan-2026 00:00:00 -0130\")\r\n",
			&s), 0);
	CHECK_INT(s.internal_date, 1767231000);
	imap_summary_release(&s);
	/* ... or not padded; as a literal; with a day of the wrong shape */
	CHECK_INT(parse("* 1 FETCH (UID 5 INTERNALDATE \"1-Jan-2026 00:00:00 -0130\")\r\n",
			&s), 0);
	CHECK_INT(s.internal_date, 1767231000);
	imap_summary_release(&s);
	CHECK_INT(parse("* 1 FETCH (UID 5 INTERNALDATE {26}\r\n"
			"01-Jan-2026 00:00:00 +0000)\r\n", &s), 0);
	CHECK_INT(s.internal_date, 1767225600);
	imap_summary_release(&s);
	CHECK_INT(parse("* 1 FETCH (UID 5 INTERNALDATE \"1x-Jan-2026 00:00:00 +0000\")\r\n",
			&s), 0);
	CHECK_INT(s.internal_date, 0);
	imap_summary_release(&s);
	/* a NUL in a quoted date breaks the grammar, as in any quoted string */
	CHECK_INT(imap_parse_fetch("* 1 FETCH (UID 5 INTERNALDATE \"01-Jan\0-2026\")\r\n",
				   47, &s), -1);
}

static void
test_other_untagged(void)
{
	static const char *const other[] = {
		"* 23 EXISTS\r\n", "* 5 EXPUNGE\r\n", "* 0 RECENT\r\n",
		"* OK [HIGHESTMODSEQ 9] still here\r\n", "* FLAGS (\\Seen)\r\n",
		"* BYE shutting down\r\n",
	};
	struct imap_summary s;
	size_t i;

	for (i = 0; i < sizeof other / sizeof other[0]; i++) {
		CHECK_INT(parse(other[i], &s), 1);
		CHECK(s.uid == 0 && s.subject == NULL);
	}
}

static void
test_refused(void)
{
	static const char *const bad[] = {
		"",
		"x 1 FETCH (UID 1)\r\n",
		"* 0 FETCH (UID 1)\r\n",			/* sequence 0 */
		"* 1 FETCH (UID 0)\r\n",			/* UID 0 */
		"* 1 FETCH (UID 4294967296)\r\n",		/* above 32 bits */
		"* 1 FETCH (UID 99999999999999999999999)\r\n",	/* overflow */
		"* 1 FETCH (UID 1\r\n",				/* unclosed */
		"* 1 FETCH (UID 1) trailing\r\n",
		"* 1 FETCH UID 1\r\n",
		"* 1 FETCH (UID)\r\n",
		"* 1 FETCH (FLAGS (\\Seen)\r\n",
		"* 1 FETCH (FLAGS (\\ ))\r\n",
		"* 1 FETCH (ENVELOPE (\"unterminated))\r\n",
		"* 1 FETCH (ENVELOPE (\"a\\x\" NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n",
		"* 1 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n", /* 9 */
		"* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"a\")) NIL NIL NIL NIL NIL NIL NIL))\r\n",
		"* 1 FETCH (ENVELOPE (NIL {99}\r\nshort NIL NIL NIL NIL NIL NIL NIL NIL))\r\n",
		"* 1 FETCH (BODY[HEADER.FIELDS (CONTENT-TYPE)] {10}\r\nab)\r\n",
		"* 1 FETCH (BODY[HEADER.FIELDS (CONTENT-TYPE) {3}\r\nabc)\r\n",
		"* 1 FETCH (MODSEQ 5)\r\n",
		"* 1 FETCH (RFC822.SIZE -1)\r\n",
		"* 1 FETCH (\"quoted\" 1)\r\n",
	};
	struct imap_summary s;
	struct buf deep = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_INT(parse(bad[i], &s), -1);
		CHECK(s.uid == 0 && s.subject == NULL && s.content_type == NULL);
	}
	/* nesting in an unknown item is bounded, not a stack exhaustion */
	buf_adds(&deep, "* 1 FETCH (X-DEEP ");
	for (i = 0; i < 100000; i++)
		buf_addc(&deep, '(');
	for (i = 0; i < 100000; i++)
		buf_addc(&deep, ')');
	buf_adds(&deep, " UID 1)\r\n");
	CHECK_INT(imap_parse_fetch(deep.data, deep.len, &s), -1);
	buf_release(&deep);
}

int
main(void)
{
	test_full();
	test_shapes();
	test_other_untagged();
	test_refused();
	return check_exit();
}
