/* verbs.c — the table of command-line verbs. */
#include "cli/cli.h"

#include <stddef.h>

cli_verb_fn cmd_passwd;
cli_verb_fn cmd_ui;
cli_verb_fn cmd_folders;
cli_verb_fn cmd_send;
cli_verb_fn cmd_outbox;
cli_verb_fn cmd_list;
cli_verb_fn cmd_sign, cmd_encrypt, cmd_decrypt, cmd_verify;
cli_verb_fn cmd_harvest, cmd_certs;
cli_verb_fn cmd_identity;

const struct cli_verb cli_verbs[] = {
	{ "folders", cmd_folders, "list the account's IMAP folders" },
	{ "list", cmd_list, "print the index of an IMAP folder" },
	{ "send", cmd_send, "sign/encrypt as the policy says, submit, file a copy in Sent" },
	{ "outbox", cmd_outbox, "list, show, drop or retry what waits to be sent" },
	{ "passwd", cmd_passwd, "store the account password in the Secret Service" },
	{ "sign", cmd_sign, "sign messages (multipart/signed, S/MIME)" },
	{ "encrypt", cmd_encrypt, "encrypt messages to their recipients and the sender" },
	{ "decrypt", cmd_decrypt, "remove the encryption of messages" },
	{ "verify", cmd_verify, "print the verdict of each message (--json)" },
	{ "ui", cmd_ui, "open the screen (the default without a verb)" },
	{ "harvest", cmd_harvest, "store correspondents' certificates from signed mail" },
	{ "certs", cmd_certs, "list, show, import, export, trust or remove certificates" },
	{ "identity", cmd_identity, "import your key and certificate (PKCS#12), list yours" },
	{ NULL, NULL, NULL },
};
