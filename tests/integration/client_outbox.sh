#!/bin/bash
# Nothing is lost, nothing is sent twice: with Postfix stopped, cachet send
# fails clearly and keeps the signed message in the outbox (0600, with the
# reason); --retry while Postfix is still down keeps it; after Postfix
# restarts, --retry delivers it exactly once and files the copy in Sent.
# When only the copy in Sent fails, the message is delivered once, and
# --retry files the copy without sending it again.
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

mail_files() {
	find "$H/mail/$1/Maildir/${2:-}"/new "$H/mail/$1/Maildir/${2:-}"/cur -type f 2> /dev/null | sort
}
outbox_count() {
	find "$outbox" -name '*.meta' 2> /dev/null | wc -l
}

printf 'To: bob@localhost\nSubject: outbox %s\n\nkept, then sent once\n' $$ > "$H/m.eml"

harness_postfix_stop
rc=0
out=$("$CACHET" --config "$cfg" --data-dir "$data" send "$H/m.eml" 2>&1) || rc=$?
assert_eq 5 "$rc" "exit status with Postfix down; output: $out"
assert_contains "$out" "cannot connect to localhost:$SMTPS_PORT" "send with Postfix down"
assert_contains "$out" "The message was not sent; it is kept in the outbox" "send with Postfix down"
assert_eq 1 "$(outbox_count)" "outbox entries"
meta=$(find "$outbox" -name '*.meta')
eml=${meta%.meta}.eml
assert_eq 600 "$(stat -c %a "$eml")" "mode of the kept message"
assert_eq 600 "$(stat -c %a "$meta")" "mode of its metadata"
assert_eq 700 "$(stat -c %a "$outbox")" "mode of the outbox"
assert_file_contains "$meta" "state: submit"
assert_file_contains "$meta" "rcpt: bob@localhost"
assert_file_contains "$meta" "reason: cannot connect to localhost:$SMTPS_PORT"
# What is kept is the signed message, ready to go.
assert_file_contains "$eml" "Content-Type: multipart/signed"

# Still down: the retry fails, the message stays, the attempt is counted.
rc=0
out=$("$CACHET" --config "$cfg" --data-dir "$data" send --retry 2>&1) || rc=$?
assert_eq 5 "$rc" "exit status of --retry with Postfix down; output: $out"
assert_contains "$out" "still waits" "--retry with Postfix down"
assert_eq 1 "$(outbox_count)" "outbox entries after a failed retry"
assert_file_contains "$meta" "attempts: 2"

harness_postfix_restart
out=$("$CACHET" --config "$cfg" --data-dir "$data" send --retry 2>&1) ||
	fail "--retry after the restart failed: $out"
assert_contains "$out" "nothing waits" "--retry after the restart"
harness_wait_mail bob 1
assert_eq 0 "$(outbox_count)" "outbox entries after the retry"
[ ! -e "$eml" ] || fail "the sent message is still in the outbox"
got=$(mail_files bob | head -1)
openssl cms -verify -in "$got" -CAfile "$HARNESS_PKI/smime-ca.pem" -out /dev/null \
	2> /dev/null || fail "the retried message does not verify"
assert_eq 1 "$(mail_files alice .Sent | wc -l)" "copies in alice's Sent"

# A second retry has nothing to do and sends nothing.
out=$("$CACHET" --config "$cfg" --data-dir "$data" send --retry 2>&1) ||
	fail "an empty --retry failed: $out"
sleep 1
assert_eq 1 "$(harness_mail_count bob)" "bob's messages after the retries (exactly once)"

# The copy in Sent fails (a folder name the server refuses): delivered once, copy queued.
sed -i 's/^\[account alice\]$/&\nsent = ~NoSuch/' "$cfg"
printf 'To: bob@localhost\nSubject: copy later %s\n\nfiled later\n' $$ > "$H/m2.eml"
out=$("$CACHET" --config "$cfg" --data-dir "$data" send "$H/m2.eml" 2>&1) ||
	fail "send with a failing copy exited non-zero: $out"
assert_contains "$out" "sent, but the copy could not be filed in ~NoSuch" "send"
assert_contains "$out" "without sending again" "send"
harness_wait_mail bob 2
assert_eq 1 "$(outbox_count)" "outbox entries after the failed copy"
assert_file_contains "$(find "$outbox" -name '*.meta')" "state: append"
sed -i 's/^sent = ~NoSuch$/sent = Sent/' "$cfg"
out=$("$CACHET" --config "$cfg" --data-dir "$data" send --retry 2>&1) ||
	fail "--retry of the copy failed: $out"
assert_contains "$out" "filed" "--retry of the copy"
assert_eq 0 "$(outbox_count)" "outbox entries after filing the copy"
assert_eq 2 "$(mail_files alice .Sent | wc -l)" "copies in alice's Sent"
sleep 1
assert_eq 2 "$(harness_mail_count bob)" "bob's messages (the copy's retry sent nothing)"
echo "PASS: client_outbox"
