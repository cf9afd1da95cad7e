#!/bin/bash
# The encryption cachet chooses, from the sMIMECapabilities that harvest
# stored per binding: AES-256-CBC and RSA PKCS#1 v1.5 to whoever announced
# nothing; AES-256-GCM (AuthEnvelopedData) only when every recipient,
# the sender included, announced it; RSAES-OAEP to an RSA recipient that
# announced it; ECDH to EC recipients (P-256, P-384) with either cipher.
# openssl cms decrypts every result; the newest signed message decides
# what is stored, and a message whose signature fails changes nothing.
set -euo pipefail
. "$top_srcdir/tests/lib/harness.sh"
. "$top_srcdir/tests/lib/identity.sh"
harness_init
P=$HARNESS_PKI
alice=$(harness_gnupg alice)
bob=$(harness_gnupg bob)
F=$H/fx
mkdir -p "$F"
XDG_DATA_HOME=$H/xdg-data	# alice's certificate store
export XDG_DATA_HOME
cd "$H"

ca() { "$CACHET" --gnupg-home "$alice" "$@"; }
# decrypts FILE KEYDIR USER: openssl cms with USER's key, the text out.
ossl_decrypt() {
	openssl cms -decrypt -in "$1" -recip "$2/$3.pem" -inkey "$2/$3.key" -out "$1.$3.txt" \
		2> ossl.err || fail "openssl cannot decrypt $1 for $3: $(cat ossl.err)"
	assert_file_contains "$1.$3.txt" 'the secret words'
}
# print FILE: openssl's dump of the CMS structure.
print() { openssl cms -cmsout -print -in "$1" > "$1.print" || fail "openssl cannot read $1"; }
# signed_by HOME USER SUBJECT OUT [PASSPHRASE]: a message signed by cachet as USER.
signed_by() {
	printf 'From: %s@localhost\nTo: alice@localhost\nSubject: %s\nMessage-ID: <%s@localhost>\n\nsigned\n' \
		"$2" "$3" "$3" > "$4.in"
	if [ -n "${5:-}" ]; then
		"$CACHET" --gnupg-home "$1" --passphrase-fd 3 sign "$4.in" > "$4" 3<<< "$5" < /dev/null
	else
		"$CACHET" --gnupg-home "$1" sign "$4.in" > "$4"
	fi || fail "$2 cannot sign $3"
}
printf 'From: alice@localhost\nTo: bob@localhost\nSubject: secret\n\nthe secret words\n' > secret.eml
ca certs import "$P/bob.pem" "$P/carol.pem" > /dev/null

# --- nobody announced anything: AES-256-CBC; bob PKCS#1 v1.5, the sender
# (cachet itself, which announces OAEP and GCM) RSAES-OAEP.
out=$(ca certs show --json bob@localhost)
assert_contains "$out" '"capabilities":null,"capabilities_signed":null' "bob before any harvest"
mkdir o1
ca encrypt --json --output-dir o1 secret.eml > o1.json
assert_contains "$(cat o1.json)" '"cipher":"AES-256-CBC","why":"1 of 2 recipients did not announce AES-256-GCM"'
assert_contains "$(cat o1.json)" '{"email":"bob@localhost","fingerprint":"'"$(pki_fingerprint "$P/bob.pem" | tr -d :)"'","key_transport":"RSA PKCS#1 v1.5"}'
assert_contains "$(cat o1.json)" '{"email":"alice@localhost","fingerprint":"'"$(pki_fingerprint "$P/alice.pem" | tr -d :)"'","key_transport":"RSAES-OAEP"}'
assert_contains "$(cat o1.json)" '"output":"o1/secret.eml"'
assert_file_contains o1/secret.eml 'smime-type=enveloped-data'
print o1/secret.eml
assert_file_contains o1/secret.eml.print 'aes-256-cbc (2.16.840.1.101.3.4.1.42)'
assert_eq 1 "$(grep -c 'algorithm: rsaEncryption' o1/secret.eml.print)" "PKCS#1 v1.5 recipient infos"
assert_eq 1 "$(grep -c 'algorithm: rsaesOaep' o1/secret.eml.print)" "OAEP recipient infos"
# OAEP with SHA-256 and MGF1 over SHA-256.
assert_eq 2 "$(grep -c 'OBJECT *:sha256' o1/secret.eml.print)" "SHA-256 in the OAEP parameters"
assert_eq 1 "$(grep -c 'OBJECT *:mgf1' o1/secret.eml.print)" "MGF1 in the OAEP parameters"
ossl_decrypt o1/secret.eml "$P" bob
ossl_decrypt o1/secret.eml "$P" alice
# --json needs --output-dir.
rc=0
ca encrypt --json secret.eml > /dev/null 2> err.txt || rc=$?
assert_eq 2 "$rc" "encrypt --json without --output-dir"
assert_contains "$(cat err.txt)" "needs --output-dir"

