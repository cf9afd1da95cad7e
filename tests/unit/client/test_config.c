/* test_config.c — the configuration parser, the system policy and its locks. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/config.h"
#include "tests/unit/check.h"

static const char good[] =
	"# a comment\n"
	"url_command = xdg-open\n"
	"[account work]\n"
	"from = Alice Example <alice@example.org>\n"
	"imap = imaps://alice@imap.example.org          # inline comment\n"
	"smtp = submission://alice%40example.org@smtp.example.org:2587\n"
	"tls_ca_file = /etc/extra-ca.pem\n"
	"password_command = pass show mail/work#1\n"
	"url_command = firefox --new-tab\n"
	"signing_cert = 0123456789ABCDEF0123456789ABCDEF01234567\n"
	"\n"
	"[account home]\n"
	"from = bob@example.net\n"
	"imap = imap://[::1]:1143\n"
	"sent = Sent Items\n"
	"\n"
	"[policy]\n"
	"sign = ask\n"
	"encrypt = always\n"
	"harvest = never\n";

static void
test_good(void)
{
	struct config *cfg = config_new();
	struct err e = { 0 };
	const struct account *a;

	CHECK_INT(config_parse(cfg, "good", good, false, &e), 0);
	CHECK_STR(e.msg, "");
	CHECK_INT(cfg->n_accounts, 2);
	a = config_account(cfg, NULL);
	CHECK_STR(a->name, "work");
	CHECK_STR(a->from_addr, "alice@example.org");
	CHECK_STR(a->imap.host, "imap.example.org");
	CHECK_STR(a->imap.user, "alice");
	CHECK_INT(a->imap.port, 993);
	CHECK_INT(a->imap.security, URL_TLS);
	CHECK_STR(a->smtp.user, "alice@example.org");
	CHECK_STR(a->smtp.host, "smtp.example.org");
	CHECK_INT(a->smtp.port, 2587);
	CHECK_INT(a->smtp.security, URL_STARTTLS);
	/* '#' without a space before it is part of the value */
	CHECK_STR(a->password_command, "pass show mail/work#1");
	/* The account's url_command, else the one before the sections. */
	CHECK_STR(a->url_command, "firefox --new-tab");
	CHECK_STR(cfg->url_command, "xdg-open");
	CHECK_STR(a->sent, "Sent");
	CHECK_STR(a->drafts, "Drafts");
	a = config_account(cfg, "home");
	CHECK(a != NULL);
	CHECK_STR(a->from_addr, "bob@example.net");
	CHECK_STR(a->imap.host, "::1");
	CHECK_INT(a->imap.port, 1143);
	CHECK_INT(a->imap.security, URL_STARTTLS);
	CHECK(a->smtp.host == NULL);
	CHECK_STR(a->sent, "Sent Items");
	CHECK(a->url_command == NULL);
	CHECK(config_account(cfg, "nope") == NULL);
	CHECK_INT(cfg->policy.sign, POLICY_SIGN_ASK);
	CHECK_INT(cfg->policy.encrypt, POLICY_ENCRYPT_ALWAYS);
	CHECK_INT(cfg->policy.harvest, POLICY_HARVEST_NEVER);
	config_free(&cfg);
	CHECK(cfg == NULL);
}

static void
test_defaults(void)
{
	struct config *cfg = config_new();

	CHECK_INT(cfg->policy.sign, POLICY_SIGN_ALWAYS);
	CHECK_INT(cfg->policy.encrypt, POLICY_ENCRYPT_OPPORTUNISTIC);
	CHECK_INT(cfg->policy.harvest, POLICY_HARVEST_TRUSTED);
	CHECK(!cfg->policy.sign_locked);
	config_free(&cfg);
}

