/*
 * fuzz_pager.c — the screen's view of a message: the MIME tree walked for
 * the pager (with crypto's parser), header fields decoded, text converted
 * and sanitised, attachments listed and decoded, and the decrypted-inner
 * path with the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "tests/fuzz/fuzz.h"
#include "ui/ui_p.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ui_doc doc;
	char *msg = xmalloc(size + 1);

	memcpy(msg, data, size);
	msg[size] = '\0';
	ui_doc_build(&doc, msg, size, NULL, NULL, 0);
	ui_doc_release(&doc);
	ui_doc_build(&doc, msg, size, NULL, msg, size);
	ui_doc_release(&doc);
	free(msg);
	return 0;
}
