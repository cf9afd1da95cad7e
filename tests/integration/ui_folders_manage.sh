#!/bin/bash
# The folder list, driven in tmux over IMAP against the private Dovecot:
# $ reads the list again (a folder made by another client appears), C
# creates a folder on the server, and moving a message to a folder that
# does not exist offers to create it (n leaves everything as it was, y
# creates it and moves the message there).
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"
harness_dovecot

CACHET=${CACHET:-$top_builddir/cachet}
GH=$(harness_gnupg bob)
CFG=$(harness_config bob "check_interval = 0")
for n in 1 2; do
	printf 'From: carol@localhost\r\nTo: bob@localhost\r\nSubject: Note %s\r\nDate: Mon, 3 Mar 2025 12:0%s:00 +0000\r\n\r\nText %s.\r\n' \
		"$n" "$n" "$n" | harness_lmtp_deliver bob
done
harness_wait_mail bob 2
MB=$H/mail/bob/Maildir

ui_start imap 100 30 "$CACHET" --config "$CFG" --data-dir "$H/data" --gnupg-home "$GH"
ui_wait imap "INBOX [2 messages]" 20
ui_keys imap c
ui_wait imap "cachet: folders"
assert_not_contains "$(ui_screen imap)" "Outside"

# Another client (Python's imaplib) creates a folder; $ shows it.
python3 -c '
import imaplib, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
m = imaplib.IMAP4_SSL("localhost", int(sys.argv[1]), ssl_context=ctx)
m.login("bob", "bob-pw")
typ, _ = m.create("Outside")
assert typ == "OK", typ
m.logout()
' "$IMAPS_PORT" "$HARNESS_PKI/tls-ca.pem"
ui_keys imap '$'
ui_wait imap "Outside"

# C creates one on the server.
ui_keys imap C
ui_wait_prompt imap "Create folder:"
ui_keys imap Projects Enter
ui_wait imap "created Projects" 20
ui_wait imap "Projects"
[ -d "$MB/.Projects" ] || fail "no .Projects in bob's Maildir"

# Moving to a folder that does not exist: n keeps the message where it is.
ui_keys imap Home Enter
ui_wait imap "INBOX [2 messages]" 20
ui_keys imap Home s
ui_wait_prompt imap "Move to folder (Drafts, Outside, Projects, Sent):"
ui_keys imap Later Enter
ui_wait_prompt imap "No folder \"Later\"; create it (y/n)?"
ui_keys imap n Enter
ui_wait imap "not moved: no folder \"Later\""
[ ! -e "$MB/.Later" ] || fail ".Later was created after n"
# y creates it, and the message goes there.
ui_keys imap s
ui_wait_prompt imap "Move to folder (Drafts, Outside, Projects, Sent):"
ui_keys imap Later Enter
ui_wait_prompt imap "No folder \"Later\"; create it (y/n)?"
ui_keys imap y Enter
ui_wait imap "moved to Later" 20
ui_wait imap "INBOX [1 message]"
for ((i = 0; i < 100; i++)); do
	[ "$(ui_files_with "$MB/.Later" "Subject: Note 1")" = 1 ] && break
	sleep 0.05
done
assert_eq 1 "$(ui_files_with "$MB/.Later" "Subject: Note 1")" "Note 1 in Later"
assert_eq 0 "$(ui_files_with "$MB" "Subject: Note 1")" "Note 1 in INBOX"
ui_keys imap c
ui_wait imap "Later"
ui_keys imap q
ui_wait_exit imap
exit 0
