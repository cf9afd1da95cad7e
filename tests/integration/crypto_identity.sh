#!/bin/bash
# cachet identity import / list: PKCS#12 files as OpenSSL 3 writes them by
# default (AES-256-CBC, PBKDF2), RSA (both orders of the primes) and EC
# P-256 / P-384 / P-521; the key lands in gpg-agent protected by the file's
# password, the certificate and its chain in gpgsm's keybox, and cachet
# sign uses the new identity at once.  Passwords from the terminal and
# from --passphrase-fd; wrong passwords, truncated and foreign files, a
# second import.  No pinentry is ever started.
set -euo pipefail
. "$top_srcdir/tests/lib/harness.sh"
. "$top_srcdir/tests/lib/identity.sh"
harness_init
harness_need script python3
P=$HARNESS_PKI
F=$H/fixtures
mkdir -p "$F"

home=$H/gnupg-id
identity_home "$home"
trap 'pki_gnupg_stop "$home"; harness_cleanup' EXIT

# --- fixtures: openssl's defaults, EC keys from the test CA, swapped primes
identity_p12 "$P/alice.key" "$P/alice.pem" 'alice pw' "$F/alice.p12"
openssl pkcs12 -in "$F/alice.p12" -passin 'pass:alice pw' -info -noout 2>&1 |
	grep -q 'PBES2, PBKDF2, AES-256-CBC' || fail "alice.p12 is not OpenSSL 3's default format"
identity_ec "$F" dave P-256
identity_ec "$F" erin P-384
identity_ec "$F" frank P-521

# OpenSSL writes RSA keys with p > q; GnuPG wants p < q and u = p^-1 mod q.
# bob's key with its primes the other way round exercises the other case.
python3 - "$P/bob.key" > "$F/bob-swapped.conf" <<'EOF'
import re, subprocess, sys
text = subprocess.run(["openssl", "rsa", "-in", sys.argv[1], "-text", "-noout"],
                      check=True, capture_output=True, text=True).stdout
f = {name: int(re.sub(r"[\s:]", "", body), 16) for name, body in
     re.findall(r"^(\w+):\s*\n((?:\s+[0-9a-f:]+\n)+)", text, re.M)}
e = int(re.search(r"publicExponent: (\d+)", text).group(1))
n, d, p, q = f["modulus"], f["privateExponent"], f["prime1"], f["prime2"]
assert p > q
print("asn1=SEQUENCE:k\n[k]\nv=INTEGER:0")
for k, v in (("n", n), ("e", e), ("d", d), ("p", q), ("q", p), ("dp", d % (q - 1)),
             ("dq", d % (p - 1)), ("u", pow(p, -1, q))):
    print("%s=INTEGER:0x%X" % (k, v))
EOF
openssl asn1parse -genconf "$F/bob-swapped.conf" -out "$F/bob-swapped.der" -noout
openssl rsa -inform DER -in "$F/bob-swapped.der" -out "$F/bob-swapped.key" 2> /dev/null
openssl rsa -in "$F/bob-swapped.key" -check -noout > /dev/null
identity_p12 "$F/bob-swapped.key" "$P/bob.pem" 'bob pw' "$F/bob.p12"

# cachet identity import FILE, the passwords typed on a terminal (script's
# pseudo-terminal; each typed once its prompt is up): status in $rc, what
# the terminal showed in $H/tty.clean.
import_tty() {	# FILE PASSWORD...
	local file=$1
	shift
	rc=0
	{ for pw in "$@"; do sleep 1; printf '%s\n' "$pw"; done; } | timeout 60 script -qec \
		"'$CACHET' --gnupg-home '$home' identity import '$file'" /dev/null \
		> "$H/tty.txt" 2>&1 || rc=$?
	tr -d '\r' < "$H/tty.txt" > "$H/tty.clean"
}
grip_of() {	# FINGERPRINT
	"$CACHET" --gnupg-home "$home" identity list --json |
		python3 -c 'import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o["fingerprint"] == sys.argv[1]:
        print(o["keygrip"])' "$1"
}
fpr_of() { pki_fingerprint "$1" | tr -d ':'; }

# --- imports
import_tty "$F/alice.p12" 'alice pw'
assert_eq 0 "$rc" "import of alice.p12: $(cat "$H/tty.clean")"
assert_file_contains "$H/tty.clean" "Password for alice.p12:"
assert_file_contains "$H/tty.clean" "alice.p12: imported $(fpr_of "$P/alice.pem")	RSA-2048	alice@localhost	"
grep -q 'alice pw' "$H/tty.clean" && fail "the password was echoed on the terminal"
# The others with --passphrase-fd: its first line is the password (what
# follows is for later questions).
for u in dave erin frank bob; do
	"$CACHET" --gnupg-home "$home" --passphrase-fd 3 identity import "$F/$u.p12" \
		3< <(printf '%s\nsomething else\n' "$u pw") < /dev/null > "$H/out.txt" ||
		fail "import of $u.p12 with --passphrase-fd"
	assert_file_contains "$H/out.txt" "$u.p12: imported "
