#!/bin/bash
# The index in threads (o), driven in tmux: over a Maildir (In-Reply-To,
# References, a reply by subject alone) and over IMAP (the private
# Dovecot: In-Reply-To from the envelope); replies indented under their
# parents, o again gives the folder's order back, the cursor stays on its
# message.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"

CACHET=${CACHET:-$top_builddir/cachet}

# message N SUBJECT MSGID [IN-REPLY-TO [REFERENCES]]
message() {
	printf 'From: carol@localhost\nTo: bob@localhost\nSubject: %s\nDate: Mon, 3 Mar 2025 1%s:00:00 +0000\nMessage-ID: %s\n' "$2" "$1" "$3"
	[ -n "${4:-}" ] && printf 'In-Reply-To: %s\n' "$4"
	[ -n "${5:-}" ] && printf 'References: %s\n' "$5"
	printf '\nBody %s.\n' "$1"
}

# row NAME TEXT: the index row that shows TEXT.
row() {
	ui_screen "$1" | grep -F -- "$2" | head -n 1
}

# order NAME: the subjects' first words down the index, one line.
order() {
	ui_screen "$1" | sed -n '2,8p' | grep -o 'Topic [A-Z][0-9]*' | tr '\n' ' '
}

MD=$H/Maildir
ui_maildir "$MD"
message 1 "Topic A" "<a@x>" | ui_deliver "$MD" 1
message 2 "Topic B" "<b@x>" | ui_deliver "$MD" 2
message 3 "Re: Topic A1" "<a1@x>" "<a@x>" | ui_deliver "$MD" 3
message 4 "Re: Topic B1" "<b1@x>" "" "<b@x>" | ui_deliver "$MD" 4
message 5 "Re: Topic A2" "<a2@x>" "<a1@x>" "<a@x> <a1@x>" | ui_deliver "$MD" 5
message 6 "Re: Topic B" "<b9@x>" | ui_deliver "$MD" 6

ui_start md 100 30 "$CACHET" --data-dir "$H/data" --gnupg-home "$H/gnupg" \
	ui --maildir "$MD"
ui_wait md "INBOX [6 messages]"
assert_eq "Topic A Topic B Topic A1 Topic B1 Topic A2 Topic B " "$(order md)" "folder order"
# On the third message, then threads: the cursor stays on it.
ui_keys md j j o
ui_wait md "INBOX [6 messages, threads]"
assert_eq "Topic A Topic A1 Topic A2 Topic B Topic B1 Topic B " "$(order md)" "thread order"
assert_contains "$(row md 'Topic A1')" " -> Re: Topic A1"
assert_contains "$(row md 'Topic A2')" "   -> Re: Topic A2"
assert_contains "$(row md 'Topic B1')" " -> Re: Topic B1"
# A reply found by its subject alone.
assert_contains "$(row md 'Re: Topic B ')" " -> Re: Topic B"
assert_contains "$(row md 'Topic A ')" "   1 N"
assert_contains "$(row md 'Topic A1')" "   2 N"
ui_keys md Enter
ui_wait md "Body 3."
# In the pager, the next message is the next in the thread.
ui_keys md J
ui_wait md "Body 5."
ui_keys md q
ui_wait md "INBOX [6 messages, threads]"
ui_keys md o
ui_wait md "INBOX [6 messages, by date]"
assert_eq "Topic A Topic B Topic A1 Topic B1 Topic A2 Topic B " "$(order md)" "date order"
ui_keys md o
ui_wait md "INBOX [6 messages]"
ui_wait md "folder order"
assert_eq "Topic A Topic B Topic A1 Topic B1 Topic A2 Topic B " "$(order md)" "folder order again"
ui_keys md Enter
ui_wait md "Body 5."
ui_keys md q q q

# By date: a folder whose arrival order is not its Date order.
MD2=$H/Maildir2
ui_maildir "$MD2"
message 3 "Topic C" "<c@x>" | ui_deliver "$MD2" 1
message 1 "Topic D" "<d@x>" | ui_deliver "$MD2" 2
message 2 "Topic E" "<e@x>" | ui_deliver "$MD2" 3
ui_start md2 100 30 "$CACHET" --data-dir "$H/data2" --gnupg-home "$H/gnupg" \
	ui --maildir "$MD2"
ui_wait md2 "INBOX [3 messages]"
assert_eq "Topic C Topic D Topic E " "$(order md2)" "arrival order"
ui_keys md2 Enter
ui_wait md2 "Body 3."
ui_keys md2 q
ui_wait md2 "INBOX [3 messages]"
ui_keys md2 o o
ui_wait md2 "INBOX [3 messages, by date]"
assert_eq "Topic D Topic E Topic C " "$(order md2)" "date order"
# Opened again by date: the cursor is on the first unread message of the
# folder's order (Topic D), wherever the date order puts it.
ui_keys md2 q
ui_wait md2 "cachet: folders"
ui_keys md2 Enter
ui_wait md2 "INBOX [3 messages, by date]"
ui_keys md2 Enter
ui_wait md2 "Body 1."
ui_keys md2 q q q

# --- IMAP ------------------------------------------------------------------
harness_dovecot
GH=$(harness_gnupg bob)
CFG=$(harness_config bob)
message 1 "Topic A" "<a@x>" > "$H/1.eml"
message 2 "Topic B" "<b@x>" > "$H/2.eml"
message 3 "Re: Topic A1" "<a1@x>" "<a@x>" > "$H/3.eml"
message 4 "Re: Topic B1" "<b1@x>" "<b@x>" > "$H/4.eml"
for n in 1 2 3 4; do
	harness_lmtp_deliver bob "$H/$n.eml"
	# Delivery order is the folder's order.
	harness_wait_mail bob "$n"
done
ui_start imap 100 30 "$CACHET" --config "$CFG" --data-dir "$H/data" \
	--gnupg-home "$GH"
ui_wait imap "INBOX [4 messages]" 20
assert_eq "Topic A Topic B Topic A1 Topic B1 " "$(order imap)" "IMAP folder order"
ui_keys imap o
ui_wait imap "INBOX [4 messages, threads]"
assert_eq "Topic A Topic A1 Topic B Topic B1 " "$(order imap)" "IMAP thread order"
assert_contains "$(row imap 'Topic A1')" " -> Re: Topic A1"
ui_keys imap q q
# Opened again, through the index cache: threads still found.
ui_wait_exit imap
ui_start again 100 30 "$CACHET" --config "$CFG" --data-dir "$H/data" \
	--gnupg-home "$GH"
ui_wait again "INBOX [4 messages]" 20
ui_keys again o
ui_wait again "INBOX [4 messages, threads]"
assert_eq "Topic A Topic A1 Topic B Topic B1 " "$(order again)" "IMAP thread order from the cache"
ui_keys again q q
exit 0
