#!/bin/bash
# The attachment menu (v in the pager), driven in tmux over IMAP against the
# private Dovecot.  Enter views an attachment through mailcap: the first
# entry whose type fits and whose test= passes, with %s a private (0600)
# temporary file that is gone once the viewer has finished, or the content
# on standard input when the entry has no %s.  | pipes it to a command, s
# saves it.  The mailcap entries write marker files.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"
harness_dovecot

CACHET=${CACHET:-$top_builddir/cachet}
GH=$(harness_gnupg bob)
CFG=$(harness_config bob "check_interval = 0")

cat > "$H/mailcap" <<EOF2
# A test that fails: this entry is not the one.
text/x-cachet-note; echo wrong > $H/wrong; test=false
text/x-cachet-note; cp %s $H/viewed \; stat -c %%a %s > $H/mode \; \\
	echo %s > $H/path \; echo %t > $H/type
application/*; cat > $H/from-stdin
EOF2

B=cachet-boundary
printf 'From: carol@localhost\r\nTo: bob@localhost\r\nSubject: Two files\r\nDate: Mon, 3 Mar 2025 12:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=%s\r\n\r\n--%s\r\nContent-Type: text/plain\r\n\r\nSee the files.\r\n--%s\r\nContent-Type: text/x-cachet-note; name="note.txt"\r\nContent-Disposition: attachment; filename="note.txt"\r\n\r\nThe marker note.\r\n--%s\r\nContent-Type: application/x-cachet-data; name="data.bin"\r\nContent-Disposition: attachment; filename="data.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n--%s--\r\n' \
	"$B" "$B" "$B" "$B" "$(printf 'binary\001data\n' | base64)" "$B" | harness_lmtp_deliver bob
harness_wait_mail bob 1

ui_start imap 100 30 env MAILCAPS="$H/mailcap" "$CACHET" --config "$CFG" \
	--data-dir "$H/data" --gnupg-home "$GH"
ui_wait imap "INBOX [1 message]" 20
ui_keys imap Enter
ui_wait imap "See the files." 20
ui_keys imap v
ui_wait imap "cachet: attachments"
ui_wait imap "   1  note.txt  text/x-cachet-note"
ui_wait imap "   2  data.bin  application/x-cachet-data"

# Enter: the second entry for text/x-cachet-note (the first one's test fails).
ui_keys imap Enter
ui_wait imap "the viewer done"
assert_eq "The marker note." "$(tr -d '\r' < "$H/viewed")" "what the viewer got"
assert_eq 600 "$(cat "$H/mode")" "the temporary file's mode"
assert_eq "text/x-cachet-note" "$(cat "$H/type")" "%t"
[ ! -e "$(cat "$H/path")" ] || fail "the temporary file $(cat "$H/path") is still there"
[ ! -e "$H/wrong" ] || fail "the entry whose test failed was run"

# The second attachment: an entry without %s reads it on standard input.
ui_keys imap j Enter
ui_wait imap "the viewer done"
assert_eq "$(printf 'binary\001data')" "$(cat "$H/from-stdin")" "what the stdin viewer got"

# | pipes the attachment to a command typed.
ui_keys imap k '|'
ui_wait_prompt imap "Pipe the attachment to:"
ui_keys imap "wc -c > $H/piped" Enter
ui_wait imap "done"
assert_eq 16 "$(tr -d " " < "$H/piped")" "bytes piped (The marker note.)"

# s saves it, its name offered.
ui_keys imap s
ui_wait_prompt imap "Save to file: note.txt"
ui_keys imap C-u "$H/saved.txt" Enter
ui_wait imap "saved"
assert_eq "The marker note." "$(tr -d '\r' < "$H/saved.txt")" "the saved file"

# No entry for a type: said so, nothing run.
printf '# nothing\n' > "$H/mailcap"
ui_keys imap Enter
ui_wait imap "no mailcap entry views text/x-cachet-note"
ui_keys imap q
ui_wait imap "See the files."
ui_keys imap q q q
ui_wait_exit imap
exit 0
