#!/bin/bash
# Crash safety of a send: cachet is killed (SIGKILL) at five points of
# `cachet send` through the real Postfix and Dovecot, stopped there by the
# test hook CACHET_TEST_PAUSE_AT (doc/DESIGN.md, 4.3).  After each kill
# the message is delivered at most once and is not lost: it waits in the
# outbox in the state that says what the next retry may do, and the retry
# leaves exactly one delivery (counted in bob's Maildir) and one copy in
# Sent.
#   after-sign     signed and stored, nothing sent: waiting; retry sends
#   during-data    half the DATA out: maybe-delivered (cachet cannot know
#                  more); nothing delivered; retry refuses, --force sends
#   after-dot      the whole message out, the answer not read: Postfix has
#                  it; maybe-delivered; retry refuses; drop forgets it
#   during-append  sent, the copy not filed: unfiled; retry files it
#   after-append   sent and filed, the entry not removed yet: unfiled;
#                  retry finds the copy in Sent and does not file it twice
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
CACHET=${CACHET:-$top_builddir/cachet}

harness_init
harness_postfix
cfg=$(harness_config alice)
GNUPGHOME=$(harness_gnupg alice)
export GNUPGHOME

sent_count() {
	find "$H/mail/alice/Maildir/.Sent/new" "$H/mail/alice/Maildir/.Sent/cur" \
		-maxdepth 1 -type f 2> /dev/null | wc -l
}
# settled USER N: USER's Maildir holds N messages, and still does a moment later.
settled() {
	local n
	harness_wait_mail "$1" "$2"
	sleep 1
	n=$(harness_mail_count "$1")
	assert_eq "$2" "$n" "$point: $1's messages"
}
# state DIR: the state word of the one entry in DIR's outbox.
state() {
	local list
	list=$("$CACHET" --config "$cfg" --data-dir "$1" outbox list)
	assert_eq 1 "$(printf '%s\n' "$list" | grep -c .)" "$point: outbox entries"
	printf '%s\n' "$list" | cut -f2
}
# killed_at POINT DIR: sends a message, stops cachet at POINT, kills it.
killed_at() {
	local pid st i
	printf 'To: bob@localhost\nSubject: crash %s\nMessage-ID: <crash-%s-%s@localhost>\n\nkilled at %s\n' \
		"$1" "$1" $$ "$1" > "$H/$1.eml"
	CACHET_TEST_PAUSE_AT=$1 "$CACHET" --config "$cfg" --data-dir "$2" send "$H/$1.eml" \
		> "$H/$1.out" 2>&1 &
	pid=$!
	for i in $(seq 1 400); do
		st=$(awk '{ print $3 }' "/proc/$pid/stat" 2> /dev/null || echo gone)
		[ "$st" = T ] && break
		[ "$st" = gone ] || [ "$st" = Z ] &&
			fail "$1: cachet ended before the point: $(cat "$H/$1.out")"
		sleep 0.05
	done
	[ "$st" = T ] || fail "$1: cachet did not stop at the point"
	kill -KILL "$pid"
	wait "$pid" 2> /dev/null || true
}
retry() {
	local rc=0
	out=$("$CACHET" --config "$cfg" --data-dir "$1" outbox retry "${@:2}" 2>&1) || rc=$?
	return $rc
}

bob=0 sent=0

point=after-sign
killed_at $point "$H/d1"
sleep 1
assert_eq $bob "$(harness_mail_count bob)" "$point: bob's messages before the retry"
assert_eq waiting "$(state "$H/d1")" "$point: state"
retry "$H/d1" || fail "$point: retry failed: $out"
bob=$((bob + 1)) sent=$((sent + 1))
settled bob $bob
assert_eq $sent "$(sent_count)" "$point: copies in Sent"
assert_eq "" "$("$CACHET" --config "$cfg" --data-dir "$H/d1" outbox list)" "$point: outbox"

point=during-data
killed_at $point "$H/d2"
sleep 1
assert_eq $bob "$(harness_mail_count bob)" "$point: bob's messages after the kill"
assert_eq maybe-delivered "$(state "$H/d2")" "$point: state"
rc=0
retry "$H/d2" || rc=$?
assert_eq 1 "$rc" "$point: retry without --force; output: $out"
assert_contains "$out" "may have been delivered already" "$point: retry"
assert_eq maybe-delivered "$(state "$H/d2")" "$point: state after the refused retry"
retry "$H/d2" --force || fail "$point: retry --force failed: $out"
bob=$((bob + 1)) sent=$((sent + 1))
settled bob $bob
assert_eq $sent "$(sent_count)" "$point: copies in Sent"

point=after-dot
killed_at $point "$H/d3"
bob=$((bob + 1))
settled bob $bob
assert_eq maybe-delivered "$(state "$H/d3")" "$point: state"
rc=0
retry "$H/d3" || rc=$?
assert_eq 1 "$rc" "$point: retry without --force; output: $out"
settled bob $bob
id=$("$CACHET" --config "$cfg" --data-dir "$H/d3" outbox list | cut -f1)
"$CACHET" --config "$cfg" --data-dir "$H/d3" outbox drop "$id" 2> /dev/null ||
	fail "$point: drop failed"
retry "$H/d3" || fail "$point: retry after the drop failed: $out"
settled bob $bob

point=during-append
killed_at $point "$H/d4"
bob=$((bob + 1))
settled bob $bob
assert_eq $sent "$(sent_count)" "$point: copies in Sent after the kill"
assert_eq unfiled "$(state "$H/d4")" "$point: state"
retry "$H/d4" || fail "$point: retry failed: $out"
assert_contains "$out" "filed " "$point: retry"
sent=$((sent + 1))
assert_eq $sent "$(sent_count)" "$point: copies in Sent"
settled bob $bob

point=after-append
killed_at $point "$H/d5"
bob=$((bob + 1)) sent=$((sent + 1))
settled bob $bob
assert_eq $sent "$(sent_count)" "$point: copies in Sent after the kill"
assert_eq unfiled "$(state "$H/d5")" "$point: state"
retry "$H/d5" || fail "$point: retry failed: $out"
assert_eq $sent "$(sent_count)" "$point: copies in Sent after the retry (not filed twice)"
assert_eq "" "$("$CACHET" --config "$cfg" --data-dir "$H/d5" outbox list)" "$point: outbox"
settled bob $bob

# Each of the five messages reached bob exactly once.
for p in after-sign during-data after-dot during-append after-append; do
	n=$(harness_mailbox_text bob | grep -c "^Subject: crash $p\b" || true)
	assert_eq 1 "$n" "$p: copies bob has"
done
echo "PASS: client_send_crash"
