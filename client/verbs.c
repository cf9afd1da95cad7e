/* verbs.c — the table of command-line verbs. */
#include "client/cli.h"

#include <stddef.h>

const struct cli_verb cli_verbs[] = {
	{ NULL, NULL, NULL },
};
