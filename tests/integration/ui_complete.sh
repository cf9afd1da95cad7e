#!/bin/bash
# Tab in To, Cc and Bcc completes an address from four sources: the
# aliases file (mutt's `alias NICK Name <addr>`), address_command
# (NeoMutt's query_command protocol, the query shell-quoted for %s), the
# certificate store's bindings and the senders of mail read (the index
# cache).  Several matches open a menu that says of each candidate whether
# cachet can encrypt to it.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"
harness_dovecot

CACHET=${CACHET:-$top_builddir/cachet}
PKI=$HARNESS_PKI
GH=$(harness_gnupg bob)
DATA=$H/data

cat > "$H/aliases" <<'EOF'
# bob's aliases
alias ali Alice Example <alice@localhost>
alias team carol@localhost, dave@localhost
EOF
# The query command records each query it was given, one a line, and
# knows one person.
cat > "$H/query.sh" <<'EOF'
#!/bin/sh
printf '%s\n' "$1" >> "$QUERY_LOG"
echo "Searching the address book..."
case "$1" in
dav*) printf 'dave@localhost\tDave Example\tkhard\n' ;;
*) exit 1 ;;
esac
EOF
chmod 755 "$H/query.sh"
CFG=$(harness_config bob "aliases = $H/aliases" "address_command = $H/query.sh %s")
printf '#!/bin/sh\nprintf "Hello.\\n" >> "$1"\n' > "$H/editor.sh"
chmod 755 "$H/editor.sh"

# alice's certificate is in bob's store: mail to her can be encrypted.
"$CACHET" --config "$CFG" --gnupg-home "$GH" --data-dir "$DATA" \
	certs import "$PKI/alice.pem" > /dev/null
# erin wrote to bob: reading the folder puts her in the index cache.
printf 'From: Erin Sender <erin@localhost>\nTo: bob@localhost\nSubject: hello\nDate: Tue, 4 Mar 2025 09:30:00 +0000\nMessage-ID: <e1@localhost>\n\nhi\n' \
	> "$H/erin.eml"
harness_lmtp_deliver bob "$H/erin.eml"
harness_wait_mail bob 1

ui_start main 120 30 env EDITOR="$H/editor.sh" QUERY_LOG="$H/queries" \
	"$CACHET" --config "$CFG" --data-dir "$DATA" --gnupg-home "$GH"
ui_wait main "INBOX [1 message]" 20
ui_wait main "Erin Sender"

# "ali": the alias and the store's binding of the same address, in a menu.
ui_keys main m
ui_wait_prompt main "To:"
ui_keys main "ali" Tab
ui_wait main '2 addresses match "ali"'
screen=$(ui_screen main)
assert_contains "$screen" " 1) Alice Example <alice@localhost>  alias ali  can encrypt  (alias)"
assert_contains "$screen" " 2) alice@localhost  can encrypt  (certificate)"
ui_keys main Enter
ui_wait_prompt main "To: Alice Example <alice@localhost>"

# After a comma, the last address is completed: the group alias holds
# dave too, so the command's answer is the second, chosen by number.
ui_keys main ", dav" Tab
ui_wait main '2 addresses match "dav"'
assert_contains "$(ui_screen main)" " 2) Dave Example <dave@localhost>  cannot encrypt  (query)"
ui_keys main 2
ui_wait_prompt main "To: Alice Example <alice@localhost>, Dave Example <dave@localhost>"
assert_eq "dav" "$(tail -n 1 "$H/queries")" "the query address_command was given"

# A query is one shell word, whatever it holds.
ui_keys main ", x'\$(touch $H/owned)" Tab
ui_wait main "no address matches"
assert_eq "x'\$(touch $H/owned)" "$(tail -n 1 "$H/queries")" "a quoted query"
[ ! -e "$H/owned" ] || fail "the query ran as shell code"
ui_keys main C-u "Alice Example <alice@localhost>" Enter
ui_wait_prompt main "Subject:"
ui_keys main "Hi" Enter
ui_wait main "Hello." 20

# Cc: a sender of mail read, without a certificate, the one match: no menu.
ui_keys main c
ui_wait_prompt main "Cc:"
ui_keys main "eri" Tab
ui_wait_prompt main "Cc: Erin Sender <erin@localhost>"
ui_keys main Enter
ui_wait main "     Cc: Erin Sender <erin@localhost>"

# Bcc: every source answers "t" (localhost); the group alias is chosen by
# its number.
ui_keys main b
ui_wait_prompt main "Bcc:"
ui_keys main "t" Tab
ui_wait main 'addresses match "t"'
screen=$(ui_screen main)
assert_contains "$screen" "carol@localhost, dave@localhost  alias team  cannot encrypt  (alias)"
assert_contains "$screen" " 4) Erin Sender <erin@localhost>  cannot encrypt  (seen)"
n=$(printf '%s\n' "$screen" | grep -F "carol@localhost, dave@localhost  alias team" |
	sed -n 's/^ *\([0-9]*\)).*/\1/p')
ui_keys main "$n"
ui_wait_prompt main "Bcc: carol@localhost, dave@localhost"
ui_keys main Enter
ui_wait main "    Bcc: carol@localhost, dave@localhost"

# Escape leaves the menu and the answer as they were.
ui_keys main t
ui_wait_prompt main "To: Alice Example <alice@localhost>"
ui_keys main ", a" Tab
ui_wait main 'addresses match "a"'
ui_keys main Escape
ui_wait_prompt main "To: Alice Example <alice@localhost>, a"
ui_keys main Escape

ui_keys main q
ui_wait main "Abandon this message"
# One key answers, no Enter.
ui_keys main y
ui_wait main "not sent"
ui_wait main "INBOX [1 message]"

# The help screen lists every view's keys: the Pager's section has its own.
ui_keys main "?"
ui_wait main "Keys (change them"
for i in 1 2 3 4 5; do
	after=$(ui_screen main | sed -n '/^  Pager$/{n;p;q}')
	[ -n "$after" ] && break
	ui_keys main Space
	ui_settle main
done
[[ $after == "    "[!\ ]* ]] || fail "the help's Pager section is empty: $(ui_screen main)"
help=$(ui_screen main | sed -n '/^  Pager$/,/^$/p')
assert_contains "$help" "next-message"
ui_keys main x
ui_wait main "INBOX [1 message]"
ui_keys main q
ui_wait main "folders"
ui_keys main q
ui_wait_exit main
