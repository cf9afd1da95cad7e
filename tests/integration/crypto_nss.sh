#!/bin/bash
# Interop with NSS, the CMS library of Thunderbird, through its own tools
# (cmsutil, pk12util, certutil): messages NSS signs and encrypts verify and
# decrypt with cachet, an identity NSS exports as PKCS#12 imports with
# `cachet identity import` and then decrypts what NSS encrypted to it, and
# NSS reads what cachet signs and encrypts.
set -euo pipefail
. "$top_srcdir/tests/lib/harness.sh"
harness_init
harness_need cmsutil pk12util certutil python3
P=$HARNESS_PKI
bob=$(harness_gnupg bob)
cd "$H"

# --- NSS's database: alice's identity (from her PKCS#12), the CA as a
# trusted S/MIME root, bob's and carol's certificates for encryption.
NSSDB=sql:$H/nssdb
mkdir -p nssdb
certutil -N -d "$NSSDB" --empty-password
openssl pkcs12 -export -inkey "$P/alice.key" -in "$P/alice.pem" -name alice \
	-passout pass:nss-pw -out alice-in.p12
pk12util -d "$NSSDB" -i alice-in.p12 -W nss-pw > pk12.log 2>&1 ||
	fail "pk12util cannot import alice: $(cat pk12.log)"
certutil -A -d "$NSSDB" -n ca -t ",C," -i "$P/smime-ca.pem"
certutil -A -d "$NSSDB" -n bob -t ",," -i "$P/bob.pem"
certutil -A -d "$NSSDB" -n carol -t ",," -i "$P/carol.pem"

# hdr FROM SUBJECT: the RFC 5322 fields a mail client puts above the MIME part.
hdr() {
	printf 'From: %s\nTo: Bob <bob@localhost>\nSubject: %s\nDate: Mon, 01 Jan 2024 10:00:00 +0000\nMessage-ID: <%s@nss.invalid>\nMIME-Version: 1.0\n' \
		"$1" "$2" "$RANDOM$RANDOM"
}
# p7m TYPE DERFILE: an application/pkcs7-mime part (smime-type TYPE).
p7m() {
	printf 'Content-Type: application/pkcs7-mime; smime-type=%s; name=smime.p7m\nContent-Disposition: attachment; filename=smime.p7m\nContent-Transfer-Encoding: base64\n\n' "$1"
	base64 "$2"
}
printf 'Content-Type: text/plain; charset=utf-8\r\n\r\nWritten with NSS.\r\nSecond line.\r\n' > content.txt

# --- NSS signs, detached (multipart/signed, as Thunderbird sends), with
# signingTime, sMIMECapabilities and the encryption key preference.
cmsutil -S -d "$NSSDB" -N alice -G -P -Y alice -T -i content.txt -o detached.der ||
	fail "cmsutil cannot sign"
{
	hdr 'Alice <alice@localhost>' 'signed by NSS'
	printf 'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="nss-b"\n\nThis is a cryptographically signed message in MIME format.\n\n--nss-b\r\n'
	cat content.txt
	printf '\r\n--nss-b\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=smime.p7s\r\n\r\n'
	base64 detached.der | sed 's/$/\r/'
	printf '\r\n--nss-b--\r\n'
} > nss-detached.eml
out=$("$CACHET" --gnupg-home "$bob" verify --json nss-detached.eml) ||
	fail "NSS's detached signature: exit $?: $out"
assert_contains "$out" '"signature":"valid","coverage":"whole","signer":"alice@localhost"' \
	"NSS's detached signature"

# A byte of the signed text changed: invalid, so the check above can fail.
sed 's/Written with NSS/Written with NSX/' nss-detached.eml > nss-tampered.eml
rc=0
out=$("$CACHET" --gnupg-home "$bob" verify --json nss-tampered.eml) || rc=$?
assert_eq 1 "$rc" "exit status of the tampered NSS signature"
assert_contains "$out" '"signature":"invalid"' "the tampered NSS signature"

# --- NSS signs opaque (application/pkcs7-mime; signed-data).
cmsutil -S -d "$NSSDB" -N alice -G -P -i content.txt -o opaque.der || fail "cmsutil opaque"
{ hdr 'Alice <alice@localhost>' 'opaque from NSS'; p7m signed-data opaque.der; } > nss-opaque.eml
out=$("$CACHET" --gnupg-home "$bob" verify --json nss-opaque.eml) ||
	fail "NSS's opaque signature: $out"
assert_contains "$out" '"signature":"valid","coverage":"whole","signer":"alice@localhost"' \
	"NSS's opaque signature"

# --- NSS encrypts to bob (and carol): EnvelopedData, RSA key transport.
cmsutil -E -d "$NSSDB" -r bob,carol -i content.txt -o env.der || fail "cmsutil cannot encrypt"
openssl cms -cmsout -print -inform DER -in env.der > env.print
grep -q 'contentEncryptionAlgorithm' env.print || fail "not EnvelopedData: $(head -5 env.print)"
{ hdr 'Alice <alice@localhost>' 'encrypted by NSS'; p7m enveloped-data env.der; } > nss-enc.eml
"$CACHET" --gnupg-home "$bob" decrypt nss-enc.eml > nss-dec.eml || fail "cachet cannot decrypt NSS's message"
assert_file_contains nss-dec.eml 'Written with NSS.'
assert_file_contains nss-dec.eml 'Subject: encrypted by NSS'
out=$("$CACHET" --gnupg-home "$bob" verify --json nss-enc.eml) || true
assert_contains "$out" '"decryption":"ok"' "verify of NSS's encrypted message"

