/* config.c — the INI configuration and the system policy. */
#include "client/config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_MAX_BYTES (1024 * 1024)

struct config *
config_new(void)
{
	struct config *cfg = xcalloc(1, sizeof *cfg);
	size_t i;

	cfg->policy.sign = POLICY_SIGN_ALWAYS;
	cfg->policy.encrypt = POLICY_ENCRYPT_OPPORTUNISTIC;
	cfg->policy.harvest = POLICY_HARVEST_TRUSTED;
	for (i = 0; i < CONFIG_ELEM_COUNT; i++)
		cfg->colors[i].fg = cfg->colors[i].bg = -1;
	return cfg;
}

void
server_url_release(struct server_url *u)
{
	free(u->scheme);
	free(u->user);
	free(u->host);
	memset(u, 0, sizeof *u);
}

static void
account_release(struct account *a)
{
	free(a->name);
	free(a->from);
	free(a->from_addr);
	server_url_release(&a->imap);
	server_url_release(&a->smtp);
	free(a->tls_ca_file);
	free(a->password_command);
	free(a->url_command);
	free(a->signing_cert);
	free(a->sent);
	free(a->drafts);
	config_list_free(&a->authserv_ids, &a->n_authserv_ids);
	free(a->aliases);
	free(a->address_command);
	free(a->signature);
}

void
config_free(struct config **cfgp)
{
	struct config *cfg;
	size_t i;

	if (cfgp == NULL || (cfg = *cfgp) == NULL)
		return;
	for (i = 0; i < cfg->n_accounts; i++)
		account_release(&cfg->accounts[i]);
	free(cfg->accounts);
	for (i = 0; i < cfg->n_warnings; i++)
		free(cfg->warnings[i]);
	free(cfg->warnings);
	config_list_free(&cfg->signs_sometimes, &cfg->n_signs_sometimes);
	free(cfg->url_command);
	free(cfg->path);
	free(cfg);
	*cfgp = NULL;
}

const struct account *
config_account(const struct config *cfg, const char *name)
{
	size_t i;

	if (cfg->n_accounts == 0)
		return NULL;
	if (name == NULL)
		return &cfg->accounts[0];
	for (i = 0; i < cfg->n_accounts; i++)
		if (strcmp(cfg->accounts[i].name, name) == 0)
			return &cfg->accounts[i];
	return NULL;
}

const char *
policy_sign_name(enum policy_sign s)
{
	static const char *const n[] = { "never", "ask", "always" };
	return n[s];
}

const char *
policy_encrypt_name(enum policy_encrypt s)
{
	static const char *const n[] = { "never", "opportunistic", "always" };
	return n[s];
}

const char *
policy_harvest_name(enum policy_harvest s)
{
	static const char *const n[] = { "trusted", "ask", "never" };
	return n[s];
}

static int
pick(const char *value, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(value, names[i]) == 0)
			return i;
	return -1;
}

int
policy_request_sign(struct policy *p, enum policy_sign want, struct err *e)
{
	if (p->sign_locked && want < p->sign)
		return err_set(e, ERR_POLICY,
			       "signing is locked to '%s' by the system policy; "
			       "'%s' is not allowed", policy_sign_name(p->sign),
			       policy_sign_name(want));
	p->sign = want;
	return 0;
}

int
policy_request_encrypt(struct policy *p, enum policy_encrypt want, struct err *e)
{
	if (p->encrypt_locked && want < p->encrypt)
		return err_set(e, ERR_POLICY,
			       "encryption is locked to '%s' by the system policy; "
			       "'%s' is not allowed", policy_encrypt_name(p->encrypt),
			       policy_encrypt_name(want));
	p->encrypt = want;
	return 0;
}

/* The bare address of a From value: "Name <a@b>" or "a@b". */
static char *
from_address(const char *value)
{
	const char *lt = strrchr(value, '<'), *gt;

	if (lt) {
		gt = strchr(lt, '>');
		if (gt == NULL || gt == lt + 1)
			return NULL;
		return xstrndup(lt + 1, (size_t)(gt - lt - 1));
	}
	return xstrdup(value);
}

static bool
address_plausible(const char *a)
{
	const char *at = strchr(a, '@');

	return at && at != a && at[1] && strchr(at + 1, '@') == NULL &&
	       strpbrk(a, " \t<>,;\"") == NULL;
}

