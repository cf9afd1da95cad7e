/* verbs.c — the table of command-line verbs. */
#include "client/cli.h"

#include <stddef.h>

cli_verb_fn cmd_passwd;
cli_verb_fn cmd_folders;
cli_verb_fn cmd_sign, cmd_encrypt, cmd_decrypt, cmd_verify;

const struct cli_verb cli_verbs[] = {
	{ "folders", cmd_folders, "list the account's IMAP folders" },
	{ "passwd", cmd_passwd, "store the account password in the Secret Service" },
	{ "sign", cmd_sign, "sign messages (multipart/signed, S/MIME)" },
	{ "encrypt", cmd_encrypt, "encrypt messages to their recipients and the sender" },
	{ "decrypt", cmd_decrypt, "remove the encryption of messages" },
	{ "verify", cmd_verify, "print the verdict of each message (--json)" },
	{ NULL, NULL, NULL },
};
