# tests/lib/pki.sh: test PKI for cachet's tests, built with openssl and gpgsm.
#
# Source this file (bash); it is safe under `set -euo pipefail`.
#
#   pki_make DIR
#       Creates in DIR (idempotent: an existing, complete DIR is left alone):
#         smime-ca.pem smime-ca.key   S/MIME CA, CN "Cachet Test S/MIME CA"
#         USER.key USER.pem           for alice, bob, carol, dave: RSA-2048, signed by
#                                     the S/MIME CA, CN "Alice Example" etc. and
#                                     emailAddress/subjectAltName USER@localhost,
#                                     digitalSignature+keyEncipherment,
#                                     emailProtection; USER.key is unencrypted
#         USER.p12                    PKCS#12 (legacy algorithms, which gpgsm 2.2
#                                     can read), passphrase "USER-p12"
#         tls-ca.pem tls-ca.key       TLS CA, CN "Cachet Test TLS CA"
#         server.pem server.key       serverAuth for DNS:localhost, IP:127.0.0.1
#                                     and IP:127.0.0.2
#       Every certificate is valid from yesterday for two years.
#
#   pki_gnupg_home DIR PKIDIR USER
#       Makes DIR (mode 700) a gpgsm home holding USER's key and certificate
#       from PKIDIR, the S/MIME CA as a trusted root (trustlist.txt), CRL checks
#       and dirmngr off. The secret key sits in gpg-agent without a passphrase,
#       so signing and decrypting need no pinentry and no terminal.
#
#   pki_gnupg_stop DIR
#       Stops the gpg-agent (and any other GnuPG daemon) serving home DIR.
#
#   pki_fingerprint FILE
#       Prints the SHA-1 fingerprint of certificate FILE as gpgsm writes it
#       (upper-case hex with colons).
#
# The users of the harness: alice, bob, carol, dave, mail domain "localhost".

PKI_USERS="alice bob carol dave"

# Capitalised first letter: alice -> Alice.
pki__display_name() {
	local u=$1
	printf '%s%s Example' "$(printf '%s' "${u:0:1}" | tr '[:lower:]' '[:upper:]')" "${u:1}"
}

