#!/bin/bash
# Drafts, forwarding and names on the compose screen, against the private
# Dovecot and Postfix:
#   - a reply shows the sender's RFC 2047 name decoded ("François");
#   - f forwards a message with its attachment, and an encrypted original
#     as its decrypted text and attachment (never the blob addressed to
#     bob);
#   - R from the index opens Drafts; e on a plain draft resumes it (headers,
#     text, attachment); sent, it leaves Drafts;
#   - a draft postponed encrypted to bob is decrypted when resumed (R, e);
#     postponed again, the old one leaves Drafts; sent, none is left.
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
cat > "$H/editor.sh" <<'SH'
#!/bin/sh
printf 'Text from the editor.\n' >> "$1"
SH
chmod 755 "$H/editor.sh"
drafts() {
	find "$MB/.Drafts/cur" "$MB/.Drafts/new" -type f 2> /dev/null | wc -l
}
wait_drafts() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(drafts)" = "$1" ] && return 0
		sleep 0.1
	done
	fail "Drafts holds $(drafts) messages, expected $1"
}
# mixed SUBJECT: a multipart/mixed body with a text and data.bin.
mixed() {
	cat <<MSG
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

$1
--b1
Content-Type: application/octet-stream; name="data.bin"
Content-Disposition: attachment; filename="data.bin"
Content-Transfer-Encoding: base64

YXR0YWNobWVudC1ieXRlcy0xMjMK
--b1--
MSG
}

# 1: from François (an encoded name), with an attachment.
{
	printf 'From: =?ISO-8859-1?Q?Fran=E7ois?= <alice@localhost>\nTo: bob@localhost\n'
	printf 'Subject: Numbers\nDate: Tue, 4 Mar 2025 09:30:00 +0000\nMessage-ID: <numbers@localhost>\n'
	mixed "Here are the numbers."
} > "$H/m1.eml"
harness_lmtp_deliver bob "$H/m1.eml"
# 2: encrypted to bob, with an attachment inside.
mixed "The secret plan." > "$H/inner.eml"
openssl cms -encrypt -aes256 -in "$H/inner.eml" -from "alice@localhost" -to bob@localhost \
	-subject "Secret" "$PKI/bob.pem" > "$H/m2.eml"
harness_lmtp_deliver bob "$H/m2.eml"
harness_wait_mail bob 2

ui_start main 110 32 env EDITOR="$H/editor.sh" \
	"$CACHET" --config "$CFG" --data-dir "$DATA" --gnupg-home "$GH"
ui_wait main "INBOX [2 messages]" 20

# find TEXT: the index's cursor to the message whose subject holds TEXT.
find_msg() {
	ui_keys main /
	ui_wait_prompt main "Search:"
	ui_keys main "$1" Enter
	ui_settle main
}

# A reply shows the name decoded.
find_msg Numbers
ui_keys main r
ui_wait main "cachet: compose" 20
ui_wait main "     To: François <alice@localhost>" 20
ui_keys main q
ui_wait_prompt main "Abandon this message (y/n)?"
ui_keys main y Enter
ui_wait main "not sent"

# f keeps the attachment.
ui_keys main f
ui_wait_prompt main "To:"
ui_keys main carol@localhost Enter
ui_wait main "cachet: compose" 20
ui_wait main "Attachment 1: data.bin" 20
assert_contains "$(ui_screen main)" "Here are the numbers." "the forward"
ui_keys main y
ui_wait main "sent, signed" 30
harness_wait_mail carol 1
mail=$(harness_mailbox_text carol)
assert_contains "$mail" 'filename="data.bin"' "the forward carol got"
assert_contains "$mail" "YXR0YWNobWVudC1ieXRlcy0xMjMK" "the forward carol got"
assert_contains "$mail" "Subject: Fwd: Numbers" "the forward carol got"

