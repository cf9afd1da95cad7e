/* test_smtp.c — SMTP reply lines and the DATA transfer form. */
#include "client/smtp.h"
#include "tests/unit/check.h"

static void
test_reply_lines(void)
{
	static const struct {
		const char *line;
		int rc, code;
		bool last;
		const char *text;
	} cases[] = {
		{ "250-PIPELINING", 0, 250, false, "PIPELINING" },
		{ "250 AUTH PLAIN LOGIN", 0, 250, true, "AUTH PLAIN LOGIN" },
		{ "550 5.1.1 <x@y>: Recipient address rejected", 0, 550, true,
		  "5.1.1 <x@y>: Recipient address rejected" },
		{ "354", 0, 354, true, "" },
		{ "421-", 0, 421, false, "" },
		{ "25", -1, 0, false, NULL },
		{ "", -1, 0, false, NULL },
		{ "abc def", -1, 0, false, NULL },
		{ "2500 too long", -1, 0, false, NULL },
		{ "650 not a class", -1, 0, false, NULL },
		{ "* OK IMAP greeting", -1, 0, false, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int code = 0;
		bool last = false;
		const char *text = NULL;
		int rc = smtp_reply_line(cases[i].line, &code, &last, &text);

		CHECK_INT(rc, cases[i].rc);
		if (rc == 0) {
			CHECK_INT(code, cases[i].code);
			CHECK_INT(last, cases[i].last);
			CHECK_STR(text, cases[i].text);
		}
	}
}

static void
test_dot_stuff(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		/* LF becomes CRLF; a final line break is added only when missing */
		{ "a\nb\n", "a\r\nb\r\n.\r\n" },
		{ "a\r\nb\r\n", "a\r\nb\r\n.\r\n" },
		{ "a\r\nb", "a\r\nb\r\n.\r\n" },
		/* dot-stuffing at the start of every line, not elsewhere */
		{ ".\n..x\na.b\n", "..\r\n...x\r\na.b\r\n.\r\n" },
		{ "x\r\n.\r\ny\r\n", "x\r\n..\r\ny\r\n.\r\n" },
		/* empty lines survive (the header/body separator) */
		{ "H: v\n\nbody\n", "H: v\r\n\r\nbody\r\n.\r\n" },
		/* a bare CR inside a line is passed on, not rewritten */
		{ "a\rb\n", "a\rb\r\n.\r\n" },
		{ "", ".\r\n" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf out = BUF_INIT;

		smtp_dot_stuff(cases[i].in, strlen(cases[i].in), &out);
		CHECK_STR(out.data, cases[i].out);
		buf_release(&out);
	}
}

int
main(void)
{
	test_reply_lines();
	test_dot_stuff();
	return check_exit();
}
