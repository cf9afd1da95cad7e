/* test_compose.c — reply, reply-all and forward drafts; the message; the plan line. */
#include <locale.h>
#include <stdlib.h>

#include "tests/unit/check.h"
#include "ui/ui_p.h"

static const char original[] =
	"From: =?utf-8?q?J=C3=BCrgen?= <jurgen@localhost>\n"
	"To: Bob Example <BOB@localhost>, \"Doe, Carol\" <carol@localhost>\n"
	"Cc: dave@localhost, jurgen@localhost\n"
	"Date: Fri, 27 Nov 2026 10:00:00 +0100\n"
	"Subject: =?utf-8?q?Caf=C3=A9?=\n"
	"Message-ID: <m2@localhost>\n"
	"References: <m1@localhost>\n"
	"Content-Type: text/plain; charset=utf-8\n"
	"\n"
	"Shall we?\n"
	"> earlier words\n"
	"\n"
	"J.\n";

/* A postponed message: a text and an attachment, Bcc and Message-ID kept. */
static const char postponed[] =
	"From: Bob Example <bob@localhost>\n"
	"To: =?utf-8?q?J=C3=BCrgen?= <jurgen@localhost>\n"
	"Cc: carol@localhost\n"
	"Bcc: dave@localhost\n"
	"Subject: =?utf-8?q?Caf=C3=A9?= plans\n"
	"In-Reply-To: <m2@localhost>\n"
	"Message-ID: <draft1@localhost>\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/mixed; boundary=\"b\"\n"
	"\n"
	"--b\n"
	"Content-Type: text/plain; charset=utf-8\n"
	"\n"
	"First line.\n"
	"Second line.\n"
	"--b\n"
	"Content-Type: application/octet-stream; name=\"data.bin\"\n"
	"Content-Disposition: attachment; filename=\"data.bin\"\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"YXR0YWNobWVudC1ieXRlcy0xMjMK\n"
	"--b--\n";

/* A signed original with an attachment: forwarded without its signature. */
static const char signed_original[] =
	"From: alice@localhost\n"
	"To: bob@localhost\n"
	"Subject: Signed\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; "
	"micalg=sha-256; boundary=\"s\"\n"
	"\n"
	"--s\n"
	"Content-Type: multipart/mixed; boundary=\"m\"\n"
	"\n"
	"--m\n"
	"Content-Type: text/plain\n"
	"\n"
	"Signed words.\n"
	"--m\n"
	"Content-Type: text/csv; name=\"t.csv\"\n"
	"Content-Disposition: attachment; filename=\"t.csv\"\n"
	"\n"
	"a,b\n"
	"--m--\n"
	"--s\n"
	"Content-Type: application/pkcs7-signature; name=\"smime.p7s\"\n"
	"Content-Disposition: attachment; filename=\"smime.p7s\"\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"MAA=\n"
	"--s--\n";

static void
test_resume_and_forward(void)
{
	struct ui_draft d;
	struct ui_doc doc;
	struct buf b = BUF_INIT;

	ui_doc_build(&doc, postponed, strlen(postponed), NULL, NULL, 0);
	ui_draft_resume(&d, postponed, strlen(postponed), &doc);
	CHECK_STR(d.to, "=?utf-8?q?J=C3=BCrgen?= <jurgen@localhost>");
	CHECK_STR(d.cc, "carol@localhost");
	CHECK_STR(d.bcc, "dave@localhost");
	CHECK_STR(d.subject, "Caf\xc3\xa9 plans");
	CHECK_STR(d.in_reply_to, "<m2@localhost>");
	CHECK_STR(d.message_id, "<draft1@localhost>");
	CHECK_CONTAINS(d.body, "First line.\nSecond line.\n");
	CHECK_INT(d.n_parts, 1);
	if (d.n_parts == 1) {
		CHECK_STR(d.parts[0].name, "data.bin");
		CHECK_STR(d.parts[0].type, "application/octet-stream");
		CHECK_INT(d.parts[0].len, 21);
		CHECK_STR(d.parts[0].data, "attachment-bytes-123\n");
	}
	/* Sent or postponed again, it keeps its Message-ID. */
	ui_draft_message(&d, "Bob Example <bob@localhost>", &b);
	CHECK_CONTAINS(b.data, "\nMessage-ID: <draft1@localhost>\n");
	CHECK_CONTAINS(b.data, "\nBcc: dave@localhost\n");
	buf_release(&b);
	ui_draft_release(&d);
	ui_doc_release(&doc);

	ui_doc_build(&doc, signed_original, strlen(signed_original), NULL, NULL, 0);
	ui_draft_init(&d, UI_COMPOSE_FORWARD, signed_original, strlen(signed_original),
		      &doc, NULL, NULL);
	CHECK_CONTAINS(d.body, "Signed words.");
	CHECK_INT(d.n_parts, 1);
	if (d.n_parts == 1) {
		CHECK_STR(d.parts[0].name, "t.csv");
		/* The line end before a delimiter is the delimiter's (RFC 2046). */
		CHECK_STR(d.parts[0].data, "a,b");
	}
	ui_draft_release(&d);
	ui_doc_release(&doc);
}

