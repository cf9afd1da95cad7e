#!/bin/bash
# Interop with openssl cms, both directions: cachet signs and encrypts,
# openssl verifies and decrypts; openssl signs and encrypts, cachet
# verifies and decrypts.
set -euo pipefail
. "$top_srcdir/tests/lib/harness.sh"
harness_init
P=$HARNESS_PKI
alice=$(harness_gnupg alice)
bob=$(harness_gnupg bob)
# Recipients come from the certificate store's bindings (one store for the
# run, under $H), not from whatever gpgsm's keybox holds.
XDG_DATA_HOME=$H/xdg-data
export XDG_DATA_HOME
"$CACHET" --gnupg-home "$alice" certs import "$P/bob.pem" "$P/carol.pem" > /dev/null
"$CACHET" --gnupg-home "$bob" certs import "$P/alice.pem" > /dev/null
cd "$H"

# 8-bit text, trailing white space, a "From " line: all must survive signing.
printf 'From: Alice Example <alice@localhost>\nTo: Bob <bob@localhost>\nSubject: interop\nDate: Mon, 01 Jan 2024 10:00:00 +0000\nMessage-ID: <interop@localhost>\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nGr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln   \nFrom the start of a line\n.\nend\n' > plain.eml

# --- cachet sign -> openssl cms -verify
"$CACHET" --gnupg-home "$alice" sign plain.eml > signed.eml
head -20 signed.eml | grep -q '^Content-Type: multipart/signed; protocol="application/pkcs7-signature";' ||
	fail "not multipart/signed: $(head -20 signed.eml)"
assert_file_contains signed.eml 'micalg=sha-256'
assert_file_contains signed.eml 'Subject: interop'
# The content fields moved inside; the outer header keeps no Content-Transfer-Encoding.
outer=$(sed '/^$/q' signed.eml)
assert_not_contains "$outer" "Content-Transfer-Encoding" "outer header"
assert_file_contains signed.eml 'Content-Transfer-Encoding: quoted-printable'
openssl cms -verify -in signed.eml -CAfile "$P/smime-ca.pem" -out verified.txt 2> ossl.err ||
	fail "openssl cms -verify rejects cachet's signature: $(cat ossl.err)"
grep -q 'Gr=C3=BC=C3=9Fe' verified.txt || fail "signed content is not the QP text: $(cat verified.txt)"
# SHA-256 digest, and the signer certificate included.
openssl smime -pk7out -in signed.eml | openssl pkcs7 -print_certs -noout | grep -q 'alice@localhost' ||
	fail "signer certificate not included"
openssl cms -cmsout -print -in signed.eml | grep -q 'sha256' || fail "digest is not SHA-256"
# ...and cachet agrees, from bob's side.
out=$("$CACHET" --gnupg-home "$bob" verify --json signed.eml)
assert_contains "$out" '"signature":"valid","coverage":"whole","signer":"alice@localhost"'

# --- cachet encrypt -> openssl cms -decrypt with bob's key (and carol's via Cc)
printf 'From: alice@localhost\nTo: bob@localhost\nCc: carol@localhost\nBcc: carol@localhost\nSubject: secret\n\nthe secret words\n' > secret.eml
"$CACHET" --gnupg-home "$alice" encrypt secret.eml > enc.eml
assert_file_contains enc.eml 'Content-Type: application/pkcs7-mime; smime-type=enveloped-data;'
grep -q '^Bcc:' enc.eml && fail "Bcc left in the encrypted message"
for u in bob carol alice; do
	openssl cms -decrypt -in enc.eml -recip "$P/$u.pem" -inkey "$P/$u.key" -out dec-$u.txt 2> ossl.err ||
		fail "openssl cannot decrypt for $u: $(cat ossl.err)"
	grep -q 'the secret words' dec-$u.txt || fail "$u decrypted something else"
done
openssl cms -cmsout -print -in enc.eml > enc.print
grep -q 'rsaEncryption' enc.print || fail "key transport is not RSA PKCS#1 v1.5"
# AES-256-CBC whatever gpgsm's default (AES-128 in 2.2) and gpgsm.conf say:
# cachet encrypts in its own process.  The OID is read by openssl
# and, independently of openssl's names, from the DER.
grep -q 'aes-256-cbc (2.16.840.1.101.3.4.1.42)' enc.print ||
	fail "content cipher is not AES-256-CBC: $(grep -A1 contentEncryptionAlgorithm enc.print)"
openssl cms -cmsout -outform DER -in enc.eml -out enc.der
openssl asn1parse -inform DER -in enc.der | grep -q 'OBJECT *:aes-256-cbc' ||
	fail "asn1parse finds no aes-256-cbc OID in cachet's encryption"
# A person's gpgsm.conf asking for AES-128 does not weaken cachet's output.
echo 'cipher-algo AES' >> "$alice/gpgsm.conf"
gpgconf --homedir "$alice" --kill gpgsm > /dev/null 2>&1 || true
"$CACHET" --gnupg-home "$alice" encrypt secret.eml > enc256.eml
openssl cms -cmsout -print -in enc256.eml | grep -q 'aes-256-cbc (2.16.840.1.101.3.4.1.42)' ||
	fail "gpgsm.conf's cipher-algo AES weakened cachet's cipher"
