/*
 * config.h — cachet's configuration: accounts and policy, read from the
 * user's INI file and merged with the administrator's system policy file.
 *
 * The format (doc/DESIGN.md, 2.4; cachet(5)):
 *   url_command = COMMAND    (before any section; user file only)
 *   [account NAME]  from, imap, smtp, tls_ca_file, password_command,
 *                   signing_cert, sent, drafts, url_command
 *                   timeout, check_interval, send_rate = N/s|min|hour,
 *                   authserv_id = HOST...
 *   [policy]        sign = always|ask|never
 *                   encrypt = opportunistic|always|never
 *                   harvest = trusted|ask|never
 *                   signs_sometimes = ADDRESS|DOMAIN...
 *   [keys]          ACTION = KEY [KEY...] | none   (user file only)
 *   [colors]        ELEMENT = FG [BG] [bold] [underline] [reverse]
 *                                                  (user file only)
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
	/* the system file's signs_sometimes list is all there is */
	bool signs_sometimes_locked;
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
	char *url_command;	/* owned, may be NULL; opens a link (the screen) */
	char *signing_cert;	/* owned, may be NULL */
	char *sent;		/* owned; default "Sent" */
	char *drafts;		/* owned; default "Drafts" */
	/* sent or drafts not configured: the server's SPECIAL-USE folder
	 * (RFC 6154) is used when it marks one, else the default name */
	bool sent_default, drafts_default;
	char *aliases;		/* owned, may be NULL: ~/.config/cachet/aliases */
	char *address_command;	/* owned, may be NULL */
	char *signature;	/* owned, may be NULL: a file put under new text */
	unsigned timeout;	/* seconds for network operations, 1..3600;
				   0: the built-in default */
	/* seconds between looks for new mail in the screen's index; 0: never */
	unsigned check_interval;
	bool check_interval_set;
	/* send_rate: milliseconds from one transfer's start to the next in
	 * a batch send; 0: unpaced */
	unsigned send_interval_ms;
	/* owned, NULL-terminated, lower case; the host names of the
	 * account's receiving servers, whose Authentication-Results count
	 * (none: those fields are not read at all) */
	char **authserv_ids;
	size_t n_authserv_ids;
};

#define CONFIG_CHECK_INTERVAL_DEFAULT 60

/*
 * The screen's actions that [keys] can bind.  Which screens each one acts
 * in, and its default keys, are the screen's business (ui/); the file
 * only names them.
 */
enum config_action {
	CONFIG_ACTION_HELP, CONFIG_ACTION_REDRAW, CONFIG_ACTION_QUIT,
	CONFIG_ACTION_NEXT, CONFIG_ACTION_PREVIOUS, CONFIG_ACTION_PAGE_DOWN,
	CONFIG_ACTION_PAGE_UP, CONFIG_ACTION_FIRST, CONFIG_ACTION_LAST,
	CONFIG_ACTION_OPEN, CONFIG_ACTION_INDEX, CONFIG_ACTION_FOLDERS,
	CONFIG_ACTION_SEARCH, CONFIG_ACTION_SEARCH_NEXT, CONFIG_ACTION_FLAG,
	CONFIG_ACTION_DELETE, CONFIG_ACTION_UNDELETE, CONFIG_ACTION_MOVE,
	CONFIG_ACTION_EXPUNGE, CONFIG_ACTION_NEXT_MESSAGE,
	CONFIG_ACTION_PREVIOUS_MESSAGE, CONFIG_ACTION_SAVE,
	CONFIG_ACTION_CERTIFICATE, CONFIG_ACTION_TRUST, CONFIG_ACTION_COMPOSE,
	CONFIG_ACTION_REPLY, CONFIG_ACTION_REPLY_ALL, CONFIG_ACTION_FORWARD,
	CONFIG_ACTION_EDIT_TO, CONFIG_ACTION_EDIT_CC, CONFIG_ACTION_EDIT_BCC,
	CONFIG_ACTION_EDIT_SUBJECT, CONFIG_ACTION_EDIT_BODY,
	CONFIG_ACTION_TOGGLE_SIGN, CONFIG_ACTION_TOGGLE_ENCRYPT,
	CONFIG_ACTION_SEND, CONFIG_ACTION_POSTPONE, CONFIG_ACTION_ATTACH,
	CONFIG_ACTION_DETACH, CONFIG_ACTION_FORWARD_ATTACHED,
	CONFIG_ACTION_THREADS, CONFIG_ACTION_SEARCH_SERVER,
	CONFIG_ACTION_TAG, CONFIG_ACTION_TAG_PATTERN, CONFIG_ACTION_TAG_PREFIX,
	CONFIG_ACTION_TOGGLE_READ, CONFIG_ACTION_COPY, CONFIG_ACTION_SAVE_MESSAGE,
	CONFIG_ACTION_URLS, CONFIG_ACTION_ATTACHMENTS, CONFIG_ACTION_PIPE,
	CONFIG_ACTION_CREATE_FOLDER, CONFIG_ACTION_RENAME_FOLDER,
	CONFIG_ACTION_DELETE_FOLDER,
	CONFIG_ACTION_OUTBOX, CONFIG_ACTION_RETRY, CONFIG_ACTION_DROP,
	CONFIG_ACTION_RESUME,
	CONFIG_ACTION_COUNT
};

