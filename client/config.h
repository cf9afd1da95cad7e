/*
 * config.h — cachet's configuration: accounts and policy, read from the
 * user's INI file and merged with the administrator's system policy file.
 *
 * The format (DESIGN.md):
 *   [account NAME]  from, imap, smtp, tls_ca_file, password_command,
 *                   signing_cert, sent, drafts
 *   [policy]        sign = always|ask|never
 *                   encrypt = opportunistic|always|never
 *                   harvest = trusted|ask|never
 * The system policy file has the same [policy] keys plus "locked = yes";
 * a locked key cannot be weakened by the user's file or by options.
 *
 * Errors (ERR_CONFIG) name the file, the line and the cause: unknown
 * section or key, bad value, a file writable by others, a locked key that
 * the user tries to weaken.
 */
#ifndef CACHET_CONFIG_H
#define CACHET_CONFIG_H

#include <stdbool.h>

#include "base/base.h"

/* Ordered from weakest to strongest so that "stronger" is a comparison. */
enum policy_sign { POLICY_SIGN_NEVER = 0, POLICY_SIGN_ASK, POLICY_SIGN_ALWAYS };
enum policy_encrypt {
	POLICY_ENCRYPT_NEVER = 0, POLICY_ENCRYPT_OPPORTUNISTIC, POLICY_ENCRYPT_ALWAYS
};
enum policy_harvest {
	/* "never" is the strongest: storing nothing cannot be tricked. */
	POLICY_HARVEST_TRUSTED = 0, POLICY_HARVEST_ASK, POLICY_HARVEST_NEVER
};

struct policy {
	enum policy_sign sign;
	enum policy_encrypt encrypt;
	enum policy_harvest harvest;
	bool sign_locked, encrypt_locked, harvest_locked;
};

enum url_security {
	URL_TLS = 0,		/* implicit TLS: imaps://, smtps:// */
	URL_STARTTLS,		/* imap://, submission:// — STARTTLS required */
};

struct server_url {
	enum url_security security;
	char *scheme;		/* owned */
	char *user;		/* owned; NULL when absent */
	char *host;		/* owned */
	unsigned port;
};

struct account {
	char *name;		/* owned */
	char *from;		/* owned; full From header value */
	char *from_addr;	/* owned; the bare address of from */
	struct server_url imap;	/* host NULL when absent */
	struct server_url smtp;	/* host NULL when absent */
	char *tls_ca_file;	/* owned, may be NULL */
	char *password_command;	/* owned, may be NULL */
	char *signing_cert;	/* owned, may be NULL */
	char *sent;		/* owned; default "Sent" */
	char *drafts;		/* owned; default "Drafts" */
};

struct config {
	char *path;		/* owned; the user file read, or NULL if none */
	struct account *accounts; /* owned */
	size_t n_accounts;
	struct policy policy;
	char **warnings;	/* owned; user settings the locked policy overrode */
	size_t n_warnings;
};

/*
 * Reads the system policy files (NULL-terminated list, may be NULL; a
 * missing one is fine), then the user file at path (missing is fine when
 * !required).  A later system file can add locks but never lift one.
 * Returns 0, or -1 with ERR_CONFIG (bad content, permissions) or ERR_IO.
 */
int config_load(const char *path, bool required,
		const char *const *system_policies, struct config **out,
		struct err *e);
/* Parses from memory; name is used in messages.  For tests and fuzzing. */
int config_parse(struct config *cfg, const char *name, const char *text,
		 bool system, struct err *e);
struct config *config_new(void);
void config_free(struct config **cfg);

/* The named account, or the first one when name is NULL; NULL if none. */
const struct account *config_account(const struct config *cfg, const char *name);

/*
 * Applies a user request (e.g. --no-sign) to a policy; fails with
 * ERR_POLICY naming the system policy when the key is locked and the
 * request would weaken it.
 */
int policy_request_sign(struct policy *p, enum policy_sign want, struct err *e);
int policy_request_encrypt(struct policy *p, enum policy_encrypt want, struct err *e);

/* Parses "imaps://user@host:port" etc.  ERR_CONFIG on anything else. */
int server_url_parse(const char *text, bool smtp, struct server_url *out,
		     struct err *e);
void server_url_release(struct server_url *u);

const char *policy_sign_name(enum policy_sign s);
const char *policy_encrypt_name(enum policy_encrypt s);
const char *policy_harvest_name(enum policy_harvest s);

#endif
