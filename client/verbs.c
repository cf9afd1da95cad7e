/* verbs.c — the table of command-line verbs. */
#include "client/cli.h"

#include <stddef.h>

cli_verb_fn cmd_passwd;

const struct cli_verb cli_verbs[] = {
	{ "passwd", cmd_passwd, "store the account password in the Secret Service" },
	{ NULL, NULL, NULL },
};
