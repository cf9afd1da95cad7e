#!/bin/bash
# cachet harvest on messages crafted for each rule (gen-certstore.sh): what
# is stored, what is refused and why, incremental runs, key change
# (conflict, and encrypt refusing), renewal, and the person's decisions.
set -euo pipefail
. "$top_srcdir/tests/integration/certstore_lib.sh"
cs_setup
cd "$H"
ALICE=$(cs_fpr "$HARNESS_PKI/alice.pem")
CAROL=$(cs_fpr "$HARNESS_PKI/carol.pem")

# refused NAME REASON: nothing stored from FX/NAME.eml, for the reason.
refused() {
	local out
	out=$(cs_bob harvest --json "$FX/$1.eml" 2> "$1.err") || fail "$1: status $?: $(cat "$1.err")"
	cs_json_has "$out" "\"file\":\"$FX/$1.eml\",\"stored\":[],\"refused\":[{\"email\":\"alice@localhost\",\"reason\":\"$2\""
	[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "$1: not one line: $out"
}

# Every refusal first, on an empty store: afterwards it must still be empty.
refused untrusted untrusted
refused expired expired
refused mismatch from-mismatch
refused tampered invalid-signature
refused partial partial
refused noeku no-email-protection
refused certs-only-untrusted untrusted
[ -z "$(cs_bob certs list --json)" ] || fail "refused messages stored something: $(cs_bob certs list)"

# A valid signed message from alice stores alice's certificate.
out=$(cs_bob harvest --json "$FX/valid.eml")
cs_json_has "$out" "\"stored\":[{\"email\":\"alice@localhost\",\"fingerprint\":\"$ALICE\",\"state\":\"trusted\",\"change\":\"new\"}],\"refused\":[]"
list=$(cs_bob certs list --json)
assert_eq 1 "$(printf '%s\n' "$list" | grep -c .)" "bindings after valid.eml"
cs_json_has "$list" "\"address\":\"alice@localhost\",\"state\":\"trusted\",\"fingerprint\":\"$ALICE\""
cs_json_has "$list" '"message_id":"<valid@fixtures>"'

# A second message does not duplicate it.
out=$(cs_bob harvest --json "$FX/valid2.eml")
cs_json_has "$out" "\"change\":\"known\""
assert_eq 1 "$(cs_bob certs list --json | grep -c .)" "bindings after valid2.eml"
assert_eq 1 "$(sqlite3 "$DATA/certstore.db" 'SELECT count(*) FROM certificates')" "certificates"

# carol's certificate rides along in alice's SignedData: never stored.
out=$(cs_bob harvest --json "$FX/extra-cert.eml")
cs_json_has "$out" "\"stored\":[{\"email\":\"alice@localhost\",\"fingerprint\":\"$ALICE\""
assert_not_contains "$out" "$CAROL" "harvest of extra-cert.eml"
assert_not_contains "$(cs_bob certs list --json)" "carol@localhost" "certs list"
assert_eq 0 "$(sqlite3 "$DATA/certstore.db" "SELECT count(*) FROM certificates WHERE fpr_sha1 = '$CAROL'")" "carol in certificates"

# A certs-only message with alice's CA-issued certificate is accepted.
out=$(cs_bob harvest --json "$FX/certs-only-good.eml")
cs_json_has "$out" "\"stored\":[{\"email\":\"alice@localhost\",\"fingerprint\":\"$ALICE\""

# Incremental: a second run over the same mail verifies nothing again.
done_before=(untrusted expired mismatch tampered partial noeku certs-only-untrusted
	valid valid2 extra-cert certs-only-good)
files=()
for f in "${done_before[@]}"; do files+=("$FX/$f.eml"); done
out=$(cs_bob harvest --json "${files[@]}" 2> again.err)
n=${#done_before[@]}
assert_eq "$n" "$(printf '%s\n' "$out" | grep -c '"seen":true')" "messages seen before"
assert_contains "$(cat again.err)" "($n seen before)" "summary"

# The identity of a message is its bytes, not its name: standard input or a
# renamed copy (a Maildir flag change) is seen too.
out=$(cs_bob harvest --json - < "$FX/valid.eml")
cs_json_has "$out" '{"file":"-","stored":[],"refused":[],"seen":true}'
cp "$FX/valid.eml" "renamed:2,S"
cs_json_has "$(cs_bob harvest --json "renamed:2,S")" '"seen":true'

# bob can encrypt to alice now.
printf 'From: Bob Example <bob@localhost>\nTo: Alice Example <alice@localhost>\nSubject: s\n\nsecret\n' > msg.eml
cs_bob encrypt --to alice@localhost msg.eml > enc.eml || fail "encrypt to alice failed"

# A different valid certificate for alice: conflict, shown, and encrypt
# refuses saying why until a person decides.
ALICE2=$(cs_fpr "$FX/alice2.pem")
out=$(cs_bob harvest --json "$FX/conflict.eml")
cs_json_has "$out" "\"refused\":[{\"email\":\"alice@localhost\",\"reason\":\"conflict\",\"fingerprint\":\"$ALICE2\"}]"
cs_json_has "$(cs_bob certs list --json)" "\"address\":\"alice@localhost\",\"state\":\"conflict\",\"fingerprint\":\"$ALICE2\""
show=$(cs_bob certs show alice@localhost)
assert_contains "$show" "no certificate to encrypt to (conflict)" "certs show"
assert_contains "$show" "cachet certs trust $ALICE2" "certs show"
rc=0
cs_bob encrypt --to alice@localhost msg.eml > enc2.eml 2> enc2.err || rc=$?
assert_eq 1 "$rc" "encrypt status with a conflict"
assert_contains "$(cat enc2.err)" "alice@localhost" "encrypt refusal"
assert_contains "$(cat enc2.err)" "conflicts with the one trusted before" "encrypt refusal"
assert_contains "$(cat enc2.err)" "$ALICE2" "encrypt refusal"
[ -s enc2.eml ] && fail "encrypt wrote a message despite the conflict"

# The person removes the newcomer: alice's first certificate serves again.
cs_bob certs remove "$ALICE2" > /dev/null
cs_json_has "$(cs_bob certs list --json)" "\"state\":\"revoked-by-user\",\"fingerprint\":\"$ALICE2\""
cs_bob encrypt --to alice@localhost msg.eml > enc3.eml || fail "encrypt after remove"
openssl cms -decrypt -in enc3.eml -recip "$HARNESS_PKI/alice.pem" -inkey "$HARNESS_PKI/alice.key" |
	grep -q secret || fail "not encrypted to alice's first certificate"
# ...and a new message signed with it does not bring it back.
{ echo "X-Copy: again"; cat "$FX/conflict.eml"; } > conflict-again.eml
out=$(cs_bob harvest --json conflict-again.eml)
cs_json_has "$out" "\"reason\":\"revoked-by-user\",\"fingerprint\":\"$ALICE2\""

# Renewal: alice-short ends in 10 days; alice-renew has its subject and issuer.
DATA=$H/data-renewal
SHORT=$(cs_fpr "$FX/alice-short.pem")
RENEW=$(cs_fpr "$FX/alice-renew.pem")
out=$(cs_bob harvest --json "$FX/short.eml")
cs_json_has "$out" "\"fingerprint\":\"$SHORT\",\"state\":\"trusted\",\"change\":\"new\""
out=$(cs_bob harvest --json "$FX/renew.eml")
cs_json_has "$out" "\"fingerprint\":\"$RENEW\",\"state\":\"trusted\",\"change\":\"renewal\""
show=$(cs_bob certs show --json alice@localhost)
cs_json_has "$show" "\"encrypt_to\":\"$RENEW\""
cs_json_has "$show" "\"action\":\"renewal\""
# ...while the same kind of newcomer without an expiring predecessor is a conflict.
out=$(cs_bob harvest --json "$FX/conflict.eml")
cs_json_has "$out" '"reason":"conflict"'

# A person's decision: trust the conflicting one; the others give way.
cs_bob certs trust "$ALICE2" > trust.out
assert_contains "$(cat trust.out)" "trusted for 1 address" "certs trust"
show=$(cs_bob certs show --json alice@localhost)
cs_json_has "$show" "\"encrypt_to\":\"$ALICE2\""
cs_json_has "$show" "\"action\":\"trust\",\"old_state\":\"conflict\",\"new_state\":\"trusted\""
echo PASS
