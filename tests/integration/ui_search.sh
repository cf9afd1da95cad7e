#!/bin/bash
# Searching whole messages from the index (S): over IMAP the server
# searches (a word only in the text, not in any subject, finds its
# messages; n goes to the next; a word nowhere says so), over a Maildir
# cachet reads the raw files.  The search in subject and sender (/) does
# not see the text.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"
harness_dovecot

CACHET=${CACHET:-$top_builddir/cachet}
GH=$(harness_gnupg bob)
CFG=$(harness_config bob "check_interval = 0")

# message SUBJECT BODY: a plain message to bob.
message() {
	printf 'From: carol@localhost\r\nTo: bob@localhost\r\nSubject: %s\r\nDate: Mon, 3 Mar 2025 12:0%s:00 +0000\r\n\r\n%s\r\n' \
		"$1" "${#1}" "$2"
}

# check NAME: the same searches in the screen session NAME.
check() {
	local name=$1
	ui_keys "$name" '*'
	ui_keys "$name" S
	ui_wait_prompt "$name" "Search whole messages:"
	ui_keys "$name" "zebracorn" Enter
	ui_wait "$name" '2 messages hold "zebracorn"' 20
	ui_keys "$name" Enter
	ui_wait "$name" "Subject: Minutes" 20
	assert_contains "$(ui_screen "$name")" "the zebracorn was seen"
	ui_keys "$name" q
	ui_wait "$name" "[3 messages]"
	ui_keys "$name" n
	ui_settle "$name"
	ui_keys "$name" Enter
	ui_wait "$name" "Subject: Field notes" 20
	ui_keys "$name" q
	ui_wait "$name" "[3 messages]"
	# Not in the subject or sender: the other search does not find it.
	ui_keys "$name" /
	ui_wait_prompt "$name" "Search:"
	ui_keys "$name" "zebracorn" Enter
	ui_wait "$name" "not found: zebracorn" 10
	ui_keys "$name" S
	ui_wait_prompt "$name" "Search whole messages:"
	ui_keys "$name" "quagga" Enter
	ui_wait "$name" 'no message holds "quagga"' 20
}

message "Minutes" "Item 3: the zebracorn was seen again." | harness_lmtp_deliver bob
message "Lunch" "Noon at the usual place." | harness_lmtp_deliver bob
message "Field notes" "A ZEBRACORN, upper case this time." | harness_lmtp_deliver bob
harness_wait_mail bob 3

ui_start imap 100 30 "$CACHET" --config "$CFG" --data-dir "$H/data" --gnupg-home "$GH"
ui_wait imap "INBOX [3 messages]" 20
check imap
ui_keys imap q
ui_wait imap "folders"
ui_keys imap q

MD=$H/Maildir
ui_maildir "$MD"
message "Minutes" "Item 3: the zebracorn was seen again." | ui_deliver "$MD" 1
message "Lunch" "Noon at the usual place." | ui_deliver "$MD" 2
message "Field notes" "A ZEBRACORN, upper case this time." | ui_deliver "$MD" 3
ui_start md 100 30 "$CACHET" --gnupg-home "$GH" --data-dir "$H/data-md" ui --maildir "$MD"
ui_wait md "INBOX [3 messages]" 20
check md
ui_keys md q
ui_wait md "folders"
ui_keys md q
echo "PASS: ui_search"
