/* test_send.c — header preparation of the send pipeline, outbox metadata. */
#include "client/outbox.h"
#include "client/send.h"
#include "tests/unit/check.h"

#include <stdlib.h>

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

int
main(void)
{
	test_headers();
	test_meta();
	return check_exit();
}
