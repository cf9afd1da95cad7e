/*
 * cred.h — account passwords: from the account's password_command, or
 * from the Secret Service (libsecret) where `cachet passwd` stored them.
 *
 * A password is never written to disk, never put on a command line or in
 * the environment of a child, never logged.  Strings returned here are
 * wiped by cred_password_free().
 *
 * Secret Service items use the schema "org.cachet.Password" with the
 * attributes account (account name), user and host (server host name):
 * one item per distinct (user, host) of the account's IMAP and SMTP
 * servers.
 *
 * Errors are ERR_AUTH, and each names what to do instead: no session bus,
 * no Secret Service on the bus, a locked keyring, no stored password,
 * a failing or silent password_command.
 *
 * Thread-safety: none needed; libsecret's synchronous calls block.
 */
#ifndef CACHET_CRED_H
#define CACHET_CRED_H

#include "base/base.h"
#include "client/config.h"

struct cred_key {
	const char *account;	/* foreign; account name */
	const char *user;	/* foreign */
	const char *host;	/* foreign */
};

/*
 * The key of a server of an account: the URL's user, or the account's
 * From address when the URL names none.  Borrows from a and u.
 */
void cred_key_for(const struct account *a, const struct server_url *u,
		  struct cred_key *out);

/*
 * Runs command with /bin/sh -c (stdin and stderr inherited, so a pinentry
 * or a terminal prompt works) and returns the first line of its standard
 * output in *out (caller frees with cred_password_free).  ERR_AUTH when the
 * command fails, is killed, or prints nothing.
 */
int cred_from_command(const char *command, char **out, struct err *e);

/* Looks the password up in the Secret Service.  ERR_AUTH on any failure. */
int cred_lookup(const struct cred_key *k, char **out, struct err *e);

/* Stores (or replaces) the password in the Secret Service's default collection. */
int cred_store(const struct cred_key *k, const char *password, struct err *e);

/*
 * The password for a server of an account: password_command when it is
 * set (not NULL), the Secret Service otherwise.
 */
int cred_password(const char *password_command, const struct cred_key *k,
		  char **out, struct err *e);

/* Wipes and frees *pw; accepts NULL; clears the pointer. */
void cred_password_free(char **pw);

#endif
