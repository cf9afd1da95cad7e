#!/bin/bash
# crypto/agent.c against a real gpg-agent: signing a SHA-256 hash (checked
# with GnuTLS against the certificate's key), decrypting what openssl
# encrypted to the certificate (PKCS#1 v1.5 and OAEP with SHA-256), and a
# passphrase-protected key unlocked through cachet's callback (a wrong
# passphrase, then the right one; none at all), with no pinentry started.
set -euo pipefail
. "$top_srcdir/tests/lib/harness.sh"
harness_init
P=$HARNESS_PKI
OPS=$top_builddir/tests/integration/crypto_agent_ops

"$OPS" sexp || fail "the S-expression helpers"

# alice's key in the agent without a passphrase.
home=$(harness_gnupg alice)
grip=$(gpgsm --homedir "$home" --with-keygrip --with-colons -K alice@localhost |
	awk -F: '$1 == "grp" { print $10; exit }')
[ -n "$grip" ] || fail "no keygrip for alice"
assert_eq "1 0 0" "$("$OPS" "$home" keyinfo "$grip")" "KEYINFO of an unprotected key"
"$OPS" "$home" sign "$grip" "$P/alice.pem" || fail "PKSIGN by alice's key"
rc=0
"$OPS" "$home" sign "$grip" "$P/bob.pem" 2> "$H/err.txt" || rc=$?
assert_eq 1 "$rc" "alice's signature checked against bob's key"

hex() { od -An -v -tx1 "$1" | tr -d ' \n'; }
openssl rand -out "$H/cek" 32
openssl pkeyutl -encrypt -certin -inkey "$P/alice.pem" -in "$H/cek" -out "$H/ct-pkcs1"
openssl pkeyutl -encrypt -certin -inkey "$P/alice.pem" -pkeyopt rsa_padding_mode:oaep \
	-pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 -in "$H/cek" -out "$H/ct-oaep"
assert_eq "$(hex "$H/cek")" "$("$OPS" "$home" decrypt "$grip" pkcs1 "$H/ct-pkcs1")" \
	"PKDECRYPT, PKCS#1 v1.5"
assert_eq "$(hex "$H/cek")" "$("$OPS" "$home" decrypt "$grip" oaep "$H/ct-oaep")" \
	"PKDECRYPT, OAEP SHA-256"
# OAEP's padding is checked: the v1.5 ciphertext read as OAEP is refused.
rc=0
"$OPS" "$home" decrypt "$grip" oaep "$H/ct-pkcs1" > "$H/out.txt" 2> "$H/err.txt" || rc=$?
assert_eq 1 "$rc" "PKCS#1 v1.5 ciphertext decrypted as OAEP"
assert_contains "$(cat "$H/err.txt")" "decrypting with Alice's test key: gpg-agent says"
rc=0
"$OPS" "$home" sign 0123456789012345678901234567890123456789 "$P/alice.pem" 2> "$H/err.txt" || rc=$?
assert_eq 1 "$rc" "signing with a key the agent does not hold"
assert_contains "$(cat "$H/err.txt")" "gpg-agent holds no secret key for Alice's test key"

# The same key protected by a passphrase, in a home whose pinentry leaves
# a mark if the agent ever starts it.
locked=$H/gnupg-locked
mkdir -p "$locked"
chmod 700 "$locked"
cat > "$H/pinentry" <<EOF
#!/bin/sh
touch "$H/pinentry-started"
exit 1
EOF
chmod 755 "$H/pinentry"
printf 'disable-crl-checks\ndisable-dirmngr\n' > "$locked/gpgsm.conf"
printf 'pinentry-program %s\n' "$H/pinentry" > "$locked/gpg-agent.conf"
trap 'pki_gnupg_stop "$locked"; harness_cleanup' EXIT
printf 'alice-p12\n' | gpgsm --homedir "$locked" --batch --pinentry-mode loopback \
	--passphrase-fd 0 --import "$P/alice.p12" > /dev/null 2>&1
assert_eq "1 1 0" "$("$OPS" "$locked" keyinfo "$grip")" "KEYINFO of a locked key"

# No passphrase source: a clear refusal naming the key and the ways out.
rc=0
timeout 30 "$OPS" "$locked" sign "$grip" "$P/alice.pem" 2> "$H/err.txt" || rc=$?
assert_eq 1 "$rc" "signing with a locked key and no passphrase source"
assert_contains "$(cat "$H/err.txt")" "the secret key of Alice's test key (keygrip $grip) is protected"
assert_contains "$(cat "$H/err.txt")" "--passphrase-fd"
assert_contains "$(cat "$H/err.txt")" "gpg-preset-passphrase"

# A wrong passphrase, then the right one: two questions, three signatures
# (the agent caches the passphrase after the first).
out=$(timeout 30 "$OPS" "$locked" sign "$grip" "$P/alice.pem" wrong alice-p12) ||
	fail "signing after a wrong then the right passphrase"
assert_eq "tries 2" "$out" "passphrase questions"
assert_eq "1 1 1" "$("$OPS" "$locked" keyinfo "$grip")" "KEYINFO once unlocked"

# Cache cleared: three wrong passphrases fail the operation.  (RELOADAGENT:
# CLEAR_PASSPHRASE starts a pinentry to clear the pinentry's own cache.)
forget_passphrase() {
	gpg-connect-agent --homedir "$locked" RELOADAGENT /bye > /dev/null
}
forget_passphrase
assert_eq "1 1 0" "$("$OPS" "$locked" keyinfo "$grip")" "KEYINFO after CLEAR_PASSPHRASE"
rc=0
timeout 30 "$OPS" "$locked" sign "$grip" "$P/alice.pem" bad worse worst > "$H/out.txt" \
	2> "$H/err.txt" || rc=$?
assert_eq 1 "$rc" "signing with three wrong passphrases"
assert_contains "$(cat "$H/err.txt")" "wrong passphrase for the secret key of Alice's test key"
# Decryption asks the same way.
forget_passphrase
rc=0
"$OPS" "$locked" decrypt "$grip" pkcs1 "$H/ct-pkcs1" > "$H/out.txt" 2> "$H/err.txt" || rc=$?
assert_eq 1 "$rc" "decrypting with a locked key and no passphrase source"
assert_contains "$(cat "$H/err.txt")" "decrypting: the secret key of Alice's test key"

[ ! -e "$H/pinentry-started" ] || fail "gpg-agent started a pinentry"
if ps -eo args | grep -F "$H/pinentry" | grep -v grep > /dev/null; then
	fail "a pinentry is running"
fi
echo PASS