/* Each bad input must fail with ERR_CONFIG and a message naming the cause. */
static const struct {
	const char *text;
	const char *want;
} bad[] = {
	{ "from = a@b\n", "t:1: 'from' outside a section" },
	{ "[account]\nfrom = a@b\n", "t:1: unknown section [account]" },
	{ "[acct x]\n", "unknown section [acct x]" },
	{ "[account a b]\n", "account name must be one word" },
	{ "[account x\n", "t:1: malformed section header" },
	{ "[account x]\nfrom = a@b\n[account x]\nfrom = c@d\n", "t:3: account 'x' is defined twice" },
	{ "[account x]\nfrom = a@b\ncolour = red\n", "t:3: unknown key 'colour' in [account x]" },
	{ "[account x]\nfrom = a@b\nimap\n", "t:3: expected 'key = value'" },
	{ "[account x]\nimap = imaps://h\n", "[account x] has no 'from'" },
	{ "[account x]\nfrom = Alice <>\n", "from = 'Alice <>' has no usable address" },
	{ "[account x]\nfrom = not-an-address\n", "has no usable address" },
	{ "[account x]\nfrom = a@b\nimap = http://h\n", "unsupported scheme 'http'" },
	{ "[account x]\nfrom = a@b\nimap = imaps:/h\n", "is not a URL" },
	{ "[account x]\nfrom = a@b\nimap = smtps://h\n", "unsupported scheme 'smtps'" },
	{ "[account x]\nfrom = a@b\nsmtp = smtp://h\n", "smtp:// is ambiguous" },
	{ "[account x]\nfrom = a@b\nimap = imaps://u:secret@h\n", "passwords do not belong in the URL" },
	{ "[account x]\nfrom = a@b\nimap = imaps://h:0\n", "bad port" },
	{ "[account x]\nfrom = a@b\nimap = imaps://h:70000\n", "bad port" },
	{ "[account x]\nfrom = a@b\nimap = imaps://h:99x\n", "bad port" },
	{ "[account x]\nfrom = a@b\nimap = imaps://\n", "bad host name" },
	{ "[account x]\nfrom = a@b\nimap = imaps://[::1\n", "bad host name" },
	{ "[account x]\nfrom = a@b\nimap = imaps://h/INBOX\n", "a path is not allowed" },
	{ "[account x]\nfrom = a@b\nsigning_cert = alice\n", "must be a certificate fingerprint" },
	{ "[account x]\nfrom = a@b\nsigning_cert = ABCD\n", "SHA-1 (40 hex digits)" },
	{ "[account x]\nfrom = a@b\nsent =\n", "t:3: sent is empty" },
	{ "[policy]\nsign = sometimes\n", "t:2: bad value 'sometimes' for sign (one of: always, ask, never)" },
	{ "[policy]\nencrypt = yes\n", "bad value 'yes' for encrypt" },
	{ "[policy]\nharvest = all\n", "bad value 'all' for harvest" },
	{ "[policy]\nlocked = yes\n", "'locked' belongs in the system policy file" },
	{ "[policy]\nverify = always\n", "unknown key 'verify' in [policy]" },
	{ "[account x]\nfrom = a@b\ntimeout = 0\n", "t:3: timeout must be a number of seconds from 1 to 3600, not '0'" },
	{ "[account x]\nfrom = a@b\ntimeout = 3601\n", "from 1 to 3600" },
	{ "[account x]\nfrom = a@b\ntimeout = 30s\n", "not '30s'" },
	{ "[account x]\nfrom = a@b\ntimeout = -5\n", "not '-5'" },
	{ "[account x]\nfrom = a@b\ncheck_interval = 86401\n",
	  "t:3: check_interval must be a number of seconds from 0 to 86400, not '86401'" },
	{ "[account x]\nfrom = a@b\ncheck_interval = 1m\n", "not '1m'" },
	{ "[account x]\nfrom = a@b\ncheck_interval =\n", "not ''" },
	{ "[account x]\nfrom = a@b\nsend_rate = 60\n",
	  "t:3: send_rate must be a number of messages per s, min or hour, such as "
	  "60/min, not '60'" },
	{ "[account x]\nfrom = a@b\nsend_rate = 0/min\n", "not '0/min'" },
	{ "[account x]\nfrom = a@b\nsend_rate = 5/day\n", "not '5/day'" },
	{ "[account x]\nfrom = a@b\nsend_rate = -5/s\n", "not '-5/s'" },
	{ "[keys]\nfly = x\n", "t:2: unknown action 'fly' in [keys]" },
	{ "[keys]\nquit = xy\n", "t:2: 'xy' is not a key" },
	{ "[keys]\nquit = F13\n", "'F13' is not a key" },
	{ "[keys]\nquit = ^[\n", "'^[' is not a key" },
	{ "[keys]\nquit = ^1\n", "'^1' is not a key" },
	{ "[keys]\nquit =\n", "t:2: quit has no key (write 'none'" },
	{ "[keys]\nquit = a b c d e\n", "at most 4 keys" },
	{ "[keys]\n\xc3\xa9x = q\n", "unknown action" },
	{ "[keys]\nquit = \xc3\n", "is not a key" },
	{ "[colors]\nbanner = red\n", "t:2: unknown element 'banner' in [colors]" },
	{ "[colors]\nquote = pink\n", "t:2: 'pink' is not a colour" },
	{ "[colors]\nquote = red green blue\n", "more than two colours" },
	{ "[colors]\nquote = bold red\n", "'red': colours come before bold" },
	{ "[colors]\nquote =\n", "t:2: quote has no colour" },
	{ "[colours]\nquote = red\n", "unknown section [colours]" },
	{ "[account x]\nfrom = a@b\nauthserv_id =\n", "t:3: authserv_id: the list is empty" },
	{ "[account x]\nfrom = a@b\nauthserv_id = mx.x.org, mx_2\n",
	  "t:3: authserv_id: 'mx_2' is not a host name" },
	{ "[account x]\nfrom = a@b\nauthserv_id = a..b\n", "'a..b' is not a host name" },
	{ "[policy]\nsigns_sometimes = bob@\n",
	  "t:2: signs_sometimes: 'bob@' is not a mail address or a domain" },
	{ "[policy]\nsigns_sometimes = <bob@x.org>\n", "is not a mail address" },
	{ "[policy]\nsigns_sometimes = ,\n", "signs_sometimes: the list is empty" },
};