# --- bob signs with cachet, which announces GCM and OAEP; alice harvests
signed_by "$bob" bob caps1 bob1.eml
out=$(ca harvest --json bob1.eml)
assert_contains "$out" '"stored":[{"email":"bob@localhost"'
out=$(ca certs show --json bob@localhost)
assert_contains "$out" '"capabilities":["AES-256-GCM","AES-128-GCM","AES-256-CBC","AES-192-CBC","AES-128-CBC","RSAES-OAEP"],"capabilities_signed":"'
assert_contains "$(ca certs show bob@localhost)" "  announces  AES-256-GCM AES-128-GCM AES-256-CBC AES-192-CBC AES-128-CBC RSAES-OAEP"
# carol still announced nothing.
assert_contains "$(ca certs show carol@localhost)" "  announces  nothing known"

# Everyone (bob, and alice as the sender) announced GCM: AuthEnvelopedData.
mkdir o2
ca encrypt --json --output-dir o2 secret.eml > o2.json
assert_contains "$(cat o2.json)" '"cipher":"AES-256-GCM","why":"every recipient announced AES-256-GCM"'
assert_contains "$(cat o2.json)" '"email":"bob@localhost","fingerprint":"'"$(pki_fingerprint "$P/bob.pem" | tr -d :)"'","key_transport":"RSAES-OAEP"'
assert_file_contains o2/secret.eml 'smime-type=authEnveloped-data'
print o2/secret.eml
assert_file_contains o2/secret.eml.print 'contentType: id-smime-ct-authEnvelopedData (1.2.840.113549.1.9.16.1.23)'
assert_file_contains o2/secret.eml.print 'aes-256-gcm (2.16.840.1.101.3.4.1.46)'
assert_eq 2 "$(grep -c 'algorithm: rsaesOaep' o2/secret.eml.print)" "OAEP recipient infos (bob and alice)"
ossl_decrypt o2/secret.eml "$P" bob
ossl_decrypt o2/secret.eml "$P" alice
# cachet reads it too, on bob's side.
"$CACHET" --gnupg-home "$bob" decrypt o2/secret.eml > o2.dec || fail "cachet cannot decrypt its GCM"
assert_file_contains o2.dec 'the secret words'
# A flipped byte of the ciphertext fails GCM's tag: openssl refuses.
openssl cms -cmsout -outform DER -in o2/secret.eml -out o2.der
size=$(stat -c %s o2.der)
cp o2.der o2-bad.der
printf '\x55' | dd of=o2-bad.der bs=1 seek=$((size - 40)) conv=notrunc 2> /dev/null
openssl cms -decrypt -inform DER -in o2-bad.der -recip "$P/bob.pem" -inkey "$P/bob.key" \
	-out /dev/null 2> /dev/null && fail "openssl took a GCM message with a flipped byte"

