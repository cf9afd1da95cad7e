#!/bin/bash
# Key substitution at send time.  bob has alice's certificate bound; then a
# message brings a different, valid certificate for alice@localhost (from the
# trusted CA, so harvest cannot tell it from a real new key): the binding is
# in conflict.  With encrypt = opportunistic, send must not quietly fall back
# to plain text for alice (a planted certificate would then decide whether
# mail is encrypted): it refuses, names the conflict, and sends nothing.
# After the person decides (certs remove of the newcomer), mail is encrypted
# to the original certificate again.
set -euo pipefail
. "$top_srcdir/tests/integration/certstore_lib.sh"
cs_setup
harness_postfix
cd "$H"
conf=$(harness_config bob)

cs_bob harvest --json "$FX/valid.eml" > /dev/null
out=$(cs_bob harvest --json "$FX/conflict.eml")
cs_json_has "$out" '"reason":"conflict"'
newcomer=$(printf '%s\n' "$out" | sed -n 's/.*"reason":"conflict","fingerprint":"\([0-9A-F]*\)".*/\1/p')
[ -n "$newcomer" ] || fail "no fingerprint for the conflicting certificate in: $out"

printf 'From: Bob Example <bob@localhost>\nTo: Alice Example <alice@localhost>\nSubject: quarterly numbers\n\nthe numbers\n' > msg.eml
before=$(harness_mail_count alice)
rc=0
"$CACHET" --config "$conf" --gnupg-home "$BOB" --data-dir "$DATA" send msg.eml \
	> send.out 2> send.err || rc=$?
assert_eq 1 "$rc" "send's exit status with a conflict"
assert_contains "$(cat send.err)" "alice@localhost" "the refusal"
assert_contains "$(cat send.err)" "conflict" "the refusal"
sleep 1
assert_eq "$before" "$(harness_mail_count alice)" "alice's mail count (nothing may be sent)"
[ -s msg.eml ] || fail "the message file was lost"

# The person decides: the newcomer goes, the original binding encrypts.
cs_bob certs remove "$newcomer" > /dev/null
"$CACHET" --config "$conf" --gnupg-home "$BOB" --data-dir "$DATA" send msg.eml \
	> send2.out 2> send2.err || fail "send after the decision: $(cat send2.err)"
assert_contains "$(cat send2.out send2.err)" "encrypted" "send after the decision"
harness_wait_mail alice "$((before + 1))"
echo "PASS: a certificate conflict stops send; after the decision mail is encrypted"