done
# carol's file is in the legacy format (3DES, RC2, SHA-1 MAC) gpgsm reads.
"$CACHET" --gnupg-home "$home" --passphrase-fd 0 identity import "$P/carol.p12" \
	<<< carol-p12 > "$H/out.txt" || fail "import of the legacy carol.p12"
assert_file_contains "$H/out.txt" "carol.p12: imported $(fpr_of "$P/carol.pem")	RSA-2048	carol@localhost	"

"$CACHET" --gnupg-home "$home" identity list > "$H/list.txt"
assert_eq 6 "$(wc -l < "$H/list.txt")" "identities listed"
assert_file_contains "$H/list.txt" "$(fpr_of "$P/alice.pem")	RSA-2048	alice@localhost	"
assert_file_contains "$H/list.txt" "$(fpr_of "$F/dave.pem")	EC P-256	dave@localhost	"
assert_file_contains "$H/list.txt" "$(fpr_of "$F/erin.pem")	EC P-384	erin@localhost	"
assert_file_contains "$H/list.txt" "$(fpr_of "$F/frank.pem")	EC P-521	frank@localhost	"
assert_file_contains "$H/list.txt" "$(fpr_of "$P/bob.pem")	RSA-2048	bob@localhost	"
"$CACHET" --gnupg-home "$home" identity list --json > "$H/list.json"
python3 -c 'import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 6, rows
for r in rows:
    assert r["state"] == "valid" and len(r["keygrip"]) == 40 and r["addresses"], r' "$H/list.json" ||
	fail "identity list --json"

# The agent holds each key, protected by the file's password.
for cert in "$P/alice.pem" "$F/dave.pem" "$F/erin.pem" "$F/frank.pem" "$P/bob.pem"; do
	grip=$(grip_of "$(fpr_of "$cert")")
	[ -n "$grip" ] || fail "no keygrip for $cert"
	info=$(gpg-connect-agent --homedir "$home" "KEYINFO $grip" /bye | head -n 1)
	assert_contains "$info" "S KEYINFO $grip D "
	[ "$(echo "$info" | awk '{ print $8 }')" = P ] || fail "the key of $cert is not protected: $info"
done

# cachet sign finds the new identities at once (gpgsm, with the passphrase
# in the agent's cache), and openssl checks the signatures: for bob, the
# swapped primes were put in GnuPG's order right.
printf 'From: alice@localhost\nTo: bob@localhost\nSubject: id\n\nsigned by an imported key\n' > "$H/m.eml"
sed 's/^From: alice/From: bob/' "$H/m.eml" > "$H/m-bob.eml"
for who in alice bob; do
	cert=$P/$who.pem
	GNUPGHOME=$home /usr/lib/gnupg/gpg-preset-passphrase --preset -P "$who pw" \
		"$(grip_of "$(fpr_of "$cert")")"
done
"$CACHET" --gnupg-home "$home" sign "$H/m.eml" > "$H/s.eml" < /dev/null
openssl cms -verify -in "$H/s.eml" -CAfile "$P/smime-ca.pem" -out /dev/null 2> /dev/null ||
	fail "alice's signature by the imported key does not verify"
"$CACHET" --gnupg-home "$home" sign "$H/m-bob.eml" > "$H/s-bob.eml" < /dev/null
openssl cms -verify -in "$H/s-bob.eml" -CAfile "$P/smime-ca.pem" -out /dev/null 2> /dev/null ||
	fail "bob's signature by the imported key (swapped primes) does not verify"

# cachet's own agent connection with the imported keys: ECDSA signatures on
# P-256, P-384 and P-521 (the passphrase asked through the callback),
# checked with GnuTLS; openssl's RSA ciphertexts to alice decrypted.
OPS=$top_builddir/tests/integration/crypto_agent_ops
for u in dave erin frank; do
	"$OPS" "$home" sign "$(grip_of "$(fpr_of "$F/$u.pem")")" "$F/$u.pem" "$u pw" \
		> /dev/null || fail "PKSIGN with $u's imported EC key"
done
"$OPS" "$home" sign "$(grip_of "$(fpr_of "$P/bob.pem")")" "$P/bob.pem" > /dev/null ||
	fail "PKSIGN with bob's imported RSA key (swapped primes)"
openssl rand -out "$H/cek" 32
openssl pkeyutl -encrypt -certin -inkey "$P/alice.pem" -pkeyopt rsa_padding_mode:oaep \
	-pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 -in "$H/cek" -out "$H/ct-oaep"