# One recipient without capabilities (carol) and the choice falls back to
# CBC for everyone, OAEP still for bob, PKCS#1 v1.5 for carol.
mkdir o3
ca encrypt --json --output-dir o3 --to bob@localhost --to carol@localhost secret.eml > o3.json
assert_contains "$(cat o3.json)" '"cipher":"AES-256-CBC","why":"1 of 3 recipients did not announce AES-256-GCM"'
assert_contains "$(cat o3.json)" '"email":"carol@localhost","fingerprint":"'"$(pki_fingerprint "$P/carol.pem" | tr -d :)"'","key_transport":"RSA PKCS#1 v1.5"'
print o3/secret.eml
assert_file_contains o3/secret.eml.print 'aes-256-cbc (2.16.840.1.101.3.4.1.42)'
assert_eq 2 "$(grep -c 'algorithm: rsaesOaep' o3/secret.eml.print)" "OAEP recipient infos (bob and alice)"
assert_eq 1 "$(grep -c 'algorithm: rsaEncryption' o3/secret.eml.print)" "PKCS#1 v1.5 recipient info (carol)"
for u in bob carol alice; do ossl_decrypt o3/secret.eml "$P" "$u"; done

# --- the newest signed message decides.  bob1 (cachet) was signed first;
# bob2 (openssl: AES-CBC and older ciphers, no GCM, no OAEP) a second
# later; bob3 (cachet again) earlier than bob2 but harvested after it.
sleep 1
signed_by "$bob" bob caps3 bob3.eml
sleep 1
printf 'Content-Type: text/plain\n\nsigned\n' > bob2.in
openssl cms -sign -in bob2.in -signer "$P/bob.pem" -inkey "$P/bob.key" -md sha256 \
	-from bob@localhost -to alice@localhost -subject caps2 \
	-out bob2.eml 2> ossl.err || fail "openssl cms -sign: $(cat ossl.err)"
openssl cms -cmsout -print -in bob2.eml | grep -q 'aes-256-gcm' &&
	fail "control: openssl's signature announces GCM"
out=$(ca harvest --json bob2.eml)
assert_contains "$out" '"stored":[{"email":"bob@localhost"'
out=$(ca certs show --json bob@localhost)
assert_contains "$out" '"capabilities":["AES-256-CBC","AES-192-CBC","AES-128-CBC"'
assert_not_contains "$out" '"RSAES-OAEP"' "bob's capabilities after openssl's message"
ca harvest --json bob3.eml > /dev/null
out=$(ca certs show --json bob@localhost)
assert_not_contains "$out" '"AES-256-GCM"' "an older message harvested later"
mkdir o4
ca encrypt --json --output-dir o4 secret.eml > o4.json
assert_contains "$(cat o4.json)" '"cipher":"AES-256-CBC"'
assert_contains "$(cat o4.json)" '"email":"bob@localhost","fingerprint":"'"$(pki_fingerprint "$P/bob.pem" | tr -d :)"'","key_transport":"RSA PKCS#1 v1.5"'
# A newer message whose signature does not verify changes nothing: bob4
# announces GCM, and its signed text is altered after signing.
sleep 1
signed_by "$bob" bob caps4 bob4.eml
sed -i 's/^signed\r\?$/forged/' bob4.eml
grep -q '^forged' bob4.eml || fail "control: the signed text was not altered"
out=$(ca harvest --json bob4.eml)
assert_contains "$out" '"reason":"invalid-signature"'
assert_not_contains "$(ca certs show --json bob@localhost)" '"AES-256-GCM"' "after a bad signature"
# ...and the same message intact, signed later still, does.
signed_by "$bob" bob caps5 bob5.eml
ca harvest --json bob5.eml > /dev/null
assert_contains "$(ca certs show --json bob@localhost)" '"capabilities":["AES-256-GCM"'

