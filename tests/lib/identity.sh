# identity.sh — fixtures for tests of cachet's own identities (sourced after
# harness.sh, $H and $HARNESS_PKI set):
#   identity_home DIR        a gnupg home whose gpg-agent never draws a
#                            pinentry: its pinentry program only records that
#                            it was started ($H/pinentry-started) and fails
#   identity_p12 KEY CERT PASSWORD OUT
#                            a PKCS#12 file as OpenSSL 3 writes it by default
#                            (AES-256-CBC, PBKDF2), with the test CA
#   identity_ec DIR USER CURVE
#                            an EC key on CURVE and its certificate from the
#                            test CA (digitalSignature, keyAgreement), in
#                            DIR/USER.key, .pem and .p12 (password "USER pw")

identity_home() {
	pki_empty_gnupg_home "$1" "$H/pinentry-started"
}

identity_p12() {
	openssl pkcs12 -export -inkey "$1" -in "$2" -certfile "$HARNESS_PKI/smime-ca.pem" \
		-passout "pass:$3" -out "$4"
}

identity_ec() {
	pki_ec_cert "$1" "$2" "$3"
	identity_p12 "$1/$2.key" "$1/$2.pem" "$2 pw" "$1/$2.p12"
}
