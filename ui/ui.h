/*
 * ui.h — the ncurses screens: folders, index, pager, compose.  The only
 * layer that draws.
 *
 * The screens read mail through a mail source (client/source.h), so that
 * they can be built and tested against a local Maildir as well as an IMAP
 * server.
 */
#ifndef CACHET_UI_H
#define CACHET_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/base.h"
#include "client/source.h"

/* What the screens need besides the source. */
struct account;
struct config;
struct policy;

struct ui_options {
	const struct account *account;	/* foreign; NULL: reading only, no compose */
	const struct policy *policy;	/* foreign; what sending applies */
	const char *gnupg_home;		/* for verifying, decrypting, signing */
	const char *data_dir;		/* certificate store, outbox */
	const char *log_path;		/* stderr goes here while the screen is up */
	const struct config *config;	/* foreign; [keys] and [colors], or NULL */
};

/*
 * Runs the screens until the person quits.  Needs a terminal on stdin and
 * stdout.  Returns 0, or -1 with e set (no terminal, source failure at start).
 */
int ui_run(struct mail_source *src, const struct ui_options *opt, struct err *e);

#endif
