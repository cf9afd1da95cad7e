#!/bin/bash
# The DER cachet writes for its signed attributes (sMIMECapabilities,
# signingCertificateV2, SMIMEEncryptionKeyPreference), byte for byte
# against openssl's own encoder (asn1parse -genconf) given the same ASN.1
# values, for short and long lengths and a serial number with its top bit
# set.
set -euo pipefail
. "$top_srcdir/tests/lib/harness.sh"
harness_init
ATTRS=$top_builddir/tests/integration/crypto_cms_attrs
cd "$H"

expect() {	# NAME GENCONF: the DER openssl makes of the config on stdin
	cat > "$1.conf"
	openssl asn1parse -genconf "$1.conf" -out "$1.want" -noout
}
same() {	# NAME: cachet's $1.got against openssl's $1.want
	cmp -s "$1.got" "$1.want" ||
		fail "$1: cachet wrote $(xxd -p "$1.got" | tr -d '\n'), openssl $(xxd -p "$1.want" | tr -d '\n')"
}

# sMIMECapabilities: AES-256-GCM, AES-128-GCM, AES-256-CBC, AES-192-CBC,
# AES-128-CBC, RSAES-OAEP, none with parameters.
expect caps <<'EOF'
asn1=SEQUENCE:caps
[caps]
c1=SEQUENCE:aes256gcm
c2=SEQUENCE:aes128gcm
c3=SEQUENCE:aes256cbc
c4=SEQUENCE:aes192cbc
c5=SEQUENCE:aes128cbc
c6=SEQUENCE:oaep
[aes256gcm]
o=OID:2.16.840.1.101.3.4.1.46
[aes128gcm]
o=OID:2.16.840.1.101.3.4.1.6
[aes256cbc]
o=OID:2.16.840.1.101.3.4.1.42
[aes192cbc]
o=OID:2.16.840.1.101.3.4.1.22
[aes128cbc]
o=OID:2.16.840.1.101.3.4.1.2
[oaep]
o=OID:1.2.840.113549.1.1.7
EOF
"$ATTRS" capabilities > caps.got
same caps

# signingCertificateV2 over a real certificate's SHA-256.
hash=$(openssl x509 -in "$HARNESS_PKI/alice.pem" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
expect scv2 <<EOF
asn1=SEQUENCE:scv2
[scv2]
certs=SEQUENCE:certs
[certs]
id=SEQUENCE:essid
[essid]
hash=FORMAT:HEX,OCTETSTRING:$hash
EOF
"$ATTRS" signing-certificate-v2 "$hash" > scv2.got
same scv2

# The encryption key preference: [0] IMPLICIT issuerAndSerialNumber, with a
# short issuer, then one long enough for a two-byte length, and a serial
# whose top bit is set (its leading zero kept).
for cn in 'Cachet Test CA' "$(printf 'Long issuer name %.0s' $(seq 1 12))"; do
	for serial in 01 00C3A1F0E2D4B6987A; do
		cat > name.sections <<EOF
[name]
rdn1=SET:rdn1
rdn2=SET:rdn2
[rdn1]
atv=SEQUENCE:o
[o]
oid=OID:organizationName
val=UTF8String:Cachet
[rdn2]
atv=SEQUENCE:cn
[cn]
oid=OID:commonName
val=UTF8String:$cn
EOF
		{ echo 'asn1=SEQUENCE:name'; cat name.sections; } | expect name
		{ printf 'asn1=IMPLICIT:0,SEQUENCE:ias\n[ias]\nissuer=SEQUENCE:name\nserial=INTEGER:0x%s\n' \
			"${serial#00}"; cat name.sections; } | expect pref
		"$ATTRS" encryption-key-preference name.want "$serial" > pref.got
		same pref
	done
done
[ "$(wc -c < pref.want)" -gt 130 ] || fail "the long issuer case is not long"
echo PASS
