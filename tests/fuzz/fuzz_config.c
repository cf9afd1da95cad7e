/* fuzz_config.c — the configuration parser, user file then system policy. */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "client/config.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct config *cfg = config_new();
	struct err e = { 0 };

	config_parse(cfg, "fuzz", text, size > 0 && (data[size - 1] & 1), &e);
	config_free(&cfg);
	free(text);
	return 0;
}
