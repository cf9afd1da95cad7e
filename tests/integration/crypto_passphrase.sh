#!/bin/bash
# A secret key protected by a passphrase gpg-agent does not hold: cachet
# sign, send, decrypt and verify must fail at once with a message saying
# how to unlock it (never wait on a pinentry, never let one take the
# terminal), send signs with the passphrase on --passphrase-fd, and all
# work once the passphrase is preset in the agent.
set -euo pipefail
. "$top_srcdir/tests/lib/harness.sh"
harness_init
P=$HARNESS_PKI
home=$H/gnupg-locked
mkdir -p "$home"
chmod 700 "$home"
printf 'disable-crl-checks\ndisable-dirmngr\n' > "$home/gpgsm.conf"
printf 'allow-loopback-pinentry\nallow-preset-passphrase\n' > "$home/gpg-agent.conf"
printf '%s S\n' "$(pki_fingerprint "$P/smime-ca.pem")" > "$home/trustlist.txt"
trap 'pki_gnupg_stop "$home"; harness_cleanup' EXIT
gpgsm --homedir "$home" --batch --import "$P/smime-ca.pem" > /dev/null 2>&1
# Imported with its PKCS#12 passphrase, the key stays protected by it.
printf 'alice-p12\n' | gpgsm --homedir "$home" --batch --pinentry-mode loopback \
	--passphrase-fd 0 --import "$P/alice.p12" > /dev/null 2>&1
grep -q protected-private-key "$home"/private-keys-v1.d/*.key || fail "the key is not protected"
printf 'From: alice@localhost\nTo: bob@localhost\nSubject: locked\n\ntext\n' > "$H/m.eml"

rc=0
timeout 30 "$CACHET" --gnupg-home "$home" sign "$H/m.eml" > "$H/out.eml" 2> "$H/err.txt" < /dev/null || rc=$?
[ "$rc" = 124 ] && fail "cachet sign waited for a passphrase"
assert_eq 4 "$rc" "exit status with a locked key"
assert_contains "$(cat "$H/err.txt")" "m.eml: signing: the secret key of"
assert_contains "$(cat "$H/err.txt")" "gpg-preset-passphrase"

# Decrypting with the same locked key: the same refusal, before gpgsm asks.
openssl cms -encrypt -aes256 -in "$H/m.eml" -from alice@localhost -to alice@localhost \
	-subject locked -out "$H/enc.eml" "$P/bob.pem" "$P/alice.pem"
rc=0
timeout 30 "$CACHET" --gnupg-home "$home" decrypt "$H/enc.eml" > "$H/dec.eml" 2> "$H/err.txt" < /dev/null || rc=$?
[ "$rc" = 124 ] && fail "cachet decrypt waited for a passphrase"
assert_eq 4 "$rc" "exit status of decrypt with a locked key"
assert_contains "$(cat "$H/err.txt")" "enc.eml: decrypting: the secret key of"
assert_contains "$(cat "$H/err.txt")" "gpg-preset-passphrase"
[ -s "$H/dec.eml" ] && fail "decrypt wrote output with a locked key"
rc=0
out=$(timeout 30 "$CACHET" --gnupg-home "$home" verify --json "$H/enc.eml" < /dev/null) || rc=$?
[ "$rc" = 124 ] && fail "cachet verify waited for a passphrase"
assert_contains "$out" '"decryption":"failed"'
assert_contains "$out" 'decrypting: the secret key of'

# send signs in cachet too: with nobody to ask, the locked key stops it
# before the network (exit 4, the key named); with its passphrase on
# --passphrase-fd it signs and only then meets the server that is not
# there (exit 5).  A dry run is a plan: it signs nothing and asks nothing.
printf '[account alice]\nfrom = alice@localhost\nimap = imaps://alice@localhost:1\nsmtp = smtps://alice@localhost:1\n' \
	> "$H/send.conf"
chmod 600 "$H/send.conf"
printf 'To: bob@localhost\nSubject: locked send\n\ntext\n' > "$H/send.eml"
timeout 30 setsid -w "$CACHET" --config "$H/send.conf" --gnupg-home "$home" --data-dir "$H/data" \
	send --dry-run "$H/send.eml" > "$H/out.txt" 2> "$H/err.txt" < /dev/null ||
	fail "send --dry-run with a locked key: $(cat "$H/err.txt")"
assert_file_contains "$H/out.txt" "signed:    yes"
rc=0
timeout 30 setsid -w "$CACHET" --config "$H/send.conf" --gnupg-home "$home" --data-dir "$H/data" \
	send "$H/send.eml" > "$H/out.txt" 2> "$H/err.txt" < /dev/null || rc=$?
[ "$rc" = 124 ] && fail "cachet send waited for a passphrase"
assert_eq 4 "$rc" "exit status of send with a locked key"
assert_contains "$(cat "$H/err.txt")" "the secret key of alice@localhost"
rc=0
timeout 30 "$CACHET" --config "$H/send.conf" --gnupg-home "$home" --data-dir "$H/data" \
	--passphrase-fd 3 send "$H/send.eml" 3<<< alice-p12 > "$H/out.txt" 2> "$H/err.txt" \
	< /dev/null || rc=$?
assert_eq 5 "$rc" "exit status of send with the passphrase on --passphrase-fd (no server)"
assert_not_contains "$(cat "$H/err.txt")" "secret key" "send with the passphrase on --passphrase-fd"

grip=$(gpgsm --homedir "$home" --with-keygrip --with-colons -K alice@localhost | awk -F: '$1 == "grp" { print $10; exit }')
[ -n "$grip" ] || fail "no keygrip for alice"
GNUPGHOME=$home /usr/lib/gnupg/gpg-preset-passphrase --preset -P alice-p12 "$grip" ||
	fail "could not preset the passphrase"
"$CACHET" --gnupg-home "$home" sign "$H/m.eml" > "$H/out.eml" < /dev/null
openssl cms -verify -in "$H/out.eml" -CAfile "$P/smime-ca.pem" -out /dev/null 2> /dev/null ||
	fail "the signature made with the unlocked key does not verify"
"$CACHET" --gnupg-home "$home" decrypt "$H/enc.eml" > "$H/dec.eml" < /dev/null
assert_file_contains "$H/dec.eml" 'Subject: locked'
assert_file_contains "$H/dec.eml" 'text'
echo PASS
