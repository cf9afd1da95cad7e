#!/bin/bash
# One verdict per crafted message (tests/fixtures/gen-smime.sh), checked
# field by field in `cachet verify --json`, with its exit status.
set -euo pipefail
. "$top_srcdir/tests/lib/harness.sh"
harness_init
P=$HARNESS_PKI
bob=$(harness_gnupg bob)
cd "$H"
"$BASH" "$top_srcdir/tests/fixtures/gen-smime.sh" "$P" fx

FAILED=0
# verdict NAME STATUS SIGNATURE COVERAGE SIGNER DECRYPTION WARNINGS ERROR-SUBSTRING
# (coverage/signer "null" for JSON null; WARNINGS as the JSON array text;
# ERROR-SUBSTRING "null" for a null error)
verdict() {
	local name=$1 want_rc=$2 sig=$3 cov=$4 signer=$5 dec=$6 warns=$7 err=$8 out rc
	rc=0
	out=$("$CACHET" --gnupg-home "$bob" verify --json "fx/$name.eml" 2> "$name.stderr") || rc=$?
	q() { [ "$1" = null ] && echo null || echo "\"$1\""; }
	local want
	want="\"signature\":\"$sig\",\"coverage\":$(q "$cov"),\"signer\":$(q "$signer")"
	check() {
		case "$out" in
		*"$1"*) ;;
		*) echo "FAIL: $name: expected $1 in: $out" >&2; FAILED=1 ;;
		esac
	}
	check "{\"file\":\"fx/$name.eml\",$want"
	check "\"decryption\":\"$dec\",\"warnings\":$warns,\"error\":"
	if [ "$err" = null ]; then
		check '"error":null'
	else
		check "\"error\":\""
		check "$err"
	fi
	[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || { echo "FAIL: $name: not one line: $out" >&2; FAILED=1; }
	[ "$rc" = "$want_rc" ] || { echo "FAIL: $name: exit status $rc, expected $want_rc" >&2; FAILED=1; }
	printf '%s\n' "$out" | python3 -c 'import json,sys; json.loads(sys.stdin.read())' 2> /dev/null ||
		{ echo "FAIL: $name: not valid JSON: $out" >&2; FAILED=1; }
}

verdict hand-wrapped-valid     0 valid     whole      alice@localhost none '[]' null
verdict tampered               1 invalid   whole      alice@localhost none '[]' null
verdict untrusted-root         1 untrusted whole      alice@localhost none '[]' null
verdict expired-signer         1 expired   whole      eve@localhost   none '[]' null
verdict from-mismatch          1 mismatch  whole      alice@localhost none '["from-mismatch"]' null
verdict two-from               1 mismatch  whole      alice@localhost none '["multiple-from"]' null
verdict no-email-signer        1 mismatch  whole      null            none '["from-mismatch"]' null
verdict zero-signers           1 invalid   whole      null            none '["no-signers"]' 'the signature has no signer'
verdict multi-signers          1 untrusted whole      alice@localhost none '["multiple-signers"]' null
verdict detached-with-content  1 invalid   whole      null            none '["detached-with-content"]' 'carries content of its own'
verdict truncated              1 invalid   whole      null            none '[]' 'CMS data is truncated'
verdict malformed              1 invalid   whole      null            none '[]' 'not a CMS structure'
verdict part-signed            1 valid     part       alice@localhost none '["unsigned-content"]' null
verdict sig-over-ciphertext    1 valid     ciphertext alice@localhost ok   '["signature-over-ciphertext"]' null
verdict sig-over-ciphertext-opaque 1 valid ciphertext alice@localhost ok '["signature-over-ciphertext"]' null
verdict sender-mismatch        0 valid     whole      alice@localhost none '["sender-mismatch"]' null
verdict inner-from-carol       1 mismatch  whole      alice@localhost ok   '["inner-from-mismatch"]' null
verdict inner-from-alice       0 valid     whole      alice@localhost ok   '[]' null
verdict inner-from-unsigned    1 none      null       null            ok   '["inner-from-mismatch"]' null
verdict qp-signature           0 valid     whole      alice@localhost none '[]' null
verdict rfc2231-params         0 valid     whole      alice@localhost none '[]' null
verdict legacy-octet-stream    1 none      null       null            ok   '[]' null
verdict encrypted-not-top      1 none      null       null            refused '["encrypted-part-refused"]' null
verdict aes-gcm                1 none      null       null            ok   '[]' null
verdict rsa-oaep               1 none      null       null            ok   '[]' null
verdict ecdh                   1 none      null       null            failed '[]' 'not encrypted to any of your certificates (it is for: serial '
verdict ossl-enc-aes128        1 none      null       null            ok   '[]' null
verdict ossl-pss-digest        0 valid     whole      alice@localhost none '[]' null
verdict ossl-pss-max           1 invalid   whole      alice@localhost none '[]' null
# bob's home has disable-crl-checks: no CRL is asked for (crypto_revocation.sh asks).
verdict revoked-signer         0 valid     whole      rita@localhost  none '[]' null
verdict twin-root              1 untrusted whole      alice@localhost none '[]' null
verdict many-certs             1 invalid   whole      null            none '["too-many-certificates"]' 'carries 10000 certificates, more than the 64'
verdict many-signers           1 invalid   whole      null            none '["too-many-signers"]' 'has 17 signers, more than the 16'
verdict at-limits              0 valid     whole      alice@localhost none '["multiple-signers"]' null

