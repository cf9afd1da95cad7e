#!/bin/bash
# Composing on the screen: the account's signature file goes under the
# text after "-- " before the editor opens, so it is signed with the rest;
# the line under the headers that says what sending will do wraps at the
# screen's width instead of being cut.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"
harness_postfix

CACHET=${CACHET:-$top_builddir/cachet}
GH=$(harness_gnupg bob)
DATA=$H/data
MB=$H/mail/bob/Maildir
for f in Sent Drafts; do
	mkdir -p "$MB/.$f/cur" "$MB/.$f/new" "$MB/.$f/tmp"
done
chown -R dovecot:dovecot "$MB"

# "~/" is the home directory.
printf 'Bob Example\nThe Example Company, room 42\n' > "$H/sig"
CFG=$(harness_config bob "signature = ~/sig")
printf '#!/bin/sh\nsed -i "1s/^/Text from the editor./" "$1"\n' > "$H/editor.sh"
chmod 755 "$H/editor.sh"

ui_start main 60 30 env HOME="$H" EDITOR="$H/editor.sh" \
	"$CACHET" --config "$CFG" --data-dir "$DATA" --gnupg-home "$GH"
ui_wait main "INBOX [0 messages]" 20
ui_keys main m
ui_wait_prompt main "To:"
# Three recipients without certificates: the plan names each, wider than
# the screen.
ui_keys main "alice@localhost, carol@localhost, dave@localhost" Enter
ui_wait_prompt main "Subject:"
ui_keys main "Signed off" Enter
ui_wait main "Text from the editor." 20
ui_wait main "will be signed" 30
screen=$(ui_screen main)
assert_contains "$screen" "The Example Company, room 42"
# (tmux drops the space at the end of "-- ")
printf '%s\n' "$screen" | sed -n '/Text from the editor/,$p' | grep -qx -- '--' ||
	fail "no signature separator under the text"
# The whole plan is on the screen, its last address included, over
# several rows.
plan=$(printf '%s\n' "$screen" | sed -n '/^Subject: /,/^-- text/p' | sed '1d;$d')
[ "$(printf '%s\n' "$plan" | wc -l)" -ge 2 ] || fail "the plan is on one row: $plan"
flat=$(printf '%s\n' "$plan" | sed 's/ *$//' | tr '\n' ' ')
for who in alice@localhost carol@localhost dave@localhost; do
	assert_contains "$flat" "$who" "the plan's rows"
done

# Sent signed: the signature is inside what was signed.
ui_keys main y
ui_wait main "sent, signed" 30
harness_wait_mail alice 1 10
msg=$(ls "$H/mail/alice/Maildir/new/"* | head -n 1)
out=$("$CACHET" --gnupg-home "$GH" --data-dir "$DATA" verify --json "$msg") ||
	fail "verify of the message sent: $out"
assert_contains "$out" '"signature":"valid"'
assert_contains "$out" '"coverage":"whole"'
text=$(cat "$msg")
assert_contains "$text" "Text from the editor."
assert_contains "$text" $'\n-- \nBob Example\nThe Example Company, room 42'

# A signature file that cannot be read is said, and the text goes without.
rm "$H/sig"
ui_keys main m
ui_wait_prompt main "To:"
ui_keys main "alice@localhost" Enter
ui_wait_prompt main "Subject:"
ui_keys main "No signature" Enter
ui_wait main "no signature added: " 30
assert_contains "$(ui_screen main)" "sig"
! ui_screen main | grep -qx -- '--' || fail "a separator without a signature"
ui_keys main q
ui_wait main "Abandon this message"
ui_keys main y
ui_wait main "not sent"
