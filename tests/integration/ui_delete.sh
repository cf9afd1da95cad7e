#!/bin/bash
# Deleting, undeleting, moving and expunging from the index and the pager,
# driven in tmux: over a Maildir (flags in the file names, files renamed
# into the other folder, unlinked on expunge) and over IMAP (the private
# Dovecot: \Deleted stored, MOVE, EXPUNGE), each outcome checked in the
# store itself.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"

CACHET=${CACHET:-$top_builddir/cachet}

message() {
	printf 'From: carol@localhost\nTo: bob@localhost\nSubject: Message %s\nDate: Mon, 3 Mar 2025 1%s:00:00 +0000\n\nBody %s.\n' "$1" "$1" "$1"
}

# --- Maildir ---------------------------------------------------------------
MD=$H/Maildir
ui_maildir "$MD"
ui_maildir "$MD/.Archive"
ui_maildir "$MD/.Sent"
for n in 1 2 3 4; do
	message "$n" | ui_deliver "$MD" "$n"
done

ui_start md 100 30 "$CACHET" --data-dir "$H/data" --gnupg-home "$H/gnupg" \
	ui --maildir "$MD"
ui_wait md "INBOX [4 messages]"

# d marks the first message and moves on; the file gets the T flag.
ui_keys md d
ui_wait md "marked deleted"
assert_contains "$(ui_screen md | grep 'Message 1')" "   1 D"
ui_wait_flags "$MD" "Subject: Message 1" T yes
# u takes the mark away again.
ui_keys md k u
ui_wait md "no longer marked deleted"
ui_wait_flags "$MD" "Subject: Message 1" T no
assert_not_contains "$(ui_screen md | grep 'Message 1')" "   1 D"
ui_keys md d
ui_wait_gone md "no longer marked deleted"

# s moves the message under the cursor (the second) to the folder typed;
# the question lists the other folders.
ui_keys md s
ui_wait_prompt md "Move to folder (Archive, Sent):"
ui_keys md Arch Enter
ui_wait md "moved to Archive"
ui_wait md "INBOX [3 messages]"
assert_not_contains "$(ui_screen md)" "Message 2"
assert_eq 1 "$(ui_files_with "$MD/.Archive" "Subject: Message 2")" "message 2 in Archive"
assert_eq 0 "$(ui_files_with "$MD" "Subject: Message 2")" "message 2 in INBOX"

# A folder that does not exist: nothing moves.
ui_keys md s
ui_wait_prompt md "Move to folder (Archive, Sent):"
ui_keys md Nowhere Enter
ui_wait_prompt md "No folder \"Nowhere\"; create it (y/n)?"
ui_keys md n Enter
ui_wait md "not moved: no folder \"Nowhere\""
ui_wait md "INBOX [3 messages]"

# In the pager: d marks the message read there.
ui_keys md j Enter
ui_wait md "Body 4."
ui_keys md d
ui_wait md "marked deleted"
ui_wait_flags "$MD" "Subject: Message 4" T yes
ui_keys md q
ui_wait md "INBOX [3 messages]"
assert_contains "$(ui_screen md | grep 'Message 4')" " D"

# $ asks first, and one key answers (no Enter): n keeps everything.
ui_keys md '$'
ui_wait_prompt md "Remove 2 messages marked deleted for good (y/n)?"
ui_keys md n
ui_wait md "nothing removed"
assert_eq 1 "$(ui_files_with "$MD" "Subject: Message 1")" "message 1 after no"
# y removes the marked messages, and only those.
ui_keys md '$'
ui_wait_prompt md "Remove 2 messages marked deleted for good (y/n)?"
ui_keys md y
ui_wait md "2 messages removed; INBOX: 1 left"
ui_wait md "INBOX [1 message]"
assert_eq 0 "$(ui_files_with "$MD" "Subject: Message 1")" "message 1 after expunge"
assert_eq 0 "$(ui_files_with "$MD" "Subject: Message 4")" "message 4 after expunge"
assert_eq 1 "$(ui_files_with "$MD" "Subject: Message 3")" "message 3 after expunge"
assert_eq 1 "$(ui_files_with "$MD/.Archive" "Subject: Message 2")" "the moved message"
ui_keys md q q
ui_wait_exit md

# --- IMAP ------------------------------------------------------------------
harness_dovecot
GH=$(harness_gnupg bob)
CFG=$(harness_config bob)
for n in 1 2 3; do
	message "$n" > "$H/m$n.eml"
	harness_lmtp_deliver bob "$H/m$n.eml"
done
harness_wait_mail bob 3
MB=$H/mail/bob/Maildir
mkdir -p "$MB/.Archive/cur" "$MB/.Archive/new" "$MB/.Archive/tmp"
chown -R dovecot:dovecot "$MB/.Archive"

ui_start imap 100 30 "$CACHET" --config "$CFG" --data-dir "$H/data" \
	--gnupg-home "$GH"
ui_wait imap "INBOX [3 messages]" 20
ui_keys imap d
ui_wait imap "marked deleted"
# \Deleted on the server: Dovecot's Maildir flag T.
ui_wait_flags "$MB" "Subject: Message 1" T yes
ui_keys imap s
ui_wait_prompt imap "Move to folder (Archive, Drafts, Sent):"
ui_keys imap Archive Enter
ui_wait imap "moved to Archive" 20
ui_wait imap "INBOX [2 messages]"
for ((i = 0; i < 100; i++)); do
	[ "$(ui_files_with "$MB/.Archive" "Subject: Message 2")" = 1 ] && break
	sleep 0.05
done
assert_eq 1 "$(ui_files_with "$MB/.Archive" "Subject: Message 2")" "message 2 in Archive on the server"
assert_eq 0 "$(ui_files_with "$MB" "Subject: Message 2")" "message 2 in INBOX on the server"
ui_keys imap '$'
ui_wait_prompt imap "Remove 1 message marked deleted for good (y/n)?"
ui_keys imap y
ui_wait imap "1 message removed; INBOX: 1 left" 20
ui_wait imap "INBOX [1 message]"
assert_eq 0 "$(ui_files_with "$MB" "Subject: Message 1")" "message 1 on the server"
assert_eq 1 "$(ui_files_with "$MB" "Subject: Message 3")" "message 3 on the server"
ui_keys imap q q
ui_wait_exit imap

# Opened again (through the index cache): what the server holds.
ui_start again 100 30 "$CACHET" --config "$CFG" --data-dir "$H/data" \
	--gnupg-home "$GH"
ui_wait again "INBOX [1 message]" 20
assert_contains "$(ui_screen again)" "Message 3"
ui_keys again q q
ui_wait_exit again
exit 0
