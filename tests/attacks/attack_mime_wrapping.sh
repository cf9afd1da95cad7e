#!/bin/bash
# MIME wrapping: a valid signature moved into an unsigned message (beside
# unsigned text, as an attachment, inside related/alternative, inside a
# forwarded message/rfc822) never covers the whole message; absurd
# structures end in a clear error, quickly and without exhausting the stack.
set -euo pipefail
. "$top_srcdir/tests/attacks/attack_lib.sh"
attack_setup

for name in text-before text-after signed-attachment in-related in-alternative; do
	verdict "wrap/$name" 1 valid part alice@localhost none unsigned-content null
	signer_field coverage alice@localhost part
done
# A whole signed message forwarded (as a part, and as the body): its
# signature is not the outer message's.
verdict wrap/forwarded-rfc822 1 none null null none - null
verdict wrap/rfc822-body 1 none null null none - null

# limit NAME ERROR: bad input (3), the error named on stderr and in the
# JSON, well within the time bound.
limit() {
	local name=$1 err=$2 rc=0 start=$SECONDS
	OUT=$(timeout 30 "$CACHET" --gnupg-home "$BOB" verify --json "$FX/wrap/$name.eml" 2> "$name.err") || rc=$?
	[ "$rc" = 3 ] || { echo "FAIL: $name: exit status $rc, expected 3 (124: timed out): $(tail -3 "$name.err")" >&2; ATTACK_FAILED=1; }
	assert_contains "$(cat "$name.err")" "$FX/wrap/$name.eml: $err" "stderr of $name"
	assert_contains "$OUT" "\"signature\":\"invalid\"" "verdict of $name"
	assert_contains "$OUT" "\"error\":\"$err\"" "verdict of $name"
	[ $((SECONDS - start)) -le 20 ] || { echo "FAIL: $name took $((SECONDS - start)) s" >&2; ATTACK_FAILED=1; }
}
limit deep-nesting 'MIME nesting deeper than 16'
limit many-parts 'more than 10000 parts'
# decrypt, which walks the same structures, refuses them as clearly.
rc=0
timeout 30 "$CACHET" --gnupg-home "$BOB" decrypt "$FX/wrap/deep-nesting.eml" > /dev/null 2> deep.dec.err || rc=$?
assert_eq 3 "$rc" "exit status of decrypt on deep nesting"

attack_done "MIME wrapping: partial coverage, forwarded messages, nesting and part limits"
