#!/bin/bash
# Revocation, asked of dirmngr over its Assuan socket as gpgsm asked it.
# A gpgsm home with CRL checks on (gpgsm.conf without disable-crl-checks),
# a dirmngr that may not fetch anything from the network:
#   - no CRL known: the signature is still checked, but the verdict carries
#     the warning revocation-unknown and the signer's detail says why;
#   - the CA's CRL loaded into dirmngr (gpgsm --call-dirmngr loadcrl): the
#     signer it lists is revoked, a signer it does not list is valid;
#   - disable-crl-checks in gpgsm.conf: no question asked, as before.
set -euo pipefail
. "$top_srcdir/tests/lib/harness.sh"
harness_init
bob=$(harness_gnupg bob)
cd "$H"
"$BASH" "$top_srcdir/tests/fixtures/gen-smime.sh" "$HARNESS_PKI" fx > gen.log 2>&1 ||
	{ cat gen.log; fail "fixture generation failed"; }
export XDG_DATA_HOME=$H/xdg-data

: > "$bob/gpgsm.conf"
printf 'disable-http\ndisable-ldap\n' > "$bob/dirmngr.conf"
gpgconf --homedir "$bob" --kill dirmngr > /dev/null 2>&1 || true

# field JSON KEY: a top-level field of one verdict line, or of its first signer.
field() {
	python3 -c 'import json,sys; j=json.loads(sys.argv[1]); k=sys.argv[2]
v = j["signers"][0].get(k[7:]) if k.startswith("signer.") else j.get(k)
print(json.dumps(v))' "$1" "$2"
}
verify() {	# verify FILE: the JSON line in OUT, the exit status in RC
	RC=0
	OUT=$("$CACHET" --gnupg-home "$bob" verify --json "$1" 2> verify.err) || RC=$?
}

# --- no CRL to be had: a warning, never a silent valid
verify fx/hand-wrapped-valid.eml
assert_eq '"valid"' "$(field "$OUT" signature)" "alice without a CRL"
assert_eq '["revocation-unknown"]' "$(field "$OUT" warnings)" "alice without a CRL"
assert_contains "$(field "$OUT" signer.detail)" 'revocation unknown: dirmngr could not check a CRL' \
	"alice's detail without a CRL"

# --- the CA's CRL in dirmngr
gpgsm --homedir "$bob" --batch --call-dirmngr loadcrl "$H/fx/certs/smime-ca.crl" > loadcrl.log 2>&1 ||
	{ cat loadcrl.log; fail "dirmngr did not load the CRL"; }
verify fx/revoked-signer.eml
assert_eq 1 "$RC" "exit status of a revoked signer"
assert_eq '"revoked"' "$(field "$OUT" signature)" "rita, listed in the CRL"
assert_eq '"rita@localhost"' "$(field "$OUT" signer)" "rita's verdict"
assert_eq '"a certificate in the chain is revoked (its issuer'"'"'s CRL lists it)"' \
	"$(field "$OUT" signer.detail)" "rita's detail"
assert_eq '[]' "$(field "$OUT" warnings)" "rita's warnings"
verify fx/hand-wrapped-valid.eml
assert_eq 0 "$RC" "exit status of alice, not in the CRL"
assert_eq '"valid"' "$(field "$OUT" signature)" "alice, not in the CRL"
assert_eq '[]' "$(field "$OUT" warnings)" "alice, not in the CRL"
assert_eq 'null' "$(field "$OUT" signer.detail)" "alice's detail"
# dirmngr stopped: cachet starts it again, as gpgsm would.
gpgconf --homedir "$bob" --kill dirmngr > /dev/null 2>&1
verify fx/revoked-signer.eml
assert_eq '"revoked"' "$(field "$OUT" signature)" "rita after dirmngr was stopped"

# --- CRL checks disabled: no question, as before
printf 'disable-crl-checks\n' > "$bob/gpgsm.conf"
verify fx/revoked-signer.eml
assert_eq 0 "$RC" "exit status with CRL checks disabled"
assert_eq '"valid"' "$(field "$OUT" signature)" "rita with CRL checks disabled"
assert_eq '[]' "$(field "$OUT" warnings)" "rita with CRL checks disabled"
echo PASS
