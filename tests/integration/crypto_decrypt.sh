#!/bin/bash
# Decryption in cachet's process, against what openssl cms writes: RSA
# PKCS#1 v1.5 and RSAES-OAEP (SHA-1, SHA-256, with a label) key transport,
# ECDH key agreement on P-256, P-384 and P-521 (X9.63 KDF with several
# hashes), recipients named by issuer and serial or by subject key
# identifier, AES-CBC content and AES-GCM AuthEnvelopedData, to identities
# imported with 'cachet identity import' from OpenSSL 3's default PKCS#12
# files.
# Only the private-key operation goes to gpg-agent; no pinentry is ever
# started.  Then bad input: a flipped GCM tag byte, a changed OAEP label,
# an ephemeral EC point off its curve, broken CBC padding, truncated DER,
# a message for someone else: each a clear error with the contract's exit
# status, nothing of the plaintext on standard output.
set -euo pipefail
. "$top_srcdir/tests/lib/harness.sh"
. "$top_srcdir/tests/lib/identity.sh"
harness_init
harness_need python3 script
P=$HARNESS_PKI
F=$H/fixtures
mkdir -p "$F"

home=$H/gnupg-dec
identity_home "$home"
trap 'pki_gnupg_stop "$home"; harness_cleanup' EXIT

# --- identities: alice (RSA, the test PKI's), dave (P-256), erin (P-384),
# frank (P-521), each in a PKCS#12 file as OpenSSL 3 writes it by default.
cp "$P/alice.pem" "$P/alice.key" "$F/"
identity_p12 "$F/alice.key" "$F/alice.pem" 'alice pw' "$F/alice.p12"
identity_ec "$F" dave P-256
identity_ec "$F" erin P-384
identity_ec "$F" frank P-521
for u in alice dave erin frank; do
	"$CACHET" --gnupg-home "$home" --passphrase-fd 3 identity import "$F/$u.p12" \
		3< <(printf '%s\n' "$u pw") < /dev/null > "$H/out.txt" ||
		fail "import of $u.p12"
done

# --- messages, made by openssl cms
printf 'Content-Type: text/plain; charset=us-ascii\n\nthe secret words\n' > "$F/content.txt"
hdr() {	# TO NAME
	printf 'From: Sender <sender@localhost>\nTo: %s@localhost\nSubject: %s\nDate: Mon, 01 Jan 2024 10:00:00 +0000\n' "$1" "$2"
}
make_msg() {	# NAME TO [openssl cms -encrypt options...]
	local name=$1 to=$2
	shift 2
	{ hdr "$to" "$name"; openssl cms -encrypt -in "$F/content.txt" "$@"; } > "$F/$name.eml"
}
# The same as DER, and a message around (possibly altered) DER.
make_der() {	# NAME [openssl cms -encrypt options...]
	local name=$1
	shift
	openssl cms -encrypt -in "$F/content.txt" -outform DER -out "$F/$name.der" "$@"
}
wrap_der() {	# DER NAME TO
	{ hdr "$3" "$2"
	  printf 'MIME-Version: 1.0\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="smime.p7m"\n\n'
	  base64 -w 64 "$1"; } > "$F/$2.eml"
}

LABEL=6361636865742d6c6162656c2d31	# "cachet-label-1"
make_msg rsa-aes128-cbc alice -aes128 "$F/alice.pem"
make_msg rsa-aes256-cbc alice -aes256 "$F/alice.pem"
make_msg oaep-sha1 alice -aes256 -recip "$F/alice.pem" -keyopt rsa_padding_mode:oaep
make_msg oaep-sha256 alice -aes256 -recip "$F/alice.pem" -keyopt rsa_padding_mode:oaep \
	-keyopt rsa_oaep_md:sha256
make_msg oaep-label alice -aes128 -recip "$F/alice.pem" -keyopt rsa_padding_mode:oaep \
	-keyopt rsa_oaep_md:sha256 -keyopt "rsa_oaep_label:$LABEL"
make_msg rsa-aes128-gcm alice -aes-128-gcm "$F/alice.pem"
make_msg rsa-aes256-gcm alice -aes-256-gcm "$F/alice.pem"
make_msg oaep-gcm alice -aes-256-gcm -recip "$F/alice.pem" -keyopt rsa_padding_mode:oaep \
	-keyopt rsa_oaep_md:sha256
