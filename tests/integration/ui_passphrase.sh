#!/bin/bash
# A secret key protected by a passphrase that gpg-agent does not hold: the
# screen asks for it on its status line, never through a pinentry (the one
# gpg-agent.conf names only leaves a mark that it ran).  The question names
# the key and the try ("try N of 3, Esc cancels"); nothing typed is drawn.
# Reading a message encrypted to that key: Esc cancels and nothing is
# decrypted, three wrong passphrases end the tries, a wrong one then the
# right one opens the message.  Writing: the compose screen shows the send
# plan without signing anything; only sending signs and asks: Esc keeps the
# draft and sends nothing, the right passphrase signs the message.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"

CACHET=${CACHET:-$top_builddir/cachet}
P=$HARNESS_PKI
home=$H/gnupg-locked
mkdir -p "$home"
chmod 700 "$home"
marker=$H/pinentry-started
printf '#!/bin/sh\ntouch "%s"\nexit 1\n' "$marker" > "$H/pinentry-marker"
chmod 755 "$H/pinentry-marker"
printf 'disable-crl-checks\ndisable-dirmngr\n' > "$home/gpgsm.conf"
printf 'allow-loopback-pinentry\npinentry-program %s\n' "$H/pinentry-marker" \
	> "$home/gpg-agent.conf"
printf '%s S\n' "$(pki_fingerprint "$P/smime-ca.pem")" > "$home/trustlist.txt"
trap 'ui__rc=$?; ui__stop; pki_gnupg_stop "$home"; (exit $ui__rc); harness_cleanup' EXIT
gpgsm --homedir "$home" --batch --import "$P/smime-ca.pem" > /dev/null 2>&1
# Imported with its PKCS#12 passphrase, the key stays protected by it.
printf 'alice-p12\n' | gpgsm --homedir "$home" --batch --pinentry-mode loopback \
	--passphrase-fd 0 --import "$P/alice.p12" > /dev/null 2>&1