static void
warn(struct config *cfg, char *msg)
{
	cfg->warnings = xrealloc(cfg->warnings, (cfg->n_warnings + 1) * sizeof *cfg->warnings);
	cfg->warnings[cfg->n_warnings++] = msg;
}

struct parse_state {
	struct config *cfg;
	const char *name;
	unsigned line;
	bool system;
	enum { SEC_NONE, SEC_ACCOUNT, SEC_POLICY, SEC_KEYS, SEC_COLORS } section;
	struct account *account;
	/* keys the system file set, which "locked = yes" then locks */
	bool sys_sign, sys_encrypt, sys_harvest, sys_signs_sometimes;
	int locked;	/* -1 unset, 0 no, 1 yes */
};

static int
policy_key(struct parse_state *st, const char *key, const char *value,
	   struct err *e)
{
	static const char *const sign_names[] = { "never", "ask", "always" };
	static const char *const enc_names[] = { "never", "opportunistic", "always" };
	static const char *const harv_names[] = { "trusted", "ask", "never" };
	struct policy *p = &st->cfg->policy;
	int v;

	if (strcmp(key, "sign") == 0) {
		if ((v = pick(value, sign_names, 3)) < 0)
			goto bad;
		if (p->sign_locked && v < (int)p->sign) {
			warn(st->cfg, xasprintf("%s:%u: sign = %s ignored: the system "
				"policy locks it to '%s'", st->name, st->line, value,
				policy_sign_name(p->sign)));
		} else {
			p->sign = (enum policy_sign)v;
			st->sys_sign |= st->system;
		}
		return 0;
	}
	if (strcmp(key, "encrypt") == 0) {
		if ((v = pick(value, enc_names, 3)) < 0)
			goto bad;
		if (p->encrypt_locked && v < (int)p->encrypt) {
			warn(st->cfg, xasprintf("%s:%u: encrypt = %s ignored: the system "
				"policy locks it to '%s'", st->name, st->line, value,
				policy_encrypt_name(p->encrypt)));
		} else {
			p->encrypt = (enum policy_encrypt)v;
			st->sys_encrypt |= st->system;
		}
		return 0;
	}
	if (strcmp(key, "harvest") == 0) {
		if ((v = pick(value, harv_names, 3)) < 0)
			goto bad;
		if (p->harvest_locked && v < (int)p->harvest) {
			warn(st->cfg, xasprintf("%s:%u: harvest = %s ignored: the system "
				"policy locks it to '%s'", st->name, st->line, value,
				policy_harvest_name(p->harvest)));
		} else {
			p->harvest = (enum policy_harvest)v;
			st->sys_harvest |= st->system;
		}
		return 0;
	}
	if (strcmp(key, "signs_sometimes") == 0) {
		if (p->signs_sometimes_locked) {
			warn(st->cfg, xasprintf("%s:%u: signs_sometimes ignored: the "
				"system policy locks the list", st->name, st->line));
		} else if (config_list_parse(value, true, &st->cfg->signs_sometimes,
					     &st->cfg->n_signs_sometimes, e) < 0) {
			return err_prefix(e, "%s:%u: signs_sometimes", st->name, st->line);
		}
		st->sys_signs_sometimes |= st->system;
		return 0;
	}
	if (strcmp(key, "locked") == 0 && st->system) {
		if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0)
			st->locked = 1;
		else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0)
			st->locked = 0;
		else
			return err_set(e, ERR_CONFIG, "%s:%u: locked must be 'yes' or "
				       "'no', not '%s'", st->name, st->line, value);
		return 0;
	}
	if (strcmp(key, "locked") == 0)
		return err_set(e, ERR_CONFIG, "%s:%u: 'locked' belongs in the system "
			       "policy file, not in a user configuration",
			       st->name, st->line);
	return err_set(e, ERR_CONFIG, "%s:%u: unknown key '%s' in [policy] "
		       "(known: sign, encrypt, harvest, signs_sometimes%s)", st->name, st->line, key,
		       st->system ? ", locked" : "");
bad:
	return err_set(e, ERR_CONFIG, "%s:%u: bad value '%s' for %s (one of: %s)",
		       st->name, st->line, value, key,
		       strcmp(key, "sign") == 0 ? "always, ask, never" :
		       strcmp(key, "encrypt") == 0 ? "opportunistic, always, never" :
		       "trusted, ask, never");
}

