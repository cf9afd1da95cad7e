#!/bin/bash
# End to end: alice sends bob a signed message through the private Postfix
# and Dovecot; bob harvests it over IMAP (imap:INBOX) and from his Maildir;
# bob's `cachet encrypt --to alice@localhost` then gives a message that
# alice's gpgsm (cachet decrypt) and `openssl cms -decrypt` both decrypt.
# Before the harvest, bob has nothing to encrypt to alice with.
set -euo pipefail
. "$top_srcdir/tests/integration/certstore_lib.sh"
cs_setup
harness_postfix
cd "$H"
ALICE=$(cs_fpr "$HARNESS_PKI/alice.pem")
alice_home=$(harness_gnupg alice)
alice_cfg=$(harness_config alice)
bob_cfg=$(harness_config bob)
bob() { "$CACHET" --config "$bob_cfg" --gnupg-home "$BOB" --data-dir "$DATA" "$@"; }

printf 'From: Bob Example <bob@localhost>\nTo: Alice Example <alice@localhost>\nSubject: for alice only\n\nthe quiet words %s\n' $$ > secret.eml
rc=0
bob encrypt --to alice@localhost secret.eml > /dev/null 2> before.err || rc=$?
assert_eq 1 "$rc" "encrypt before any harvest"
assert_contains "$(cat before.err)" "no certificate for alice@localhost" "encrypt before harvest"
# gpgsm's keybox holding alice's certificate is not enough: the bindings decide.
gpgsm --homedir "$BOB" --batch --import "$HARNESS_PKI/alice.pem" > /dev/null 2>&1
rc=0
bob encrypt --to alice@localhost secret.eml > /dev/null 2> keybox.err || rc=$?
assert_eq 1 "$rc" "encrypt with alice only in the keybox"

# alice sends bob a signed message (she has no certificate for bob: signed only).
printf 'To: Bob Example <bob@localhost>\nSubject: hello bob %s\n\nsigned hello\n' $$ > hello.eml
"$CACHET" --config "$alice_cfg" --gnupg-home "$alice_home" --data-dir "$H/alice-data" \
	send hello.eml 2> send.err || fail "alice's send failed: $(cat send.err)"
assert_contains "$(cat send.err)" "signed" "alice's send"
harness_wait_mail bob 1

# Over IMAP.
out=$(bob harvest --json imap:INBOX 2> imap.err) || fail "harvest imap:INBOX: $(cat imap.err)"
cs_json_has "$out" "\"stored\":[{\"email\":\"alice@localhost\",\"fingerprint\":\"$ALICE\",\"state\":\"trusted\",\"change\":\"new\"}]"
cs_json_has "$out" '"file":"imap:INBOX/'
# Again: seen by UIDVALIDITY/UID, nothing fetched or verified.
out=$(bob harvest --json imap:INBOX 2> imap2.err)
cs_json_has "$out" '"seen":true'
# A folder the server does not have fails the run, and its summary counts
# that as an error beside the messages of the folder that was read.
rc=0
bob harvest imap:INBOX imap:NoSuchFolder > /dev/null 2> imap3.err || rc=$?
[ "$rc" -ge 2 ] || fail "harvest of a missing folder: status $rc: $(cat imap3.err)"
assert_contains "$(cat imap3.err)" "imap:NoSuchFolder"
assert_contains "$(cat imap3.err)" "harvest: 1 messages (1 seen before), 0 certificates stored, 0 refused, 1 error"
# The Maildir as delivered gives the same certificate (known, not duplicated).
out=$(bob harvest --json "$H/mail/bob/Maildir")
cs_json_has "$out" "\"fingerprint\":\"$ALICE\",\"state\":\"trusted\",\"change\":\"known\""
assert_eq 1 "$(bob certs list --json | grep -c .)" "bindings"

# A message alice signs and then encrypts to bob is harvested through its
# decryption (the signature inside covers the whole message).
"$CACHET" --config "$alice_cfg" --gnupg-home "$alice_home" --data-dir "$H/alice-data" \
	certs import "$HARNESS_PKI/bob.pem" > /dev/null
printf 'To: Bob Example <bob@localhost>\nSubject: sealed %s\n\nsealed hello\n' $$ > sealed.eml
"$CACHET" --config "$alice_cfg" --gnupg-home "$alice_home" --data-dir "$H/alice-data" \
	send sealed.eml 2> send2.err || fail "alice's encrypted send failed: $(cat send2.err)"
assert_contains "$(cat send2.err)" "signed, encrypted" "alice's second send"
harness_wait_mail bob 2
out=$(bob harvest --json imap:INBOX)
assert_eq 1 "$(printf '%s\n' "$out" | grep -c '"seen":false')" "new messages over IMAP"
cs_json_has "$out" "\"fingerprint\":\"$ALICE\",\"state\":\"trusted\",\"change\":\"known\""

# Now bob encrypts to alice; alice reads it with cachet and with openssl.
# alice's signed mail, harvested, announced what cachet reads, bob is
# cachet too: AES-256-GCM.
bob encrypt --to alice@localhost secret.eml > enc.eml 2> enc.err || fail "encrypt: $(cat enc.err)"
assert_file_contains enc.eml "application/pkcs7-mime; smime-type=authEnveloped-data"
assert_not_contains "$(cat enc.eml)" "the quiet words" "encrypted message"
"$CACHET" --gnupg-home "$alice_home" decrypt enc.eml > dec-gpgsm.eml 2> dec.err ||
	fail "alice's gpgsm cannot decrypt: $(cat dec.err)"
assert_file_contains dec-gpgsm.eml "the quiet words $$"
openssl cms -decrypt -in enc.eml -recip "$HARNESS_PKI/alice.pem" \
	-inkey "$HARNESS_PKI/alice.key" -out dec-openssl.txt 2> ossl.err ||
	fail "openssl cannot decrypt for alice: $(cat ossl.err)"
assert_file_contains dec-openssl.txt "the quiet words $$"
# bob (the sender) can read his copy too.
openssl cms -decrypt -in enc.eml -recip "$HARNESS_PKI/bob.pem" \
	-inkey "$HARNESS_PKI/bob.key" -out /dev/null 2> /dev/null ||
	fail "the sender cannot decrypt his own copy"
# carol cannot.
openssl cms -decrypt -in enc.eml -recip "$HARNESS_PKI/carol.pem" \
	-inkey "$HARNESS_PKI/carol.key" -out /dev/null 2> /dev/null &&
	fail "carol decrypted a message not meant for her"
echo PASS
