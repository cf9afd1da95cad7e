#!/bin/bash
# On a server with no folder but INBOX, the screen creates what it needs:
# postponing creates Drafts ([TRYCREATE], then CREATE) and says so, and the
# folder list shows it; sending creates Sent and says so on the status
# line; the copies are in the new folders.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
HARNESS_DOVECOT_MAILBOXES=
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"
harness_postfix

CACHET=${CACHET:-$top_builddir/cachet}
GH=$(harness_gnupg bob)
CFG=$(harness_config bob)
MB=$H/mail/bob/Maildir
cat > "$H/editor.sh" <<'SH'
#!/bin/sh
printf 'Text from the editor.\n' >> "$1"
SH
chmod 755 "$H/editor.sh"
count() {
	find "$MB/.$1/cur" "$MB/.$1/new" -type f 2> /dev/null | wc -l
}
write() {
	ui_keys main m
	ui_wait_prompt main "To:"
	ui_keys main "$1" Enter
	ui_wait_prompt main "Subject:"
	ui_keys main "$2" Enter
	ui_wait main "cachet: compose" 20
	ui_wait main "will be signed" 30
}

ui_start main 120 30 env EDITOR="$H/editor.sh" \
	"$CACHET" --config "$CFG" --data-dir "$H/data" --gnupg-home "$GH"
ui_wait main "INBOX" 20
[ ! -d "$MB/.Drafts" ] || fail "Drafts exists before the test"

write dave@localhost "Kept for later"
ui_keys main P
ui_wait main "the server had no folder Drafts: cachet created it; postponed to Drafts, encrypted to you" 20
assert_eq 1 "$(count Drafts)" "messages in the new Drafts"
ui_keys main c
ui_wait main "cachet: folders"
assert_contains "$(ui_screen main)" "Drafts" "the folder list"
ui_keys main Enter
ui_wait main "INBOX"

write dave@localhost "Sent now"
ui_keys main y
ui_wait main "the server had no folder Sent: cachet created it and filed the copy there" 30
assert_eq 1 "$(count Sent)" "messages in the new Sent"
harness_wait_mail dave 1
ui_keys main q q
ui_wait_exit main
echo "PASS: ui_folders_create"