static int
account_key(struct parse_state *st, const char *key, const char *value,
	    struct err *e)
{
	struct account *a = st->account;
	char **slot = NULL;

	if (strcmp(key, "from") == 0) {
		char *addr = from_address(value);

		if (addr == NULL || !address_plausible(addr)) {
			free(addr);
			return err_set(e, ERR_CONFIG, "%s:%u: from = '%s' has no "
				       "usable address (expected 'Name <user@example.org>')",
				       st->name, st->line, value);
		}
		free(a->from);
		free(a->from_addr);
		a->from = xstrdup(value);
		a->from_addr = addr;
		return 0;
	}
	if (strcmp(key, "imap") == 0 || strcmp(key, "smtp") == 0) {
		bool smtp = key[0] == 's';
		struct server_url *u = smtp ? &a->smtp : &a->imap;

		server_url_release(u);
		if (server_url_parse(value, smtp, u, e) < 0)
			return err_prefix(e, "%s:%u: %s", st->name, st->line, key);
		return 0;
	}
	if (strcmp(key, "timeout") == 0 || strcmp(key, "check_interval") == 0) {
		bool timeout = key[0] == 't';
		unsigned long lo = timeout ? 1 : 0, hi = timeout ? 3600 : 86400;
		char *stop;
		unsigned long secs;

		errno = 0;
		secs = strtoul(value, &stop, 10);
		if (!(*value >= '0' && *value <= '9') || *stop != '\0' || errno ||
		    secs < lo || secs > hi)
			return err_set(e, ERR_CONFIG, "%s:%u: %s must be a number "
				       "of seconds from %lu to %lu, not '%s'", st->name,
				       st->line, key, lo, hi, value);
		if (timeout) {
			a->timeout = (unsigned)secs;
		} else {
			a->check_interval = (unsigned)secs;
			a->check_interval_set = true;
		}
		return 0;
	}
	if (strcmp(key, "send_rate") == 0) {
		if (config_rate_parse(value, &a->send_interval_ms, e) < 0) {
			e->code = ERR_CONFIG;
			return err_prefix(e, "%s:%u", st->name, st->line);
		}
		return 0;
	}
	if (strcmp(key, "authserv_id") == 0) {
		config_list_free(&a->authserv_ids, &a->n_authserv_ids);
		if (config_list_parse(value, false, &a->authserv_ids,
				      &a->n_authserv_ids, e) < 0)
			return err_prefix(e, "%s:%u: authserv_id", st->name, st->line);
		return 0;
	}
	if (strcmp(key, "tls_ca_file") == 0)
		slot = &a->tls_ca_file;
	else if (strcmp(key, "password_command") == 0)
		slot = &a->password_command;
	else if (strcmp(key, "url_command") == 0)
		slot = &a->url_command;
	else if (strcmp(key, "signing_cert") == 0)
		slot = &a->signing_cert;
	else if (strcmp(key, "sent") == 0)
		slot = &a->sent;
	else if (strcmp(key, "drafts") == 0)
		slot = &a->drafts;
	else if (strcmp(key, "aliases") == 0)
		slot = &a->aliases;
	else if (strcmp(key, "address_command") == 0)
		slot = &a->address_command;
	else if (strcmp(key, "signature") == 0)
		slot = &a->signature;
	if (slot == NULL)
		return err_set(e, ERR_CONFIG, "%s:%u: unknown key '%s' in [account %s] "
			       "(known: from, imap, smtp, tls_ca_file, password_command, "
			       "url_command, signing_cert, sent, drafts, timeout, check_interval, "
			       "authserv_id, send_rate, aliases, address_command, signature)",
			       st->name, st->line, key,
			       a->name);
	if (*value == '\0')
		return err_set(e, ERR_CONFIG, "%s:%u: %s is empty", st->name, st->line, key);
	if (slot == &a->signing_cert) {
		const char *p;
		size_t hex = 0;

		for (p = value; *p; p++) {
			if (*p == ':')
				continue;
			if (!strchr("0123456789abcdefABCDEF", *p))
				return err_set(e, ERR_CONFIG, "%s:%u: signing_cert must be a "
					       "certificate fingerprint (hex), not '%s'",
					       st->name, st->line, value);
			hex++;
		}
		if (hex != 40 && hex != 64)
			return err_set(e, ERR_CONFIG, "%s:%u: signing_cert must be a "
				       "SHA-1 (40 hex digits) or SHA-256 (64) fingerprint",
				       st->name, st->line);
	}
	free(*slot);
	*slot = xstrdup(value);
	return 0;
}

