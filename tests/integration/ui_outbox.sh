#!/bin/bash
# The outbox on the screen, against the private Dovecot and Postfix: with
# Postfix down, y twice on the same draft leaves one entry (the draft keeps
# its Message-ID), the status line says "1 waiting in the outbox", and
# leaving the draft asks whether to keep it queued (the default, said in
# words) or drop it; the outbox view (O) shows the entry, Enter says all
# about it, r sends it once Postfix is back (one delivery in bob's
# Maildir), d drops one.  A dropped message is never delivered.  y again
# once Postfix is back sends the draft once and empties its entry.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"
harness_postfix

CACHET=${CACHET:-$top_builddir/cachet}
GH=$(harness_gnupg alice)
CFG=$(harness_config alice)
DATA=$H/data
entries() {
	find "$DATA/outbox" -name '*.meta' 2> /dev/null | wc -l
}
cat > "$H/editor.sh" <<'SH'
#!/bin/sh
printf 'Text from the editor.\n' >> "$1"
SH
chmod 755 "$H/editor.sh"
# write TO SUBJECT: a new message on the compose screen.
write() {
	ui_keys main m
	ui_wait_prompt main "To:"
	ui_keys main "$1" Enter
	ui_wait_prompt main "Subject:"
	ui_keys main "$2" Enter
	ui_wait main "cachet: compose" 20
	ui_wait main "will be signed" 30
}

harness_postfix_stop
ui_start main 120 30 env EDITOR="$H/editor.sh" \
	"$CACHET" --config "$CFG" --data-dir "$DATA" --gnupg-home "$GH"
ui_wait main "INBOX" 20

# y twice with Postfix down: one entry; the draft stays.
write bob@localhost "Queued once"
ui_keys main y
ui_wait main "not sent, kept in the outbox (y tries again" 30
assert_eq 1 "$(entries)" "outbox entries after the first y"
ui_keys main y
# The second attempt is counted in the same entry.
for ((i = 0; i < 300; i++)); do
	grep -qs '^attempts: 2$' "$DATA"/outbox/*.meta && break
	sleep 0.1
done
grep -qs '^attempts: 2$' "$DATA"/outbox/*.meta || fail "the second y did not try again"
ui_wait main "not sent, kept in the outbox" 30
ui_settle main
assert_eq 1 "$(entries)" "outbox entries after y twice"
assert_contains "$(ui_screen main)" "cachet: compose" "the draft after a failed send"
assert_contains "$(ui_screen main)" "1 waiting in the outbox" "the status line"

# Leaving it: the question says the default; Enter keeps it.
ui_keys main q
ui_wait main "keep it there to be sent later (Enter, the default), drop it (d)"
ui_keys main Enter
ui_wait main "kept in the outbox: it is sent when you retry"
assert_contains "$(ui_screen main)" "1 waiting in the outbox" "the status line after leaving"
assert_eq 1 "$(entries)" "outbox entries after keeping"

# A second message, left with d: dropped, never sent.
write bob@localhost "Dropped at once"
ui_keys main y
ui_wait main "not sent, kept in the outbox" 30
assert_eq 2 "$(entries)" "outbox entries with the second message"
ui_keys main q
ui_wait main "drop it (d)"
ui_keys main d Enter
ui_wait main "dropped from the outbox: not sent"
assert_eq 1 "$(entries)" "outbox entries after the drop"

# A third, kept, then dropped in the outbox view.
write bob@localhost "Dropped in the view"
ui_keys main y
ui_wait main "not sent, kept in the outbox" 30
ui_keys main q
ui_wait main "drop it (d)"
ui_keys main Enter
ui_wait main "2 waiting in the outbox"

harness_postfix_restart
ui_keys main O
ui_wait main "cachet: outbox"
ui_wait main "Dropped in the view"
screen=$(ui_screen main)
assert_contains "$screen" "waiting" "the outbox view"
assert_contains "$screen" "bob@localhost  Queued once" "the outbox view"
assert_not_contains "$screen" "Dropped at once" "the outbox view"
ui_keys main j d
ui_wait main "It is then never sent (y/n)"
ui_keys main y Enter
ui_wait main "dropped "
ui_wait_gone main "Dropped in the view"
assert_eq 1 "$(entries)" "outbox entries after d in the view"

# Enter says all about the entry; r sends it.
ui_keys main Enter
ui_wait main "\"Queued once\" to bob@localhost; 2 attempts"
ui_keys main r
ui_wait main " done" 30
assert_eq 0 "$(entries)" "outbox entries after r"
ui_wait_gone main "waiting in the outbox"
harness_wait_mail bob 1
sleep 1
assert_eq 1 "$(harness_mail_count bob)" "bob's messages"
assert_contains "$(harness_mailbox_text bob)" "Subject: Queued once" "what bob got"

# A retry from the compose screen: y fails, Postfix comes back, y sends;
# the waiting entry goes, and bob gets the message once.
ui_keys main q
ui_wait_gone main "cachet: outbox"
harness_postfix_stop
write bob@localhost "Retried from compose"
ui_keys main y
ui_wait main "not sent, kept in the outbox" 30
assert_eq 1 "$(entries)" "outbox entries after the failed y"
harness_postfix_restart
ui_keys main y
ui_wait main "sent, signed" 30
assert_eq 0 "$(entries)" "outbox entries after y sent it"
harness_wait_mail bob 2
sleep 1
assert_eq 2 "$(harness_mail_count bob)" "bob's messages"
assert_eq 1 "$(harness_mailbox_text bob | grep -c '^Subject: Retried from compose')" \
	"copies of the message retried from compose"

# A message that may have been delivered (cachet killed after the final
# dot): r in the view asks for a typed yes; anything else sends nothing.
printf 'To: bob@localhost\nSubject: Maybe delivered\n\nonce or twice?\n' > "$H/maybe.eml"
CACHET_TEST_PAUSE_AT=after-dot "$CACHET" --config "$CFG" --data-dir "$DATA" \
	--gnupg-home "$GH" send "$H/maybe.eml" > /dev/null 2>&1 &
pid=$!
for ((i = 0; i < 400; i++)); do
	[ "$(awk '{ print $3 }' "/proc/$pid/stat" 2> /dev/null)" = T ] && break
	sleep 0.05
done
kill -KILL "$pid"
wait "$pid" 2> /dev/null || true
harness_wait_mail bob 3
ui_keys main O
ui_wait main "maybe delivered"
ui_keys main r
ui_wait main "The server may have this message already: type yes to send it again:"
ui_keys main n o Enter
ui_wait main "not sent again"
assert_eq 1 "$(entries)" "outbox entries after no"
ui_keys main r
ui_wait main "type yes to send it again:"
ui_keys main y e s Enter
ui_wait main " done" 30
assert_eq 0 "$(entries)" "outbox entries after yes"
harness_wait_mail bob 4
assert_eq 2 "$(harness_mailbox_text bob | grep -c '^Subject: Maybe delivered')" \
	"copies of the message sent again after yes"
ui_keys main q q q
ui_wait_exit main
echo "PASS: ui_outbox"
