#!/bin/bash
# The screen over IMAP (the private Dovecot, implicit TLS), started as
# plain `cachet` without a verb: the index of INBOX with its crypto column
# (signed, encrypted, and encrypted sent as octet-stream named smime.p7m)
# before any message is opened, the pager's banner for a message signed by
# alice, \Seen stored on the server, folder names decoded from modified
# UTF-7; the index cache under the data directory, used when the folder is
# opened again, and rebuilt when it is of the older format.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"
harness_dovecot

CACHET=${CACHET:-$top_builddir/cachet}
PKI=$HARNESS_PKI
GH=$(harness_gnupg bob)
CFG=$(harness_config bob)

cat > "$H/plain.eml" <<'EOF'
From: Carol Example <carol@localhost>
To: bob@localhost
Subject: =?utf-8?q?Caf=C3=A9_tomorrow?=
Date: Mon, 3 Mar 2025 12:00:00 +0000

See you there.
EOF
harness_lmtp_deliver bob "$H/plain.eml"

printf 'Hello Bob,\nsigned over IMAP.\n' > "$H/body.txt"
{
	echo "Date: Tue, 4 Mar 2025 09:30:00 +0000"
	openssl cms -sign -text -in "$H/body.txt" -signer "$PKI/alice.pem" \
		-inkey "$PKI/alice.key" -from "Alice Example <alice@localhost>" \
		-to bob@localhost -subject "Signed over IMAP"
} > "$H/signed.eml"
harness_lmtp_deliver bob "$H/signed.eml"

printf 'For your eyes only.\n' > "$H/secret.txt"
{
	echo "Date: Wed, 5 Mar 2025 08:00:00 +0000"
	openssl cms -encrypt -aes256 -in "$H/secret.txt" \
		-from "Alice Example <alice@localhost>" -to bob@localhost \
		-subject "Sealed over IMAP" "$PKI/bob.pem"
} > "$H/enc.eml"
grep -q '^Content-Type: application/pkcs7-mime' "$H/enc.eml" ||
	fail "openssl did not write an enveloped message"
harness_lmtp_deliver bob "$H/enc.eml"
# The same, labelled octet-stream named smime.p7m, the type folded.
sed -e 's/^Subject: .*/Subject: Octet sealed/' \
	-e 's/^Content-Type: application\/pkcs7-mime.*/Content-Type: application\/octet-stream;\n\tname="smime.p7m"/' \
	"$H/enc.eml" > "$H/octet.eml"
grep -q '^Content-Type: application/octet-stream;$' "$H/octet.eml" ||
	fail "the octet-stream copy was not made"
harness_lmtp_deliver bob "$H/octet.eml"
harness_wait_mail bob 4

# A folder whose name needs modified UTF-7 ("Entwürfe").
MB=$H/mail/bob/Maildir
mkdir -p "$MB/.Entw&APw-rfe/cur" "$MB/.Entw&APw-rfe/new" "$MB/.Entw&APw-rfe/tmp"
chown -R dovecot:dovecot "$MB/.Entw&APw-rfe"

# No verb: cachet opens the screen on the account's IMAP server.
ui_start main 100 30 "$CACHET" --config "$CFG" --data-dir "$H/data" \
	--gnupg-home "$GH"
ui_wait main "INBOX [4 messages]" 20
screen=$(ui_screen main)
assert_contains "$screen" "Café tomorrow"
assert_contains "$(grep 'Café tomorrow' <<< "$screen")" "Carol Example"
assert_contains "$screen" "Signed over IMAP"
# The crypto column, from the Content-Type fetched with the index.
assert_contains "$(grep 'Café tomorrow' <<< "$screen")" " N    "
assert_contains "$(grep 'Signed over IMAP' <<< "$screen")" " N  S  "
assert_contains "$(grep 'Sealed over IMAP' <<< "$screen")" " N  E  "
assert_contains "$(grep 'Octet sealed' <<< "$screen")" " N  E  "

ui_keys main j Enter
ui_wait main "Signed by alice@localhost (certificate from Cachet Test S/MIME CA, valid)" 20
assert_contains "$(ui_screen main)" "signed over IMAP."
ui_keys main q
ui_wait main "INBOX [4 messages]"
assert_contains "$(ui_screen main | grep 'Signed over IMAP')" " S+ "