/* --- [keys] and [colors]: the screen's keys and colours ----------------- */

static int
keys_key(struct parse_state *st, const char *key, const char *value,
	 struct err *e)
{
	struct config_binding b = { .line = st->line };
	char *copy, *word, *save = NULL;
	int a, k, rc = 0;
	size_t i;

	a = config_name_index(key, CONFIG_NAMES_ACTION);
	if (a < 0)
		return err_set(e, ERR_CONFIG, "%s:%u: unknown action '%s' in [keys] "
			       "(see cachet(5) for the list)", st->name, st->line, key);
	if (*value == '\0')
		return err_set(e, ERR_CONFIG, "%s:%u: %s has no key (write 'none' "
			       "to turn it off)", st->name, st->line, key);
	if (strcmp(value, "none") == 0) {
		st->cfg->keys[a] = b;
		return 0;
	}
	copy = xstrdup(value);
	for (word = strtok_r(copy, " \t", &save); word;
	     word = strtok_r(NULL, " \t", &save)) {
		if ((k = config_key_parse(word)) < 0) {
			rc = err_set(e, ERR_CONFIG, "%s:%u: '%s' is not a key (a "
				     "character, ^X, Enter, Space, Tab, Backspace, "
				     "Up, Down, Left, Right, PageUp, PageDown, Home, "
				     "End, Insert, Delete, F1..F12)", st->name,
				     st->line, word);
			goto out;
		}
		for (i = 0; i < b.n; i++)
			if (b.keys[i] == k)
				break;
		if (i < b.n)
			continue;
		if (b.n == CONFIG_KEYS_MAX) {
			rc = err_set(e, ERR_CONFIG, "%s:%u: at most %d keys for one "
				     "action", st->name, st->line, CONFIG_KEYS_MAX);
			goto out;
		}
		b.keys[b.n++] = k;
	}
	st->cfg->keys[a] = b;
out:
	free(copy);
	return rc;
}

static int
colors_key(struct parse_state *st, const char *key, const char *value,
	   struct err *e)
{
	struct config_color c = { .line = st->line, .fg = -1, .bg = -1 };
	char *copy, *word, *save = NULL;
	int el, n_colors = 0, v, rc = 0;

	el = config_name_index(key, CONFIG_NAMES_ELEMENT);
	if (el < 0)
		return err_set(e, ERR_CONFIG, "%s:%u: unknown element '%s' in "
			       "[colors] (see cachet(5) for the list)", st->name,
			       st->line, key);
	copy = xstrdup(value);
	for (word = strtok_r(copy, " \t", &save); word;
	     word = strtok_r(NULL, " \t", &save)) {
		if (strcmp(word, "bold") == 0) {
			c.attrs |= CONFIG_ATTR_BOLD;
		} else if (strcmp(word, "underline") == 0) {
			c.attrs |= CONFIG_ATTR_UNDERLINE;
		} else if (strcmp(word, "reverse") == 0) {
			c.attrs |= CONFIG_ATTR_REVERSE;
		} else if (c.attrs != 0) {
			rc = err_set(e, ERR_CONFIG, "%s:%u: '%s': colours come before "
				     "bold, underline and reverse", st->name,
				     st->line, word);
			goto out;
		} else {
			v = strcmp(word, "default") == 0 ? -1 :
			    config_name_index(word, CONFIG_NAMES_COLOR);
			if (v < 0 && strcmp(word, "default") != 0) {
				rc = err_set(e, ERR_CONFIG, "%s:%u: '%s' is not a colour "
					     "(black, red, green, yellow, blue, magenta, "
					     "cyan, white, default) nor bold, underline, "
					     "reverse", st->name, st->line, word);
				goto out;
			}
			if (n_colors == 2) {
				rc = err_set(e, ERR_CONFIG, "%s:%u: more than two colours "
					     "(foreground and background) for %s",
					     st->name, st->line, key);
				goto out;
			}
			if (n_colors++ == 0)
				c.fg = v;
			else
				c.bg = v;
		}
	}
	if (n_colors == 0 && c.attrs == 0) {
		rc = err_set(e, ERR_CONFIG, "%s:%u: %s has no colour (expected "
			     "'FOREGROUND [BACKGROUND] [bold] [underline] [reverse]')",
			     st->name, st->line, key);
		goto out;
	}
	st->cfg->colors[el] = c;
out:
	free(copy);
	return rc;
}

