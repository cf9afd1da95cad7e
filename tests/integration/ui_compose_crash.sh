#!/bin/bash
# The message being written survives a crash: while the compose screen is
# up, the draft is kept in the data directory (0600, encrypted to bob,
# nothing of it readable); cachet killed (SIGKILL) and started again offers
# it, Enter resumes it as it was, and once it is sent the kept copy is gone.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"
harness_postfix

CACHET=${CACHET:-$top_builddir/cachet}
GH=$(harness_gnupg bob)
CFG=$(harness_config bob)
DATA=$H/data
KEPT=$DATA/compose.eml
cat > "$H/editor.sh" <<'SH'
#!/bin/sh
printf 'Words that must not be lost.\n' >> "$1"
SH
chmod 755 "$H/editor.sh"
start() {
	ui_start "$1" 120 30 env EDITOR="$H/editor.sh" \
		"$CACHET" --config "$CFG" --data-dir "$DATA" --gnupg-home "$GH"
}

start first
ui_wait first "INBOX" 20
ui_keys first m
ui_wait_prompt first "To:"
ui_keys first dave@localhost Enter
ui_wait_prompt first "Subject:"
ui_keys first "Written when killed" Enter
ui_wait first "cachet: compose" 20
ui_wait first "will be signed" 30
[ -f "$KEPT" ] || fail "the draft being written is not kept"
assert_eq 600 "$(stat -c %a "$KEPT")" "mode of the kept draft"
grep -q "must not be lost" "$KEPT" && fail "the kept draft is readable"
grep -q "application/pkcs7-mime" "$KEPT" || fail "the kept draft is not encrypted"

pid=$(ui_tmux list-panes -t first -F '#{pane_pid}')
kill -KILL "$pid"
ui_wait_exit first

start second
ui_wait second "A message was being written when cachet stopped: resume it (Enter)" 20
ui_keys second Enter
ui_wait second "cachet: compose" 30
ui_wait second "will be signed" 30
screen=$(ui_screen second)
assert_contains "$screen" "     To: dave@localhost" "the recovered draft"
assert_contains "$screen" "Subject: Written when killed" "the recovered draft"
assert_contains "$screen" "Words that must not be lost." "the recovered draft"
ui_keys second y
ui_wait second "sent, signed" 30
harness_wait_mail dave 1
assert_contains "$(harness_mailbox_text dave)" "Words that must not be lost." "what dave got"
[ ! -e "$KEPT" ] || fail "the kept draft is still there after sending"
ui_keys second q q
ui_wait_exit second

# Nothing kept: the next start asks nothing.
start third
ui_wait third "INBOX" 20
assert_not_contains "$(ui_screen third)" "was being written" "a start with nothing kept"
ui_keys third q q
ui_wait_exit third
echo "PASS: ui_compose_crash"
