#!/bin/bash
# Searching, driven in tmux over IMAP against the private Dovecot.  In the
# index, / folds case by Unicode's rules: GRÜ finds "Grüße" (an RFC 2047
# subject) and "grüne", as grü finds "GRÜNE", and n goes on.  In the pager,
# / finds a text in the message, case aside, and shows its line at the top
# in the cursor's colours; n goes to the next one, and past the last back
# to the first; a text nowhere says so.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"
harness_dovecot

CACHET=${CACHET:-$top_builddir/cachet}
GH=$(harness_gnupg bob)
CFG=$(harness_config bob "check_interval = 0")

# message N SUBJECT BODY
message() {
	printf 'From: carol@localhost\r\nTo: bob@localhost\r\nSubject: %s\r\nDate: Mon, 3 Mar 2025 12:0%s:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n' \
		"$2" "$1" "$3"
}

message 1 "Lunch" "Noon." | harness_lmtp_deliver bob
message 2 "=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_Wien?=" "Hallo." | harness_lmtp_deliver bob
message 3 "Minutes" "$(for i in $(seq 1 80); do
	case $i in
	40) echo "Item $i: the Zebracorn was seen." ;;
	65) echo "Item $i: a ZEBRACORN again." ;;
	*) echo "Item $i: nothing to report." ;;
	esac
done)" | harness_lmtp_deliver bob
message 4 "Die GRÜNE Woche" "Berlin." | harness_lmtp_deliver bob
harness_wait_mail bob 4

ui_start imap 100 30 "$CACHET" --config "$CFG" --data-dir "$H/data" --gnupg-home "$GH"
ui_wait imap "INBOX [4 messages]" 20
ui_keys imap Home

# / GRÜ: the decoded subject Grüße, then n: GRÜNE.
ui_keys imap /
ui_wait_prompt imap "Search:"
ui_keys imap "GRÜ" Enter
ui_wait_prompt imap "GRÜ"
ui_keys imap Enter
ui_wait imap "Subject: Grüße aus Wien" 20
ui_keys imap q
ui_wait imap "INBOX [4 messages]"
ui_keys imap n
ui_wait_prompt imap "GRÜ"
ui_keys imap Enter
ui_wait imap "Subject: Die GRÜNE Woche" 20
ui_keys imap q
ui_wait imap "INBOX [4 messages]"
# Lower case finds upper case the same way.
ui_keys imap Home /
ui_wait_prompt imap "Search:"
ui_keys imap "grüne" Enter
ui_wait_prompt imap "grüne"
ui_keys imap n
ui_wait_prompt imap "only match: grüne"

# The pager: the long message, its lines 40 and 65 hold the text.
ui_keys imap Home j j Enter
ui_wait imap "Subject: Minutes" 20
ui_wait imap "Item 1: nothing to report."
assert_not_contains "$(ui_screen imap)" "Zebracorn was seen"
ui_keys imap /
ui_wait_prompt imap "Search in the message:"
ui_keys imap zebracorn Enter
ui_wait imap "Item 40: the Zebracorn was seen."
ui_wait_prompt imap "zebracorn"
# Its line is drawn as the cursor is (reverse video), the others are not.
row=$(ui_screen imap | grep -n "Item 40:" | cut -d: -f1)
assert_contains "$(ui_row_sgr imap $((row - 1)))" "7" "the line found"
row=$(ui_screen imap | grep -n "Item 41:" | cut -d: -f1)
assert_not_contains "$(ui_row_sgr imap $((row - 1)))" "7" "the line after it"
ui_keys imap n
ui_wait imap "Item 65: a ZEBRACORN again."
assert_not_contains "$(ui_screen imap)" "Item 40:"
# Past the last: from the top.
ui_keys imap n
ui_wait_prompt imap "from the top: zebracorn"
ui_wait imap "Item 40: the Zebracorn was seen."
ui_keys imap /
ui_wait_prompt imap "Search in the message:"
ui_keys imap quagga Enter
ui_wait_prompt imap "not found: quagga"
ui_keys imap q q q
ui_wait_exit imap
exit 0
