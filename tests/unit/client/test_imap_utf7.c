/* test_imap_utf7.c — folder names between UTF-8 and modified UTF-7. */
#include "client/imap.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *utf8;
	const char *wire;
} pairs[] = {
	{ "INBOX", "INBOX" },
	{ "R&D", "R&-D" },
	{ "&", "&-" },
	{ "Entw\xc3\xbc" "rfe", "Entw&APw-rfe" },				/* ü */
	{ "\xe5\x8f\xb0\xe5\x8c\x97", "&U,BTFw-" },				/* 台北 */
	{ "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	  "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },					/* RFC 3501 */
	{ "Archiv \xc3\x84" "lter", "Archiv &AMQ-lter" },
	{ "\xf0\x9f\x93\xa7 mail", "&2D3c5w- mail" },				/* U+1F4E7, surrogates */
	{ "\xc3\xa4\xc3\xb6\xc3\xbc", "&AOQA9gD8-" },
};

static void
test_pairs(void)
{
	size_t i;

	for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		char *enc = NULL, *dec;
		struct err e = { 0 };

		CHECK_INT(imap_utf7_encode(pairs[i].utf8, &enc, &e), 0);
		CHECK_STR(enc ? enc : "(null)", pairs[i].wire);
		dec = imap_utf7_decode(pairs[i].wire);
		CHECK_STR(dec, pairs[i].utf8);
		free(enc);
		free(dec);
	}
}

/* What is not modified UTF-7 is shown as the server sent it. */
static void
test_decode_invalid(void)
{
	static const char *const kept[] = {
		"&", "a&b", "&-&", "&AOQ", "&!!-", "&-", "&AGE-",	/* "a" encoded */
		"&2D0-",						/* lone surrogate */
		"&AOR-",						/* bits left over */
	};
	static const char *const want[] = {
		"&", "a&b", "&&", "&AOQ", "&!!-", "&", "&AGE-", "&2D0-", "&AOR-",
	};
	size_t i;

	for (i = 0; i < sizeof kept / sizeof kept[0]; i++) {
		char *dec = imap_utf7_decode(kept[i]);

		CHECK_STR(dec, want[i]);
		free(dec);
	}
}

static void
test_encode_invalid(void)
{
	static const char *const bad[] = {
		"\xff", "a\xc3", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *enc = NULL;
		struct err e = { 0 };

		CHECK_INT(imap_utf7_encode(bad[i], &enc, &e), -1);
		CHECK(enc == NULL);
		CHECK_INT(e.code, ERR_USAGE);
	}
}

/* Folder names as shown: decoded, then safe for a terminal. */
static void
test_shown(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "INBOX", "INBOX" },
		{ "Entw&APw-rfe", "Entw\xc3\xbcrfe" },
		{ "&ZeVnLIqe-", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" },
		{ "Tom &- Jerry", "Tom & Jerry" },
		{ "&2D3eAQ-", "\xf0\x9f\x98\x81" },
		{ "bad &!!- name", "bad &!!- name" },
		{ "&2D0-", "&2D0-" },	/* a lone high surrogate */
		{ "invoice&IC4-fdp.exe", "invoice\xef\xbf\xbd" "fdp.exe" },	/* RLO shown */
		{ "a&AAc-b", "a\xe2\x90\x87" "b" },	/* BEL shown */
	};
	size_t i;
	char *d;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d = imap_folder_name_shown(cases[i].in);
		CHECK_STR(d, cases[i].want);
		free(d);
	}
}

int
main(void)
{
	test_pairs();
	test_decode_invalid();
	test_encode_invalid();
	test_shown();
	return check_exit();
}