static int
section_header(struct parse_state *st, char *line, struct err *e)
{
	char *close = strchr(line, ']'), *name, *rest;
	size_t i;

	if (close == NULL || *str_trim(close + 1) != '\0')
		return err_set(e, ERR_CONFIG, "%s:%u: malformed section header",
			       st->name, st->line);
	*close = '\0';
	name = str_trim(line + 1);
	if (strcmp(name, "policy") == 0) {
		st->section = SEC_POLICY;
		return 0;
	}
	if (st->system)
		return err_set(e, ERR_CONFIG, "%s:%u: the system policy file may only "
			       "hold a [policy] section", st->name, st->line);
	if (strcmp(name, "keys") == 0) {
		st->section = SEC_KEYS;
		return 0;
	}
	if (strcmp(name, "colors") == 0) {
		st->section = SEC_COLORS;
		return 0;
	}
	if (strncmp(name, "account", 7) != 0 || (name[7] != ' ' && name[7] != '\t'))
		return err_set(e, ERR_CONFIG, "%s:%u: unknown section [%s] (expected "
			       "[account NAME], [policy], [keys] or [colors])",
			       st->name, st->line, name);
	rest = str_trim(name + 7);
	if (*rest == '\0' || strpbrk(rest, " \t"))
		return err_set(e, ERR_CONFIG, "%s:%u: account name must be one word",
			       st->name, st->line);
	for (i = 0; i < st->cfg->n_accounts; i++)
		if (strcmp(st->cfg->accounts[i].name, rest) == 0)
			return err_set(e, ERR_CONFIG, "%s:%u: account '%s' is defined "
				       "twice", st->name, st->line, rest);
	st->cfg->accounts = xrealloc(st->cfg->accounts,
				     (st->cfg->n_accounts + 1) * sizeof *st->cfg->accounts);
	st->account = &st->cfg->accounts[st->cfg->n_accounts++];
	memset(st->account, 0, sizeof *st->account);
	st->account->name = xstrdup(rest);
	st->section = SEC_ACCOUNT;
	return 0;
}

static int
account_finish(const char *name, struct account *a, struct err *e)
{
	if (a->from == NULL)
		return err_set(e, ERR_CONFIG, "%s: [account %s] has no 'from'", name, a->name);
	a->sent_default = a->sent == NULL;
	if (a->sent == NULL)
		a->sent = xstrdup("Sent");
	a->drafts_default = a->drafts == NULL;
	if (a->drafts == NULL)
		a->drafts = xstrdup("Drafts");
	if (!a->check_interval_set)
		a->check_interval = CONFIG_CHECK_INTERVAL_DEFAULT;
	return 0;
}