/* The lists of Authentication-Results' servers and of sometimes-signers. */
static void
test_lists(void)
{
	struct config *cfg = config_new();
	struct err e = { 0 };
	const struct account *a;

	CHECK_INT(config_parse(cfg, "t", "[account x]\nfrom = a@b\n"
			       "authserv_id = old.example\n"
			       "authserv_id = MX.Example.org,imap.example.org  mx2.example.org\n"
			       "[account y]\nfrom = c@d\n"
			       "[policy]\nsigns_sometimes = Bob@Example.ORG, example.net\n",
			       false, &e), 0);
	a = config_account(cfg, "x");
	CHECK_INT(a ? a->n_authserv_ids : 0, 3);
	if (a && a->n_authserv_ids == 3) {
		CHECK_STR(a->authserv_ids[0], "mx.example.org");
		CHECK_STR(a->authserv_ids[2], "mx2.example.org");
		CHECK(a->authserv_ids[3] == NULL);
	}
	a = config_account(cfg, "y");
	CHECK_INT(a ? a->n_authserv_ids : 9, 0);
	CHECK_INT(cfg->n_signs_sometimes, 2);
	CHECK(config_signs_sometimes(cfg, "Bob@example.org"));
	CHECK(config_signs_sometimes(cfg, "carol@EXAMPLE.net"));
	CHECK(!config_signs_sometimes(cfg, "carol@example.org"));
	CHECK(!config_signs_sometimes(cfg, "carol@sub.example.net"));
	CHECK(!config_signs_sometimes(cfg, "example.net"));
	config_free(&cfg);

	/* A locked system list is all there is. */
	cfg = config_new();
	CHECK_INT(config_parse(cfg, "sys", "[policy]\nsigns_sometimes = a@x.org\n"
			       "locked = yes\n", true, &e), 0);
	CHECK_INT(config_parse(cfg, "user", "[policy]\nsigns_sometimes = b@x.org\n",
			       false, &e), 0);
	CHECK(config_signs_sometimes(cfg, "a@x.org"));
	CHECK(!config_signs_sometimes(cfg, "b@x.org"));
	CHECK_INT(cfg->n_warnings, 1);
	if (cfg->n_warnings)
		CHECK_CONTAINS(cfg->warnings[0], "user:2: signs_sometimes ignored");
	config_free(&cfg);
	/* Unlocked, the user's adds to it. */
	cfg = config_new();
	CHECK_INT(config_parse(cfg, "sys", "[policy]\nsigns_sometimes = a@x.org\n",
			       true, &e), 0);
	CHECK_INT(config_parse(cfg, "user", "[policy]\nsigns_sometimes = b@x.org\n",
			       false, &e), 0);
	CHECK(config_signs_sometimes(cfg, "a@x.org") && config_signs_sometimes(cfg, "b@x.org"));
	config_free(&cfg);
}

