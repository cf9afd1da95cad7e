#!/bin/bash
# The screen over a Maildir, driven in tmux: the index with its crypto
# column, the pager's security banner naming the signer by the address in
# its certificate (never the display name), a From that does not match the
# signer, a message encrypted to the reader, search, help, attachment save.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"

CACHET=${CACHET:-$top_builddir/cachet}
PKI=$HARNESS_PKI
GH=$(harness_gnupg bob)
MD=$H/Maildir
ui_maildir "$MD"
ui_maildir "$MD/.Sent"

# 1: plain, unsigned.
ui_deliver "$MD" 1 <<'EOF'
From: Carol Example <carol@localhost>
To: bob@localhost
Subject: Lunch on Friday?
Date: Mon, 3 Mar 2025 12:00:00 +0000
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Shall we go to the caf=E9 at noon?
EOF

# 2: signed by alice, From is alice.
printf 'Hello Bob,\nthis text is signed.\n' > "$H/body2.txt"
{
	echo "Date: Tue, 4 Mar 2025 09:30:00 +0000"
	openssl cms -sign -text -in "$H/body2.txt" -signer "$PKI/alice.pem" \
		-inkey "$PKI/alice.key" -from "Alice Example <alice@localhost>" \
		-to bob@localhost -subject "Signed hello"
} | ui_deliver "$MD" 2

# 3: signed by alice, but From claims someone else behind alice's address
#    as a display name.
printf 'Please wire the money.\n' > "$H/body3.txt"
{
	echo "Date: Wed, 5 Mar 2025 10:00:00 +0000"
	openssl cms -sign -text -in "$H/body3.txt" -signer "$PKI/alice.pem" \
		-inkey "$PKI/alice.key" -from '"alice@localhost" <mallory@localhost>' \
		-to bob@localhost -subject "Urgent transfer"
} | ui_deliver "$MD" 3

# 4: signed by alice, then encrypted to bob (AES-128-CBC, RSA transport).
printf 'The secret plans are attached in spirit.\n' > "$H/body4.txt"
openssl cms -sign -text -in "$H/body4.txt" -signer "$PKI/alice.pem" \
	-inkey "$PKI/alice.key" > "$H/signed4.eml"
{
	echo "Date: Thu, 6 Mar 2025 11:00:00 +0000"
	openssl cms -encrypt -aes128 -in "$H/signed4.eml" \
		-from "Alice Example <alice@localhost>" -to bob@localhost \
		-subject "Sealed plans" "$PKI/bob.pem"
} | ui_deliver "$MD" 4

# 5: unsigned, with an attachment.
ui_deliver "$MD" 5 <<'EOF'
From: carol@localhost
To: bob@localhost
Subject: =?utf-8?q?Report_=E2=80=93_Q1?=
Date: Fri, 7 Mar 2025 08:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain

The report is attached.
--b1
Content-Type: application/octet-stream; name="report.txt"
Content-Disposition: attachment; filename="report.txt"
Content-Transfer-Encoding: base64

cmV2ZW51ZSB1cAo=
--b1--
EOF

export XDG_CONFIG_HOME=$H/config
ui_start main 100 30 "$CACHET" --data-dir "$H/data" --gnupg-home "$GH" \
	ui --maildir "$MD"

# The index: every message, crypto column from the top-level Content-Type.
ui_wait main "INBOX [5 messages]"
screen=$(ui_screen main)
assert_contains "$screen" "Lunch on Friday?"
assert_contains "$screen" "Report – Q1"
assert_contains "$(grep 'Signed hello' <<< "$screen")" " S "
assert_contains "$(grep 'Sealed plans' <<< "$screen")" " E "
assert_contains "$(grep 'Lunch on Friday' <<< "$screen")" "Carol Example"
# A display name that is an address is not shown as the sender.
assert_contains "$(grep 'Urgent transfer' <<< "$screen")" "mallory@localhost"

# Plain message: decoded body, "Not signed".
ui_keys main Enter
ui_wait main "Shall we go to the café at noon?"
ui_wait main "Not signed"
ui_keys main q
ui_wait main "INBOX [5 messages]"