make_msg ecdh-p256-cbc dave -aes256 "$F/dave.pem"
make_msg ecdh-p256-gcm dave -aes-256-gcm "$F/dave.pem"
make_msg ecdh-p384-cbc erin -aes128 "$F/erin.pem"
make_msg ecdh-p384-gcm erin -aes-128-gcm "$F/erin.pem"
make_msg ecdh-p256-sha256kdf dave -aes256 -recip "$F/dave.pem" -keyopt ecdh_kdf_md:sha256
make_msg ecdh-p384-sha384kdf erin -aes-256-gcm -recip "$F/erin.pem" -keyopt ecdh_kdf_md:sha384
make_msg ecdh-p256-sha512kdf dave -aes192 -recip "$F/dave.pem" -keyopt ecdh_kdf_md:sha512
make_msg ecdh-p521-cbc frank -aes256 "$F/frank.pem"
make_msg ecdh-p521-gcm frank -aes-256-gcm -recip "$F/frank.pem" -keyopt ecdh_kdf_md:sha512
# Recipients named by subject key identifier, not issuer and serial.
make_msg rsa-keyid alice -aes256 -keyid "$F/alice.pem"
make_msg ecdh-p256-keyid dave -aes-128-gcm -keyid "$F/dave.pem"
# Two recipients, ours second: the RecipientInfo that names us is found.
make_msg bob-then-alice alice -aes256 "$P/bob.pem" "$F/alice.pem"
openssl cms -cmsout -print -in "$F/oaep-label.eml" | grep -q 'pSpecified' ||
	fail "openssl wrote no OAEP label"
openssl cms -cmsout -print -in "$F/rsa-aes256-gcm.eml" | grep -q 'id-smime-ct-authEnvelopedData' ||
	fail "openssl wrote no AuthEnvelopedData"
openssl cms -cmsout -print -in "$F/ecdh-p256-cbc.eml" | grep -q 'originatorKey' ||
	fail "openssl wrote no key agreement"

# --- a locked key and nobody to ask: exit 4, naming the key, no pinentry
rc=0
setsid -w "$CACHET" --gnupg-home "$home" decrypt "$F/rsa-aes256-cbc.eml" < /dev/null \
	> "$H/dec.out" 2> "$H/err.txt" || rc=$?
assert_eq 4 "$rc" "exit status of a locked key without a passphrase source"
assert_contains "$(cat "$H/err.txt")" "the secret key of $(pki_fingerprint "$F/alice.pem" | tr -d :) is protected by a passphrase"
assert_contains "$(cat "$H/err.txt")" "unlock it first"
[ ! -s "$H/dec.out" ] || fail "output for a locked key: $(cat "$H/dec.out")"

# --- a wrong passphrase, then the right one, on --passphrase-fd
"$CACHET" --gnupg-home "$home" --passphrase-fd 3 decrypt "$F/rsa-aes256-cbc.eml" \
	3< <(printf 'wrong\nalice pw\n') < /dev/null > "$H/dec.out" 2> "$H/err.txt" ||
	fail "decrypt with the passphrase on its second try: $(cat "$H/err.txt")"
assert_file_contains "$H/dec.out" "the secret words"

# --- asked on the terminal (script's pseudo-terminal) once the agent has
# forgotten the passphrase: the prompt names the key, nothing is echoed.
gpg-connect-agent --homedir "$home" reloadagent /bye > /dev/null
{ sleep 1; printf 'alice pw\n'; } | timeout 60 script -qec \
	"'$CACHET' --gnupg-home '$home' decrypt '$F/rsa-aes128-gcm.eml'" /dev/null \
	> "$H/tty.txt" 2>&1 || fail "decrypt with the passphrase typed: $(cat "$H/tty.txt")"
tr -d '\r' < "$H/tty.txt" > "$H/tty.clean"
assert_file_contains "$H/tty.clean" "Passphrase for alice@localhost ($(pki_fingerprint "$F/alice.pem" | tr -d :)): "
assert_file_contains "$H/tty.clean" "the secret words"
! grep -q 'alice pw' "$H/tty.clean" || fail "the passphrase was echoed on the terminal"