int
main(void)
{
	struct ui_draft d;
	struct ui_doc doc;
	struct buf b = BUF_INIT;
	struct send_plan plan = { .policy = { .sign = POLICY_SIGN_ALWAYS,
					      .sign_locked = true } };
	struct send_plan_rcpt rcpts[] = { { .addr = (char *)"alice@localhost" },
					  { .addr = (char *)"carol@localhost" },
					  { .addr = (char *)"dave@localhost", .bcc = true } };
	bool bad;

	setlocale(LC_ALL, "C.UTF-8");
	test_resume_and_forward();
	ui_doc_build(&doc, original, strlen(original), NULL, NULL, 0);

	ui_draft_init(&d, UI_COMPOSE_REPLY, original, strlen(original), &doc, NULL,
		      "bob@localhost");
	CHECK_STR(d.to, "=?utf-8?q?J=C3=BCrgen?= <jurgen@localhost>");
	CHECK_STR(d.cc, "");
	CHECK_STR(d.subject, "Re: Caf\xc3\xa9");
	CHECK_STR(d.in_reply_to, "<m2@localhost>");
	CHECK_STR(d.references, "<m1@localhost> <m2@localhost>");
	CHECK_STR(d.body, "On Fri, 27 Nov 2026 10:00:00 +0100, J\xc3\xbcrgen "
		  "<jurgen@localhost> wrote:\n"
		  "> Shall we?\n"
		  ">> earlier words\n"
		  ">\n"
		  "> J.\n");
	ui_draft_message(&d, "Bob Example <bob@localhost>", &b);
	CHECK_STR(b.data,
		  "From: Bob Example <bob@localhost>\n"
		  "To: =?utf-8?q?J=C3=BCrgen?= <jurgen@localhost>\n"
		  "Subject: =?utf-8?b?UmU6IENhZsOp?=\n"
		  "In-Reply-To: <m2@localhost>\n"
		  "References: <m1@localhost> <m2@localhost>\n"
		  "MIME-Version: 1.0\n"
		  "Content-Type: text/plain; charset=utf-8\n"
		  "Content-Transfer-Encoding: 8bit\n"
		  "\n"
		  "On Fri, 27 Nov 2026 10:00:00 +0100, J\xc3\xbcrgen <jurgen@localhost> wrote:\n"
		  "> Shall we?\n"
		  ">> earlier words\n"
		  ">\n"
		  "> J.\n");
	buf_release(&b);
	ui_draft_release(&d);

	/* Reply to all: not to self (any case), not twice to the sender. */
	ui_draft_init(&d, UI_COMPOSE_REPLY_ALL, original, strlen(original), &doc, NULL,
		      "bob@localhost");
	CHECK_STR(d.cc, "\"Doe, Carol\" <carol@localhost>, dave@localhost");
	ui_draft_release(&d);

	/* Protected headers (RFC 9788) are the original's: a Reply-To and a
	 * Subject put on the way are not replied to. */
	{
		struct smime_field prot[] = {
			{ (char *)"From", (char *)"alice@localhost" },
			{ (char *)"To", (char *)"bob@localhost, carol@localhost" },
			{ (char *)"Subject", (char *)"=?utf-8?q?R=C3=A9sum=C3=A9?=" },
			{ (char *)"Message-ID", (char *)"<p1@localhost>" },
		};
		struct smime_verdict v = { .hp = SMIME_HP_CLEAR,
					   .protected_fields = prot, .n_protected = 4 };
		const char *outer = "From: alice@localhost\n"
				    "To: bob@localhost, mallory@localhost\n"
				    "Reply-To: mallory@localhost\n"
				    "Subject: Pay now\n"
				    "Message-ID: <p1@localhost>\n"
				    "\n"
				    "Text.\n";

		ui_draft_init(&d, UI_COMPOSE_REPLY, outer, strlen(outer), &doc, NULL,
			      "bob@localhost");
		CHECK_STR(d.to, "mallory@localhost");
		ui_draft_release(&d);
		ui_draft_init(&d, UI_COMPOSE_REPLY_ALL, outer, strlen(outer), &doc,
			      &v, "bob@localhost");
		CHECK_STR(d.to, "alice@localhost");
		CHECK_STR(d.cc, "carol@localhost");
		CHECK_STR(d.subject, "Re: R\xc3\xa9sum\xc3\xa9");
		CHECK_STR(d.in_reply_to, "<p1@localhost>");
		CHECK_STR(d.references, "<p1@localhost>");
		ui_draft_release(&d);
	}

	ui_draft_init(&d, UI_COMPOSE_FORWARD, original, strlen(original), &doc, NULL, NULL);
	CHECK_STR(d.to, "");
	CHECK_STR(d.subject, "Fwd: Caf\xc3\xa9");
	CHECK(d.in_reply_to == NULL);
	CHECK_CONTAINS(d.body, "----- Forwarded message -----\nFrom: J\xc3\xbcrgen "
		       "<jurgen@localhost>\n");
	CHECK_CONTAINS(d.body, "\nShall we?\n> earlier words\n\nJ.\n----- End");
	ui_draft_release(&d);
	ui_doc_release(&doc);

	/* A long non-ASCII subject: several words, none splitting a character. */
	ui_draft_init(&d, UI_COMPOSE_NEW, NULL, 0, NULL, NULL, NULL);
	free(d.subject);
	d.subject = xstrdup("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
	free(d.body);
	d.body = xstrdup("no newline");
	ui_draft_message(&d, "a@localhost", &b);
	{
		size_t hlen = mime_header_end(b.data, b.len);
		char *raw = mime_header_first(b.data, hlen, "Subject");
		char *dec = mime_header_decode(raw);

		CHECK_STR(dec, d.subject);
		CHECK_CONTAINS(raw, "?= =?utf-8?b?");
		free(raw);
		free(dec);
	}
	CHECK_CONTAINS(b.data, "\n\nno newline\n");
	buf_release(&b);
	ui_draft_release(&d);

	/* The plan line. */
	plan.sign = true;
	plan.encrypt = true;
	plan.rcpts = rcpts;
	plan.n_rcpts = 2;
	ui_send_plan_text(&plan, false, &b, &bad);
	CHECK_STR(b.data, "will be signed (required by policy); will be encrypted to "
		  "alice@localhost, carol@localhost");
	CHECK(!bad);
	buf_release(&b);
	/* A Bcc recipient is named as one. */
	plan.n_rcpts = 3;
	ui_send_plan_text(&plan, false, &b, &bad);
	CHECK_CONTAINS(b.data, "carol@localhost, dave@localhost (bcc)");
	buf_release(&b);
	plan.n_rcpts = 2;
	plan.encrypt = false;
	plan.why_not_encrypted = (char *)"no usable certificate for carol@localhost "
					 "(no certificate)";
	plan.policy.sign_locked = false;
	ui_send_plan_text(&plan, false, &b, &bad);
	CHECK_STR(b.data, "will be signed; cannot encrypt: no usable certificate for "
		  "carol@localhost (no certificate)");
	CHECK(!bad);
	buf_release(&b);
	ui_send_plan_text(&plan, true, &b, &bad);
	CHECK_CONTAINS(b.data, "(the original was encrypted)");
	CHECK(bad);
	buf_release(&b);
	plan.sign = false;
	ui_send_plan_text(&plan, false, &b, &bad);
	CHECK_CONTAINS(b.data, "will NOT be signed");
	CHECK(bad);
	buf_release(&b);
	return check_exit();
}