/*
 * A key as [keys] names it: a Unicode character (' ' is "Space"), a
 * control character 1..31 ("^X"; "Tab" is 9), or one of these.
 */
enum config_key {
	CONFIG_KEY_ENTER = 0x110000, CONFIG_KEY_BACKSPACE, CONFIG_KEY_UP,
	CONFIG_KEY_DOWN, CONFIG_KEY_LEFT, CONFIG_KEY_RIGHT, CONFIG_KEY_PAGE_UP,
	CONFIG_KEY_PAGE_DOWN, CONFIG_KEY_HOME, CONFIG_KEY_END, CONFIG_KEY_INSERT,
	CONFIG_KEY_DELETE,
	CONFIG_KEY_F1,		/* F1..F12 follow in order */
	CONFIG_KEY_F12 = CONFIG_KEY_F1 + 11,
};

#define CONFIG_KEYS_MAX 4

struct config_binding {
	unsigned line;		/* where the user file set it; 0: not set */
	size_t n;		/* 0 with line set: "none", the action is off */
	int keys[CONFIG_KEYS_MAX];
};

/* The screen's elements that [colors] can paint. */
enum config_element {
	CONFIG_ELEM_BARS, CONFIG_ELEM_STATUS, CONFIG_ELEM_ERROR,
	CONFIG_ELEM_BANNER_GOOD, CONFIG_ELEM_BANNER_BAD, CONFIG_ELEM_BANNER_INFO,
	CONFIG_ELEM_HEADER, CONFIG_ELEM_QUOTE, CONFIG_ELEM_ATTACHMENT,
	CONFIG_ELEM_NOTE, CONFIG_ELEM_INDEX_SELECTED, CONFIG_ELEM_INDEX_UNREAD,
	CONFIG_ELEM_INDEX_PROBLEM, CONFIG_ELEM_INDEX_DELETED,
	CONFIG_ELEM_COUNT
};

enum config_attr {
	CONFIG_ATTR_BOLD = 1u << 0,
	CONFIG_ATTR_UNDERLINE = 1u << 1,
	CONFIG_ATTR_REVERSE = 1u << 2,
};

struct config_color {
	unsigned line;		/* where the user file set it; 0: not set */
	int fg, bg;		/* -1 the terminal's default, else 0..7 in curses
				   order: black red green yellow blue magenta
				   cyan white */
	unsigned attrs;		/* enum config_attr */
};

struct config {
	char *path;		/* owned; the user file read, or NULL if none */
	struct account *accounts; /* owned */
	size_t n_accounts;
	struct policy policy;
	char **warnings;	/* owned; user settings the locked policy overrode */
	size_t n_warnings;
	struct config_binding keys[CONFIG_ACTION_COUNT];
	struct config_color colors[CONFIG_ELEM_COUNT];
	/* owned, NULL-terminated; addresses and domains (lower case) whose
	 * unsigned mail is not the warning unsigned-from-signer */
	char **signs_sometimes;
	size_t n_signs_sometimes;
	/* owned, may be NULL; the url_command of every account that has none */
	char *url_command;
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

/*
 * List values (config_lists.c): words separated by white space or commas,
 * appended to *v (NULL-terminated) and *n; host names when !addresses,
 * else mail addresses or domains.  ERR_CONFIG naming the first bad word,
 * or for an empty list; nothing is appended then.
 */
int config_list_parse(const char *value, bool addresses, char ***v, size_t *n,
		      struct err *e);
void config_list_free(char ***v, size_t *n);
/* True when addr, or its domain, is in the policy's signs_sometimes. */
bool config_signs_sometimes(const struct config *cfg, const char *addr);

/* The names the file uses: "reply-all", "banner-bad" (config_names.c). */
const char *config_action_name(enum config_action a);
const char *config_element_name(enum config_element el);
/* What a name in [keys] or [colors] means: its index in the kind, or -1. */
enum config_names { CONFIG_NAMES_ACTION, CONFIG_NAMES_ELEMENT, CONFIG_NAMES_COLOR };
int config_name_index(const char *name, enum config_names kind);
/*
 * Parses one key name ("j", "^G", "PageDown", "F5"); -1 when it is none.
 * config_key_text writes the name back, in at most 16 bytes.
 */
int config_key_parse(const char *text);
void config_key_text(int key, char out[16]);

/*
 * A rate "N/s", "N/min" or "N/hour" (N from 1 to 100000) into the
 * interval between the starts of two transfers, in milliseconds;
 * ERR_USAGE naming the value when it is not one.
 */
int config_rate_parse(const char *value, unsigned *interval_ms, struct err *e);

#endif
