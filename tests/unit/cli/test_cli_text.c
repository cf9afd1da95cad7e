/*
 * test_cli_text.c — cli_put_text, through which the verbs print what
 * servers, messages and file names say: nothing in it may steer the
 * terminal (C0, DEL, C1, bidirectional overrides and isolates), invalid
 * UTF-8 never reaches it, and real text passes unchanged.
 */
#include "cli/cli.h"
#include "tests/unit/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
put(const char *s, bool keep_newlines)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	if (f == NULL)
		abort();
	cli_put_text(f, s, keep_newlines);
	fclose(f);
	return out;
}

static const struct {
	const char *in, *want;
	bool keep_newlines;
} cases[] = {
	{ "Quarterly report", "Quarterly report", false },
	{ "a\tb\nc\r\nd", "a b c  d", false },
	{ "a\nb", "a\nb", true },
	/* Escape sequences: clear the screen, retitle the terminal. */
	{ "\x1b[2J\x1b]0;owned\x07x", "\xe2\x90\x9b[2J\xe2\x90\x9b]0;owned\xe2\x90\x87x", false },
	{ "del\x7f", "del\xe2\x90\xa1", false },
	/* C1 controls in UTF-8: U+009B is CSI, U+0085 NEL. */
	{ "\xc2\x9b" "31m\xc2\x85", "\xef\xbf\xbd" "31m\xef\xbf\xbd", false },
	/* Real text: Latin, euro sign, CJK, a character outside the BMP. */
	{ "Entw\xc3\xbc" "rfe \xe2\x82\xac \xe5\x8f\xb0\xe5\x8c\x97 \xf0\x9f\x93\xa7",
	  "Entw\xc3\xbc" "rfe \xe2\x82\xac \xe5\x8f\xb0\xe5\x8c\x97 \xf0\x9f\x93\xa7", false },
	/* Right-to-left text itself passes (Hebrew shalom). */
	{ "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", false },
	/* Bidirectional overrides, embeddings, isolates and marks reorder what
	 * a terminal shows ("invoice<RLO>fdp.exe" reads "invoiceexe.pdf"). */
	{ "invoice\xe2\x80\xae" "fdp.exe", "invoice\xef\xbf\xbd" "fdp.exe", false },
	{ "\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", false },
	{ "\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", false },
	{ "\xe2\x80\x8e\xe2\x80\x8f", "\xef\xbf\xbd\xef\xbf\xbd", false },
	/* Invalid UTF-8: overlong, surrogate, bad continuation, truncated. */
	{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd", false },
	{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", false },
	{ "\xe2\x28\xa1", "\xef\xbf\xbd(\xef\xbf\xbd", false },
	{ "end\xe2\x82", "end\xef\xbf\xbd\xef\xbf\xbd", false },
};

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = put(cases[i].in, cases[i].keep_newlines);

		CHECK_STR(got, cases[i].want);
		free(got);
	}
	return check_exit();
}
