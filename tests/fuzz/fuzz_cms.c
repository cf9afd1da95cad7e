/*
 * fuzz_cms.c — the BER/DER walker that tells what a CMS blob is (signed,
 * enveloped, its algorithms) before any engine sees it.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "crypto/smime_p.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy = xmalloc(size);
	struct cms_info info;
	char oid[128];

	memcpy(copy, data, size);
	memset(&info, 0, sizeof info);
	if (cms_inspect(copy, size, &info, NULL) == 0)
		(void)cms_unsupported_reason(&info);
	(void)der_oid_string(copy, size, oid, sizeof oid);
	free(copy);
	return 0;
}
