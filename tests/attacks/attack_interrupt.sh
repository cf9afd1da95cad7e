#!/bin/bash
# SIGINT and SIGTERM while `cachet send` talks to the submission server.
# Whatever moment the signal comes, the message ends up sent exactly once
# or kept in the outbox, never lost and never sent twice by a later
# `send --retry`; cachet says it was interrupted and exits 128 + signal.
#   - during the greeting (a slow server): nothing was submitted, so the
#     message waits in the outbox and the retry delivers it once;
#   - after the end of the DATA, while the server decides: cachet waits
#     for the answer (the server may have taken the message), so it knows
#     the message went out; only the copy in Sent is left for the retry,
#     which files it without submitting again;
#   - while gpgsm works on the signature (an engine that starts slowly):
#     signing ends, nothing is submitted, and the signed message waits in
#     the outbox for the retry, which delivers it once, as it was signed.
set -euo pipefail
. "$top_srcdir/tests/attacks/transport_lib.sh"

# start_send NAME CONFIG DATA-DIR FILE: cachet send in the background with
# SIGINT and SIGTERM at their defaults (a script's background job would
# inherit SIGINT ignored); sets PID.
start_send() {
	local name=$1
	python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
signal.signal(signal.SIGTERM, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$CACHET" --config "$2" --data-dir "$3" send "$4" \
		< /dev/null > "$H/$name.out" 2> "$H/$name.err" &
	PID=$!
}

# wait_log PATTERN: until the peer's log has a line matching PATTERN.
wait_log() {
	local i
	for i in $(seq 1 500); do
		grep -q -- "$1" "$FLOG" && return 0
		sleep 0.02
	done
	fail "the peer never logged '$1': $(cat "$FLOG")"
}

# finish NAME: waits for PID (at most 60 s); status in RC, seconds in TOOK.
finish() {
	local start=$SECONDS i
	for i in $(seq 1 600); do
		kill -0 "$PID" 2> /dev/null || break
		sleep 0.1
	done
	if kill -0 "$PID" 2> /dev/null; then
		kill -KILL "$PID"
		bad "$1: cachet did not end after the signal"
	fi
	RC=0
	wait "$PID" || RC=$?
	TOOK=$((SECONDS - start))
}

# --- during the greeting: kept, then sent once ------------------------------

for sig in INT TERM; do
	name=greeting-$sig
	fake smtp slow-greeting implicit 30
	cfg=$(config "$name" "imaps://alice@localhost:$IMAPS_PORT" "smtps://alice@localhost:$FPORT")
	bob0=$(harness_mail_count bob)
	start_send "$name" "$cfg" "$H/d-$name" "$(msg "$name")"
	wait_log CONNECTED
	sleep 0.3
	kill -"$sig" "$PID"
	finish "$name"
	want=$((128 + $(kill -l "$sig")))
	expect "$name" "$want" "localhost:$FPORT: interrupted while reading the greeting" \
		"kept in the outbox" "interrupted by SIG$sig"
	[ "$TOOK" -le 10 ] || bad "$name: cachet took ${TOOK}s to stop"
	outbox "$H/d-$name" 1 submit
	grep -q DELIVERED "$FLOG" && bad "$name: the slow peer got the message"
	run "$name-retry" --config "$REAL" --data-dir "$H/d-$name" send --retry
	expect "$name-retry" 0 "nothing waits"
	outbox "$H/d-$name" 0
	settled bob $((bob0 + 1))
	harness_mailbox_text bob | grep -q "body of $name" || bad "$name: bob did not get it"
	run "$name-again" --config "$REAL" --data-dir "$H/d-$name" send --retry
	expect "$name-again" 0 "0 done, nothing waits"
	settled bob $((bob0 + 1))
done

# --- after the final dot: the answer is awaited --------------------------------

name=final-INT
fake smtp slow-final implicit 3
cfg=$(config "$name" "imaps://alice@localhost:$IMAPS_PORT" "smtps://alice@localhost:$FPORT")
bob0=$(harness_mail_count bob)
sent0=$(sent_count)
start_send "$name" "$cfg" "$H/d-$name" "$(msg "$name")"
wait_log '^\.$'
kill -INT "$PID"
finish "$name"
expect "$name" 130 "sent to 1 recipient" "interrupted by SIGINT" \
	"files it without sending again"
[ "$(grep -c DELIVERED "$FLOG")" = 1 ] || bad "$name: the peer took the message $(grep -c DELIVERED "$FLOG") times"
outbox "$H/d-$name" 1 append
[ "$(sent_count)" = "$sent0" ] || bad "$name: a copy was filed after the interruption"
run "$name-retry" --config "$REAL" --data-dir "$H/d-$name" send --retry
expect "$name-retry" 0 "filed " "nothing waits"
outbox "$H/d-$name" 0
[ "$(sent_count)" = $((sent0 + 1)) ] || bad "$name: Sent holds $(sent_count), expected $((sent0 + 1))"
sleep 1
[ "$(harness_mail_count bob)" = "$bob0" ] || bad "$name: the retry submitted the message again"
[ "$(grep -c DELIVERED "$FLOG")" = 1 ] || bad "$name: the peer took the message again"

# --- while gpgsm signs: kept signed, then sent once ---------------------------

name=sign-INT
GH=$(harness_gnupg alice)
cfg=$(harness_config alice)
# The gpgsm cachet starts (it lists the signer's certificate) takes a
# second first.
cat > "$H/slow-gpgsm" <<EOF
#!/bin/sh
echo started >> "$H/slow-gpgsm.log"
sleep 1
exec "$(command -v gpgsm)" "\$@"
EOF
chmod 755 "$H/slow-gpgsm"
bob0=$(harness_mail_count bob)
GNUPGHOME=$GH CACHET_GPGSM=$H/slow-gpgsm start_send "$name" "$cfg" "$H/d-$name" \
	"$(msg "$name")"
for _ in $(seq 1 250); do
	[ -s "$H/slow-gpgsm.log" ] && break
	sleep 0.02
done
[ -s "$H/slow-gpgsm.log" ] || bad "$name: cachet never started its engine"
kill -INT "$PID"
finish "$name"
expect "$name" 130 "kept in the outbox" "interrupted by SIGINT"
outbox "$H/d-$name" 1 submit
kept=$(find "$H/d-$name/outbox" -name '*.eml')
grep -q '^Content-Type: multipart/signed' "$kept" ||
	bad "$name: the kept message is not the signed one: $(head -c 600 "$kept")"
grep -q "body of $name" "$H/$name.eml" || bad "$name: the input file changed"
sleep 1
[ "$(harness_mail_count bob)" = "$bob0" ] || bad "$name: something was submitted"
GNUPGHOME=$GH run "$name-retry" --config "$cfg" --data-dir "$H/d-$name" send --retry
expect "$name-retry" 0 "nothing waits"
outbox "$H/d-$name" 0
settled bob $((bob0 + 1))
harness_mailbox_text bob | grep -q '^Content-Type: multipart/signed' ||
	bad "$name: what bob got is not signed"

transport_done attack_interrupt
