#!/bin/bash
# OCSP, asked of dirmngr as gpgsm asks it when gpgsm.conf says enable-ocsp.
# A real responder on loopback (openssl ocsp over the trusted CA's index),
# signers whose authorityInfoAccess names it (olga good, otto revoked in
# the index, oscar good and naming his issuer by name and serial number
# only, which dirmngr then inquires as "#SERIAL/ISSUER"), dirmngr with
# allow-ocsp:
#   - without enable-ocsp the responder is never asked (CRLs only, as
#     before: no CRL here, so the warning revocation-unknown);
#   - enable-ocsp: olga is valid, otto revoked (exit 1), and the detail
#     says OCSP; with disable-crl-checks as well, OCSP alone, the same;
#   - a responder whose answer is signed by a certificate the CA did not
#     make an OCSP signer (alice's) proves nothing: revocation-unknown;
#   - a delegated responder (the CA's certificate with OCSPSigning) is
#     believed: otto is revoked; one from a look-alike CA (same subject,
#     its own key) is not, whether it says revoked or good;
#   - the responder stopped: revocation-unknown, the detail says OCSP,
#     never a silent valid.
set -euo pipefail
. "$top_srcdir/tests/lib/harness.sh"
. "$top_srcdir/tests/lib/peers.sh"
harness_init
trap peers_stop EXIT
harness_need openssl python3
bob=$(harness_gnupg bob)
cd "$H"
pki=$HARNESS_PKI
export XDG_DATA_HOME=$H/xdg-data

