/*
 * addrbook.h — addresses to complete To, Cc and Bcc with, from four
 * sources: the account's aliases file (mutt's `alias NICK Name <addr>`
 * lines), its address_command (NeoMutt's query_command protocol: a first
 * line of message, then `addr<TAB>name<TAB>other` lines), the certificate
 * store's bindings, and the senders in the IMAP index caches under the
 * data directory.  Each candidate says whether the store holds a
 * certificate cachet would encrypt to for every address in it.
 *
 * Nothing here prints or draws; the screen decides what is shown.  The
 * strings are as the sources gave them: callers sanitise what they show.
 *
 * Errors: 0 / -1 with ERR_CONFIG (an aliases file that the account names
 * and that cannot be read), ERR_IO (address_command failed).  A source
 * that does not exist (no default aliases file, no cache, no store) gives
 * nothing and is no error.
 */
#ifndef CACHET_CLIENT_ADDRBOOK_H
#define CACHET_CLIENT_ADDRBOOK_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"
#include "client/config.h"

enum addrbook_source {
	ADDRBOOK_ALIAS = 0,
	ADDRBOOK_COMMAND,
	ADDRBOOK_STORE,
	ADDRBOOK_SEEN,
};
/* "alias", "query", "certificate", "seen" */
const char *addrbook_source_name(enum addrbook_source s);

struct addrbook_entry {
	char *value;		/* owned; what goes into the field: "Name <addr>" */
	char *addr;		/* owned; the (first) bare address */
	char *nick;		/* owned; the alias, or NULL */
	enum addrbook_source source;
	bool can_encrypt;	/* a trusted binding for each address of value */
};

struct addrbook_query {
	const struct account *account;	/* foreign */
	const char *data_dir;		/* foreign; store and caches */
	const char *gnupg_home;		/* foreign; may be NULL */
};

/*
 * The candidates for what was typed (matched without ASCII case against
 * nick, name and address; the command does its own matching), aliases
 * first, then the command's answers, the store's and the senders seen;
 * one entry per address.  *out is owned, *n entries.
 */
int addrbook_find(const struct addrbook_query *q, const char *typed,
		  struct addrbook_entry **out, size_t *n, struct err *e);
void addrbook_entries_free(struct addrbook_entry **v, size_t n);

/* Exposed for the unit tests: the two text formats read here. */
void addrbook_parse_aliases(const char *text, const char *typed,
			    struct addrbook_entry **v, size_t *n);
void addrbook_parse_query(const char *text, struct addrbook_entry **v, size_t *n);
/* The path with a leading "~/" put under $HOME (owned). */
char *addrbook_expand_home(const char *path);
/* s quoted for /bin/sh as one word (owned). */
char *addrbook_shell_quote(const char *s);

#endif
