#!/bin/bash
# One outbox entry per message, keyed by its Message-ID, and the outbox
# verb: sending the same message twice while Postfix is down leaves one
# entry (list, --json), and `outbox retry` delivers it once; a message
# with a refused recipient waits, and sending it again fixed (same
# Message-ID) delivers it and leaves no stale entry; show and drop; a drop
# sends nothing.  Each delivery is counted in the recipient's Maildir.
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
CACHET=${CACHET:-$top_builddir/cachet}

harness_init
harness_postfix
cfg=$(harness_config alice)
GNUPGHOME=$(harness_gnupg alice)
export GNUPGHOME
data=$H/data
outbox=$data/outbox

cachet() {
	"$CACHET" --config "$cfg" --data-dir "$data" "$@"
}
entries() {
	find "$outbox" -name '*.meta' 2> /dev/null | wc -l
}
# settled USER N: USER's Maildir holds N messages, and still does a moment later.
settled() {
	[ "$2" = 0 ] || harness_wait_mail "$1" "$2"
	sleep 1
	assert_eq "$2" "$(harness_mail_count "$1")" "$1's messages"
}

# --- the same message twice while Postfix is down: one entry -------------
printf 'To: bob@localhost\nSubject: twice %s\nMessage-ID: <twice-%s@localhost>\n\nonce\n' \
	$$ $$ > "$H/twice.eml"
harness_postfix_stop
for i in 1 2; do
	rc=0
	out=$(cachet send "$H/twice.eml" 2>&1) || rc=$?
	assert_eq 5 "$rc" "send $i with Postfix down; output: $out"
	assert_contains "$out" "The message was not sent; it is kept in the outbox" "send $i"
	assert_contains "$out" "'cachet outbox retry' sends it again" "send $i"
done
assert_eq 1 "$(entries)" "outbox entries after sending the same message twice"
list=$(cachet outbox list)
assert_eq 1 "$(printf '%s\n' "$list" | wc -l)" "lines of outbox list"
id=$(printf '%s\n' "$list" | cut -f1)
assert_eq waiting "$(printf '%s\n' "$list" | cut -f2)" "state in outbox list"
# The second send replaced the first one's entry, and counts on.
assert_eq 2 "$(printf '%s\n' "$list" | cut -f4)" "attempts in outbox list"
assert_eq bob@localhost "$(printf '%s\n' "$list" | cut -f5)" "recipients in outbox list"
assert_eq "twice $$" "$(printf '%s\n' "$list" | cut -f6)" "subject in outbox list"
cachet outbox list --json | python3 -c '
import json, sys
lines = sys.stdin.read().splitlines()
assert len(lines) == 1, lines
o = json.loads(lines[0])
assert o["id"] == sys.argv[1], o
assert o["state"] == "waiting", o
assert o["message_id"] == "<twice-%s@localhost>" % sys.argv[2], o
assert o["rcpts"] == ["bob@localhost"], o
assert o["account"] == "alice" and o["attempts"] == 2 and o["folder"] == "Sent", o
assert o["bcc_copy"] is None and "cannot connect" in o["reason"], o
' "$id" $$ || fail "outbox list --json: $(cachet outbox list --json)"
out=$(cachet outbox show "$id")
assert_contains "$out" "state:     waiting" "outbox show"
assert_contains "$out" "message-id:<twice-$$@localhost>" "outbox show"
assert_contains "$out" "to:        bob@localhost" "outbox show"

harness_postfix_restart
out=$(cachet outbox retry 2>&1) || fail "outbox retry failed: $out"
assert_contains "$out" "sent $id to 1 recipient" "outbox retry"
assert_contains "$out" "nothing waits" "outbox retry"
assert_eq 0 "$(entries)" "outbox entries after the retry"
out=$(cachet send --retry 2>&1) || fail "send --retry failed: $out"
assert_contains "$out" "0 done, nothing waits" "send --retry with nothing waiting"
settled bob 1

# --- a refused recipient, then the message fixed: no stale entry ---------
printf 'To: bob@localhost, refused@localhost\nSubject: fixed %s\nMessage-ID: <fixed-%s@localhost>\n\nfix me\n' \
	$$ $$ > "$H/refused.eml"
rc=0
out=$(cachet send "$H/refused.eml" 2>&1) || rc=$?
assert_eq 5 "$rc" "send with a refused recipient; output: $out"
assert_contains "$out" "refused@localhost (554 5.7.1" "send with a refused recipient"
assert_eq 1 "$(entries)" "outbox entries after the refusal"
sed 's/, refused@localhost/, carol@localhost/' "$H/refused.eml" > "$H/fixed.eml"
out=$(cachet send "$H/fixed.eml" 2>&1) || fail "the fixed send failed: $out"
assert_eq 0 "$(entries)" "outbox entries after the fixed message went out"
settled bob 2
settled carol 1
out=$(cachet outbox retry 2>&1) || fail "outbox retry failed: $out"
settled bob 2

# --- show, drop: a dropped message is not sent ---------------------------
printf 'To: bob@localhost\nSubject: =?ISO-8859-1?Q?dropp=E9?= %s\n\nnever\n' $$ > "$H/drop.eml"
harness_postfix_stop
rc=0
cachet send "$H/drop.eml" > /dev/null 2>&1 || rc=$?
assert_eq 5 "$rc" "send to be dropped"
id=$(cachet outbox list | cut -f1)
out=$(cachet outbox show "$id")
assert_contains "$out" "subject:   droppé $$" "outbox show decodes the subject"
rc=0
out=$(cachet outbox show ../../etc/passwd 2>&1) || rc=$?
assert_eq 2 "$rc" "outbox show of a path; output: $out"
assert_contains "$out" "no outbox entry" "outbox show of a path"
out=$(cachet outbox drop "$id" 2>&1) || fail "outbox drop failed: $out"
assert_contains "$out" "dropped $id (waiting): it will not be sent" "outbox drop"
assert_eq 0 "$(entries)" "outbox entries after the drop"
rc=0
cachet outbox drop "$id" > /dev/null 2>&1 || rc=$?
assert_eq 2 "$rc" "a second drop of the same entry"
harness_postfix_restart
cachet outbox retry > /dev/null 2>&1 || fail "outbox retry after the drop failed"
settled bob 2
echo "PASS: client_outbox_keyed"