# Reading stored \Seen on the server (Dovecot's Maildir flag S).
for ((i = 0; i < 50; i++)); do
	find "$MB/cur" -name '*:2,*S*' | grep -q . && break
	sleep 0.1
done
find "$MB/cur" -name '*:2,*S*' | grep -q . || fail "\\Seen was not stored on the server"

# New mail while the screen is up: $ reads the folder again, the cursor
# stays on the message it was on.
printf 'From: carol@localhost\nTo: bob@localhost\nSubject: Arrived later\nDate: Wed, 5 Mar 2025 12:00:00 +0000\n\nLate.\n' > "$H/late.eml"
harness_lmtp_deliver bob "$H/late.eml"
harness_wait_mail bob 5
ui_keys main '$'
ui_wait main "INBOX [5 messages]" 20
assert_contains "$(ui_screen main)" "Arrived later"
assert_contains "$(ui_screen main | tail -n 1)" "1 new since"

ui_keys main q
ui_wait main "folders"
assert_contains "$(ui_screen main)" "Entwürfe"
ui_keys main q
ui_wait_exit main

# The index cache: version 4, private, with the Content-Type of each message.
cache=$H/data/imap-cache/bob/INBOX
[ -f "$cache" ] || fail "no index cache at $cache"
assert_eq 600 "$(stat -c %a "$cache")" "mode of the index cache"
assert_eq "cachet-imap-index 4" "$(head -n 1 "$cache" | cut -d' ' -f1-2)" \
	"cache version"
assert_eq 5 "$(tail -n +2 "$cache" | wc -l)" "cached messages"
assert_contains "$(grep 'Octet sealed' "$cache")" \
	"$(printf '\tapplication/octet-stream; name="smime.p7m"')" "cached Content-Type"
assert_contains "$(grep 'Signed over IMAP' "$cache")" "$(printf '\tmultipart/signed;')"
assert_not_contains "$(cat "$cache")" "For your eyes only" "the cache (headers only)"

# ui_reopen WAIT: the screen again on INBOX, then quit.
ui_reopen() {
	ui_start again 100 30 "$CACHET" --config "$CFG" --data-dir "$H/data" \
		--gnupg-home "$GH"
	ui_wait again "INBOX [5 messages]" 20
	reopened=$(ui_screen again)
	ui_keys again q
	ui_wait again "folders"
	ui_keys again q
		ui_wait_exit again
}

# Opened again, the folder's envelopes come from the cache.
sed -i 's/\tArrived later\t/\tArrived later (cached)\t/' "$cache"
ui_reopen
assert_contains "$reopened" "Arrived later (cached)"
assert_contains "$(grep 'Sealed over IMAP' <<< "$reopened")" "  E  "

# A cache of an older version (here 2: no modseq, no In-Reply-To) is not
# read: the index is fetched afresh and the file rewritten in version 4.
{
	head -n 1 "$cache" | awk '{ print "cachet-imap-index 2", $3, $4, $6 }'
	tail -n +2 "$cache" | awk -F'\t' '{
		line = $1; for (i = 2; i <= NF; i++) if (i != 10) line = line "\t" $i; print line }'
} > "$cache.v1"
mv "$cache.v1" "$cache"
chmod 600 "$cache"
assert_contains "$(cat "$cache")" "Arrived later (cached)"
assert_eq "cachet-imap-index 2" "$(head -n 1 "$cache" | cut -d' ' -f1-2)" \
	"the doctored cache's version"
ui_reopen
assert_contains "$reopened" "Arrived later"
assert_not_contains "$reopened" "Arrived later (cached)" "index from a version 2 cache"
assert_contains "$(grep 'Signed over IMAP' <<< "$reopened")" "  S  "
assert_contains "$(grep 'Octet sealed' <<< "$reopened")" "  E  "
assert_eq "cachet-imap-index 4" "$(head -n 1 "$cache" | cut -d' ' -f1-2)" \
	"cache version after the rebuild"
assert_contains "$(cat "$cache")" "multipart/signed"
exit 0