static void
test_screen(void)
{
	struct config *cfg = config_new();
	struct err e = { 0 };
	char name[16];

	CHECK_INT(config_parse(cfg, "t", "[account x]\nfrom = a@b\ntimeout = 90\n"
			       "[keys]\nquit = Q ^G\nnext = Space PageDown F12 \xc3\xa9\n"
			       "reply = none\nsearch = enter\n\n"
			       "[colors]\nbanner-bad = yellow red bold reverse\n"
			       "quote = default blue\nheader = underline\n", false, &e), 0);
	CHECK_STR(e.msg, "");
	CHECK_INT(cfg->accounts[0].timeout, 90);
	CHECK_INT(cfg->keys[CONFIG_ACTION_QUIT].line, 5);
	CHECK_INT(cfg->keys[CONFIG_ACTION_QUIT].n, 2);
	CHECK_INT(cfg->keys[CONFIG_ACTION_QUIT].keys[0], 'Q');
	CHECK_INT(cfg->keys[CONFIG_ACTION_QUIT].keys[1], 7);
	CHECK_INT(cfg->keys[CONFIG_ACTION_NEXT].n, 4);
	CHECK_INT(cfg->keys[CONFIG_ACTION_NEXT].keys[0], ' ');
	CHECK_INT(cfg->keys[CONFIG_ACTION_NEXT].keys[1], CONFIG_KEY_PAGE_DOWN);
	CHECK_INT(cfg->keys[CONFIG_ACTION_NEXT].keys[2], CONFIG_KEY_F12);
	CHECK_INT(cfg->keys[CONFIG_ACTION_NEXT].keys[3], 0xe9);
	CHECK_INT(cfg->keys[CONFIG_ACTION_REPLY].line, 7);
	CHECK_INT(cfg->keys[CONFIG_ACTION_REPLY].n, 0);
	CHECK_INT(cfg->keys[CONFIG_ACTION_SEARCH].keys[0], CONFIG_KEY_ENTER);
	CHECK_INT(cfg->keys[CONFIG_ACTION_HELP].line, 0);
	CHECK_INT(cfg->colors[CONFIG_ELEM_BANNER_BAD].line, 11);
	CHECK_INT(cfg->colors[CONFIG_ELEM_BANNER_BAD].fg, 3);
	CHECK_INT(cfg->colors[CONFIG_ELEM_BANNER_BAD].bg, 1);
	CHECK_INT(cfg->colors[CONFIG_ELEM_BANNER_BAD].attrs,
		  CONFIG_ATTR_BOLD | CONFIG_ATTR_REVERSE);
	CHECK_INT(cfg->colors[CONFIG_ELEM_QUOTE].fg, -1);
	CHECK_INT(cfg->colors[CONFIG_ELEM_QUOTE].bg, 4);
	CHECK_INT(cfg->colors[CONFIG_ELEM_HEADER].fg, -1);
	CHECK_INT(cfg->colors[CONFIG_ELEM_HEADER].attrs, CONFIG_ATTR_UNDERLINE);
	CHECK_INT(cfg->colors[CONFIG_ELEM_STATUS].line, 0);
	CHECK_INT(cfg->colors[CONFIG_ELEM_STATUS].fg, -1);
	config_free(&cfg);

	/* No timeout: the built-in default; new mail looked for each minute. */
	cfg = config_new();
	CHECK_INT(config_parse(cfg, "t", "[account x]\nfrom = a@b\n", false, &e), 0);
	CHECK_INT(cfg->accounts[0].timeout, 0);
	CHECK_INT(cfg->accounts[0].check_interval, 60);
	config_free(&cfg);
	/* check_interval 0: never; any other value as given. */
	cfg = config_new();
	CHECK_INT(config_parse(cfg, "t", "[account x]\nfrom = a@b\ncheck_interval = 0\n"
			       "[account y]\nfrom = c@d\ncheck_interval = 5\n", false, &e), 0);
	CHECK_INT(cfg->accounts[0].check_interval, 0);
	CHECK_INT(cfg->accounts[1].check_interval, 5);
	config_free(&cfg);
	/* send_rate: the interval between two transfers' starts, in ms. */
	cfg = config_new();
	CHECK_INT(config_parse(cfg, "t", "[account x]\nfrom = a@b\nsend_rate = 60/min\n"
			       "[account y]\nfrom = c@d\nsend_rate = 4/s\n"
			       "[account z]\nfrom = e@f\nsend_rate = 7200/hour\n"
			       "[account w]\nfrom = g@h\n", false, &e), 0);
	CHECK_INT(cfg->accounts[0].send_interval_ms, 1000);
	CHECK_INT(cfg->accounts[1].send_interval_ms, 250);
	CHECK_INT(cfg->accounts[2].send_interval_ms, 500);
	CHECK_INT(cfg->accounts[3].send_interval_ms, 0);
	config_free(&cfg);

	/* The locked system policy file carries [policy] only. */
	cfg = config_new();
	CHECK_INT(config_parse(cfg, "/etc/cachet/policy", "[policy]\nsign = always\n"
			       "locked = yes\n[keys]\nquit = x\n", true, &e), -1);
	CHECK_CONTAINS(e.msg, "/etc/cachet/policy:4: the system policy file may only "
		       "hold a [policy] section");
	err_clear(&e);
	CHECK_INT(config_parse(cfg, "sys", "[colors]\nquote = red\n", true, &e), -1);
	CHECK_CONTAINS(e.msg, "sys:1: the system policy file may only hold");
	config_free(&cfg);

	/* Names back and forth. */
	CHECK_INT(config_key_parse("^a"), 1);
	CHECK_INT(config_key_parse("^M"), CONFIG_KEY_ENTER);
	CHECK_INT(config_key_parse("^?"), CONFIG_KEY_BACKSPACE);
	CHECK_INT(config_key_parse("pgdn"), CONFIG_KEY_PAGE_DOWN);
	CHECK_INT(config_key_parse("f1"), CONFIG_KEY_F1);
	CHECK_INT(config_key_parse("F10"), CONFIG_KEY_F1 + 9);
	CHECK_INT(config_key_parse("F0"), -1);
	CHECK_INT(config_key_parse("^"), '^');
	CHECK_INT(config_key_parse(""), -1);
	/* A key may be one UTF-8 character, shortest form, not a C1 control. */
	CHECK_INT(config_key_parse("\xc3\xa9"), 0xe9);
	CHECK_INT(config_key_parse("\xe2\x82\xac"), 0x20ac);
	CHECK_INT(config_key_parse("\xc3\xa9\xc3\xa9"), -1);
	CHECK_INT(config_key_parse("\xc0\xa9"), -1);
	CHECK_INT(config_key_parse("\xc2\x85"), -1);
	CHECK_INT(config_key_parse("\xed\xa0\x80"), -1);
	CHECK_INT(config_key_parse("\xe2\x82"), -1);
	config_key_text(CONFIG_KEY_PAGE_DOWN, name);
	CHECK_STR(name, "PageDown");
	config_key_text(7, name);
	CHECK_STR(name, "^G");
	config_key_text(' ', name);
	CHECK_STR(name, "Space");
	config_key_text(CONFIG_KEY_F1 + 11, name);
	CHECK_STR(name, "F12");
	config_key_text(0x20ac, name);
	CHECK_STR(name, "\xe2\x82\xac");
	CHECK_STR(config_action_name(CONFIG_ACTION_REPLY_ALL), "reply-all");
	CHECK_STR(config_element_name(CONFIG_ELEM_INDEX_SELECTED), "index-selected");
}

