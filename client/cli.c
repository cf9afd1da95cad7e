/* cli.c — what every verb shares: loading the configuration, reporting errors. */
#include "client/cli.h"

#include <stdio.h>

int
cli_load_config(const struct cli_globals *g, struct config **out, struct err *e)
{
	size_t i;

	if (config_load(g->config_path, g->config_explicit, g->system_policies,
			out, e) < 0)
		return -1;
	/* A user setting the locked policy overrode is said, not silently dropped. */
	for (i = 0; i < (*out)->n_warnings; i++)
		fprintf(stderr, "cachet: %s\n", (*out)->warnings[i]);
	return 0;
}

int
cli_fail(const struct err *e)
{
	fprintf(stderr, "cachet: %s\n", e->msg[0] ? e->msg : "failed");
	return err_exit_status(e->code);
}