# The tampered message was signed by alice: her fingerprint, from the certificate.
fpr=$(pki_fingerprint "$P/alice.pem" | tr -d :)
out=$("$CACHET" --gnupg-home "$bob" verify --json fx/tampered.eml || true)
assert_contains "$out" "\"fingerprint\":\"$fpr\""
# In multi-signers, the good signer is reported too, but the weakest wins.
out=$("$CACHET" --gnupg-home "$bob" verify --json fx/multi-signers.eml || true)
assert_contains "$out" "{\"email\":\"alice@localhost\",\"fingerprint\":\"$fpr\",\"state\":\"valid\""
assert_contains "$out" '"state":"untrusted"'

# A batch: one line per message, exit status of the worst (1), and an
# unparsable message (3) named on stderr without stopping the others.
printf 'this is not a mail header\n\nbody\n' > garbage.eml
rc=0
out=$("$CACHET" --gnupg-home "$bob" verify --json fx/hand-wrapped-valid.eml garbage.eml fx/tampered.eml 2> batch.err) || rc=$?
assert_eq 3 "$rc" "exit status of a batch with an unparsable message"
assert_eq 3 "$(printf '%s\n' "$out" | wc -l)" "lines of the batch"
assert_contains "$(cat batch.err)" "garbage.eml: line 1 of the header is not a header field"
assert_contains "$out" '{"file":"garbage.eml","signature":"invalid"'
rc=0
"$CACHET" --gnupg-home "$bob" verify fx/hand-wrapped-valid.eml fx/ossl-detached-rsa.eml > /dev/null || rc=$?
assert_eq 0 "$rc" "exit status when every message is valid and whole"

# One engine checks a chain once and remembers it, never a signature: in
# one call, a tampered message between two good ones from the same signer
# is still invalid, and the good one after it still valid.
out=$("$CACHET" --gnupg-home "$bob" verify --json fx/hand-wrapped-valid.eml fx/tampered.eml \
	fx/hand-wrapped-valid.eml || true)
assert_eq 'valid invalid valid' "$(printf '%s\n' "$out" |
	sed 's/.*"signature":"\([a-z]*\)".*/\1/' | tr '\n' ' ' | sed 's/ $//')" \
	"verdicts of valid, tampered, valid in one call"
assert_eq 3 "$(printf '%s\n' "$out" | grep -c '"signer":"alice@localhost"')" \
	"the three messages are alice's"

# RSA-PSS with another salt than the digest's length is not checked, and
# the detail says so rather than calling it a forgery.
out=$("$CACHET" --gnupg-home "$bob" verify --json fx/ossl-pss-max.eml || true)
assert_contains "$out" '"detail":"the RSA-PSS signature does not verify (or its salt is not as long as the digest, the only length checked)"'

# The mismatch names both authors.
out=$("$CACHET" --gnupg-home "$bob" verify --json fx/inner-from-carol.eml || true)
assert_contains "$out" '"detail":"the signed content is from carol@localhost, the message header says alice@localhost"'

# decrypt under a signature over ciphertext (detached and opaque): the
# plaintext comes out, the signature that covered only ciphertext is
# removed and said so; verify on the result finds no signature.
for f in sig-over-ciphertext sig-over-ciphertext-opaque; do
	rc=0
	"$CACHET" --gnupg-home "$bob" decrypt "fx/$f.eml" > "$f.dec" 2> "$f.err" || rc=$?
	assert_eq 0 "$rc" "exit status of decrypt $f"
	assert_file_contains "$f.dec" 'The quarterly report is attached in spirit.' "$f decrypted"
	assert_file_contains "$f.dec" 'Subject: cachet fixture' "$f decrypted"
	grep -q 'pkcs7' "$f.dec" && fail "$f: a CMS layer is left in the decrypted message"
	assert_contains "$(cat "$f.err")" "fx/$f.eml: removed a signature over the encrypted part"
	out=$("$CACHET" --gnupg-home "$bob" verify --json "$f.dec" || true)
	assert_contains "$out" '"signature":"none"' "$f decrypted, verified"
done
"$CACHET" --gnupg-home "$bob" decrypt fx/legacy-octet-stream.eml > legacy.dec
assert_file_contains legacy.dec 'The quarterly report is attached in spirit.' "legacy form decrypted"
# A plain encrypted message: no such note.
"$CACHET" --gnupg-home "$bob" decrypt fx/ossl-enc-aes128.eml > plain.dec 2> plain.err
[ -s plain.err ] && fail "decrypt of a plain encrypted message said: $(cat plain.err)"
# A signed message with nothing encrypted under its signature: bad input.
rc=0
"$CACHET" --gnupg-home "$bob" decrypt fx/hand-wrapped-valid.eml > /dev/null 2> nodec.err || rc=$?
assert_eq 3 "$rc" "exit status of decrypt on a signed-only message"
assert_contains "$(cat nodec.err)" "not an encrypted message (the signed content is text/plain)"

[ "$FAILED" = 0 ] || exit 1
echo PASS
