#!/bin/bash
# cachet signs in its own process: GnuTLS builds the SignedData and only
# the signature of its hash goes to gpg-agent (PKSIGN), for RSA and ECDSA
# identities imported with `cachet identity import`.  openssl cms checks
# every signature and shows the signed attributes (contentType,
# messageDigest, signingTime, sMIMECapabilities, signingCertificateV2 over
# the signer's certificate, the encryption key preference naming it); a
# locked key signs with --passphrase-fd, and without it or a terminal the
# batch fails naming the key.  Encryption is cachet's too (AES-256-CBC,
# RSA key transport or ECDH key agreement, one recipient info per
# certificate): openssl decrypts it for each recipient.  gpgsm (started only to list
# the keybox) is never asked to sign or encrypt, and no pinentry starts.
set -euo pipefail
. "$top_srcdir/tests/lib/harness.sh"
harness_init
harness_need python3
P=$HARNESS_PKI
F=$H/fixtures
mkdir -p "$F"

home=$H/gnupg-sign
pki_empty_gnupg_home "$home" "$H/pinentry-started"
trap 'pki_gnupg_stop "$home"; harness_cleanup' EXIT

# gpgsm as GPGME starts it, logging every Assuan command it receives.
cat > "$H/gpgsm-log" <<EOF
#!/bin/sh
echo "\$*" >> "$H/gpgsm-starts"
exec "$(command -v gpgsm)" --debug ipc --log-file "$H/gpgsm.log" "\$@"
EOF
chmod 755 "$H/gpgsm-log"
export CACHET_GPGSM=$H/gpgsm-log

# dave (P-256) and erin (P-384): EC identities from the test CA.
pki_ec_cert "$F" dave P-256
pki_ec_cert "$F" erin P-384
for u in alice dave erin; do
	case $u in alice) key=$P/alice.key cert=$P/alice.pem ;; *) key=$F/$u.key cert=$F/$u.pem ;; esac
	openssl pkcs12 -export -inkey "$key" -in "$cert" -certfile "$P/smime-ca.pem" \
		-passout "pass:$u pw" -out "$F/$u.p12"
	"$CACHET" --gnupg-home "$home" --passphrase-fd 3 identity import "$F/$u.p12" \
		3<<< "$u pw" < /dev/null > /dev/null || fail "import of $u.p12"
done
# Nothing cached: the passphrases must come from cachet.
gpg-connect-agent --homedir "$home" RELOADAGENT /bye > /dev/null

printf 'From: alice@localhost\nTo: bob@localhost\nSubject: in process\n\nsigned by cachet itself\n' > "$H/m.eml"
for i in 1 2 3; do
	sed "s/^Subject: .*/Subject: batch $i/" "$H/m.eml" > "$H/batch-$i.eml"
done
sed 's/^From: .*/From: dave@localhost/' "$H/m.eml" > "$H/m-dave.eml"

# --- a locked key, neither --passphrase-fd nor a terminal: exit 4, the key named
rc=0
timeout 30 setsid -w "$CACHET" --gnupg-home "$home" sign "$H/m.eml" > "$H/out.eml" \
	2> "$H/err.txt" < /dev/null || rc=$?
[ "$rc" = 124 ] && fail "cachet sign waited for a passphrase"
assert_eq 4 "$rc" "exit status of sign with a locked key and nobody to ask"
assert_contains "$(cat "$H/err.txt")" "m.eml: signing: the secret key of alice@localhost (certificate "
assert_contains "$(cat "$H/err.txt")" "--passphrase-fd"
[ -s "$H/out.eml" ] && fail "sign wrote output with a locked key"

# --- the passphrase on --passphrase-fd: asked once for the whole batch
mkdir "$H/signed"
"$CACHET" --gnupg-home "$home" --passphrase-fd 3 sign --output-dir "$H/signed" \
	"$H/batch-1.eml" "$H/batch-2.eml" "$H/batch-3.eml" 3<<< 'alice pw' < /dev/null ||
	fail "batch sign with --passphrase-fd"
for i in 1 2 3; do
	openssl cms -verify -in "$H/signed/batch-$i.eml" -CAfile "$P/smime-ca.pem" \
		-out "$H/v.txt" 2> /dev/null || fail "openssl does not verify cachet's RSA signature $i"
	assert_file_contains "$H/v.txt" "signed by cachet itself"
	assert_file_contains "$H/signed/batch-$i.eml" "Subject: batch $i"
	assert_file_contains "$H/signed/batch-$i.eml" "micalg=sha-256"
done
# A wrong passphrase, then the right one, on the descriptor's next lines.
gpg-connect-agent --homedir "$home" RELOADAGENT /bye > /dev/null
"$CACHET" --gnupg-home "$home" --passphrase-fd 3 sign "$H/m.eml" > "$H/s.eml" \
	3< <(printf 'wrong\nalice pw\n') < /dev/null || fail "sign after a wrong passphrase"
