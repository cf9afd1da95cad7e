/*
 * fuzz_certstore.c — what the certificate store reads from others: the
 * first byte picks the parser, the rest is its input.  Even: a message
 * header and certs-only body (certstore_msginfo_parse), whose certificates
 * are then parsed too; odd: certificates as a file holds them (DER, PEM
 * bundles, PKCS#7), each then checked as harvest checks it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "certstore/certstore.h"
#include "tests/fuzz/fuzz.h"

static void
parse_certs(const void *p, size_t n)
{
	struct certstore_cert **v = NULL;
	size_t count = 0, i;

	if (certstore_cert_parse_all(p, n, &v, &count, NULL) < 0)
		return;
	for (i = 0; i < count; i++) {
		(void)certstore_cert_check(v[i], (time_t)1700000000);
		(void)certstore_cert_has_email(v[i], "alice@localhost");
	}
	certstore_certs_free(&v, count);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct certstore_msginfo info;
	char *copy;

	if (size < 1)
		return 0;
	copy = xmalloc(size - 1);
	memcpy(copy, data + 1, size - 1);
	if (data[0] % 2 == 0) {
		memset(&info, 0, sizeof info);
		if (certstore_msginfo_parse(copy, size - 1, &info, NULL) == 0) {
			if (info.certs_der)
				parse_certs(info.certs_der, info.certs_der_len);
			certstore_msginfo_release(&info);
		}
	} else {
		parse_certs(copy, size - 1);
	}
	free(copy);
	return 0;
}