int
config_parse(struct config *cfg, const char *name, const char *text,
	     bool system, struct err *e)
{
	struct parse_state st = { .cfg = cfg, .name = name, .system = system,
				  .locked = -1 };
	const char *p = text;
	size_t first_account = cfg->n_accounts, i;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *raw = xstrndup(p, len), *line, *eq, *key, *value, *hash;
		int rc = 0;

		st.line++;
		p += len + (nl ? 1 : 0);
		if (memchr(raw, '\0', len) != NULL || strlen(raw) != len) {
			free(raw);
			return err_set(e, ERR_CONFIG, "%s:%u: NUL byte in the file",
				       name, st.line);
		}
		line = str_trim(raw);
		if (*line == '\0' || *line == '#' || *line == ';') {
			free(raw);
			continue;
		}
		if (*line == '[') {
			rc = section_header(&st, line, e);
			free(raw);
			if (rc < 0)
				return -1;
			continue;
		}
		eq = strchr(line, '=');
		if (eq == NULL) {
			free(raw);
			return err_set(e, ERR_CONFIG, "%s:%u: expected 'key = value'",
				       name, st.line);
		}
		*eq = '\0';
		key = str_trim(line);
		value = eq + 1;
		/* An inline comment starts at whitespace followed by '#'. */
		for (hash = value; (hash = strchr(hash, '#')) != NULL; hash++)
			if (hash > value && (hash[-1] == ' ' || hash[-1] == '\t')) {
				*hash = '\0';
				break;
			}
		value = str_trim(value);
		if (st.section == SEC_NONE && !system && strcmp(key, "url_command") == 0 &&
		    *value) {
			/* The one setting of every account, before the sections. */
			free(cfg->url_command);
			cfg->url_command = xstrdup(value);
		} else if (st.section == SEC_NONE)
			rc = err_set(e, ERR_CONFIG, "%s:%u: '%s' outside a section "
				     "(only url_command may be; put it under "
				     "[account NAME] or [policy])",
				     name, st.line, key);
		else if (st.section == SEC_POLICY)
			rc = policy_key(&st, key, value, e);
		else if (st.section == SEC_KEYS)
			rc = keys_key(&st, key, value, e);
		else if (st.section == SEC_COLORS)
			rc = colors_key(&st, key, value, e);
		else
			rc = account_key(&st, key, value, e);
		free(raw);
		if (rc < 0)
			return -1;
	}
	if (system && st.locked == 1) {
		cfg->policy.sign_locked |= st.sys_sign;
		cfg->policy.encrypt_locked |= st.sys_encrypt;
		cfg->policy.harvest_locked |= st.sys_harvest;
		cfg->policy.signs_sometimes_locked |= st.sys_signs_sometimes;
	}
	for (i = first_account; i < cfg->n_accounts; i++)
		if (account_finish(name, &cfg->accounts[i], e) < 0)
			return -1;
	return 0;
}

/* A file others can write could make cachet run their password_command. */
static int
check_permissions(const char *path, int fd, bool system, struct err *e)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return err_set(e, ERR_CONFIG, "%s: not a regular file", path);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return err_set(e, ERR_CONFIG, "%s: writable by %s; fix with 'chmod "
			       "go-w %s'", path, st.st_mode & S_IWOTH ? "everyone" :
			       "the group", path);
	if (system ? st.st_uid != 0 : (st.st_uid != getuid() && st.st_uid != 0))
		return err_set(e, ERR_CONFIG, "%s: owned by uid %u, not by %s", path,
			       (unsigned)st.st_uid, system ? "root" : "you");
	return 0;
}

static int
load_file(struct config *cfg, const char *path, bool required, bool system,
	  bool *found, struct err *e)
{
	struct buf b = BUF_INIT;
	FILE *f;
	int rc = -1;

	*found = false;
	f = fopen(path, "re");
	if (f == NULL) {
		if (errno == ENOENT && !required)
			return 0;
		return err_set(e, errno == ENOENT ? ERR_CONFIG : ERR_IO,
			       "%s: cannot open: %s%s", path, strerror(errno),
			       errno == ENOENT && !system ? " (see cachet(5) for "
			       "the format)" : "");
	}
	*found = true;
	if (check_permissions(path, fileno(f), system, e) < 0)
		goto out;
	if (fd_read_all(fileno(f), CONFIG_MAX_BYTES, &b, e) < 0) {
		err_name(e, path);
		goto out;
	}
	if (b.len != strlen(b.data ? b.data : "")) {
		err_set(e, ERR_CONFIG, "%s: contains a NUL byte", path);
		goto out;
	}
	rc = config_parse(cfg, path, b.data ? b.data : "", system, e);
out:
	buf_release(&b);
	fclose(f);
	return rc;
}

int
config_load(const char *path, bool required, const char *const *system_policies,
	    struct config **out, struct err *e)
{
	struct config *cfg = config_new();
	bool found;
	size_t i;

	/* Later system files can add locks but not lift earlier ones. */
	for (i = 0; system_policies && system_policies[i]; i++)
		if (load_file(cfg, system_policies[i], false, true, &found, e) < 0)
			goto fail;
	if (path) {
		if (load_file(cfg, path, required, false, &found, e) < 0)
			goto fail;
		if (found)
			cfg->path = xstrdup(path);
	}
	*out = cfg;
	return 0;
fail:
	config_free(&cfg);
	return -1;
}