openssl cms -verify -in "$H/s.eml" -CAfile "$P/smime-ca.pem" -out /dev/null 2> /dev/null ||
	fail "openssl does not verify the signature made after a wrong passphrase"

# --- the signed attributes, as openssl reads them
openssl cms -cmsout -print -noout -in "$H/s.eml" > "$H/print.txt"
for a in contentType messageDigest signingTime 'S/MIME Capabilities' \
	id-smime-aa-signingCertificateV2 id-smime-aa-encrypKeyPref; do
	assert_file_contains "$H/print.txt" "object: $a"
done
openssl smime -pk7out -in "$H/s.eml" | openssl asn1parse > "$H/asn1.txt"
for oid in aes-256-gcm aes-128-gcm aes-256-cbc aes-192-cbc aes-128-cbc rsaesOaep; do
	assert_file_contains "$H/asn1.txt" ":$oid"
done
# signingCertificateV2 carries the SHA-256 of alice's certificate.
hash=$(openssl x509 -in "$P/alice.pem" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
grep -qi "\[HEX DUMP\]:$hash" "$H/asn1.txt" ||
	fail "signingCertificateV2 does not hold the signer certificate's SHA-256"
# The encryption key preference names alice's certificate by issuer and serial.
python3 - "$H/s.eml" "$P/alice.pem" <<'EOF' || fail "the encryption key preference does not name alice's certificate"
import subprocess, sys
pem = subprocess.run(["openssl", "smime", "-pk7out", "-in", sys.argv[1]],
                     check=True, capture_output=True).stdout
p7 = subprocess.run(["openssl", "pkcs7", "-outform", "DER"], input=pem,
                    check=True, capture_output=True).stdout
cert = subprocess.run(["openssl", "x509", "-in", sys.argv[2], "-outform", "DER"],
                      check=True, capture_output=True).stdout
def tlv(b, i):
    tag, n = b[i], b[i + 1]
    j = i + 2
    if n & 0x80:
        k = n & 0x7f
        n = int.from_bytes(b[j:j + k], "big")
        j += k
    return tag, j, j + n
def kids(b, i):
    _, s, e = tlv(b, i)
    out = []
    while s < e:
        out.append(s)
        s = tlv(b, s)[2]
    return out
tbs = kids(cert, 0)[0]
f = kids(cert, tbs)
if cert[f[0]] == 0xa0:
    f = f[1:]
serial = cert[f[0]:tlv(cert, f[0])[2]]
issuer = cert[f[2]:tlv(cert, f[2])[2]]
want = issuer + serial
oid = bytes.fromhex("060b2a864886f70d010910020b")
i = p7.index(oid) + len(oid)
_, s, _ = tlv(p7, i)            # the attribute's SET
tag, vs, ve = tlv(p7, s)        # [0] IMPLICIT IssuerAndSerialNumber
assert tag == 0xa0, hex(tag)
assert p7[vs:ve] == want, (p7[vs:ve].hex(), want.hex())
EOF

# --- ECDSA: dave's P-256 key
"$CACHET" --gnupg-home "$home" --passphrase-fd 3 sign "$H/m-dave.eml" > "$H/s-dave.eml" \
	3<<< 'dave pw' < /dev/null || fail "sign as dave (EC P-256)"
openssl cms -verify -in "$H/s-dave.eml" -CAfile "$P/smime-ca.pem" -out /dev/null 2> /dev/null ||
	fail "openssl does not verify cachet's ECDSA signature"
openssl cms -cmsout -print -noout -in "$H/s-dave.eml" > "$H/print-dave.txt"
assert_file_contains "$H/print-dave.txt" "algorithm: ecdsa-with-SHA256"
assert_file_contains "$H/print-dave.txt" "object: id-smime-aa-signingCertificateV2"
# erin's P-384 key signs over SHA-384 (gpg-agent wants a hash as long as
# the curve's order), and micalg says so.
sed 's/^From: .*/From: erin@localhost/' "$H/m.eml" > "$H/m-erin.eml"
"$CACHET" --gnupg-home "$home" --passphrase-fd 3 sign "$H/m-erin.eml" > "$H/s-erin.eml" \
	3<<< 'erin pw' < /dev/null || fail "sign as erin (EC P-384)"
assert_file_contains "$H/s-erin.eml" "micalg=sha-384"
openssl cms -verify -in "$H/s-erin.eml" -CAfile "$P/smime-ca.pem" -out /dev/null 2> /dev/null ||
	fail "openssl does not verify cachet's P-384 signature"
openssl cms -cmsout -print -noout -in "$H/s-erin.eml" | grep -q "algorithm: ecdsa-with-SHA384" ||
	fail "erin's signature is not ECDSA over SHA-384"
# cachet verifies its own signatures too.
out=$("$CACHET" --gnupg-home "$home" verify --json "$H/s-dave.eml" "$H/s.eml")
[ "$(grep -c '"signature":"valid"' <<< "$out")" = 2 ] || fail "cachet verify: $out"

# --- encrypt (and encrypt --sign) to bob and carol, and alice as the sender
for u in bob carol; do
	"$CACHET" --gnupg-home "$home" --data-dir "$H/data" certs import "$P/$u.pem" > /dev/null ||
		fail "certs import $u.pem"
done
printf 'From: alice@localhost\nTo: bob@localhost\nCc: carol@localhost\nSubject: sealed\n\nfor three\n' > "$H/e.eml"
"$CACHET" --gnupg-home "$home" --data-dir "$H/data" encrypt "$H/e.eml" > "$H/enc.eml" < /dev/null ||
	fail "encrypt to three recipients"
"$CACHET" --gnupg-home "$home" --data-dir "$H/data" --passphrase-fd 3 encrypt --sign "$H/e.eml" > "$H/encsig.eml" \
	3<<< 'alice pw' < /dev/null || fail "encrypt --sign"
openssl cms -cmsout -print -in "$H/enc.eml" > "$H/enc.print"
assert_file_contains "$H/enc.print" 'aes-256-cbc (2.16.840.1.101.3.4.1.42)'
# bob and carol announced nothing: PKCS#1 v1.5; alice, the sender, is
# cachet, which announces RSAES-OAEP.
assert_eq 2 "$(grep -c 'algorithm: rsaEncryption' "$H/enc.print")" "RSA PKCS#1 v1.5 recipient infos"
assert_eq 1 "$(grep -c 'algorithm: rsaesOaep' "$H/enc.print")" "RSAES-OAEP recipient infos"
for u in alice bob carol; do
	openssl cms -decrypt -in "$H/enc.eml" -recip "$P/$u.pem" -inkey "$P/$u.key" \
		-out "$H/dec-$u.txt" 2> "$H/ossl.err" || fail "openssl cannot decrypt for $u: $(cat "$H/ossl.err")"
	assert_file_contains "$H/dec-$u.txt" 'for three'
done
openssl cms -decrypt -in "$H/encsig.eml" -recip "$P/carol.pem" -inkey "$P/carol.key" \
	-out "$H/inner.eml" || fail "openssl cannot decrypt encrypt --sign's output"
openssl cms -verify -in "$H/inner.eml" -CAfile "$P/smime-ca.pem" -out /dev/null 2> /dev/null ||
	fail "openssl does not verify the signature inside encrypt --sign's output"
# EC recipients get ECDH key agreement (RFC 5753, SHA-256 KDF, AES-256
# key wrap): dave's P-256 identity and erin's P-384 certificate.
"$CACHET" --gnupg-home "$home" --data-dir "$H/data" certs import "$F/erin.pem" > /dev/null ||
	fail "certs import erin.pem"
"$CACHET" --gnupg-home "$home" --data-dir "$H/data" encrypt --to dave@localhost \
	--to erin@localhost "$H/e.eml" > "$H/enc-ec.eml" < /dev/null || fail "encrypt to EC recipients"
openssl cms -cmsout -print -in "$H/enc-ec.eml" > "$H/enc-ec.print"
assert_file_contains "$H/enc-ec.print" 'dhSinglePass-stdDH-sha256kdf-scheme'
assert_file_contains "$H/enc-ec.print" 'id-aes256-wrap'
for u in dave erin; do
	openssl cms -decrypt -in "$H/enc-ec.eml" -recip "$F/$u.pem" -inkey "$F/$u.key" \
		-out "$H/dec-$u.txt" 2> "$H/ossl.err" || fail "openssl cannot decrypt for $u: $(cat "$H/ossl.err")"
	assert_file_contains "$H/dec-$u.txt" 'for three'
done
openssl cms -decrypt -in "$H/enc-ec.eml" -recip "$P/alice.pem" -inkey "$P/alice.key" \
	-out "$H/dec-alice-ec.txt" || fail "openssl cannot decrypt for alice beside EC recipients"
# The control: a wrong key does not decrypt erin's part.
openssl cms -decrypt -in "$H/enc-ec.eml" -recip "$F/erin.pem" -inkey "$F/dave.key" \
	-out /dev/null 2> /dev/null && fail "dave's key decrypted erin's recipient info"

# --- gpgsm listed the keybox, and was never asked to sign; no pinentry
[ -s "$H/gpgsm-starts" ] || fail "the logging gpgsm wrapper was not used"
grep -q ' <- LIST' "$H/gpgsm.log" || fail "gpgsm's log shows no keybox listing"
if grep -E ' <- (SIGN|ENCRYPT)' "$H/gpgsm.log"; then
	fail "gpgsm was asked to sign or encrypt"
fi
[ -e "$H/pinentry-started" ] && fail "a pinentry was started"
echo PASS
