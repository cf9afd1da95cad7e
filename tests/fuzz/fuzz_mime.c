/*
 * fuzz_mime.c — the MIME structure parser: entity split, header fields,
 * Content-Type parameters, multipart splitting down to the depth limit,
 * and the 7-bit re-encoding that signing applies.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "crypto/smime.h"
#include "crypto/smime_p.h"
#include "tests/fuzz/fuzz.h"

static void
walk(const char *p, size_t n, bool strict, int depth)
{
	struct mime_entity m;
	struct mime_field f;
	struct mime_ctype ct;
	struct buf b = BUF_INIT;
	size_t pos = 0, i, n_parts = 0;
	struct mime_range *parts = NULL;
	bool closed;
	char *v;

	if (depth > SMIME_MAX_DEPTH || mime_entity_parse(p, n, strict, &m, NULL) < 0)
		return;
	while (mime_field_next(&m.hdr, &pos, &f) == 1)
		(void)mime_field_is_content(&f);
	v = mime_header_get(&m, "From", 0);
	free(v);
	(void)mime_header_count(&m, "From");
	mime_entity_ctype(&m, &ct);
	if (depth == 0 && mime_make_7bit_entity(&m, "\r\n", 0, &b, NULL) == 0)
		(void)b.data;
	buf_release(&b);
	if (strcmp(ct.type, "multipart") == 0 && mime_ctype_param(&ct, "boundary") &&
	    mime_multipart_split(m.body.p, m.body.n, mime_ctype_param(&ct, "boundary"),
				 &parts, &n_parts, &closed, NULL) == 0) {
		for (i = 0; i < n_parts; i++)
			walk(parts[i].p, parts[i].n, false, depth + 1);
		free(parts);
	}
	mime_ctype_release(&ct);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A private copy, so reads past the end are caught by ASan. */
	char *copy = xmalloc(size);

	memcpy(copy, data, size);
	walk(copy, size, true, 0);
	walk(copy, size, false, 0);
	free(copy);
	return 0;
}
