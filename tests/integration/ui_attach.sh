#!/bin/bash
# Attachments from the compose screen, against the private Dovecot and
# Postfix: a file is attached (type guessed from name and bytes), another
# attached and removed again, the message goes out signed and encrypted to
# bob himself and arrives multipart/mixed with the attachment's very bytes
# (checked by openssl cms, the independent peer); then the received
# encrypted message is forwarded as an attachment, and what arrives holds
# the original as received (still encrypted), never its decrypted text.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"
harness_postfix

CACHET=${CACHET:-$top_builddir/cachet}
PKI=$HARNESS_PKI
GH=$(harness_gnupg bob)
CFG=$(harness_config bob)
DATA=$H/data
MB=$H/mail/bob/Maildir

# The editor appends what $H/say holds, as a person would type it.
printf 'The numbers are attached.\n' > "$H/say"
cat > "$H/editor.sh" <<EOF2
#!/bin/sh
cat "$H/say" >> "\$1"
EOF2
chmod 755 "$H/editor.sh"

# A binary file (PNG signature, NUL bytes, every byte value) and a text file.
{
	printf '\211PNG\r\n\032\n\000\000\000\rIHDR'
	for ((i = 0; i < 256; i++)); do printf "\\$(printf %03o "$i")"; done
} > "$H/chart.png"
printf 'one,two\n1,2\n' > "$H/extra.csv"

# Something in INBOX to start with, and the folders for the copies.
mkdir -p "$MB/cur" "$MB/new" "$MB/tmp"
for f in Sent Drafts; do
	mkdir -p "$MB/.$f/cur" "$MB/.$f/new" "$MB/.$f/tmp"
done
chown -R dovecot:dovecot "$MB"

ui_start main 100 30 env EDITOR="$H/editor.sh" HOME="$H" \
	"$CACHET" --config "$CFG" --data-dir "$DATA" --gnupg-home "$GH"
ui_wait main "INBOX [0 messages]" 20

ui_keys main m
ui_wait_prompt main "To:"
ui_keys main "bob@localhost" Enter
ui_wait_prompt main "Subject:"
ui_keys main "Quarterly numbers" Enter
ui_wait main "will be encrypted to bob@localhost" 30
ui_keys main a
ui_wait_prompt main "Attach file:"
ui_keys main "~/chart.png" Enter
ui_wait main "attached chart.png (image/png, 272 bytes)" 30
ui_wait main "Attachment 1: chart.png (image/png, 272)"
ui_keys main a
ui_wait_prompt main "Attach file:"
ui_keys main "$H/extra.csv" Enter
ui_wait main "Attachment 2: extra.csv (text/csv, 12)" 30
ui_keys main a
ui_wait_prompt main "Attach file:"
ui_keys main "$H/missing.bin" Enter
ui_wait main "not attached: "
# D asks which one when there are several.
ui_keys main D
ui_wait_prompt main "Remove which attachment (1-2)?"
ui_keys main 2 Enter
ui_wait main "removed extra.csv" 30
ui_wait_gone main "Attachment 2:"
assert_contains "$(ui_screen main)" "Attachment 1: chart.png"
ui_wait main "will be encrypted to bob@localhost" 30
ui_keys main y
ui_wait main "sent, signed, encrypted" 30
harness_wait_mail bob 1 10

mail=$(find "$MB/new" "$MB/cur" -type f | head -n 1)
# A copy: reading it renames the file.
cp "$mail" "$H/first.eml"
mail=$H/first.eml
grep -q '^Content-Type: application/pkcs7-mime' "$mail" || fail "the message did not arrive encrypted"
openssl cms -decrypt -in "$mail" -recip "$PKI/bob.pem" -inkey "$PKI/bob.key" \
	> "$H/inner.eml" || fail "openssl cms could not decrypt it"
# The signature inside verifies against the test CA, and gives the content.
openssl cms -verify -in "$H/inner.eml" -CAfile "$PKI/smime-ca.pem" -out "$H/content.eml" \
	2> "$H/verify.err" || { cat "$H/verify.err" >&2; fail "the signature does not verify"; }