openssl cms -decrypt -in enc256.eml -recip "$P/bob.pem" -inkey "$P/bob.key" | grep -q 'the secret words'
# Control: plain gpgsm with that gpgsm.conf really picks AES-128 (so the
# assertion above can fail).  cachet never put bob's certificate in the
# keybox; the control imports it for gpgsm.
gpgsm --homedir "$alice" --batch --import "$P/bob.pem" 2> /dev/null
printf 'From: a@b\n\nx\n' | gpgsm --homedir "$alice" --batch --encrypt -r bob@localhost \
	--output plain-gpgsm.der 2> /dev/null
openssl cms -cmsout -print -inform DER -in plain-gpgsm.der | grep -q 'aes-128-cbc' ||
	fail "control: gpgsm with cipher-algo AES did not use AES-128"
sed -i '/^cipher-algo AES$/d' "$alice/gpgsm.conf"
# Encryption is cachet's own: a copy of the binary alone, with nothing
# next to it, still writes AES-256-CBC whatever gpgsm.conf says.
mkdir -p lone && cp "$CACHET" lone/cachet
env -u CACHET_GPGSM lone/cachet --gnupg-home "$alice" encrypt secret.eml > lone.eml ||
	fail "a cachet binary on its own does not encrypt"
openssl cms -cmsout -print -in lone.eml | grep -q 'aes-256-cbc (2.16.840.1.101.3.4.1.42)' ||
	fail "a cachet binary on its own encrypts with another cipher"
openssl cms -decrypt -in lone.eml -recip "$P/bob.pem" -inkey "$P/bob.key" | grep -q 'the secret words'

# --- cachet encrypt --sign -> openssl decrypt, then openssl verify inside
"$CACHET" --gnupg-home "$alice" encrypt --sign secret.eml > encsig.eml
openssl cms -decrypt -in encsig.eml -recip "$P/bob.pem" -inkey "$P/bob.key" -out inner.eml
openssl cms -verify -in inner.eml -CAfile "$P/smime-ca.pem" -out inner.txt 2> ossl.err ||
	fail "openssl rejects the signature inside cachet's encryption: $(cat ossl.err)"
grep -q 'the secret words' inner.txt
out=$("$CACHET" --gnupg-home "$bob" verify --json encsig.eml)
assert_contains "$out" '"signature":"valid","coverage":"whole","signer":"alice@localhost"'
assert_contains "$out" '"decryption":"ok"'
# cachet decrypt keeps the signature verifiable.
"$CACHET" --gnupg-home "$bob" decrypt encsig.eml > decrypted.eml
assert_file_contains decrypted.eml 'Subject: secret'
assert_file_contains decrypted.eml 'multipart/signed'
out=$("$CACHET" --gnupg-home "$bob" verify --json decrypted.eml)
assert_contains "$out" '"signature":"valid","coverage":"whole"'
openssl cms -verify -in decrypted.eml -CAfile "$P/smime-ca.pem" -out /dev/null 2> /dev/null ||
	fail "openssl rejects the signature kept by cachet decrypt"

# --- openssl-made messages -> cachet verify / decrypt
"$BASH" "$top_srcdir/tests/fixtures/gen-smime.sh" "$P" fx
for f in ossl-detached-rsa ossl-opaque-sha512 ossl-detached-ecdsa ossl-sign-encrypt; do
	rc=0
	out=$("$CACHET" --gnupg-home "$bob" verify --json fx/$f.eml) || rc=$?
	assert_eq 0 "$rc" "exit status of verify $f"
	assert_contains "$out" '"signature":"valid","coverage":"whole"' "$f"
done
# Signed without certificates (openssl -nocerts; RFC 5652 allows it): the
# signer is found among the certificate store's trusted bindings, and
# with an empty store the verdict says where cachet looked.
{ printf 'From: Alice Example <alice@localhost>\nTo: bob@localhost\nSubject: no certs\n'
  printf 'Content-Type: text/plain\n\nsigned without certificates\n' |
	openssl cms -sign -nocerts -signer "$P/alice.pem" -inkey "$P/alice.key"; } > nocerts.eml
out=$("$CACHET" --gnupg-home "$bob" verify --json nocerts.eml) || fail "no certificates in the message: $out"
assert_contains "$out" '"signature":"valid","coverage":"whole","signer":"alice@localhost"' "nocerts"
rc=0
out=$(XDG_DATA_HOME=$H/empty-data "$CACHET" --gnupg-home "$bob" verify --json nocerts.eml) || rc=$?
assert_eq 1 "$rc" "exit status of nocerts with an empty store"
assert_contains "$out" '"signature":"invalid"' "nocerts with an empty store"
assert_contains "$out" "neither in the message nor in the certificate store" "nocerts with an empty store"
for f in ossl-enc-aes128 ossl-enc-aes256-multi; do
	"$CACHET" --gnupg-home "$bob" decrypt fx/$f.eml > d.eml || fail "cachet cannot decrypt $f"
	assert_file_contains d.eml 'The quarterly report is attached in spirit.' "$f decrypted"
	assert_file_contains d.eml 'Subject: cachet fixture' "$f decrypted"
done
echo "PASS"