assert_eq "$(od -An -v -tx1 "$H/cek" | tr -d ' \n')" \
	"$("$OPS" "$home" decrypt "$(grip_of "$(fpr_of "$P/alice.pem")")" oaep "$H/ct-oaep")" \
	"PKDECRYPT (OAEP) with alice's imported key"

# An identity gpgsm imported itself is listed too.
carol_home=$(harness_gnupg carol)
assert_contains "$("$CACHET" --gnupg-home "$carol_home" identity list)" \
	"$(fpr_of "$P/carol.pem")	RSA-2048	carol@localhost	"

# A wrong password on the terminal, then the right one.
import_tty "$F/frank.p12" 'not it' 'frank pw'
assert_eq 0 "$rc" "import after a wrong password: $(cat "$H/tty.clean")"
assert_file_contains "$H/tty.clean" "Wrong password (try 2 of 3).  Password for frank.p12: "
assert_file_contains "$H/tty.clean" "frank.p12: gpg-agent already held this key"

# --- the second import of a file: said, not a failure
import_tty "$F/alice.p12" 'alice pw'
assert_eq 0 "$rc" "second import of alice.p12"
assert_file_contains "$H/tty.clean" "alice.p12: gpg-agent already held this key, kept as it was"

# --- bad input
import_tty "$F/dave.p12" 'not the password' 'nor this' 'nor that'
assert_eq 2 "$rc" "exit status with three wrong passwords"
assert_file_contains "$H/tty.clean" "Wrong password (try 3 of 3).  Password for dave.p12: "
assert_file_contains "$H/tty.clean" "cachet: $F/dave.p12: wrong password for this PKCS#12 file"
rc=0
"$CACHET" --gnupg-home "$home" --passphrase-fd 3 identity import "$F/erin.p12" \
	3<<< 'dave pw' < /dev/null 2> "$H/err.txt" || rc=$?
assert_eq 2 "$rc" "exit status with a wrong password on --passphrase-fd"
assert_eq "cachet: $F/erin.p12: wrong password for this PKCS#12 file" "$(cat "$H/err.txt")" \
	"the message of a wrong password"
rc=0
"$CACHET" --gnupg-home "$home" --passphrase-fd 3 identity import "$F/erin.p12" \
	3< /dev/null < /dev/null 2> "$H/err.txt" || rc=$?
assert_eq 2 "$rc" "exit status with nothing on --passphrase-fd"
assert_contains "$(cat "$H/err.txt")" "erin.p12: --passphrase-fd 3: no passphrase given"
rc=0
"$CACHET" --gnupg-home "$home" --passphrase-fd 9 identity import "$F/erin.p12" \
	< /dev/null 2> "$H/err.txt" || rc=$?
assert_eq 2 "$rc" "exit status with a closed --passphrase-fd"
assert_contains "$(cat "$H/err.txt")" "--passphrase-fd 9: not an open file descriptor"
rc=0
"$CACHET" --passphrase-fd three identity list 2> "$H/err.txt" || rc=$?
assert_eq 2 "$rc" "exit status of --passphrase-fd three"
head -c 600 "$F/erin.p12" > "$F/truncated.p12"
rc=0
"$CACHET" --gnupg-home "$home" identity import "$F/truncated.p12" < /dev/null 2> "$H/err.txt" || rc=$?
assert_eq 3 "$rc" "exit status of a truncated file"
assert_contains "$(cat "$H/err.txt")" "$F/truncated.p12: not a PKCS#12 file, or a truncated one"
rc=0
"$CACHET" --gnupg-home "$home" identity import "$P/alice.pem" < /dev/null 2> "$H/err.txt" || rc=$?
assert_eq 3 "$rc" "exit status of a certificate given as PKCS#12"
assert_contains "$(cat "$H/err.txt")" "alice.pem: not a PKCS#12 file"
rc=0
"$CACHET" --gnupg-home "$home" identity import "$F/none.p12" < /dev/null 2> "$H/err.txt" || rc=$?
assert_eq 2 "$rc" "exit status of a missing file"
assert_contains "$(cat "$H/err.txt")" "$F/none.p12"
# No terminal and no descriptor: nothing to ask with.
rc=0
setsid -w "$CACHET" --gnupg-home "$home" identity import "$F/erin.p12" < /dev/null \
	2> "$H/err.txt" || rc=$?
assert_eq 2 "$rc" "exit status without a terminal"
assert_contains "$(cat "$H/err.txt")" "no terminal to ask for the passphrase"
assert_eq 6 "$("$CACHET" --gnupg-home "$home" identity list | wc -l)" "identities after the failures"

[ ! -e "$H/pinentry-started" ] || fail "gpg-agent started a pinentry"
echo PASS
