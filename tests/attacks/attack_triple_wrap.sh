#!/bin/bash
# Triple wrapping (RFC 2634: signed, encrypted, signed again): the inner
# signature covers the whole plaintext bob reads, the outer one only the
# ciphertext.  The verdict says both; harvest stores alice's certificate
# on the strength of the inner signature alone, and refuses the outer one
# as partial (a signature over ciphertext shows nobody wrote the text).
set -euo pipefail
. "$top_srcdir/tests/attacks/attack_lib.sh"
attack_setup
ALICE=$(pki_fingerprint "$HARNESS_PKI/alice.pem" | tr -d :)
XDG_CONFIG_HOME=$H/no-config	# the default policy: harvest = trusted
export XDG_CONFIG_HOME

verdict keys/triple-wrapped 0 valid whole alice@localhost ok signature-over-ciphertext null
out=$("$CACHET" --gnupg-home "$BOB" --data-dir "$H/data" harvest --json "$FX/keys/triple-wrapped.eml" 2> harvest.err) ||
	fail "harvest of the triple-wrapped message: $(cat harvest.err)"
assert_eq "{\"file\":\"$FX/keys/triple-wrapped.eml\",\"stored\":[{\"email\":\"alice@localhost\",\"fingerprint\":\"$ALICE\",\"state\":\"trusted\",\"change\":\"new\"}],\"refused\":[{\"email\":\"alice@localhost\",\"reason\":\"partial\",\"fingerprint\":\"$ALICE\"}],\"seen\":false}" \
	"$out" "harvest --json of the triple-wrapped message"
attack_done "triple wrapping: the inner signature over the whole plaintext counts"