port=$(harness_free_port)
mkdir -p ocsp/new
: > ocsp/index.txt
cat > ocsp/ca.cnf <<CNF
[ ca ]
default_ca = x
[ x ]
database = $H/ocsp/index.txt
new_certs_dir = $H/ocsp/new
serial = $H/ocsp/serial
certificate = $pki/smime-ca.pem
private_key = $pki/smime-ca.key
default_md = sha256
default_days = 30
policy = any
unique_subject = no
email_in_dn = yes
copy_extensions = none
[ any ]
commonName = supplied
emailAddress = optional
[ signer_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = \${ENV::SAN}
authorityInfoAccess = OCSP;URI:http://127.0.0.1:$port/
# The issuer named by its name and serial number only (no key identifier).
[ signer_isn_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = issuer:always
subjectAltName = \${ENV::SAN}
authorityInfoAccess = OCSP;URI:http://127.0.0.1:$port/
[ responder_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
# issue NAME SUBJ EXT [SAN]: NAME.key and NAME.pem in ocsp/, from the CA.
issue() {
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "ocsp/$1.key" 2> /dev/null
	openssl req -new -key "ocsp/$1.key" -subj "$2" -out "ocsp/$1.csr"
	SAN=${4:-email:nobody@invalid} openssl ca -batch -notext -rand_serial -config ocsp/ca.cnf \
		-extensions "$3" -in "ocsp/$1.csr" -out "ocsp/$1.pem" 2> ocsp/ca.err ||
		{ cat ocsp/ca.err; fail "openssl ca could not issue $1"; }
}
issue olga "/CN=Olga Example/emailAddress=olga@localhost" signer_ext email:olga@localhost
issue otto "/CN=Otto Example/emailAddress=otto@localhost" signer_ext email:otto@localhost
issue oscar "/CN=Oscar Example/emailAddress=oscar@localhost" signer_isn_ext email:oscar@localhost
issue responder "/CN=Cachet Test OCSP Responder" responder_ext
SAN=x openssl ca -config ocsp/ca.cnf -revoke ocsp/otto.pem -crl_reason keyCompromise 2> ocsp/ca.err ||
	{ cat ocsp/ca.err; fail "openssl ca could not revoke otto"; }
printf 'Content-Type: text/plain\n\nOne question, one answer.\n' > content.txt
for u in olga otto oscar; do
	{
		printf 'From: %s <%s@localhost>\nTo: bob@localhost\nSubject: ocsp\n' "$u" "$u"
		printf 'Date: Mon, 01 Jan 2024 10:00:00 +0000\nMessage-ID: <%s@fixture.invalid>\n' "$u"
		openssl cms -sign -in content.txt -signer "ocsp/$u.pem" -inkey "ocsp/$u.key" -md sha256
	} > "$u.eml"
done

# responder SIGNER-CERT SIGNER-KEY: openssl ocsp answering on $port, its
# requests logged in ocsp/responder.N.log; RESPONDER_PID.
n_responder=0
responder() {
	n_responder=$((n_responder + 1))
	RESPONDER_LOG=$H/ocsp/responder.$n_responder.log
	openssl ocsp -index ocsp/index.txt -port "$port" -CA "$pki/smime-ca.pem" \
		-rsigner "$1" -rkey "$2" -text -out "$RESPONDER_LOG" > "$RESPONDER_LOG.err" 2>&1 &
	RESPONDER_PID=$!
	peer_started "$RESPONDER_PID"
	# Not a probe connection: OpenSSL 3.0's responder spins on a client
	# that closes without a request.  It says when it listens.
	local i
	for i in $(seq 1 250); do
		grep -q 'waiting for OCSP client connections' "$RESPONDER_LOG.err" && return 0
		harness_pid_running "$RESPONDER_PID" || break
		sleep 0.02
	done
	fail "openssl ocsp did not start: $(cat "$RESPONDER_LOG.err")"
}
responder_stop() {
	kill "$RESPONDER_PID"
	wait "$RESPONDER_PID" 2> /dev/null || true
}
requests() {	# how many OCSP requests the current responder answered
	grep -c 'OCSP Request Data:' "$RESPONDER_LOG" || true
}

field() {
	python3 -c 'import json,sys; j=json.loads(sys.argv[1]); k=sys.argv[2]
v = j["signers"][0].get(k[7:]) if k.startswith("signer.") else j.get(k)
print(json.dumps(v))' "$1" "$2"
}
verify() {	# verify FILE: the JSON line in OUT, the exit status in RC
	RC=0
	OUT=$("$CACHET" --gnupg-home "$bob" verify --json "$1" 2> verify.err) || RC=$?
	echo "$1 ($RC): $OUT" >> verify.log
}
# dirmngr anew: nothing remembered of an earlier answer.
dirmngr_restart() {
	gpgconf --homedir "$bob" --kill dirmngr > /dev/null 2>&1 || true
}

printf 'allow-ocsp\ndisable-ldap\n' > "$bob/dirmngr.conf"
responder "$pki/smime-ca.pem" "$pki/smime-ca.key"

# --- without enable-ocsp: CRLs only, the responder is never asked
: > "$bob/gpgsm.conf"
dirmngr_restart
verify olga.eml
assert_eq '"valid"' "$(field "$OUT" signature)" "olga without enable-ocsp"
assert_eq '["revocation-unknown"]' "$(field "$OUT" warnings)" "olga without enable-ocsp"
assert_contains "$(field "$OUT" signer.detail)" 'CRL' "olga's detail without enable-ocsp"
verify otto.eml
assert_eq '"valid"' "$(field "$OUT" signature)" "otto without enable-ocsp (no CRL)"
printf 'disable-crl-checks\n' > "$bob/gpgsm.conf"
verify otto.eml
assert_eq '[]' "$(field "$OUT" warnings)" "otto with CRL checks disabled"
assert_eq 0 "$(requests)" "OCSP requests without enable-ocsp"

# --- enable-ocsp: the responder decides
printf 'enable-ocsp\n' > "$bob/gpgsm.conf"
verify olga.eml
assert_eq 0 "$RC" "exit status of olga over OCSP"
assert_eq '"valid"' "$(field "$OUT" signature)" "olga over OCSP"
assert_eq '[]' "$(field "$OUT" warnings)" "olga over OCSP"
assert_eq 'null' "$(field "$OUT" signer.detail)" "olga's detail over OCSP"
[ "$(requests)" -ge 1 ] || fail "the responder was not asked about olga"
verify otto.eml
assert_eq 1 "$RC" "exit status of otto over OCSP"
assert_eq '"revoked"' "$(field "$OUT" signature)" "otto over OCSP"
assert_eq '"otto@localhost"' "$(field "$OUT" signer)" "otto's verdict"
assert_eq '"a certificate in the chain is revoked (its issuer'"'"'s OCSP responder says so)"' \
	"$(field "$OUT" signer.detail)" "otto's detail over OCSP"
assert_eq '[]' "$(field "$OUT" warnings)" "otto's warnings over OCSP"
# dirmngr asks for oscar's issuer by its name and serial number.
dirmngr_restart
verify oscar.eml
assert_eq '"valid"' "$(field "$OUT" signature)" "oscar over OCSP"
assert_eq '[]' "$(field "$OUT" warnings)" "oscar over OCSP"
# OCSP only (gpgsm's --only-ocsp): the same answers.
printf 'enable-ocsp\ndisable-crl-checks\n' > "$bob/gpgsm.conf"
verify otto.eml
assert_eq '"revoked"' "$(field "$OUT" signature)" "otto over OCSP only"
dirmngr_restart
verify olga.eml
assert_eq '"valid"' "$(field "$OUT" signature)" "olga over OCSP only"
assert_eq '[]' "$(field "$OUT" warnings)" "olga over OCSP only"
# disable-ocsp after enable-ocsp: the last word counts, CRLs are off too.
printf 'enable-ocsp\ndisable-crl-checks\ndisable-ocsp\n' > "$bob/gpgsm.conf"
before=$(requests)
verify otto.eml
assert_eq '"valid"' "$(field "$OUT" signature)" "otto with OCSP disabled again"
assert_eq "$before" "$(requests)" "OCSP requests after disable-ocsp"

# --- an answer signed by a certificate the CA did not make a responder
printf 'enable-ocsp\n' > "$bob/gpgsm.conf"
responder_stop
responder "$pki/alice.pem" "$pki/alice.key"
dirmngr_restart
verify olga.eml
assert_eq '"valid"' "$(field "$OUT" signature)" "olga, answered by alice"
assert_eq '["revocation-unknown"]' "$(field "$OUT" warnings)" "olga, answered by alice"
assert_contains "$(field "$OUT" signer.detail)" 'OCSP' "olga's detail, answered by alice"
[ "$(requests)" -ge 1 ] || fail "the responder signing as alice was not asked"

# --- a delegated responder: a certificate with OCSPSigning from the CA
responder_stop
responder ocsp/responder.pem ocsp/responder.key
dirmngr_restart
verify otto.eml
assert_eq '"revoked"' "$(field "$OUT" signature)" "otto, answered by the delegated responder"
dirmngr_restart
verify olga.eml
assert_eq '[]' "$(field "$OUT" warnings)" "olga, answered by the delegated responder"

# --- a responder with OCSPSigning from a look-alike CA (the trusted CA's
# subject, its own key): neither a good nor a revoked answer counts
openssl req -new -x509 -newkey rsa:2048 -nodes -keyout ocsp/twin.key -days 30 \
	-subj "$(openssl x509 -in "$pki/smime-ca.pem" -noout -subject -nameopt compat | sed 's/^subject=//')" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
	-out ocsp/twin.pem 2> ocsp/twin.err || { cat ocsp/twin.err; fail "no look-alike CA"; }
SAN=x openssl x509 -req -in ocsp/responder.csr -CA ocsp/twin.pem -CAkey ocsp/twin.key -days 30 \
	-set_serial 7 -extfile ocsp/ca.cnf -extensions responder_ext -out ocsp/twin-responder.pem \
	2> ocsp/twin.err || { cat ocsp/twin.err; fail "no look-alike responder"; }
responder_stop
responder ocsp/twin-responder.pem ocsp/responder.key
dirmngr_restart
verify otto.eml
assert_eq 0 "$RC" "exit status of otto, revoked by the look-alike's responder"
assert_eq '"valid"' "$(field "$OUT" signature)" "otto, revoked by the look-alike's responder"
assert_eq '["revocation-unknown"]' "$(field "$OUT" warnings)" \
	"otto, revoked by the look-alike's responder"
assert_contains "$(field "$OUT" signer.detail)" 'not signed by the certificate' \
	"otto's detail, revoked by the look-alike's responder"
dirmngr_restart
verify olga.eml
assert_eq '["revocation-unknown"]' "$(field "$OUT" warnings)" "olga, answered by the look-alike's responder"

# --- the responder stopped: a warning, never a silent valid
responder_stop
dirmngr_restart
verify olga.eml
assert_eq 0 "$RC" "exit status of olga without a responder"
assert_eq '"valid"' "$(field "$OUT" signature)" "olga without a responder"
assert_eq '["revocation-unknown"]' "$(field "$OUT" warnings)" "olga without a responder"
assert_contains "$(field "$OUT" signer.detail)" 'OCSP' "olga's detail without a responder"
verify otto.eml
assert_eq '["revocation-unknown"]' "$(field "$OUT" warnings)" "otto without a responder"
echo PASS
