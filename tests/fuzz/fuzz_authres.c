/*
 * fuzz_authres.c — Authentication-Results: the input as one field's value,
 * then as a message whose header is read for the fields of two trusted
 * servers.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "crypto/smime.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ids[] = { "mx.localhost", "imap.localhost" };
	struct smime_authres_field f;
	struct smime_authentication *a = NULL;
	struct buf json = BUF_INIT;
	size_t i;

	if (smime_authres_parse((const char *)data, size, &f) == 0) {
		/* What was read is whole: an id and a result, or "none". */
		if (f.authserv_id == NULL || (f.n_results == 0) != f.none)
			abort();
		for (i = 0; i < f.n_results; i++)
			if (f.results[i].method == NULL || f.results[i].result == NULL ||
			    f.results[i].n_props > SMIME_AUTHRES_MAX_PROPS)
				abort();
		smime_authres_field_release(&f);
	}
	if (smime_authentication_read((const char *)data, size, ids, 2, &a, NULL) == 0) {
		smime_authentication_json(a, &json);
		if (a->aligned && a->from_domain == NULL)
			abort();
		smime_authentication_free(&a);
	}
	buf_release(&json);
	return 0;
}