# Signed message: the banner names the certificate's address and its issuer.
ui_keys main j Enter
ui_wait main "Signed by alice@localhost (certificate from Cachet Test S/MIME CA, valid)"
screen=$(ui_screen main)
assert_contains "$screen" "this text is signed."
assert_not_contains "$screen" "smime.p7s" "the signature part as an attachment"
ui_keys main q
ui_wait main "INBOX [5 messages]"
assert_contains "$(ui_screen main | grep 'Signed hello')" " S+ "

# Mismatch: From says mallory (behind the display name "alice@localhost").
ui_keys main j Enter
ui_wait main "From says mallory@localhost, but it was signed by alice@localhost"
assert_not_contains "$(ui_screen main | sed -n 2p)" "Signed by alice@localhost (" \
	"a good line first"
ui_keys main q
ui_wait main "INBOX [5 messages]"
assert_contains "$(ui_screen main | grep 'Urgent transfer')" " S! "

# Encrypted to bob, signed inside.
ui_keys main j Enter
ui_wait main "Encrypted to you"
screen=$(ui_screen main)
assert_contains "$screen" "Signed by alice@localhost (certificate from Cachet Test S/MIME CA, valid)"
assert_contains "$screen" "The secret plans are attached in spirit."
ui_keys main q
ui_wait main "INBOX [5 messages]"

# Attachment: listed, saved with s to the file named.
ui_keys main j Enter
ui_wait main "[1] report.txt (application/octet-stream, 11)"
ui_keys main s
ui_wait main "Save to file: report.txt"
ui_keys main C-u "$H/saved-report.txt" Enter
ui_wait main "saved 11 bytes to $H/saved-report.txt"
assert_eq "revenue up" "$(cat "$H/saved-report.txt")" "saved attachment"
assert_eq 600 "$(stat -c %a "$H/saved-report.txt")" "saved attachment mode"
ui_keys main q
ui_wait main "INBOX [5 messages]"

# Search in subject and sender, then read what was found.
ui_keys main /
ui_wait main "Search:"
ui_keys main "lunch" Enter
ui_keys main Enter
ui_wait main "Subject: Lunch on Friday?"
ui_keys main q

# Help lists the keys; any key goes back.
ui_keys main "?"
ui_wait main "PageDown, Space    page-down"
ui_keys main x
ui_wait main "INBOX [5 messages]"

# Reading marked the messages seen in the Maildir.
assert_eq 0 "$(find "$MD/new" -type f | wc -l)" "messages left in new/"
ls "$MD/cur" | grep -q ':2,S$' || fail "no message carries the S flag"

# q goes back to the folder list, q again quits.
ui_keys main q
ui_wait main "folders"
screen=$(ui_screen main)
assert_contains "$screen" "INBOX"
assert_contains "$screen" "Sent"
ui_keys main q
ui_wait_exit main

# A monochrome terminal: problems still stand out (reverse video), the
# good line is bold, and the words are the same.
UI_TERM=vt100 ui_start mono 100 30 "$CACHET" --data-dir "$H/data" --gnupg-home "$GH" \
	ui --maildir "$MD"
ui_wait mono "INBOX [5 messages]"
ui_keys mono = j j Enter
ui_wait mono "From says mallory@localhost, but it was signed by alice@localhost"
sgr=";$(ui_row_sgr mono 1);"
assert_contains "$sgr" ";7;" "reverse video on the problem line"
ui_keys mono q k Enter
ui_wait mono "Signed by alice@localhost (certificate from Cachet Test S/MIME CA, valid)"
sgr=";$(ui_row_sgr mono 1);"
assert_contains "$sgr" ";1;" "bold on the good line"
assert_not_contains "$sgr" ";7;" "reverse video on the good line"
# The headers below are plain bold: the banner is set apart.
assert_not_contains ";$(ui_row_sgr mono 2);" ";7;" "reverse video on the From line"
ui_keys mono q q q

# Library output went to the log, not onto the screen.
[ -f "$H/data/ui.log" ] || fail "no ui.log in the data dir"
exit 0
