#!/bin/bash
# A secret key protected by a passphrase that gpg-agent does not hold: gpgsm
# runs with pinentry disabled, so nothing may ask for it on the terminal.
# Reading a message encrypted to that key, the screen says in plain words
# that the key is locked and how to unlock it, in the status line (wrapped
# onto more rows, not cut) and the banner, with the rest of the screen
# intact; writing, the compose screen shows the send plan without signing
# anything (no signing, so nothing finds the key locked, while the draft is
# written and edited), and only sending signs: it says the key is locked
# and keeps the draft; once the passphrase is preset in the agent the same
# message opens.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"

CACHET=${CACHET:-$top_builddir/cachet}
P=$HARNESS_PKI
home=$H/gnupg-locked
mkdir -p "$home"
chmod 700 "$home"
printf 'disable-crl-checks\ndisable-dirmngr\n' > "$home/gpgsm.conf"
printf 'allow-loopback-pinentry\nallow-preset-passphrase\n' > "$home/gpg-agent.conf"
printf '%s S\n' "$(pki_fingerprint "$P/smime-ca.pem")" > "$home/trustlist.txt"
trap 'ui__rc=$?; ui__stop; pki_gnupg_stop "$home"; (exit $ui__rc); harness_cleanup' EXIT
gpgsm --homedir "$home" --batch --import "$P/smime-ca.pem" > /dev/null 2>&1
# Imported with its PKCS#12 passphrase, the key stays protected by it.
printf 'alice-p12\n' | gpgsm --homedir "$home" --batch --pinentry-mode loopback \
	--passphrase-fd 0 --import "$P/alice.p12" > /dev/null 2>&1