# openssl ca configuration for one signing CA, written into the work dir.
pki__ca_conf() {
	local work=$1 cakey=$2 cacert=$3
	cat > "$work/ca.cnf" <<CNF
[ ca ]
default_ca = testca

[ testca ]
dir = $work
database = $work/index.txt
new_certs_dir = $work/newcerts
serial = $work/serial
certificate = $cacert
private_key = $cakey
default_md = sha256
policy = policy_any
unique_subject = no
preserve = yes
email_in_dn = yes
copy_extensions = none

[ policy_any ]
commonName = supplied
emailAddress = optional
organizationName = optional

[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ server_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:127.0.0.2
CNF
	: > "$work/index.txt"
	mkdir -p "$work/newcerts"
}

# pki__sign WORK CSR OUT EXTENSIONS [-selfsign]: issue a certificate valid
# from yesterday for two years.
pki__sign() {
	local work=$1 csr=$2 out=$3 ext=$4
	shift 4
	local start end
	start=$(date -u -d 'yesterday' +%Y%m%d%H%M%SZ)
	end=$(date -u -d 'yesterday + 2 years' +%Y%m%d%H%M%SZ)
	openssl ca -batch -notext -rand_serial -config "$work/ca.cnf" \
		-startdate "$start" -enddate "$end" -extensions "$ext" \
		-in "$csr" -out "$out" "$@" 2> "$work/ca.err" || {
		cat "$work/ca.err" >&2
		return 1
	}
}

# pki__make_ca WORK DIR NAME CN: self-signed CA NAME.{key,pem} in DIR.
pki__make_ca() {
	local work=$1 dir=$2 name=$3 cn=$4
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		-out "$dir/$name.key" 2> /dev/null
	openssl req -new -key "$dir/$name.key" -subj "/CN=${cn//\//\\/}" -out "$work/$name.csr"
	mkdir -p "$work/$name"
	pki__ca_conf "$work/$name" "$dir/$name.key" "$dir/$name.pem.tmp"
	pki__sign "$work/$name" "$work/$name.csr" "$dir/$name.pem.tmp" ca_ext -selfsign
}

# True when DIR already holds every file pki_make makes.
pki__complete() {
	local dir=$1 u f
	for f in smime-ca.pem smime-ca.key tls-ca.pem tls-ca.key server.pem server.key; do
		[ -s "$dir/$f" ] || return 1
	done
	for u in $PKI_USERS; do
		for f in "$u.key" "$u.pem" "$u.p12"; do
			[ -s "$dir/$f" ] || return 1
		done
	done
}

pki_make() {
	local dir=${1:?pki_make DIR}
	pki__complete "$dir" && return 0
	mkdir -p "$dir"
	# Concurrent test scripts may share one cache dir: one builds, the
	# others wait for it and then find the PKI complete.
	# The PKI is built in a scratch dir and moved into place at the end, so
	# an interrupted run never leaves a half-made PKI behind.
	(
		set -eo pipefail
		flock 9
		pki__complete "$dir" && exit 0
		work=$(mktemp -d "$dir/.pki-work.XXXXXX")
		trap 'rm -rf "$work"' EXIT
		pki__build "$dir" "$work"
	) 9> "$dir/.lock"
}

pki__build() {
	local dir=$1 work=$2 u f
	local out=$work/out
	mkdir -p "$out"

	pki__make_ca "$work" "$out" smime-ca "Cachet Test S/MIME CA"
	pki__make_ca "$work" "$out" tls-ca "Cachet Test TLS CA"
	mv "$out/smime-ca.pem.tmp" "$out/smime-ca.pem"
	mv "$out/tls-ca.pem.tmp" "$out/tls-ca.pem"
	# The CA config named the certificate by its temporary name.
	sed -i "s|\.pem\.tmp\$|.pem|" "$work/smime-ca/ca.cnf" "$work/tls-ca/ca.cnf"

	for u in $PKI_USERS; do
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
			-out "$out/$u.key" 2> /dev/null
		openssl req -new -key "$out/$u.key" \
			-subj "/CN=$(pki__display_name "$u")/emailAddress=$u@localhost" \
			-out "$work/$u.csr"
		cat >> "$work/smime-ca/ca.cnf" <<CNF

[ smime_ext_$u ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
subjectAltName = email:$u@localhost
CNF
		pki__sign "$work/smime-ca" "$work/$u.csr" "$out/$u.pem" "smime_ext_$u"
		local try
		for try in 1 2 3 4 5 6; do
			[ "$try" -lt 6 ] || {
				tail -n 30 "$work/gpgsm-try.log" >&2
				echo "pki_make: gpgsm cannot import $u.p12" >&2
				return 1
			}
			openssl pkcs12 -export -legacy -inkey "$out/$u.key" -in "$out/$u.pem" \
				-certfile "$out/smime-ca.pem" -name "$(pki__display_name "$u")" \
				-passout "pass:$u-p12" -out "$out/$u.p12"
			pki__gpgsm_imports "$work" "$out/$u.p12" "$u-p12" && break
		done
	done

	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		-out "$out/server.key" 2> /dev/null
	openssl req -new -key "$out/server.key" -subj "/CN=localhost" -out "$work/server.csr"
	pki__sign "$work/tls-ca" "$work/server.csr" "$out/server.pem" server_ext

	chmod 644 "$out"/*.pem
	chmod 600 "$out"/*.key "$out"/*.p12
	# server.key stays 600: dovecot and postfix read it as root before
	# dropping privileges.
	for f in "$out"/*; do
		mv -f "$f" "$dir/"
	done
}

# gpgsm 2.2 fails to decrypt about one PKCS#12 file in 30 ("decryption
# failed; trying charset ..."), depending on the random salt: every PKCS#12
# made here is tried once and made again if gpgsm rejects it.
#
# pki__gpgsm_import HOME P12 PASSPHRASE: import P12 into HOME; true when its
# secret key arrived.
pki__gpgsm_import() {
	local home=$1 p12=$2 pass=$3 before after
	before=$(find "$home/private-keys-v1.d" -name '*.key' 2> /dev/null | wc -l)
	printf '%s\n' "$pass" | gpgsm --homedir "$home" --batch --pinentry-mode loopback \
		--passphrase-fd 0 --import "$p12" >> "$home/import.log" 2>&1 || return 1
	after=$(find "$home/private-keys-v1.d" -name '*.key' 2> /dev/null | wc -l)
	[ "$after" -gt "$before" ]
}

# pki__gpgsm_imports WORK P12 PASSPHRASE: true when gpgsm can import P12;
# gpgsm's log is appended to WORK/gpgsm-try.log.
pki__gpgsm_imports() {
	local home rc=0
	# A short path: the agent's socket lives in the home (108 bytes at most).
	home=$(mktemp -d "${TMPDIR:-/tmp}/cachet-p12.XXXXXX")
	printf 'disable-crl-checks\ndisable-dirmngr\n' > "$home/gpgsm.conf"
	printf 'allow-loopback-pinentry\ns2k-count 65536\n' > "$home/gpg-agent.conf"
	pki__gpgsm_import "$home" "$2" "$3" || rc=1
	cat "$home/import.log" >> "$1/gpgsm-try.log" 2> /dev/null || true
	gpgconf --homedir "$home" --kill all > /dev/null 2>&1 || true
	rm -rf "$home"
	return "$rc"
}

pki_fingerprint() {
	openssl x509 -in "${1:?pki_fingerprint FILE}" -noout -fingerprint -sha1 |
		sed 's/^.*=//'
}

pki_gnupg_home() {
	local home=${1:?pki_gnupg_home DIR PKIDIR USER} pki=${2:?PKIDIR} user=${3:?USER}
	# gpg-agent puts its sockets in the home: a Unix socket path has at
	# most 107 bytes, and a longer one fails in ways that name no path.
	if [ ${#home} -gt 80 ]; then
		echo "pki_gnupg_home: '$home' is too long for gpg-agent's sockets (keep it under 80 bytes)" >&2
		return 1
	fi
	mkdir -p "$home"
	chmod 700 "$home"
	printf 'disable-crl-checks\ndisable-dirmngr\n' > "$home/gpgsm.conf"
	# A fixed s2k count: otherwise the agent calibrates it (about 2 s) the
	# first time it protects a key with a passphrase.
	printf 'allow-loopback-pinentry\nallow-preset-passphrase\ns2k-count 65536\n' \
		> "$home/gpg-agent.conf"
	printf '%s S\n' "$(pki_fingerprint "$pki/smime-ca.pem")" > "$home/trustlist.txt"

	# gpgsm 2.2 keeps an imported PKCS#12 key in gpg-agent protected by the
	# PKCS#12 passphrase, so every signature would ask for it. Re-wrap
	# USER.p12 with an empty passphrase first: the agent then stores the key
	# unprotected and signing/decrypting need no pinentry at all.
	local log=$home/import.log p12 pem try
	p12=$(mktemp "$home/import.XXXXXX")
	pem=$(mktemp "$home/import.XXXXXX")
	if ! openssl pkcs12 -legacy -in "$pki/$user.p12" -passin "pass:$user-p12" \
		-nodes -out "$pem" 2> "$log"; then
		rm -f "$p12" "$pem"
		cat "$log" >&2
		return 1
	fi
	# The CA first, so the user's chain is complete when it arrives.
	if ! gpgsm --homedir "$home" --batch --import "$pki/smime-ca.pem" >> "$log" 2>&1; then
		rm -f "$p12" "$pem"
		cat "$log" >&2
		return 1
	fi
	for try in 1 2 3 4 5 6; do
		if [ "$try" = 6 ]; then
			rm -f "$p12" "$pem"
			cat "$log" >&2
			return 1
		fi
		openssl pkcs12 -export -legacy -in "$pem" -passout pass: -out "$p12" 2>> "$log" &&
			pki__gpgsm_import "$home" "$p12" "" && break
	done
	rm -f "$p12" "$pem"
	# Refuse a home in which the key would still need a passphrase.
	local kg found=0
	for kg in "$home"/private-keys-v1.d/*.key; do
		[ -f "$kg" ] || continue
		found=1
		if grep -q 'protected-private-key' "$kg"; then
			echo "pki_gnupg_home: $user's key is passphrase-protected in $home" >&2
			return 1
		fi
	done
	if [ "$found" = 0 ]; then
		cat "$log" >&2
		echo "pki_gnupg_home: no secret key for $user in $home" >&2
		return 1
	fi
}

# pki_empty_gnupg_home DIR PINENTRY_MARKER: a gnupg home with no key, the
# test CA trusted, CRL checks off, and a pinentry that only touches
# PINENTRY_MARKER and fails (cachet must never start one).
pki_empty_gnupg_home() {
	local home=${1:?pki_empty_gnupg_home DIR MARKER} marker=${2:?marker}
	mkdir -p "$home"
	chmod 700 "$home"
	printf '#!/bin/sh\ntouch "%s"\nexit 1\n' "$marker" > "$home/pinentry"
	chmod 755 "$home/pinentry"
	printf 'disable-crl-checks\ndisable-dirmngr\n' > "$home/gpgsm.conf"
	printf 'allow-preset-passphrase\npinentry-program %s\n' "$home/pinentry" \
		> "$home/gpg-agent.conf"
	printf '%s S\n' "$(pki_fingerprint "$HARNESS_PKI/smime-ca.pem")" > "$home/trustlist.txt"
}

# pki_ec_cert DIR USER CURVE: DIR/USER.key, an EC key on CURVE, and
# DIR/USER.pem, its certificate for USER@localhost from the test CA
# (digitalSignature and keyAgreement, emailProtection).
pki_ec_cert() {
	local dir=${1:?pki_ec_cert DIR USER CURVE} u=${2:?user} curve=${3:?curve}
	openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$curve" -out "$dir/$u.key"
	openssl req -new -key "$dir/$u.key" -subj "/CN=$u/emailAddress=$u@localhost" \
		-out "$dir/$u.csr"
	printf '%s\n' 'basicConstraints = critical, CA:FALSE' \
		'keyUsage = critical, digitalSignature, keyAgreement' \
		'extendedKeyUsage = emailProtection' "subjectAltName = email:$u@localhost" \
		> "$dir/$u.ext"
	openssl x509 -req -in "$dir/$u.csr" -CA "$HARNESS_PKI/smime-ca.pem" \
		-CAkey "$HARNESS_PKI/smime-ca.key" -set_serial "0x$(openssl rand -hex 8)" \
		-days 30 -sha256 -extfile "$dir/$u.ext" -out "$dir/$u.pem" 2> /dev/null
}

pki_gnupg_stop() {
	local home=${1:?pki_gnupg_stop DIR}
	[ -d "$home" ] || return 0
	gpgconf --homedir "$home" --kill all > /dev/null 2>&1 || true
}