# One batch, three keys: one passphrase line each, in the order asked.
"$CACHET" --gnupg-home "$home" --passphrase-fd 3 decrypt "$F/ecdh-p256-cbc.eml" \
	"$F/ecdh-p384-cbc.eml" "$F/ecdh-p521-cbc.eml" \
	3< <(printf '%s\n' "dave pw" "erin pw" "frank pw") < /dev/null \
	> /dev/null 2> "$H/err.txt" || fail "unlocking dave's, erin's and frank's keys: $(cat "$H/err.txt")"

# --- every algorithm: cachet decrypt writes what openssl decrypts, and
# verify says the decryption is ok (unsigned: exit 1).
for name in rsa-aes128-cbc rsa-aes256-cbc oaep-sha1 oaep-sha256 oaep-label \
	rsa-aes128-gcm rsa-aes256-gcm oaep-gcm ecdh-p256-cbc ecdh-p256-gcm ecdh-p384-cbc \
	ecdh-p384-gcm ecdh-p256-sha256kdf ecdh-p384-sha384kdf ecdh-p256-sha512kdf rsa-keyid \
	ecdh-p256-keyid ecdh-p521-cbc ecdh-p521-gcm bob-then-alice; do
	case $name in
	ecdh-p256*) key=dave ;;
	ecdh-p384*) key=erin ;;
	ecdh-p521*) key=frank ;;
	*) key=alice ;;
	esac
	"$CACHET" --gnupg-home "$home" decrypt "$F/$name.eml" < /dev/null > "$H/$name.out" \
		2> "$H/err.txt" || fail "$name: cachet decrypt: $(cat "$H/err.txt")"
	openssl cms -decrypt -in "$F/$name.eml" -recip "$F/$key.pem" -inkey "$F/$key.key" \
		-out "$H/$name.ossl" 2> /dev/null || fail "$name: openssl cannot decrypt it"
	# The decrypted entity follows the outer header and MIME-Version.
	python3 - "$H/$name.out" "$H/$name.ossl" <<'EOF' || fail "$name: cachet and openssl disagree"
import sys
ours = open(sys.argv[1], "rb").read()
theirs = open(sys.argv[2], "rb").read()
sys.exit(0 if ours.endswith(theirs) and b"the secret words" in theirs else 1)
EOF
	assert_contains "$(sed '/^$/q' "$H/$name.out")" "Subject: $name" "$name: outer header"
	rc=0
	"$CACHET" --gnupg-home "$home" verify --json "$F/$name.eml" < /dev/null > "$H/v.json" || rc=$?
	assert_eq 1 "$rc" "$name: verify's exit status (decrypted, unsigned)"
	assert_contains "$(cat "$H/v.json")" '"signature":"none"'
	assert_contains "$(cat "$H/v.json")" '"decryption":"ok"'
done
[ ! -e "$H/pinentry-started" ] || fail "a pinentry was started"

# --- bad input
# bad NAME STATUS MESSAGE: decrypt fails with STATUS naming the cause,
# writes nothing, and verify reports the decryption failed.
bad() {
	local name=$1 want=$2 msg=$3
	rc=0
	"$CACHET" --gnupg-home "$home" decrypt "$F/$name.eml" < /dev/null > "$H/bad.out" \
		2> "$H/err.txt" || rc=$?
	assert_eq "$want" "$rc" "$name: exit status of decrypt ($(cat "$H/err.txt"))"
	assert_contains "$(cat "$H/err.txt")" "$msg" "$name: the error"
	assert_contains "$(cat "$H/err.txt")" "$name.eml" "$name: the file named"
	[ ! -s "$H/bad.out" ] || fail "$name: decrypt wrote output: $(head -c 200 "$H/bad.out")"
	! grep -q 'secret words' "$H/err.txt" || fail "$name: plaintext in the error"
	rc=0
	"$CACHET" --gnupg-home "$home" verify --json "$F/$name.eml" < /dev/null > "$H/v.json" || rc=$?
	assert_eq 1 "$rc" "$name: exit status of verify"
	assert_contains "$(cat "$H/v.json")" '"decryption":"failed"'
	assert_contains "$(cat "$H/v.json")" "$msg" "$name: verify's error"
	python3 -c 'import json, sys; json.loads(open(sys.argv[1]).read())' "$H/v.json" ||
		fail "$name: verify --json is not JSON"
}
# alter DER PYTHON-EXPRESSION: the DER with one change (d is its bytearray).
alter() {	# IN OUT EXPR
	python3 - "$1" "$2" "$3" <<'EOF'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
exec(sys.argv[3])
open(sys.argv[2], "wb").write(bytes(d))
EOF
}

