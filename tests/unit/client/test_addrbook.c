/* test_addrbook.c — the aliases file and address_command's answer, as read. */
#include <stdlib.h>
#include <string.h>

#include "client/addrbook.h"
#include "tests/unit/check.h"

static void
test_aliases(void)
{
	static const char text[] =
		"# a comment\n"
		"alias ali Alice Example <alice@example.org>\n"
		"alias\tbob\t\tbob@example.org  \n"
		"alias team carol@example.org, dave@example.org\n"
		"aliasx not an alias <x@example.org>\n"
		"alias lonely\n"
		"set sort=threads\n"
		"alias ALI2 \"Example, Alice\" <alice2@Example.ORG>\n";
	struct addrbook_entry *v = NULL;
	size_t n = 0;

	addrbook_parse_aliases(text, "", &v, &n);
	CHECK_INT((int)n, 4);
	if (n == 4) {
		CHECK_STR(v[0].nick, "ali");
		CHECK_STR(v[0].value, "Alice Example <alice@example.org>");
		CHECK_STR(v[0].addr, "alice@example.org");
		CHECK_STR(v[1].nick, "bob");
		CHECK_STR(v[1].value, "bob@example.org");
		CHECK_STR(v[2].value, "carol@example.org, dave@example.org");
		CHECK_STR(v[2].addr, "carol@example.org");
		CHECK_STR(v[3].value, "\"Example, Alice\" <alice2@Example.ORG>");
		CHECK_INT(v[3].source, ADDRBOOK_ALIAS);
	}
	addrbook_entries_free(&v, n);
	CHECK(v == NULL);

	/* Matching: nick or value, without ASCII case. */
	n = 0;
	addrbook_parse_aliases(text, "DAVE", &v, &n);
	CHECK_INT((int)n, 1);
	if (n == 1)
		CHECK_STR(v[0].nick, "team");
	addrbook_entries_free(&v, n);
	n = 0;
	addrbook_parse_aliases(text, "ali", &v, &n);
	CHECK_INT((int)n, 2);
	addrbook_entries_free(&v, n);
	n = 0;
	addrbook_parse_aliases(text, "nobody", &v, &n);
	CHECK_INT((int)n, 0);
	addrbook_entries_free(&v, n);
}

static void
test_query(void)
{
	static const char text[] =
		"Searching 2 address books... 3 found\n"
		"dave@example.org\tDave Example\tkhard\n"
		"erin@example.org\t\n"
		"not an address\tNobody\n"
		"frank@example.org\tFrank \"the Tank\", Jr.\tx\r\n"
		"dave@example.org\tDave again\n";
	struct addrbook_entry *v = NULL;
	size_t n = 0;

	addrbook_parse_query(text, &v, &n);
	CHECK_INT((int)n, 3);
	if (n == 3) {
		CHECK_STR(v[0].value, "Dave Example <dave@example.org>");
		CHECK_INT(v[0].source, ADDRBOOK_COMMAND);
		CHECK(v[0].nick == NULL);
		CHECK_STR(v[1].value, "erin@example.org");
		CHECK_STR(v[2].value, "\"Frank \\\"the Tank\\\", Jr.\" <frank@example.org>");
		CHECK_STR(v[2].addr, "frank@example.org");
	}
	addrbook_entries_free(&v, n);
	/* A CR inside a line starts no header field of its own. */
	n = 0;
	addrbook_parse_query("x\nmal@example.org\tMal\rBcc: eve@example.org\n", &v, &n);
	CHECK_INT((int)n, 1);
	if (n == 1)
		CHECK(strpbrk(v[0].value, "\r\n") == NULL);
	addrbook_entries_free(&v, n);
	/* Only the message line: nothing. */
	n = 0;
	addrbook_parse_query("No matches\n", &v, &n);
	CHECK_INT((int)n, 0);
	addrbook_entries_free(&v, n);
}

static void
test_quote(void)
{
	char *q = addrbook_shell_quote("it's $(x) `y`");

	CHECK_STR(q, "'it'\\''s $(x) `y`'");
	free(q);
	q = addrbook_shell_quote("");
	CHECK_STR(q, "''");
	free(q);
	setenv("HOME", "/home/test", 1);
	q = addrbook_expand_home("~/aliases");
	CHECK_STR(q, "/home/test/aliases");
	free(q);
	q = addrbook_expand_home("/etc/~/x");
	CHECK_STR(q, "/etc/~/x");
	free(q);
}

int
main(void)
{
	test_aliases();
	test_query();
	test_quote();
	return check_exit();
}
