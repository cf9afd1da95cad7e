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
	local home=$1
	mkdir -p "$home"
	chmod 700 "$home"
	cat > "$H/pinentry" <<EOP
#!/bin/sh
touch "$H/pinentry-started"
exit 1
EOP
	chmod 755 "$H/pinentry"
	printf 'disable-crl-checks\ndisable-dirmngr\n' > "$home/gpgsm.conf"
	printf 'allow-preset-passphrase\npinentry-program %s\n' "$H/pinentry" > "$home/gpg-agent.conf"
	printf '%s S\n' "$(pki_fingerprint "$HARNESS_PKI/smime-ca.pem")" > "$home/trustlist.txt"
}

identity_p12() {
	openssl pkcs12 -export -inkey "$1" -in "$2" -certfile "$HARNESS_PKI/smime-ca.pem" \
		-passout "pass:$3" -out "$4"
}

identity_ec() {
	local dir=$1 u=$2 curve=$3 P=$HARNESS_PKI
	openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$curve" -out "$dir/$u.key"
	openssl req -new -key "$dir/$u.key" -subj "/CN=$u/emailAddress=$u@localhost" \
		-out "$dir/$u.csr"
	printf '%s\n' 'basicConstraints = critical, CA:FALSE' \
		'keyUsage = critical, digitalSignature, keyAgreement' \
		'extendedKeyUsage = emailProtection' "subjectAltName = email:$u@localhost" \
		> "$dir/$u.ext"
	openssl x509 -req -in "$dir/$u.csr" -CA "$P/smime-ca.pem" -CAkey "$P/smime-ca.key" \
		-set_serial "0x$(openssl rand -hex 8)" -days 30 -sha256 -extfile "$dir/$u.ext" \
		-out "$dir/$u.pem" 2> /dev/null
	identity_p12 "$dir/$u.key" "$dir/$u.pem" "$u pw" "$dir/$u.p12"
}