static void
test_bad(void)
{
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct config *cfg = config_new();
		struct err e = { 0 };

		CHECK_INT(config_parse(cfg, "t", bad[i].text, false, &e), -1);
		CHECK_INT(e.code, ERR_CONFIG);
		CHECK_CONTAINS(e.msg, bad[i].want);
		config_free(&cfg);
	}
}

static void
test_system_lock(void)
{
	struct config *cfg = config_new();
	struct err e = { 0 };

	CHECK_INT(config_parse(cfg, "/etc/cachet/policy",
			       "[policy]\nsign = always\nencrypt = opportunistic\nlocked = yes\n",
			       true, &e), 0);
	CHECK(cfg->policy.sign_locked);
	CHECK(cfg->policy.encrypt_locked);
	CHECK(!cfg->policy.harvest_locked);	/* not set by the system file */
	/* The user file may strengthen but not weaken. */
	CHECK_INT(config_parse(cfg, "user",
			       "[policy]\nsign = never\nencrypt = always\nharvest = ask\n",
			       false, &e), 0);
	CHECK_INT(cfg->policy.sign, POLICY_SIGN_ALWAYS);
	CHECK_INT(cfg->policy.encrypt, POLICY_ENCRYPT_ALWAYS);
	CHECK_INT(cfg->policy.harvest, POLICY_HARVEST_ASK);
	CHECK_INT(cfg->n_warnings, 1);
	if (cfg->n_warnings)
		CHECK_CONTAINS(cfg->warnings[0], "user:2: sign = never ignored: the "
			       "system policy locks it to 'always'");
	/* Options go through the same gate. */
	CHECK_INT(policy_request_sign(&cfg->policy, POLICY_SIGN_NEVER, &e), -1);
	CHECK_INT(e.code, ERR_POLICY);
	CHECK_CONTAINS(e.msg, "signing is locked to 'always' by the system policy");
	CHECK_INT(policy_request_sign(&cfg->policy, POLICY_SIGN_ALWAYS, &e), 0);
	CHECK_INT(policy_request_encrypt(&cfg->policy, POLICY_ENCRYPT_NEVER, &e), -1);
	CHECK_INT(policy_request_encrypt(&cfg->policy, POLICY_ENCRYPT_ALWAYS, &e), 0);
	config_free(&cfg);

	/* Without "locked = yes" the user may change anything. */
	cfg = config_new();
	CHECK_INT(config_parse(cfg, "sys", "[policy]\nsign = always\n", true, &e), 0);
	CHECK_INT(config_parse(cfg, "user", "[policy]\nsign = never\n", false, &e), 0);
	CHECK_INT(cfg->policy.sign, POLICY_SIGN_NEVER);
	CHECK_INT(policy_request_sign(&cfg->policy, POLICY_SIGN_ALWAYS, &e), 0);
	config_free(&cfg);

	/* A second system layer ($CACHET_SYSTEM_POLICY) cannot lift a lock. */
	cfg = config_new();
	CHECK_INT(config_parse(cfg, "/etc/cachet/policy",
			       "[policy]\nsign = always\nlocked = yes\n", true, &e), 0);
	CHECK_INT(config_parse(cfg, "extra",
			       "[policy]\nsign = never\nlocked = no\n", true, &e), 0);
	CHECK_INT(cfg->policy.sign, POLICY_SIGN_ALWAYS);
	CHECK(cfg->policy.sign_locked);
	CHECK_INT(cfg->n_warnings, 1);
	config_free(&cfg);

	cfg = config_new();
	CHECK_INT(config_parse(cfg, "sys", "[account x]\nfrom = a@b\n", true, &e), -1);
	CHECK_CONTAINS(e.msg, "may only hold a [policy] section");
	config_free(&cfg);
	cfg = config_new();
	CHECK_INT(config_parse(cfg, "sys", "[policy]\nlocked = maybe\n", true, &e), -1);
	CHECK_CONTAINS(e.msg, "locked must be 'yes' or 'no'");
	config_free(&cfg);
}