grep -q protected-private-key "$home"/private-keys-v1.d/*.key || fail "the key is not protected"
# Importing cached nothing, but make sure: the agent starts again, empty.
pki_gnupg_stop "$home"

MD=$H/Maildir
ui_maildir "$MD"
printf 'The launch moves to Friday.\n' > "$H/secret.txt"
{
	echo "Date: Wed, 5 Mar 2025 08:00:00 +0000"
	openssl cms -encrypt -aes256 -in "$H/secret.txt" -from bob@localhost \
		-to alice@localhost -subject "Sealed for alice" "$P/alice.pem"
} | ui_deliver "$MD" 1

# alice's account: signing comes before any connection, and the SMTP port
# is closed, so nothing can leave; a signed message stays in the outbox.
export XDG_CONFIG_HOME=$H/config
mkdir -p "$XDG_CONFIG_HOME/cachet"
{
	printf '[account alice]\nfrom = Alice Example <alice@localhost>\n'
	printf 'smtp = smtps://alice@localhost:%s\n' "$(harness_free_port)"
	printf 'password_command = printf alice-pw\n'
} > "$XDG_CONFIG_HOME/cachet/config"
chmod 600 "$XDG_CONFIG_HOME/cachet/config"
outbox_count() {
	find "$H/data" -path '*outbox*' -type f -name '*.eml' 2> /dev/null | wc -l
}
# What was typed never shows, nor anything but cachet's own drawing.
check_screen() {
	local screen=$1 what=$2 typed
	for typed in alice-p12 wrong-one wrong-two wrong-three; do
		assert_not_contains "$screen" "$typed" "$what"
	done
	assert_not_contains "$screen" "*****" "$what"
	assert_not_contains "$screen" "gpgsm:" "$what"
	assert_not_contains "$screen" "PIN" "$what"
	[ ! -e "$marker" ] || fail "a pinentry was started ($what)"
}
# The question, wrapped over the bottom rows: the key's description carries
# its fingerprint.
bottom() {
	ui_screen main | tail -n 3 | tr '\n' ' ' | tr -s ' '
}
wait_question() {
	local text=$1 i
	for ((i = 0; i < 600; i++)); do
		[[ "$(bottom)" == *"$text"* ]] && return 0
		sleep 0.05
	done
	ui_screen main >&2
	fail "the screen did not ask \"$text\" within 30 s"
}
fpr=$(gpgsm --homedir "$home" --with-colons -K alice@localhost | awk -F: '$1 == "fpr" { print $10; exit }')
[ -n "$fpr" ] || fail "no fingerprint for alice"
question="Passphrase for alice@localhost ($fpr) (try 1 of 3, Esc cancels):"
again="Wrong passphrase. Passphrase for alice@localhost ($fpr) (try 2 of 3, Esc cancels):"
# Signing names the key by its certificate.
sign_question="Passphrase for alice@localhost (certificate $fpr) (try 1 of 3, Esc cancels):"
third="Wrong passphrase. Passphrase for alice@localhost ($fpr) (try 3 of 3, Esc cancels):"

ui_start main 80 24 env EDITOR=/bin/true "$CACHET" --data-dir "$H/data" \
	--gnupg-home "$home" ui --maildir "$MD"
ui_wait main "INBOX [1 message"
assert_contains "$(ui_screen main | grep 'Sealed for alice')" " E "

# Esc at the question: nothing decrypted, and the screen says so.
ui_keys main Enter
wait_question "$question"
screen=$(ui_screen main)
printf '%s\n' "--- the question ---" "$screen"
check_screen "$screen" "the question"
assert_not_contains "$screen" "The launch moves to Friday" "the screen while asking"
# A resize redraws the screen under the question, which stays.
ui_resize main 100 24
ui_settle main
assert_contains "$(bottom)" "$question"
ui_resize main 80 24
ui_settle main
ui_keys main Escape
ui_wait main "Not decrypted: " 30
screen=$(ui_screen main)
printf '%s\n' "--- cancelled ---" "$screen"
check_screen "$screen" "the pager after Esc"
assert_contains "$(head -n 1 <<< "$screen")" "cachet: Sealed for alice"
assert_contains "$(sed -n 2p <<< "$screen")" "Encrypted, but it could not be decrypted"
assert_contains "$screen" "Subject: Sealed for alice"
assert_contains "$(tail -n 3 <<< "$screen" | tr '\n' ' ' | tr -s ' ')" \
	"cancelled: no passphrase given for alice@localhost"
assert_not_contains "$screen" "The launch moves to Friday" "the pager after Esc"
assert_not_contains "$screen" "Encrypted to you" "the pager after Esc"

# Three wrong passphrases: the question counts them, then gives up.
ui_keys main q
ui_wait main "INBOX [1 message"
ui_keys main Enter
wait_question "$question"
ui_keys main wrong-one
ui_settle main
check_screen "$(ui_screen main)" "the question while typing"
assert_contains "$(bottom)" "$question"
ui_keys main Enter
wait_question "$again"
ui_keys main wrong-two Enter
wait_question "$third"
ui_keys main wrong-three Enter
ui_wait main "Not decrypted: " 30
screen=$(ui_screen main)
printf '%s\n' "--- three wrong passphrases ---" "$screen"
check_screen "$screen" "the pager after three wrong passphrases"
assert_contains "$(tail -n 3 <<< "$screen" | tr '\n' ' ' | tr -s ' ')" \
	"wrong passphrase for the secret key of alice@localhost ($fpr) (3 tries)"
assert_not_contains "$screen" "The launch moves to Friday" "the pager after three tries"
# Narrower, the status wraps onto more rows, whole; too short for all of
# it, its last row says it goes on rather than cut silently.
ui_resize main 60 24
ui_settle main
screen=$(ui_screen main)
assert_contains "$(head -n 1 <<< "$screen")" "cachet: Sealed for alice"
assert_contains "$(tail -n 4 <<< "$screen" | tr '\n' ' ' | tr -s ' ')" \
	"alice@localhost ($fpr) (3 tries)"
ui_resize main 30 12
ui_settle main
screen=$(ui_screen main)
assert_contains "$(head -n 1 <<< "$screen")" "cachet: Sealed for alice"
assert_contains "$(tail -n 1 <<< "$screen")" "…"
assert_contains "$(tail -n 4 <<< "$screen" | head -n 1)" "Not decrypted:"
ui_resize main 80 24
ui_settle main

# A wrong one, edited with Backspace, then the right one: the message opens.
ui_keys main q
ui_wait main "INBOX [1 message"
ui_keys main Enter
wait_question "$question"
ui_keys main wrong-one Enter
wait_question "$again"
ui_keys main alice-p1X BSpace 2 Enter
ui_wait main "The launch moves to Friday." 30
screen=$(ui_screen main)
printf '%s\n' "--- the right passphrase ---" "$screen"
check_screen "$screen" "the pager once unlocked"
assert_contains "$screen" "Encrypted to you"
assert_not_contains "$screen" "locked" "the pager once unlocked"
assert_not_contains "$screen" "Not decrypted" "the pager once unlocked"
# The index's mark, which the failed openings made a problem, is the
# Content-Type's again: encrypted, not signed.
ui_keys main q
ui_wait main "INBOX [1 message"
assert_contains "$(ui_screen main | grep 'Sealed for alice')" " E "

# The agent forgets the passphrase (a reload flushes its cache).
gpgconf --homedir "$home" --reload gpg-agent

# Writing: the plan signs nothing, so nothing asks while the draft is
# written and edited; y signs and asks.
ui_keys main m
ui_wait_prompt main "To:"
ui_keys main "bob@localhost" Enter
ui_wait_prompt main "Subject:"
ui_keys main "Figures" Enter
ui_wait main "will be signed; cannot encrypt: no usable certificate for bob@localhost" 30
screen=$(ui_screen main)
assert_contains "$(head -n 1 <<< "$screen")" "cachet: compose"
assert_contains "$screen" "     To: bob@localhost"
assert_not_contains "$screen" "Passphrase" "the compose screen before sending"
ui_keys main c
ui_wait_prompt main "Cc:"
ui_keys main "carol@localhost" Enter
ui_wait main "     Cc: carol@localhost" 30
ui_wait main "will be signed; cannot encrypt: no usable certificate for bob@localhost" 30
assert_not_contains "$(ui_screen main)" "Passphrase" "the compose screen after editing"

# Esc: not sent, nothing in the outbox, the draft still on the screen.
ui_keys main y
wait_question "$sign_question"
check_screen "$(ui_screen main)" "the question when sending"
ui_keys main Escape
ui_wait main "not sent: " 30
screen=$(ui_screen main)
printf '%s\n' "--- sending cancelled ---" "$screen"
check_screen "$screen" "the compose screen after Esc"
assert_contains "$(head -n 1 <<< "$screen")" "cachet: compose"
assert_contains "$screen" "     Cc: carol@localhost"
assert_contains "$(tail -n 3 <<< "$screen" | tr '\n' ' ' | tr -s ' ')" \
	"cancelled: no passphrase given for alice@localhost"
assert_eq 0 "$(outbox_count)" "messages in the outbox after Esc"

# The right passphrase signs; the closed SMTP port keeps the signed message
# in the outbox, and the draft stays on the compose screen.
ui_keys main y
wait_question "$sign_question"
ui_keys main alice-p12 Enter
ui_wait main "kept in the outbox" 30
screen=$(ui_screen main)
printf '%s\n' "--- signed, kept in the outbox ---" "$screen"
check_screen "$screen" "the screen after signing"
assert_contains "$screen" "cachet: compose" "the screen after signing"
assert_eq 1 "$(outbox_count)" "messages in the outbox after signing"
queued=$(find "$H/data" -path '*outbox*' -type f -name '*.eml')
grep -q 'multipart/signed' "$queued" || fail "the queued message is not signed"
grep -q 'application/pkcs7-signature' "$queued" || fail "the queued message has no signature"
assert_not_contains "$(cat "$queued")" "alice-p12" "the queued message"
ui_keys main q
ui_wait main "drop it (d)"
ui_keys main Enter
ui_wait main "kept in the outbox"
ui_keys main q q
ui_wait_exit main
[ ! -e "$marker" ] || fail "a pinentry was started"
exit 0