# An encrypted original goes as its decrypted text and attachment.
ui_keys main i
ui_wait main "INBOX [2 messages]"
find_msg Secret
ui_keys main f
ui_wait_prompt main "To:" 30
ui_keys main carol@localhost Enter
ui_wait main "cachet: compose" 30
ui_wait main "Attachment 1: data.bin" 20
ui_keys main y
ui_wait main "sent, signed" 30
harness_wait_mail carol 2
mail=$(harness_mailbox_text carol)
assert_contains "$mail" "The secret plan." "the encrypted original forwarded"
assert_contains "$mail" "Subject: Fwd: Secret" "the encrypted original forwarded"
assert_not_contains "$mail" "smime.p7m" "the encrypted original forwarded"
assert_not_contains "$mail" "enveloped-data" "the encrypted original forwarded"

# A plain draft in Drafts: R opens Drafts, e resumes it, y sends it.
mkdir -p "$MB/.Drafts/cur" "$MB/.Drafts/new" "$MB/.Drafts/tmp"
{
	printf 'From: Bob Example <bob@localhost>\nTo: dave@localhost\nSubject: Plain draft\n'
	printf 'Message-ID: <plain-draft@localhost>\n'
	mixed "Written earlier."
} > "$MB/.Drafts/cur/1700000001.M1P1.test:2,DS"
chown -R dovecot:dovecot "$MB/.Drafts"
ui_keys main R
ui_wait main "Drafts [1 message]" 20
ui_wait main "e or R on one resumes it"
ui_keys main e
ui_wait main "cachet: compose" 20
ui_wait main "resumed the draft" 20
screen=$(ui_screen main)
assert_contains "$screen" "     To: dave@localhost" "the resumed draft"
assert_contains "$screen" "Subject: Plain draft" "the resumed draft"
assert_contains "$screen" "Written earlier." "the resumed draft"
assert_contains "$screen" "Attachment 1: data.bin" "the resumed draft"
ui_keys main y
ui_wait main "sent, signed" 30
harness_wait_mail dave 1
assert_contains "$(harness_mailbox_text dave)" "Message-ID: <plain-draft@localhost>" "what dave got"
assert_eq 0 "$(drafts)" "drafts after sending the resumed one"

# A draft postponed encrypted to bob, resumed decrypted, postponed again.
ui_keys main m
ui_wait_prompt main "To:"
ui_keys main dave@localhost Enter
ui_wait_prompt main "Subject:"
ui_keys main "Sealed draft" Enter
ui_wait main "cachet: compose" 20
ui_wait main "will be signed" 30
ui_keys main P
# The status says "postponed ..., encrypted to you", then, Drafts being
# open, that a message came.
ui_wait_gone main "cachet: compose" 20
wait_drafts 1
assert_eq 1 "$(drafts)" "drafts after postponing"
grep -q "Text from the editor" "$MB"/.Drafts/*/* && fail "the draft is stored readable"
# Drafts is open: e resumes its message.
ui_wait main "Drafts [1 message]" 20
ui_keys main e
ui_wait main "resumed the draft" 30
screen=$(ui_screen main)
assert_contains "$screen" "Subject: Sealed draft" "the resumed encrypted draft"
assert_contains "$screen" "Text from the editor." "the resumed encrypted draft"
ui_keys main P
ui_wait_gone main "cachet: compose" 20
ui_settle main
assert_eq 1 "$(drafts)" "drafts after postponing the resumed one again"
grep -q "Sealed draft" "$MB"/.Drafts/*/* || fail "the draft postponed again is not in Drafts"
# In Drafts, R resumes too.
ui_wait main "Drafts [1 message]" 20
ui_keys main R
ui_wait main "resumed the draft" 30
ui_keys main y
ui_wait main "sent, signed" 30
harness_wait_mail dave 2
assert_contains "$(harness_mailbox_text dave)" "Subject: Sealed draft" "what dave got"
wait_drafts 0
ui_keys main q q q
ui_wait_exit main
echo "PASS: ui_drafts"