grep -q protected-private-key "$home"/private-keys-v1.d/*.key || fail "the key is not protected"

MD=$H/Maildir
ui_maildir "$MD"
printf 'The launch moves to Friday.\n' > "$H/secret.txt"
{
	echo "Date: Wed, 5 Mar 2025 08:00:00 +0000"
	openssl cms -encrypt -aes256 -in "$H/secret.txt" -from bob@localhost \
		-to alice@localhost -subject "Sealed for alice" "$P/alice.pem"
} | ui_deliver "$MD" 1

# alice's account: signing comes before any connection, and the SMTP port
# is closed, so nothing can leave.
export XDG_CONFIG_HOME=$H/config
mkdir -p "$XDG_CONFIG_HOME/cachet"
{
	printf '[account alice]\nfrom = Alice Example <alice@localhost>\n'
	printf 'smtp = smtps://alice@localhost:%s\n' "$(harness_free_port)"
	printf 'password_command = printf alice-pw\n'
} > "$XDG_CONFIG_HOME/cachet/config"
chmod 600 "$XDG_CONFIG_HOME/cachet/config"
ui_start main 80 24 env EDITOR=/bin/true "$CACHET" --data-dir "$H/data" \
	--gnupg-home "$home" ui --maildir "$MD"
ui_wait main "INBOX [1 message"
assert_contains "$(ui_screen main | grep 'Sealed for alice')" " E "
ui_keys main Enter
ui_wait main "Your secret key is locked" 30
screen=$(ui_screen main)
printf '%s\n' "--- the screen with a locked key ---" "$screen"
# The title bar, the pager's headers and banner are where they belong.
assert_contains "$(head -n 1 <<< "$screen")" "cachet: Sealed for alice"
assert_contains "$(sed -n 2p <<< "$screen")" "Encrypted, but not opened. Your secret key is locked"
assert_contains "$screen" "Subject: Sealed for alice"
assert_not_contains "$screen" "The launch moves to Friday" "the pager with a locked key"
# Nothing but cachet drew: no pinentry, no gpgsm or agent chatter.
assert_not_contains "$screen" "gpgsm:" "the screen"
assert_not_contains "$screen" "Passphrase" "the screen"
assert_not_contains "$screen" "PIN" "the screen"
# The status line: the whole advice, wrapped over the bottom rows.
status=$(tail -n 4 <<< "$screen" | tr '\n' ' ' | tr -s ' ')
assert_contains "$status" "Your secret key is locked: gpg-agent does not hold its passphrase"
assert_contains "$status" "gpg-preset-passphrase"
assert_contains "$status" "then try again."
assert_eq 24 "$(wc -l <<< "$screen")" "rows on the screen"

# Resized narrower, the status wraps again and the title stays.
ui_resize main 60 24
ui_settle main
screen=$(ui_screen main)
assert_contains "$(head -n 1 <<< "$screen")" "cachet: Sealed for alice"
assert_contains "$(tail -n 6 <<< "$screen" | tr '\n' ' ' | tr -s ' ')" "then try again."
# Too short for all of it: the status says it goes on rather than cut silently.
ui_resize main 60 12
ui_settle main
screen=$(ui_screen main)
assert_contains "$(head -n 1 <<< "$screen")" "cachet: Sealed for alice"
assert_contains "$(tail -n 1 <<< "$screen")" "…"
assert_contains "$(tail -n 4 <<< "$screen" | head -n 1)" "Your secret key is locked"
ui_resize main 80 24
ui_settle main

# Writing with the locked key: the compose screen shows the plan, which
# signs nothing, so nothing finds the key locked or asks for its
# passphrase however the draft is edited; y signs, which the locked key
# refuses: the status line says how to unlock it, nothing is sent and the
# draft stays.
ui_keys main q
ui_wait main "INBOX [1 message"
ui_keys main m
ui_wait_prompt main "To:"
ui_keys main "bob@localhost" Enter
ui_wait_prompt main "Subject:"
ui_keys main "Figures" Enter
ui_wait main "will be signed; cannot encrypt: no usable certificate for bob@localhost" 30
screen=$(ui_screen main)
assert_contains "$(head -n 1 <<< "$screen")" "cachet: compose"
assert_contains "$screen" "     To: bob@localhost"
assert_not_contains "$screen" "locked" "the compose screen before sending"
# Edited: another recipient, another subject, the plan again, no signature.
ui_keys main c
ui_wait_prompt main "Cc:"
ui_keys main "carol@localhost" Enter
ui_wait main "     Cc: carol@localhost" 30
ui_wait main "will be signed; cannot encrypt: no usable certificate for bob@localhost" 30
ui_keys main s
ui_wait_prompt main "Subject: Figures"
ui_keys main " for Friday" Enter
ui_wait main "Subject: Figures for Friday" 30
ui_wait main "will be signed; cannot encrypt: " 30
assert_not_contains "$(ui_screen main)" "locked" "the compose screen after editing"
ui_keys main y
ui_wait main "not sent: Your secret key is locked" 30
assert_contains "$(ui_screen main | head -n 1)" "cachet: compose"
assert_contains "$(ui_screen main | tail -n 6 | tr '\n' ' ' | tr -s ' ')" "then try again."
assert_eq 0 "$(find "$H/data" -path '*outbox*' -type f -name '*.eml' 2> /dev/null | wc -l)" \
	"messages in the outbox"
ui_keys main q
ui_wait_prompt main "Abandon this message (y/n)?"
# The question stands alone at the bottom, not under the long status.
assert_not_contains "$(ui_screen main | tail -n 4)" "secret key" "rows above the question"
ui_keys main y Enter
ui_wait main "INBOX [1 message"
ui_keys main Enter
ui_wait main "Your secret key is locked" 30

# The passphrase preset in the agent: the message opens, the status clears.
grip=$(gpgsm --homedir "$home" --with-keygrip --with-colons -K alice@localhost |
	awk -F: '$1 == "grp" { print $10; exit }')
[ -n "$grip" ] || fail "no keygrip for alice"
GNUPGHOME=$home /usr/lib/gnupg/gpg-preset-passphrase --preset -P alice-p12 "$grip" ||
	fail "could not preset the passphrase"
ui_keys main q
ui_wait main "INBOX [1 message"
ui_keys main Enter
ui_wait main "The launch moves to Friday." 30
screen=$(ui_screen main)
assert_contains "$screen" "Encrypted to you"
assert_not_contains "$screen" "locked" "the screen once unlocked"
ui_keys main q q q
ui_wait_exit main
exit 0
