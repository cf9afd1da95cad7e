#!/bin/bash
# One rule for a name the person gave that does not exist (a file, a
# Maildir, an IMAP folder, a fingerprint or address, an account, the
# configuration file): exit 2 from every verb, and the message names it
# once.  With it, the small fixes of the command line: list decodes RFC
# 2047 Subjects (and still sanitises them), verify and decrypt read a
# Maildir as harvest does, and the harvest summary counts unsigned mail
# apart from refused certificates.
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
CACHET=${CACHET:-$top_builddir/cachet}

harness_init
harness_dovecot
PKI=$HARNESS_PKI
GH=$(harness_gnupg bob)
cfg=$(harness_config bob)
data=$H/data
NO=$H/no-such
cb() { "$CACHET" --config "$cfg" --gnupg-home "$GH" --data-dir "$data" "$@"; }

# expect_missing NAME ARGS...: exit 2, and stderr names NAME exactly once.
expect_missing() {
	local name=$1 rc=0 err
	shift
	cb "$@" < /dev/null > "$H/out" 2> "$H/err" || rc=$?
	err=$(cat "$H/err")
	assert_eq 2 "$rc" "exit status of '$*' ($err)"
	assert_eq 1 "$(grep -o -F -- "$name" "$H/err" | wc -l)" "times '$*' names $name: $err"
}

expect_missing "$NO.eml" sign "$NO.eml"
expect_missing "$NO.eml" encrypt --to alice@localhost "$NO.eml"
expect_missing "$NO.eml" decrypt "$NO.eml"
expect_missing "$NO.eml" verify "$NO.eml"
expect_missing "$NO.eml" verify --json "$NO.eml"
expect_missing "$NO.eml" harvest "$NO.eml"
expect_missing "$NO.eml" send --dry-run "$NO.eml"
expect_missing "$NO.pem" certs import "$NO.pem"
expect_missing "$NO.pem" certs trust-ca "$NO.pem"
expect_missing "$NO.p12" identity import "$NO.p12"
expect_missing "$NO.d" ui --maildir "$NO.d"
expect_missing NoSuchFolder list NoSuchFolder
expect_missing NoSuchFolder harvest imap:NoSuchFolder
fpr=0123456789ABCDEF0123456789ABCDEF01234567
expect_missing "$fpr" certs show "$fpr"
expect_missing "$fpr" certs export "$fpr"
expect_missing "$fpr" certs trust "$fpr"
expect_missing "$fpr" certs remove "$fpr"
expect_missing nobody@localhost certs show nobody@localhost
expect_missing nosuch --account nosuch list
expect_missing no-such-entry outbox show no-such-entry
expect_missing no-such-entry outbox drop no-such-entry
expect_missing no-such-entry outbox retry no-such-entry
rc=0
"$CACHET" --config "$NO.conf" folders > /dev/null 2> "$H/err" || rc=$?
assert_eq 2 "$rc" "exit status of --config with a missing file"
assert_eq 1 "$(grep -o -F -- "$NO.conf" "$H/err" | wc -l)" "times the missing configuration is named"
# A file that is there but cannot be used is bad input, 3, named once.
printf 'not a certificate\n' > "$H/junk.pem"
rc=0
cb certs import "$H/junk.pem" > /dev/null 2> "$H/err" || rc=$?
assert_eq 3 "$rc" "import of a file that is no certificate"
assert_eq 1 "$(grep -o -F -- "$H/junk.pem" "$H/err" | wc -l)" "times junk.pem is named"
# A directory that is not a Maildir is a usage error of the verbs that
# read Maildirs.
mkdir "$H/plain-dir"
for verb in verify decrypt harvest; do
	rc=0
	cb $verb "$H/plain-dir" > /dev/null 2> "$H/err" || rc=$?
	assert_eq 2 "$rc" "$verb of a directory that is not a Maildir"
	assert_contains "$(cat "$H/err")" "not a Maildir"
done

