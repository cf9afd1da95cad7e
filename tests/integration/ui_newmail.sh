#!/bin/bash
# New mail while the screen shows an IMAP folder's index: with the
# account's check_interval (2 s here) the screen reads the folder again by
# itself, shows the new message, says how many came, and keeps the cursor
# on the message it was on; a look that finds nothing leaves the status
# line alone.  check_interval = 0 never looks.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"
harness_dovecot

CACHET=${CACHET:-$top_builddir/cachet}
GH=$(harness_gnupg bob)
CFG=$(harness_config bob)
sed -i '/^\[account /a check_interval = 2' "$CFG"
CFG0=$H/never.conf
sed 's/^check_interval = 2$/check_interval = 0/' "$CFG" > "$CFG0"
chmod 600 "$CFG0"

# message SUBJECT: a plain message from carol to bob.
message() {
	printf 'From: carol@localhost\nTo: bob@localhost\nSubject: %s\n\nbody\n' "$1"
}

message "First of the day" | harness_lmtp_deliver bob
message "Second of the day" | harness_lmtp_deliver bob
harness_wait_mail bob 2

ui_start main 100 30 "$CACHET" --config "$CFG" --data-dir "$H/data" --gnupg-home "$GH"
ui_wait main "INBOX [2 messages]" 20
# The cursor on the first message; a status line of our own making.
ui_keys main k k
ui_keys main /
ui_wait_prompt main "Search:"
ui_keys main "First" Enter
ui_settle main
status=$(ui_screen main | tail -n 1)
# Looks that find nothing leave the status line as it was.
sleep 5
assert_eq "$status" "$(ui_screen main | tail -n 1)" "status line after empty looks"

message "Arrived while watching" | harness_lmtp_deliver bob
harness_wait_mail bob 3
ui_wait main "INBOX [3 messages]" 15
screen=$(ui_screen main)
assert_contains "$screen" "Arrived while watching"
assert_contains "$(tail -n 1 <<< "$screen")" "1 new message in INBOX"
# The cursor stayed on "First of the day": Enter opens it.
ui_keys main Enter
ui_wait main "Subject: First of the day" 20
ui_keys main q
ui_wait main "INBOX [3 messages]"
ui_keys main q
ui_wait main "folders"
ui_keys main q
ui_wait_gone main "folders" 10 || true

# check_interval = 0: the index stays as it was opened.
ui_start never 100 30 "$CACHET" --config "$CFG0" --data-dir "$H/data0" --gnupg-home "$GH"
ui_wait never "INBOX [3 messages]" 20
message "Not looked for" | harness_lmtp_deliver bob
harness_wait_mail bob 4
sleep 4
assert_not_contains "$(ui_screen never)" "Not looked for" "index with check_interval = 0"
assert_contains "$(ui_screen never)" "INBOX [3 messages]"
ui_keys never q
echo "PASS: ui_newmail"