# --- NSS signs, then encrypts the signed entity (what Thunderbird sends
# when both are on).
{ printf 'Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n'
  base64 opaque.der | sed 's/$/\r/'; } > inner.txt
cmsutil -E -d "$NSSDB" -r bob -i inner.txt -o signenc.der || fail "cmsutil sign+encrypt"
{ hdr 'Alice <alice@localhost>' 'signed and encrypted by NSS'; p7m enveloped-data signenc.der; } > nss-signenc.eml
out=$("$CACHET" --gnupg-home "$bob" verify --json nss-signenc.eml) ||
	fail "NSS's signed and encrypted message: $out"
assert_contains "$out" '"signature":"valid","coverage":"whole","signer":"alice@localhost"'
assert_contains "$out" '"decryption":"ok"'

# --- An identity NSS exports (pk12util's own PKCS#12) imports into cachet,
# which then decrypts what NSS encrypted to it.
pk12util -d "$NSSDB" -o alice-nss.p12 -n alice -W 'nss export pw' > pk12out.log 2>&1 ||
	fail "pk12util cannot export alice: $(cat pk12out.log)"
home=$H/gnupg-nss
pki_empty_gnupg_home "$home" "$H/pinentry-started"
trap 'pki_gnupg_stop "$home"; harness_cleanup' EXIT
"$CACHET" --gnupg-home "$home" --passphrase-fd 3 identity import alice-nss.p12 \
	3<<< 'nss export pw' < /dev/null > imp.out 2> imp.err ||
	fail "identity import of NSS's PKCS#12: $(cat imp.err)"
assert_file_contains imp.out "alice-nss.p12: imported $(pki_fingerprint "$P/alice.pem" | tr -d :)"
cmsutil -E -d "$NSSDB" -r alice -i content.txt -o to-alice.der || fail "cmsutil to alice"
{ hdr 'Bob <bob@localhost>' 'to alice from NSS'; p7m enveloped-data to-alice.der; } > to-alice.eml
"$CACHET" --gnupg-home "$home" --passphrase-fd 3 decrypt to-alice.eml \
	3<<< 'nss export pw' < /dev/null > to-alice.dec 2> dec.err ||
	fail "the NSS-exported identity cannot decrypt: $(cat dec.err)"
assert_file_contains to-alice.dec 'Written with NSS.'
[ ! -e "$H/pinentry-started" ] || fail "a pinentry was started"

# --- The other way: NSS reads what cachet signs and encrypts.
XDG_DATA_HOME=$H/xdg-data
export XDG_DATA_HOME
"$CACHET" --gnupg-home "$bob" certs import "$P/alice.pem" > /dev/null
printf 'From: Bob <bob@localhost>\nTo: Alice <alice@localhost>\nSubject: for NSS\n\nfrom cachet to NSS\n' > plain.eml
"$CACHET" --gnupg-home "$bob" sign plain.eml > cachet-signed.eml
# The signature part of the multipart/signed, and the signed part as sent.
python3 - cachet-signed.eml signed-part.txt signature.der <<'EOF'
import email, sys
raw = open(sys.argv[1], 'rb').read().replace(b'\r\n', b'\n')
msg = email.message_from_bytes(raw)
delim = b'\n--' + msg.get_boundary().encode()
start = raw.index(b'\n', raw.index(delim) + len(delim)) + 1
end = raw.index(delim, start)	# the line break before a delimiter is the delimiter's
open(sys.argv[2], 'wb').write(raw[start:end].replace(b'\n', b'\r\n'))
open(sys.argv[3], 'wb').write(msg.get_payload()[1].get_payload(decode=True))
EOF
cmsutil -D -d "$NSSDB" -u 4 -c signed-part.txt -i signature.der -h 1 > nss-verify.out 2>&1 ||
	fail "NSS does not verify cachet's signature: $(cat nss-verify.out)"
grep -q 'status=GoodSignature' nss-verify.out ||
	fail "NSS does not call cachet's signature good: $(cat nss-verify.out)"
# Control: the same signature over changed text is not good to NSS.
sed 's/from cachet/from cachex/' signed-part.txt > signed-bad.txt
cmsutil -D -d "$NSSDB" -u 4 -c signed-bad.txt -i signature.der -h 1 > nss-bad.out 2>&1 || true
grep -q 'status=GoodSignature' nss-bad.out && fail "control: NSS calls a signature over changed text good"
grep -q 'status=' nss-bad.out || fail "control: NSS says nothing of the signature: $(cat nss-bad.out)"
"$CACHET" --gnupg-home "$bob" encrypt plain.eml > cachet-enc.eml
python3 - cachet-enc.eml cachet-enc.der <<'EOF'
import email, sys
msg = email.message_from_bytes(open(sys.argv[1], 'rb').read())
open(sys.argv[2], 'wb').write(msg.get_payload(decode=True))
EOF
cmsutil -D -d "$NSSDB" -i cachet-enc.der -o nss-dec.txt 2> nss-dec.err ||
	fail "NSS cannot decrypt cachet's message: $(cat nss-dec.err)"
grep -q 'from cachet to NSS' nss-dec.txt || fail "NSS decrypted something else: $(cat nss-dec.txt)"
echo "PASS: NSS-made signatures and encryption read by cachet, and cachet's by NSS"
