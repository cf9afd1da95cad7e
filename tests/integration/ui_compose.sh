#!/bin/bash
# Writing from the screen, against the private Dovecot and Postfix: the
# compose screen says what will happen (signed, required by the locked
# policy; encrypted to whom, or why not) from the send plan, and signs
# nothing while the draft is written and edited (gpg-agent's log has no
# PKSIGN until the message is sent); a reply goes out signed and encrypted
# and arrives; a new message can be
# postponed to Drafts; the body comes from $EDITOR.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"
harness_postfix

CACHET=${CACHET:-$top_builddir/cachet}
PKI=$HARNESS_PKI
GH=$(harness_gnupg bob)
CFG=$(harness_config bob)
# bob's agent logs the commands it is given (PKSIGN: a signature); it reads
# its configuration when it starts again.
printf 'log-file %s\ndebug ipc\n' "$H/agent.log" >> "$GH/gpg-agent.conf"
gpgconf --homedir "$GH" --kill gpg-agent
pksigns() {	# 0 too before gpg-agent has written its log at all
	if [ -f "$H/agent.log" ]; then grep -c ' PKSIGN' "$H/agent.log" || true; else echo 0; fi
}
DATA=$H/data
MB=$H/mail/bob/Maildir

# The administrator's policy: signing is mandatory.
printf '[policy]\nsign = always\nlocked = yes\n' > "$H/policy"
export CACHET_SYSTEM_POLICY=$H/policy

# The editor appends a line, as a person would type one.
cat > "$H/editor.sh" <<'EOF'
#!/bin/sh
printf 'Text from the editor.\n' >> "$1"
EOF
chmod 755 "$H/editor.sh"

# alice writes to bob, signed; bob learns her certificate from it by
# reading it on the screen (the default policy harvests).
printf 'Can you send me the figures?\n' > "$H/body.txt"
{
	echo "Date: Tue, 4 Mar 2025 09:30:00 +0000"
	echo "Message-ID: <figures@localhost>"
	openssl cms -sign -text -in "$H/body.txt" -signer "$PKI/alice.pem" \
		-inkey "$PKI/alice.key" -from "Alice Example <alice@localhost>" \
		-to bob@localhost -subject "Figures"
} > "$H/signed.eml"
harness_lmtp_deliver bob "$H/signed.eml"
harness_wait_mail bob 1

# Folders for the copies: Sent and Drafts.
for f in Sent Drafts; do
	mkdir -p "$MB/.$f/cur" "$MB/.$f/new" "$MB/.$f/tmp"
done
chown -R dovecot:dovecot "$MB"

ui_start main 100 30 env EDITOR="$H/editor.sh" CACHET_SYSTEM_POLICY="$H/policy" \
	"$CACHET" --config "$CFG" --data-dir "$DATA" --gnupg-home "$GH"
ui_wait main "INBOX [1 message]" 20

# Reading it stores alice's certificate, and says so.
ui_keys main Enter
ui_wait main "stored the certificate of alice@localhost: mail to alice@localhost can be encrypted" 20
ui_keys main q
ui_wait main "INBOX [1 message]"

# Reply: quoted text, the editor's line, and the plan.
signs_before=$(pksigns)
ui_keys main r
ui_wait main "compose" 20
ui_wait main "will be signed (required by policy); will be encrypted to alice@localhost" 30
screen=$(ui_screen main)
assert_contains "$screen" "     To: Alice Example <alice@localhost>"
assert_contains "$screen" "Subject: Re: Figures"
assert_contains "$screen" "> Can you send me the figures?"
assert_contains "$screen" "Text from the editor."

# Adding a recipient without a certificate: the plan says who blocks it.
ui_keys main c
ui_wait_prompt main "Cc:"
ui_keys main "carol@localhost" Enter
ui_wait main "cannot encrypt: " 30
assert_contains "$(ui_screen main)" "carol@localhost"
ui_keys main c
ui_wait_prompt main "Cc: carol@localhost"
ui_keys main C-u Enter
ui_wait main "will be encrypted to alice@localhost" 30

# The locked policy refuses to drop the signature, and says so; encryption
# can be turned off for one message and back on.
ui_keys main S
ui_wait main "signing is locked to 'always' by the system policy"
assert_contains "$(ui_screen main)" "will be signed (required by policy)"
ui_keys main E
ui_wait main "cannot encrypt: turned off for this message (E)" 30
ui_keys main E
ui_wait main "will be encrypted to alice@localhost" 30