# A Maildir with a signed message from alice and an unsigned one.
MD=$H/md
mkdir -p "$MD/cur" "$MD/new" "$MD/tmp"
printf 'Hello bob.\n' > "$H/body.txt"
{
	echo "Date: Tue, 4 Mar 2025 09:30:00 +0000"
	echo "Message-ID: <signed@localhost>"
	openssl cms -sign -text -in "$H/body.txt" -signer "$PKI/alice.pem" \
		-inkey "$PKI/alice.key" -from "Alice Example <alice@localhost>" \
		-to bob@localhost -subject "Signed"
} > "$MD/cur/1.signed:2,S"
printf 'From: Carol <carol@localhost>\nTo: bob@localhost\nSubject: plain\nMessage-ID: <plain@localhost>\n\nhi\n' \
	> "$MD/new/2.plain"

# verify reads it whole: one verdict per message; one is unsigned, so 1.
rc=0
out=$(cb verify --json "$MD") || rc=$?
assert_eq 1 "$rc" "verify of the Maildir"
assert_eq 2 "$(printf '%s\n' "$out" | grep -c '^{')" "verdicts of the Maildir"
assert_contains "$(printf '%s\n' "$out" | grep 1.signed)" '"signature":"valid"'
assert_contains "$(printf '%s\n' "$out" | grep 2.plain)" '"signature":"none"'
# decrypt too, over a Maildir of two messages encrypted to bob.
EMD=$H/emd
mkdir -p "$EMD/cur" "$EMD/new" "$EMD/tmp"
for i in 1 2; do
	printf 'Secret %s.\n' "$i" |
		openssl cms -encrypt -aes256 -from alice@localhost -to bob@localhost \
			-subject "secret $i" "$PKI/bob.pem" > "$EMD/new/$i.enc"
done
mkdir "$H/dec"
rc=0
cb decrypt --output-dir "$H/dec" "$EMD" > /dev/null 2> "$H/err" || rc=$?
assert_eq 0 "$rc" "decrypt of the Maildir: $(cat "$H/err")"
assert_eq 2 "$(ls "$H/dec" | wc -l)" "files decrypt wrote"
assert_contains "$(cat "$H/dec/1.enc")" "Secret 1."
assert_contains "$(cat "$H/dec/2.enc")" "Secret 2."
# An empty Maildir is no message, not standard input.
mkdir -p "$H/empty/cur" "$H/empty/new"
out=$(echo "From: x@localhost" | cb verify --json "$H/empty") ||
	fail "verify of an empty Maildir: $out"
assert_eq "" "$out" "verdicts of an empty Maildir"

# harvest: alice's certificate stored, the unsigned message counted as
# not signed, nothing refused.
rc=0
cb harvest "$MD" > /dev/null 2> "$H/err" || rc=$?
assert_eq 0 "$rc" "harvest of the Maildir: $(cat "$H/err")"
assert_contains "$(cat "$H/err")" "harvest: 2 messages (0 seen before), 1 certificates stored, 1 not signed, 0 refused, 0 errors"

# list decodes the Subject's encoded words, and sanitises what they hold.
{
	printf 'From: =?UTF-8?Q?J=C3=BCrgen?= <juergen@localhost>\nTo: bob@localhost\n'
	printf 'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=\n\nhallo\n'
} > "$H/enc.eml"
harness_lmtp_deliver bob "$H/enc.eml"
{
	printf 'From: mallory@localhost\nTo: bob@localhost\n'
	printf 'Subject: =?UTF-8?Q?evil=1B]0;title=07_=E2=80=AEreversed?=\n\nx\n'
} > "$H/evil.eml"
harness_lmtp_deliver bob "$H/evil.eml"
harness_wait_mail bob 2
out=$(cb list INBOX)
assert_contains "$out" $'\tGrüße aus Köln'
assert_not_contains "$out" "=?UTF-8?"
line=$(printf '%s\n' "$out" | grep mallory)
assert_contains "$line" "evil"
assert_not_contains "$line" $'\e' "an escape from an encoded word"
assert_not_contains "$line" $'\a' "a bell from an encoded word"
assert_not_contains "$line" $'\u202e' "a bidi override from an encoded word"
echo "PASS: client_names"
