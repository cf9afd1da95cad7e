#!/bin/bash
# Key replacement: certificates for a known address arriving from another
# CA (certs-only, riding along in someone else's SignedData, or signing
# validly under a second trusted CA) are never stored in place of the
# bound one: refused, or recorded as a conflict for a person to decide.
set -euo pipefail
. "$top_srcdir/tests/attacks/attack_lib.sh"
attack_setup
fpr() { pki_fingerprint "$1" | tr -d :; }
ALICE=$(fpr "$HARNESS_PKI/alice.pem")
BOBF=$(fpr "$HARNESS_PKI/bob.pem")
ALICE_OTHER=$(fpr "$FX/certs/alice-other.pem")
BOB_OTHER=$(fpr "$FX/certs/bob-other.pem")
FAKE=$(fpr "$FX/smime/certs/fake-alice.pem")
DATA=$H/data
XDG_CONFIG_HOME=$H/no-config	# the default policy: harvest = trusted
export XDG_CONFIG_HOME
bob() { "$CACHET" --gnupg-home "$BOB" --data-dir "$DATA" "$@"; }

# The other CA is a trust anchor too: what keeps alice's binding is the
# store's rule, not a broken chain.
gpgsm --homedir "$BOB" --batch --import "$FX/certs/other-ca.pem" > import.log 2>&1 ||
	fail "import of the other CA: $(cat import.log)"
printf '%s S\n' "$(pki_fingerprint "$FX/certs/other-ca.pem")" >> "$BOB/trustlist.txt"
gpgconf --homedir "$BOB" --reload gpg-agent
verdict keys/alice-other-ca 0 valid whole alice@localhost none - null
signer_field fingerprint alice@localhost "$ALICE_OTHER"

# harvest NAME WANT: harvest --json of FX/keys/NAME.eml is exactly WANT
# (the file name aside).
harvest() {
	local out
	out=$(bob harvest --json "$FX/keys/$1.eml" 2> "$1.err") || fail "harvest $1: status $?: $(cat "$1.err")"
	assert_eq "{\"file\":\"$FX/keys/$1.eml\",$2,\"seen\":false}" "$out" "harvest --json of $1"
}
# bindings: address state fingerprint, one per line, sorted.
bindings() {
	bob certs list --json | python3 -c '
import json, sys
for l in sorted(l for l in sys.stdin if l.strip()):
    j = json.loads(l)
    print(j["address"], j["state"], j["fingerprint"])' | sort
}

harvest alice-valid "\"stored\":[{\"email\":\"alice@localhost\",\"fingerprint\":\"$ALICE\",\"state\":\"trusted\",\"change\":\"new\"}],\"refused\":[]"
harvest bob-valid "\"stored\":[{\"email\":\"bob@localhost\",\"fingerprint\":\"$BOBF\",\"state\":\"trusted\",\"change\":\"new\"}],\"refused\":[]"
before=$(bindings)
assert_eq "alice@localhost trusted $ALICE
bob@localhost trusted $BOBF" "$before" "bindings after the genuine messages"

# certs-only: from an untrusted look-alike CA, and from the trusted other CA.
verdict keys/certs-only-other-ca 1 none null null none certs-only null
harvest certs-only-fake-ca "\"stored\":[],\"refused\":[{\"email\":\"alice@localhost\",\"reason\":\"untrusted\",\"fingerprint\":\"$FAKE\"}]"
assert_eq "$before" "$(bindings)" "bindings after certs-only-fake-ca"
harvest certs-only-other-ca "\"stored\":[],\"refused\":[{\"email\":\"alice@localhost\",\"reason\":\"conflict\",\"fingerprint\":\"$ALICE_OTHER\"}]"
assert_eq "alice@localhost conflict $ALICE_OTHER
alice@localhost trusted $ALICE
bob@localhost trusted $BOBF" "$(bindings)" "bindings after certs-only-other-ca"

# alice's genuine signature carrying a certificate for bob@localhost from
# the other CA: alice's is known, bob's binding stays, the rider is not
# stored at all.
verdict keys/extra-cert-bob 0 valid whole alice@localhost none - null
harvest extra-cert-bob "\"stored\":[{\"email\":\"alice@localhost\",\"fingerprint\":\"$ALICE\",\"state\":\"trusted\",\"change\":\"known\"}],\"refused\":[]"
list=$(bob certs list --json)
assert_not_contains "$list" "$BOB_OTHER" "certs list after extra-cert-bob"
assert_eq "$BOBF" "$(bob certs show --json bob@localhost | python3 -c 'import json,sys; print(json.load(sys.stdin)["encrypt_to"])')" \
	"bob's certificate to encrypt to"

# A valid signature by alice@localhost under the other trusted CA: a
# conflict, alice's binding not replaced, and nothing to encrypt to until
# a person decides.
harvest alice-other-ca "\"stored\":[],\"refused\":[{\"email\":\"alice@localhost\",\"reason\":\"conflict\",\"fingerprint\":\"$ALICE_OTHER\"}]"
assert_eq "alice@localhost conflict $ALICE_OTHER
alice@localhost trusted $ALICE
bob@localhost trusted $BOBF" "$(bindings)" "bindings after alice-other-ca"
printf 'From: Bob Example <bob@localhost>\nTo: alice@localhost\nSubject: s\n\nsecret\n' > msg.eml
rc=0
bob encrypt --to alice@localhost msg.eml > enc.eml 2> enc.err || rc=$?
assert_eq 1 "$rc" "encrypt to alice while her certificate is in conflict"
[ -s enc.eml ] && fail "encrypt wrote a message to a conflicting address"

attack_done "key replacement: certs-only, extra certificates, a second trusted CA"