# --- EC recipients: dave (P-256) and erin (P-384) sign with cachet from
# their own homes; ECDH with GCM when all announced it, with CBC beside carol.
for u in dave:P-256 erin:P-384; do
	n=${u%%:*}
	identity_ec "$F" "$n" "${u#*:}"
	identity_home "$H/$n-home"
	"$CACHET" --gnupg-home "$H/$n-home" --passphrase-fd 3 identity import "$F/$n.p12" \
		3<<< "$n pw" < /dev/null > /dev/null || fail "identity import $n"
	signed_by "$H/$n-home" "$n" "caps-$n" "$n.eml" "$n pw"
	out=$(ca harvest --json "$n.eml")
	assert_contains "$out" "\"stored\":[{\"email\":\"$n@localhost\""
done
printf 'From: alice@localhost\nTo: dave@localhost, erin@localhost\nSubject: secret\n\nthe secret words\n' > ec.eml
mkdir o5
ca encrypt --json --output-dir o5 ec.eml > o5.json
assert_contains "$(cat o5.json)" '"cipher":"AES-256-GCM"'
assert_contains "$(cat o5.json)" '"email":"dave@localhost","fingerprint":"'"$(pki_fingerprint "$F/dave.pem" | tr -d :)"'","key_transport":"ECDH"'
print o5/ec.eml
assert_file_contains o5/ec.eml.print 'aes-256-gcm (2.16.840.1.101.3.4.1.46)'
assert_eq 2 "$(grep -c 'dhSinglePass-stdDH-sha256kdf-scheme' o5/ec.eml.print)" "ECDH recipient infos"
for u in dave erin; do ossl_decrypt o5/ec.eml "$F" "$u"; done
ossl_decrypt o5/ec.eml "$P" alice
"$CACHET" --gnupg-home "$H/erin-home" --passphrase-fd 3 decrypt o5/ec.eml > o5.dec \
	3<<< 'erin pw' < /dev/null || fail "cachet cannot decrypt GCM with ECDH (P-384)"
assert_file_contains o5.dec 'the secret words'
mkdir o6
ca encrypt --json --output-dir o6 --to dave@localhost --to erin@localhost --to carol@localhost \
	ec.eml > o6.json
assert_contains "$(cat o6.json)" '"cipher":"AES-256-CBC"'
print o6/ec.eml
assert_file_contains o6/ec.eml.print 'aes-256-cbc (2.16.840.1.101.3.4.1.42)'
assert_eq 2 "$(grep -c 'dhSinglePass-stdDH-sha256kdf-scheme' o6/ec.eml.print)" "ECDH recipient infos"
for u in dave erin; do ossl_decrypt o6/ec.eml "$F" "$u"; done
ossl_decrypt o6/ec.eml "$P" carol

# --- send --dry-run says the same, without a crypto operation.
cat > alice.conf <<EOF
[account alice]
from = Alice <alice@localhost>
imap = imaps://alice@localhost:1
smtp = smtps://alice@localhost:2
password_command = printf pw
EOF
chmod 600 alice.conf
printf 'From: alice@localhost\nTo: bob@localhost, dave@localhost\nBcc: carol@localhost\nSubject: plan\n\nthe secret words\n' > plan.eml
out=$(ca --config alice.conf send --dry-run --encrypt --no-sign plan.eml)
assert_contains "$out" "cipher:    AES-256-GCM: every recipient announced AES-256-GCM"
assert_contains "$out" "cipher:    AES-256-CBC for the copy of carol@localhost: 1 of 2 recipients did not announce AES-256-GCM"
assert_contains "$out" "cert:      bob@localhost $(pki_fingerprint "$P/bob.pem" | tr -d :), key transport RSAES-OAEP (announced)"
assert_contains "$out" "cert:      dave@localhost $(pki_fingerprint "$F/dave.pem" | tr -d :), key transport ECDH (an EC key)"
assert_contains "$out" "cert:      alice@localhost $(pki_fingerprint "$P/alice.pem" | tr -d :) (sender), key transport RSAES-OAEP (announced)"
assert_contains "$out" "cert:      carol@localhost $(pki_fingerprint "$P/carol.pem" | tr -d :), key transport RSA PKCS#1 v1.5 (RSAES-OAEP not announced)"
echo PASS
