#!/bin/bash
# The test identities in gpgsm homes: alice signs and bob verifies, alice
# encrypts to bob and bob decrypts, with no passphrase prompt and no
# terminal; openssl cms agrees on both; a changed byte breaks the signature.
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"

harness_init
alice=$(harness_gnupg alice)
bob=$(harness_gnupg bob)
carol=$(harness_gnupg carol)
assert_eq "$H/gnupg/alice" "$alice" "alice's gpgsm home"
[ "$(stat -c %a "$alice")" = 700 ] || fail "$alice is not mode 700"

w=$H/work
mkdir -p "$w"
printf 'Content-Type: text/plain\r\n\r\nhello bob %s\r\n' "$$" > "$w/msg.txt"

# gs HOME ARGS...: gpgsm without a terminal (setsid: no controlling tty,
# stdin from /dev/null), so any passphrase prompt would fail instead of hang.
gs() {
	local home=$1
	shift
	timeout 30 setsid gpgsm --homedir "$home" --batch --status-fd 1 "$@" < /dev/null
}

# Sign (detached, as S/MIME does) as alice; verify as bob, who has only the CA.
gs "$alice" -u alice@localhost --detach-sign --include-certs 2 \
	-o "$w/msg.sig" "$w/msg.txt" > "$w/sign.status" 2> "$w/sign.log" ||
	{ cat "$w/sign.log" >&2; fail "alice could not sign"; }
assert_file_contains "$w/sign.status" "[GNUPG:] SIG_CREATED D" "alice's signature"
gs "$bob" --verify "$w/msg.sig" "$w/msg.txt" > "$w/verify.status" 2> "$w/verify.log" ||
	{ cat "$w/verify.log" >&2; fail "bob could not verify alice's signature"; }
assert_file_contains "$w/verify.status" "[GNUPG:] GOODSIG" "bob's verification"
assert_file_contains "$w/verify.status" "[GNUPG:] TRUST_FULLY" "trust in the test CA"
assert_file_contains "$w/verify.log" "alice@localhost" "signer shown by gpgsm"

# The independent peer agrees.
openssl cms -verify -binary -inform DER -in "$w/msg.sig" -content "$w/msg.txt" \
	-CAfile "$HARNESS_PKI/smime-ca.pem" -purpose smimesign \
	-out /dev/null 2> "$w/cms-verify.log" ||
	{ cat "$w/cms-verify.log" >&2; fail "openssl cms rejects gpgsm's signature"; }

# A changed byte is caught.
sed 's/hello/jello/' "$w/msg.txt" > "$w/tampered.txt"
if gs "$bob" --verify "$w/msg.sig" "$w/tampered.txt" > "$w/bad.status" 2>&1; then
	fail "gpgsm accepted a signature over changed content"
fi
assert_file_contains "$w/bad.status" "[GNUPG:] BADSIG" "verification of changed content"

# alice encrypts to bob (his certificate imported into her home).
gs "$alice" --import "$HARNESS_PKI/bob.pem" > /dev/null 2>&1
gs "$alice" -r bob@localhost --encrypt -o "$w/msg.p7m" "$w/msg.txt" > /dev/null 2> "$w/enc.log" ||
	{ cat "$w/enc.log" >&2; fail "alice could not encrypt to bob"; }
gs "$bob" --decrypt -o "$w/msg.dec" "$w/msg.p7m" > "$w/dec.status" 2> "$w/dec.log" ||
	{ cat "$w/dec.log" >&2; fail "bob could not decrypt"; }
cmp -s "$w/msg.txt" "$w/msg.dec" || fail "bob's decryption differs from the plaintext"
assert_file_contains "$w/dec.status" "[GNUPG:] DECRYPTION_OKAY" "bob's decryption"

# carol holds no key for it.
if gs "$carol" --decrypt -o "$w/carol.dec" "$w/msg.p7m" > /dev/null 2>&1; then
	fail "carol decrypted a message for bob"
fi

# openssl cms decrypts it with bob's key, and encrypts to bob for gpgsm.
openssl cms -decrypt -binary -inform DER -in "$w/msg.p7m" -recip "$HARNESS_PKI/bob.pem" \
	-inkey "$HARNESS_PKI/bob.key" -out "$w/msg.cms-dec"
cmp -s "$w/msg.txt" "$w/msg.cms-dec" || fail "openssl cms decrypted something else"
openssl cms -encrypt -binary -aes-256-cbc -outform DER -in "$w/msg.txt" \
	-out "$w/from-openssl.p7m" "$HARNESS_PKI/bob.pem"
gs "$bob" --decrypt -o "$w/from-openssl.dec" "$w/from-openssl.p7m" > /dev/null 2> "$w/dec2.log" ||
	{ cat "$w/dec2.log" >&2; fail "bob could not decrypt openssl's message"; }
cmp -s "$w/msg.txt" "$w/from-openssl.dec" || fail "gpgsm decrypted openssl's message wrongly"

# The key in the agent needs no passphrase; the p12 on disk does need one.
if openssl pkcs12 -legacy -in "$HARNESS_PKI/alice.p12" -passin pass:wrong -noout 2> /dev/null; then
	fail "alice.p12 opens with a wrong passphrase"
fi
openssl pkcs12 -legacy -in "$HARNESS_PKI/alice.p12" -passin pass:alice-p12 -noout ||
	fail "alice.p12 does not open with alice-p12"

# Stopping a home's agent works (harness_cleanup relies on it).
agent=$(gpgconf --homedir "$alice" --list-dirs agent-socket)
[ -S "$agent" ] || fail "alice's agent socket $agent is missing"
pki_gnupg_stop "$alice"
for i in $(seq 1 100); do
	[ -S "$agent" ] || break
	sleep 0.02
done
[ ! -S "$agent" ] || fail "alice's agent did not stop"
echo "PASS"
