#!/bin/bash
# cachet send FILE... (a batch) through the real Postfix and Dovecot:
#   - 200 messages in one call arrive once each, bob's encrypted (alice
#     holds his certificate), carol's signed; one SMTP session and one
#     IMAP session; 200 copies in Sent; the one message to a recipient
#     Postfix refuses fails alone and waits in the outbox; --json says
#     per message what happened; the exit status is the worst (5);
#   - with --encrypt, a message to carol (no certificate) is refused
#     alone (1) and bob's goes;
#   - a Maildir as the argument sends its messages;
#   - kill -9 half-way through a paced run, then `outbox retry`: every
#     message reaches carol exactly once;
#   - Postfix's anvil rate limit (smtpd_client_message_rate_limit) refuses
#     part-way with 4xx: cachet waits, sends again and completes.
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
CACHET=${CACHET:-$top_builddir/cachet}

harness_init
harness_postfix
cfg=$(harness_config alice)
GNUPGHOME=$(harness_gnupg alice)
export GNUPGHOME
data=$H/data
"$CACHET" --data-dir "$data" certs import "$HARNESS_PKI/bob.pem" > /dev/null ||
	fail "could not import bob's certificate"

# mail_files USER [FOLDER]: the message files of a Maildir folder.
mail_files() {
	find "$H/mail/$1/Maildir/${2:-}"/new "$H/mail/$1/Maildir/${2:-}"/cur -type f \
		2> /dev/null | sort
}
# ids USER TAG: the Message-IDs of USER's messages tagged TAG, one per file
# (the first of each: a signed message carries its header twice).
ids() {
	local f
	for f in $(mail_files "$1"); do
		grep -m1 -o "^Message-ID: <$2-[0-9]*-$$@localhost>" "$f" || true
	done | sort
}
# once USER TAG N: N distinct messages tagged TAG, none twice.
once() {
	local got
	got=$(ids "$1" "$2")
	assert_eq "" "$(printf '%s\n' "$got" | uniq -d)" "$2: Message-IDs $1 has twice"
	assert_eq "$3" "$(printf '%s\n' "$got" | grep -c .)" "$2: messages $1 has"
}
# settle USER N: USER's Maildir holds N messages, and still does a moment later.
settle() {
	harness_wait_mail "$1" "$2" 30
	sleep 1
	assert_eq "$2" "$(harness_mail_count "$1")" "$1's messages"
}
# make TAG FIRST LAST TO [DIR]: messages TAG-FIRST..TAG-LAST to TO.
make_msgs() {
	local i dir=${5:-$H/$1}
	mkdir -p "$dir"
	for i in $(seq "$2" "$3"); do
		printf 'To: %s\nSubject: report %s %s\nMessage-ID: <%s-%s-%s@localhost>\n\nreport number %s\n' \
			"$4" "$1" "$i" "$1" "$i" $$ "$i" > "$dir/$(printf '%s-%04d' "$1" "$i").eml"
	done
}

