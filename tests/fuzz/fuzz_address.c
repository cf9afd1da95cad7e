/*
 * fuzz_address.c — RFC 5322 address lists (display names, comments,
 * groups, quoted strings) and address comparison.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "crypto/smime_p.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	char **v = NULL;
	size_t n = 0, i;

	addr_list_parse(text, &v, &n);
	for (i = 0; i < n; i++) {
		/* An address compares equal to itself. */
		if (!addr_equal(v[i], v[i]))
			abort();
		if (i > 0)
			(void)addr_equal(v[i - 1], v[i]);
	}
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	free(text);
	return 0;
}