# A flipped byte of the GCM tag (the last element of the DER): openssl
# refuses it too.
make_der gcm -aes-256-gcm "$F/alice.pem"
alter "$F/gcm.der" "$F/gcm-badtag.der" 'd[-1] ^= 0x01'
openssl cms -decrypt -inform DER -in "$F/gcm-badtag.der" -recip "$F/alice.pem" \
	-inkey "$F/alice.key" -out /dev/null 2> /dev/null || ok=no
[ "${ok:-}" = no ] || fail "openssl accepts the flipped tag"
wrap_der "$F/gcm-badtag.der" gcm-badtag alice
bad gcm-badtag 4 "authentication tag does not match"
# ... and a flipped ciphertext byte under a good tag.
alter "$F/gcm.der" "$F/gcm-badct.der" 'd[-30] ^= 0x01'
wrap_der "$F/gcm-badct.der" gcm-badct alice
bad gcm-badct 4 "authentication tag does not match"
# The OAEP label changed in transit: the agent's OAEP decoding fails.
make_der oaep-label -aes256 -recip "$F/alice.pem" -keyopt rsa_padding_mode:oaep \
	-keyopt rsa_oaep_md:sha256 -keyopt "rsa_oaep_label:$LABEL"
alter "$F/oaep-label.der" "$F/oaep-badlabel.der" \
	'i = d.find(b"cachet-label-1"); assert i > 0; d[i + 13] = ord("2")'
wrap_der "$F/oaep-badlabel.der" oaep-badlabel alice
bad oaep-badlabel 4 "RSA-OAEP key does not decode"
# The sender's ephemeral point moved off P-256 (one bit of its Y).
make_der ecdh -aes256 "$F/dave.pem"
alter "$F/ecdh.der" "$F/ecdh-offcurve.der" \
	'i = d.find(b"\x03\x42\x00\x04"); assert i > 0; d[i + 4 + 63] ^= 0x01'
wrap_der "$F/ecdh-offcurve.der" ecdh-offcurve dave
bad ecdh-offcurve 4 "not a point on P-256"
# CBC: a flipped high bit in the last byte of the next-to-last block lands
# in the padding length, which can then never be right.
make_der cbc -aes256 "$F/alice.pem"
alter "$F/cbc.der" "$F/cbc-badpad.der" 'd[-17] ^= 0x80'
wrap_der "$F/cbc-badpad.der" cbc-badpad alice
bad cbc-badpad 4 "padding is wrong"
# Truncated DER: bad input (3); verify still exits 1 with the cause.
head -c 300 "$F/cbc.der" > "$F/cbc-truncated.der"
wrap_der "$F/cbc-truncated.der" cbc-truncated alice
bad cbc-truncated 3 "truncated"
head -c "$(( $(stat -c %s "$F/gcm.der") - 8 ))" "$F/gcm.der" > "$F/gcm-truncated.der"
wrap_der "$F/gcm-truncated.der" gcm-truncated alice
bad gcm-truncated 3 "truncated"
# For someone else: the error names who it is for.
make_msg for-bob bob -aes256 "$P/bob.pem"
bob_serial=$(openssl x509 -in "$P/bob.pem" -noout -serial | cut -d= -f2)
bad for-bob 4 "not encrypted to any of your certificates (it is for: serial $bob_serial of "
make_msg for-bob-keyid bob -aes256 -keyid "$P/bob.pem"
bob_ski=$(openssl x509 -in "$P/bob.pem" -noout -ext subjectKeyIdentifier | tail -n 1 | tr -d ' :')
bad for-bob-keyid 4 "(it is for: subject key identifier $bob_ski)"
[ ! -e "$H/pinentry-started" ] || fail "a pinentry was started"
echo PASS