static char *
write_file(const char *dir, const char *leaf, const char *text, mode_t mode)
{
	char *path = xasprintf("%s/%s", dir, leaf);
	struct err e = { 0 };

	if (file_write_atomic(path, text, strlen(text), mode, &e) < 0)
		fprintf(stderr, "%s\n", e.msg);
	chmod(path, mode);	/* not masked by the umask */
	return path;
}

static void
test_files(void)
{
	char dir[] = "/tmp/cachet-test-config-XXXXXX";
	struct config *cfg = NULL;
	struct err e = { 0 };
	char *user, *sys, *missing;

	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	user = write_file(dir, "config", "[account a]\nfrom = a@b\n[policy]\nsign = never\n", 0600);
	sys = write_file(dir, "policy", "[policy]\nsign = always\nlocked = yes\n", 0644);
	missing = xasprintf("%s/none", dir);
	const char *sys_list[] = { missing, sys, NULL };
	const char *missing_list[] = { missing, NULL };

	CHECK_INT(config_load(user, true, sys_list, &cfg, &e), 0);
	if (cfg) {
		CHECK_STR(cfg->path, user);
		CHECK_INT(cfg->policy.sign, POLICY_SIGN_ALWAYS);
		CHECK_INT(cfg->n_warnings, 1);
		config_free(&cfg);
	}
	/* Missing user file: fine by default, an error when named with --config. */
	CHECK_INT(config_load(missing, false, missing_list, &cfg, &e), 0);
	if (cfg) {
		CHECK(cfg->path == NULL);
		CHECK_INT(cfg->n_accounts, 0);
		config_free(&cfg);
	}
	CHECK_INT(config_load(missing, true, NULL, &cfg, &e), -1);
	CHECK_INT(e.code, ERR_CONFIG);
	CHECK_CONTAINS(e.msg, "none: cannot open: No such file or directory");

	/* A file others can write could run their password_command. */
	chmod(user, 0620);
	CHECK_INT(config_load(user, true, NULL, &cfg, &e), -1);
	CHECK_INT(e.code, ERR_CONFIG);
	CHECK_CONTAINS(e.msg, "writable by the group; fix with 'chmod go-w");
	chmod(user, 0606);
	CHECK_INT(config_load(user, true, NULL, &cfg, &e), -1);
	CHECK_CONTAINS(e.msg, "writable by everyone");
	chmod(user, 0600);
	chmod(sys, 0666);
	CHECK_INT(config_load(user, true, sys_list, &cfg, &e), -1);
	CHECK_CONTAINS(e.msg, "policy: writable by everyone");
	chmod(sys, 0644);
	/* A directory is not a configuration file. */
	CHECK_INT(config_load(dir, true, NULL, &cfg, &e), -1);
	CHECK(e.msg[0] != '\0');

	unlink(user);
	unlink(sys);
	rmdir(dir);
	free(user);
	free(sys);
	free(missing);
}

int
main(void)
{
	test_good();
	test_defaults();
	test_bad();
	test_system_lock();
	test_lists();
	test_files();
	test_screen();
	return check_exit();
}