# Help scrolls when it is longer than the screen.
ui_keys main "?"
ui_wait main "j, Down k, Up: scroll"
ui_keys main Space Space Space
ui_wait main "postpone to Drafts"
ui_keys main x
ui_wait main "y:send"

# Send it: signed and encrypted, delivered to alice.
# Written, edited, turned on and off: nothing was signed yet.
assert_eq "$signs_before" "$(pksigns)" "PKSIGN commands while the reply was composed"
ui_keys main y
ui_wait main "sent, signed, encrypted" 30
[ "$(pksigns)" -gt "$signs_before" ] || fail "sending signed nothing in gpg-agent"
harness_wait_mail alice 1 10
mail=$(harness_mailbox_text alice)
assert_contains "$mail" "application/pkcs7-mime" "the reply arrived encrypted"
# The Subject travels inside (RFC 9788); outside it is "[...]".
assert_contains "$mail" "Subject: [...]"
assert_not_contains "$mail" "Re: Figures" "the reply as it travels"
assert_contains "$mail" "In-Reply-To: <figures@localhost>"
reply=$(find "$H/mail/alice/Maildir/new" "$H/mail/alice/Maildir/cur" -type f | head -n 1)
openssl cms -decrypt -in "$reply" -recip "$PKI/alice.pem" -inkey "$PKI/alice.key" \
	> "$H/reply.eml" || fail "alice cannot decrypt the reply"
assert_contains "$(cat "$H/reply.eml")" "Subject: Re: Figures" "the decrypted reply"
# The original is marked answered (Dovecot's Maildir flag R).
for ((i = 0; i < 50; i++)); do
	find "$MB/cur" -name '*:2,*R*' | grep -q . && break
	sleep 0.1
done
find "$MB/cur" -name '*:2,*R*' | grep -q . || fail "the original was not marked answered"

# A new message, postponed to Drafts.
ui_keys main m
ui_wait_prompt main "To:"
ui_keys main "carol@localhost" Enter
ui_wait_prompt main "Subject:"
ui_keys main "Plans for Friday" Enter
ui_wait main "compose" 20
ui_wait main "cannot encrypt: " 30
assert_contains "$(ui_screen main)" "will be signed (required by policy)"
ui_keys main P
# bob has a certificate: the draft on the server is encrypted to him.
ui_wait main "postponed to Drafts, encrypted to you" 20
# Its Subject is inside, as for any encrypted message: "[...]" outside.
for ((i = 0; i < 50; i++)); do
	grep -rqs "To: carol@localhost" "$MB/.Drafts" && break
	sleep 0.1
done
grep -rqs "To: carol@localhost" "$MB/.Drafts" || fail "the draft is not in Drafts"
draft=$(grep -rl "To: carol@localhost" "$MB/.Drafts" | head -n 1)
grep -q '^Subject: \[\.\.\.\]' "$draft" || fail "the draft's outer Subject is not [...]"
assert_not_contains "$(cat "$draft")" "Plans for Friday" "the draft on the server"
grep -q '^Content-Type: application/pkcs7-mime' "$draft" || fail "the draft is in the clear"
assert_not_contains "$(cat "$draft")" "Text from the editor." "the draft on the server"
openssl cms -decrypt -in "$draft" -recip "$PKI/bob.pem" -inkey "$PKI/bob.key" \
	> "$H/draft.eml" || fail "the draft does not decrypt with bob's key"
assert_contains "$(cat "$H/draft.eml")" "Text from the editor." "the decrypted draft"
assert_contains "$(cat "$H/draft.eml")" "Subject: Plans for Friday" "the decrypted draft"
# The addresses stay in the header, outside the envelope.
assert_contains "$(cat "$draft")" "To: carol@localhost" "the draft's header"

# Abandoning asks first.
ui_keys main m
ui_wait_prompt main "To:"
ui_keys main "carol@localhost" Enter
ui_wait_prompt main "Subject:"
ui_keys main "Never mind" Enter
ui_wait main "compose" 20
ui_keys main q
ui_wait main "Abandon this message (y/n)?"
ui_keys main y Enter
ui_wait main "not sent"
# Back where writing began: the pager of the message answered.
ui_wait main "Signed by alice@localhost"
ui_keys main q
ui_wait main "INBOX [1 message]"
ui_keys main q q
exit 0