content=$(tr -d '\r' < "$H/content.eml")
assert_contains "$content" "Content-Type: multipart/mixed; boundary="
assert_contains "$content" "The numbers are attached."
assert_contains "$content" 'Content-Type: image/png; name="chart.png"'
assert_contains "$content" 'Content-Disposition: attachment; filename="chart.png"'
assert_not_contains "$content" "extra.csv" "the message after the attachment was removed"
# The attachment's bytes, decoded, are the file's.
tr -d '\r' < "$H/content.eml" | awk '
	/^Content-Disposition: attachment; filename="chart.png"/ { part = 1; next }
	part == 1 && /^$/ { part = 2; next }
	part == 2 && /^--/ { exit }
	part == 2 { print }' | openssl base64 -d > "$H/chart.out"
cmp "$H/chart.png" "$H/chart.out" || fail "the attachment's bytes differ"

# Forward the received (encrypted) message as an attachment.
printf 'Forwarded as it came.\n' > "$H/say"
ui_keys main '$'
ui_wait main "INBOX [1 message]" 20
ui_keys main A
ui_wait_prompt main "To:"
ui_keys main "bob@localhost" Enter
ui_wait main "Subject: Fwd: Quarterly numbers" 30
ui_wait main "Attachment 1: forwarded.eml (message/rfc822," 30
ui_wait main "will be encrypted to bob@localhost" 30
ui_keys main y
ui_wait main "sent, signed, encrypted" 30
harness_wait_mail bob 2 10
# cachet's encrypted forward: its Subject is inside, "[...]" outside.
fwd=$(grep -l '^Subject: \[\.\.\.\]' "$MB"/new/* "$MB"/cur/* | head -n 1)
[ -n "$fwd" ] || fail "the forward did not arrive"
openssl cms -decrypt -in "$fwd" -recip "$PKI/bob.pem" -inkey "$PKI/bob.key" \
	> "$H/fwd-inner.eml" || fail "openssl cms could not decrypt the forward"
openssl cms -verify -in "$H/fwd-inner.eml" -CAfile "$PKI/smime-ca.pem" \
	-out "$H/fwd-content.eml" 2> /dev/null || fail "the forward's signature does not verify"
fwdc=$(tr -d '\r' < "$H/fwd-content.eml")
assert_contains "$fwdc" "Subject: Fwd: Quarterly numbers"
assert_contains "$fwdc" 'Content-Type: message/rfc822; name="forwarded.eml"'
# The original as received: still enveloped, its ciphertext the same.
assert_contains "$fwdc" "Content-Type: application/pkcs7-mime"
# Its header as it came: the Subject it was sent with is inside it.
grep -qx 'Subject: \[\.\.\.\]' <<< "$fwdc" || fail "the forwarded original's header changed"
# (awk reads the file itself: a pipe into an awk that exits early ends in SIGPIPE)
first_line=$(awk '{ sub(/\r$/, "") } /^$/ { body = 1; next } body && NF { print; exit }' "$mail")
assert_contains "$fwdc" "$first_line" "the forward (the original's ciphertext)"
assert_contains "$fwdc" "Forwarded as it came."
assert_not_contains "$fwdc" "The numbers are attached." "the forward (decrypted text)"
assert_not_contains "$fwdc" 'filename="chart.png"' "the forward (decrypted parts)"
ui_keys main q q

# Without a certificate of one's own, a postponed draft stays in the clear,
# and the status line says so and why.
mkdir -m 700 "$H/nocert"
printf 'A draft without a certificate.\n' > "$H/say"
ui_start clear 100 30 env EDITOR="$H/editor.sh" HOME="$H" \
	"$CACHET" --config "$CFG" --data-dir "$DATA" --gnupg-home "$H/nocert"
ui_wait clear "INBOX [2 messages]" 20
ui_keys clear m
ui_wait_prompt clear "To:"
ui_keys clear "carol@localhost" Enter
ui_wait_prompt clear "Subject:"
ui_keys clear "Unsealed draft" Enter
ui_wait clear "compose" 20
ui_wait_gone clear "working" 30
ui_keys clear P
ui_wait clear "postponed to Drafts in the clear: no certificate of yours to encrypt to" 30
for ((i = 0; i < 50; i++)); do
	grep -rqs "Subject: Unsealed draft" "$MB/.Drafts" && break
	sleep 0.1
done
draft=$(grep -rl "Subject: Unsealed draft" "$MB/.Drafts" | head -n 1)
[ -n "$draft" ] || fail "the draft is not in Drafts"
assert_contains "$(cat "$draft")" "A draft without a certificate." "the draft in the clear"
ui_keys clear q q
exit 0
