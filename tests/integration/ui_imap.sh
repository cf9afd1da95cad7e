#!/bin/bash
# The screen over IMAP (the private Dovecot, implicit TLS), started as
# plain `cachet` without a verb: the index of INBOX, the pager's banner for a
# message signed by alice, \Seen stored on the server, folder names decoded
# from modified UTF-7.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"
harness_dovecot

CACHET=${CACHET:-$top_builddir/cachet}
PKI=$HARNESS_PKI
GH=$(harness_gnupg bob)
CFG=$(harness_config bob)

# lmtp_deliver USER FILE: as Postfix does, with CRLF and dot-stuffing.
lmtp_deliver() {
	local user=$1 file=$2 reply
	exec 3<> "/dev/tcp/127.0.0.1/$LMTP_PORT"
	{
		printf 'LHLO test\r\nMAIL FROM:<sender@localhost>\r\nRCPT TO:<%s@localhost>\r\nDATA\r\n' "$user"
		sed -e 's/\r$//' -e 's/^\./../' -e 's/$/\r/' "$file"
		printf '.\r\nQUIT\r\n'
	} >&3
	reply=$(timeout 10 cat <&3)
	exec 3<&-
	assert_contains "$reply" "250 2.0.0 <$user@localhost>" "LMTP delivery"
}

cat > "$H/plain.eml" <<'EOF'
From: Carol Example <carol@localhost>
To: bob@localhost
Subject: =?utf-8?q?Caf=C3=A9_tomorrow?=
Date: Mon, 3 Mar 2025 12:00:00 +0000

See you there.
EOF
lmtp_deliver bob "$H/plain.eml"

printf 'Hello Bob,\nsigned over IMAP.\n' > "$H/body.txt"
{
	echo "Date: Tue, 4 Mar 2025 09:30:00 +0000"
	openssl cms -sign -text -in "$H/body.txt" -signer "$PKI/alice.pem" \
		-inkey "$PKI/alice.key" -from "Alice Example <alice@localhost>" \
		-to bob@localhost -subject "Signed over IMAP"
} > "$H/signed.eml"
lmtp_deliver bob "$H/signed.eml"
harness_wait_mail bob 2

# A folder whose name needs modified UTF-7 ("Entwürfe").
MB=$H/mail/bob/Maildir
mkdir -p "$MB/.Entw&APw-rfe/cur" "$MB/.Entw&APw-rfe/new" "$MB/.Entw&APw-rfe/tmp"
chown -R dovecot:dovecot "$MB/.Entw&APw-rfe"

# No verb: cachet opens the screen on the account's IMAP server.
ui_start main 100 30 "$CACHET" --config "$CFG" --data-dir "$H/data" \
	--gnupg-home "$GH"
ui_wait main "INBOX [2 messages]" 20
screen=$(ui_screen main)
assert_contains "$screen" "Café tomorrow"
assert_contains "$(grep 'Café tomorrow' <<< "$screen")" "Carol Example"
assert_contains "$screen" "Signed over IMAP"

ui_keys main j Enter
ui_wait main "Signed by alice@localhost (certificate from Cachet Test S/MIME CA, valid)" 20
assert_contains "$(ui_screen main)" "signed over IMAP."
ui_keys main q
ui_wait main "INBOX [2 messages]"
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
lmtp_deliver bob "$H/late.eml"
harness_wait_mail bob 3
ui_keys main '$'
ui_wait main "INBOX [3 messages]" 20
assert_contains "$(ui_screen main)" "Arrived later"
assert_contains "$(ui_screen main | tail -n 1)" "1 new since"

ui_keys main q
ui_wait main "folders"
assert_contains "$(ui_screen main)" "Entwürfe"
ui_keys main q
for ((i = 0; i < 100; i++)); do
	ui_alive main || break
	sleep 0.05
done
ui_alive main && fail "cachet did not quit on q"
exit 0
