/* test_trustlist.c — which roots a trustlist.txt makes trusted for S/MIME:
 * the lines gpg-agent writes and reads (fingerprint with or without colons,
 * flags S, P or *, "relax" and other flags after them), comments,
 * disabled entries and directives. */
#include "crypto/smime.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>

#define CA1 "20C4EF0CE732BDBDC2F604B455785329A06CE4AA"
#define CA1_COLONS "20:C4:EF:0C:E7:32:BD:BD:C2:F6:04:B4:55:78:53:29:A0:6C:E4:AA"
#define CA2 "75A26052353F0E78B1B212200D61F23774C265C7"

static void
test_parse(void)
{
	static const struct {
		const char *text;
		const char *want;	/* the fingerprints, space-separated */
	} t[] = {
		{ "", "" },
		{ CA1_COLONS " S\n", CA1 },
		{ CA1 " S", CA1 },	/* no final newline */
		{ "20:c4:ef:0c:e7:32:bd:bd:c2:f6:04:b4:55:78:53:29:a0:6c:e4:aa S\n", CA1 },
		{ "# Cachet Test S/MIME CA\n" CA1_COLONS " S relax\n", CA1 },
		{ CA1_COLONS " *\n", CA1 },
		{ CA1_COLONS " P\n", "" },		/* OpenPGP only */
		{ "!" CA1_COLONS " S\n", "" },		/* disabled */
		{ "  !" CA1_COLONS " S\n", "" },
		{ "#" CA1_COLONS " S\n", "" },		/* commented out */
		{ "include-default\n" CA1_COLONS " S\n", CA1 },
		{ CA1_COLONS "\n", "" },		/* no flags: not for S/MIME */
		{ "20:C4:EF S\n", "" },			/* too short */
		{ CA1 "00 S\n", "" },			/* too long */
		{ CA1_COLONS " S\r\n" CA2 " S\n", CA1 " " CA2 },
		{ CA1_COLONS " S\n!" CA2 " S\n", CA1 },
	};
	size_t i, j;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		char **fprs = NULL, got[256] = "";
		size_t n = 0;

		smime_trustlist_parse(t[i].text, &fprs, &n);
		for (j = 0; j < n; j++) {
			if (j)
				strcat(got, " ");
			strcat(got, fprs[j]);
			free(fprs[j]);
		}
		free(fprs);
		CHECK_STR(got, t[i].want);
	}
}

int
main(void)
{
	test_parse();
	return check_exit();
}
