#!/bin/bash
# The folder list, driven in tmux over IMAP against the private Dovecot:
# $ reads the list again (a folder made by another client appears), C
# creates a folder on the server, and moving a message to a folder that
# does not exist offers to create it (n leaves everything as it was, y
# creates it and moves the message there); R renames a folder, D deletes
# one and its messages after a typed yes.  Each folder shows how many
# messages it holds and how many are unread.
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
# Each folder with its messages and, when there are, its unread ones
# (STATUS).
ui_wait imap "INBOX  (2 unread of 2)"
ui_wait imap "Sent  (0)"

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
ui_wait imap "Later  (1 unread of 1)"
ui_wait imap "INBOX  (1 unread of 1)"
# Read in the index, unread no more.
ui_keys imap Home Enter
ui_wait imap "INBOX [1 message]" 20
ui_keys imap N
ui_wait imap "marked read"
ui_keys imap c
ui_wait imap "INBOX  (1)"

# to_folder NAME: the cursor on folder NAME of the list.
to_folder() {
	local n
	n=$(ui_screen imap | sed -n "s/^ *\([0-9][0-9]*\)  $1  (.*/\1/p")
	[ -n "$n" ] || fail "no folder $1 in the list: $(ui_screen imap)"
	ui_keys imap Home
	for ((i = 1; i < n; i++)); do ui_keys imap j; done
}

# R renames the folder under the cursor.
to_folder Outside
ui_keys imap R
ui_wait_prompt imap "Rename Outside to: Outside"
ui_keys imap C-u Elsewhere Enter
ui_wait imap "renamed to Elsewhere" 20
ui_wait imap "Elsewhere"
assert_not_contains "$(ui_screen imap)" "Outside"
[ -d "$MB/.Elsewhere" ] && [ ! -e "$MB/.Outside" ] || fail "Outside not renamed on the server"

# D deletes it with its messages, only after a typed yes.
to_folder Later
ui_keys imap D
ui_wait_prompt imap "Delete the folder Later and every message in it, for good? Type yes:"
ui_keys imap y Enter
ui_wait imap "not deleted"
[ -d "$MB/.Later" ] || fail "Later deleted without a yes"
ui_keys imap D
ui_wait_prompt imap "Delete the folder Later and every message in it, for good? Type yes:"
ui_keys imap yes Enter
ui_wait imap "deleted Later" 20
ui_wait_gone imap "  Later"
[ ! -e "$MB/.Later" ] || fail "Later still on the server"
ui_keys imap q
ui_wait_exit imap

# The same over a Maildir++ tree: the folders are directories.
MD=$H/Maildir
ui_maildir "$MD"
ui_start md 100 30 "$CACHET" --data-dir "$H/data" --gnupg-home "$GH" ui --maildir "$MD"
ui_wait md "INBOX [0 messages]" 20
ui_keys md c C
ui_wait_prompt md "Create folder:"
ui_keys md Lists/dev Enter
ui_wait md "created Lists/dev"
for d in cur new tmp; do
	[ -d "$MD/.Lists.dev/$d" ] || fail "no .Lists.dev/$d"
done
ui_keys md C
ui_wait_prompt md "Create folder:"
ui_keys md bad.name Enter
ui_wait md "not created: \"bad.name\" cannot be a Maildir++ folder name"
ui_keys md Home j R
ui_wait_prompt md "Rename Lists/dev to: Lists/dev"
ui_keys md C-u Lists/ops Enter
ui_wait md "renamed to Lists/ops"
[ -d "$MD/.Lists.ops/cur" ] && [ ! -e "$MD/.Lists.dev" ] || fail "Lists/dev not renamed"
ui_keys md Home j D
ui_wait_prompt md "Delete the folder Lists/ops and every message in it, for good? Type yes:"
ui_keys md yes Enter
ui_wait md "deleted Lists/ops"
[ ! -e "$MD/.Lists.ops" ] || fail "Lists/ops still there"
ui_keys md q
ui_wait_exit md
exit 0