# --- 200 in one call, and one that fails alone -------------------------
make_msgs batch 1 100 bob@localhost
make_msgs batch 101 200 carol@localhost
make_msgs batch 201 201 refused@localhost
rc=0
"$CACHET" --config "$cfg" --data-dir "$data" send --json "$H"/batch/*.eml \
	> "$H/batch.json" 2> "$H/batch.err" || rc=$?
assert_eq 5 "$rc" "exit status of a batch with a refused recipient; stderr: $(cat "$H/batch.err")"
assert_eq 201 "$(grep -c . "$H/batch.json")" "JSON lines"
python3 -c 'import json,sys
for l in open(sys.argv[1]): json.loads(l)' "$H/batch.json" || fail "not JSON lines: $H/batch.json"
assert_eq 200 "$(grep -c '"result":"sent"' "$H/batch.json")" "messages sent"
line=$(grep 'batch-0201' "$H/batch.json")
assert_contains "$line" '"result":"waiting"' "the refused message"
assert_contains "$line" 'no such user here' "the refused message's reply"
line=$(grep 'batch-0001' "$H/batch.json")
assert_contains "$line" "\"message_id\":\"<batch-1-$$@localhost>\",\"recipients\":[\"bob@localhost\"],\"signed\":true,\"encrypted_to\":[\"bob@localhost\",\"alice@localhost\"],\"result\":\"sent\",\"reply\":\"250 " \
	"bob's first message"
line=$(grep 'batch-0101' "$H/batch.json")
assert_contains "$line" '"signed":true,"encrypted_to":[],"result":"sent"' "carol's first message"
assert_contains "$(cat "$H/batch.err")" "refused@localhost (554 " "stderr names the refusal"
settle bob 100
settle carol 100
once bob batch 100
once carol batch 100
assert_eq 100 "$(mail_files bob | xargs grep -l '^Content-Type: application/pkcs7-mime' | wc -l)" \
	"bob's encrypted messages"
assert_eq 100 "$(mail_files carol | xargs grep -l '^Content-Type: multipart/signed' | wc -l)" \
	"carol's signed messages"
got=$(mail_files carol | tail -1)
openssl cms -verify -in "$got" -CAfile "$HARNESS_PKI/smime-ca.pem" -out "$H/content" \
	2> "$H/verify.err" || fail "openssl cms -verify: $(cat "$H/verify.err")"
assert_file_contains "$H/content" "report number"
got=$(mail_files bob | sed -n 1p)
openssl cms -decrypt -in "$got" -recip "$HARNESS_PKI/bob.pem" -inkey "$HARNESS_PKI/bob.key" \
	-out "$H/dec" 2> "$H/dec.err" || fail "bob cannot decrypt: $(cat "$H/dec.err")"
openssl cms -verify -in "$H/dec" -CAfile "$HARNESS_PKI/smime-ca.pem" -out /dev/null \
	2> /dev/null || fail "bob's decrypted message does not verify"
assert_eq 200 "$(mail_files alice .Sent | wc -l)" "copies in alice's Sent"
# One SMTP session for the 201 messages, one IMAP login for the copies.
assert_eq 1 "$(grep -c 'postfix/submissions/smtpd\[[0-9]*\]: connect from' "$H/postfix/maillog")" \
	"SMTP sessions of the batch"
logins=$(grep -c 'imap-login: .*Login: user=<alice>' "$H/dovecot/dovecot.log" || true)
assert_eq 1 "$logins" "IMAP logins of the batch"
list=$("$CACHET" --config "$cfg" --data-dir "$data" outbox list)
assert_eq 1 "$(printf '%s\n' "$list" | grep -c .)" "outbox entries after the batch"
assert_contains "$list" "refused@localhost" "the outbox entry"

# --- encrypt = always: refused per message ------------------------------
make_msgs must 1 1 bob@localhost
make_msgs must 2 2 carol@localhost
rc=0
"$CACHET" --config "$cfg" --data-dir "$data" send --encrypt --json "$H"/must/*.eml \
	> "$H/must.json" 2> "$H/must.err" || rc=$?
assert_eq 1 "$rc" "exit status with a message that cannot be encrypted"
assert_contains "$(grep must-0002 "$H/must.json")" '"result":"refused"' "carol's message"
assert_contains "$(grep must-0001 "$H/must.json")" '"result":"sent"' "bob's message"
assert_contains "$(cat "$H/must.err")" "carol@localhost" "the refusal names carol"
settle bob 101
settle carol 100

# --- a Maildir ------------------------------------------------------------
mkdir -p "$H/md/cur" "$H/md/tmp"
make_msgs md 1 3 dave@localhost "$H/md/new"
"$CACHET" --config "$cfg" --data-dir "$data" send --no-sent-copy "$H/md" 2> "$H/md.err" ||
	fail "sending a Maildir failed: $(cat "$H/md.err")"
settle dave 3
once dave md 3
assert_eq 201 "$(mail_files alice .Sent | wc -l)" "copies in Sent after --no-sent-copy"

# --- kill -9 half-way, then outbox retry ------------------------------------
make_msgs crash 1 40 carol@localhost
"$CACHET" --config "$cfg" --data-dir "$H/d2" send --rate 8/s "$H"/crash/*.eml \
	> /dev/null 2> "$H/crash.err" &
pid=$!
harness_wait_mail carol 110 30
kill -KILL "$pid"
wait "$pid" 2> /dev/null || true
sleep 1
before=$(harness_mail_count carol)
[ "$before" -lt 140 ] || fail "the run ended before the kill"
list=$("$CACHET" --config "$cfg" --data-dir "$H/d2" outbox list)
waiting=$(printf '%s\n' "$list" | grep -c . || true)
# Every message not delivered waits in the outbox.
[ $((before - 100 + waiting)) -ge 40 ] ||
	fail "after the kill carol has $((before - 100)) and $waiting wait: messages lost"
rc=0
out=$("$CACHET" --config "$cfg" --data-dir "$H/d2" outbox retry 2>&1) || rc=$?
# A transfer cut by the kill is maybe-delivered: the person decides, by
# whether carol has it.
for id in $("$CACHET" --config "$cfg" --data-dir "$H/d2" outbox list | awk '$2 == "maybe-delivered" { print $1 }'); do
	mid=$("$CACHET" --config "$cfg" --data-dir "$H/d2" outbox list --json |
		python3 -c 'import json,sys
for l in sys.stdin:
    o = json.loads(l)
    if o["id"] == sys.argv[1]: print(o["message_id"])' "$id")
	if harness_mailbox_text carol | grep -qF "Message-ID: $mid"; then
		"$CACHET" --config "$cfg" --data-dir "$H/d2" outbox drop "$id"
	else
		"$CACHET" --config "$cfg" --data-dir "$H/d2" outbox retry --force "$id" ||
			fail "retry --force $id failed"
	fi
done
assert_eq "" "$("$CACHET" --config "$cfg" --data-dir "$H/d2" outbox list)" \
	"outbox after the retry ($out)"
settle carol 140
once carol crash 40

# --- Postfix's rate limit ------------------------------------------------------
harness_postfix_stop
cat >> "$H/postfix/main.cf" <<CF
anvil_rate_time_unit = 6s
smtpd_client_message_rate_limit = 10
smtpd_client_event_limit_exceptions =
CF
touch -d '-10 seconds' "$H/postfix/main.cf"
harness_postfix_restart
make_msgs rate 1 25 dave@localhost
rc=0
"$CACHET" --config "$cfg" --data-dir "$data" send --json "$H"/rate/*.eml \
	> "$H/rate.json" 2> "$H/rate.err" || rc=$?
assert_eq 0 "$rc" "exit status of the rate-limited batch; stderr: $(cat "$H/rate.err")"
assert_eq 25 "$(grep -c '"result":"sent"' "$H/rate.json")" "rate-limited messages sent"
assert_contains "$(cat "$H/postfix/maillog")" "Message delivery request rate limit exceeded" \
	"Postfix's log"
assert_contains "$(cat "$H/rate.err")" "cachet waited and sent again" "stderr"
settle dave 28
once dave rate 25
echo "PASS: client_send_batch"
