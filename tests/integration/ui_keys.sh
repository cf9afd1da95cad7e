#!/bin/bash
# Keys and colours from the configuration's [keys] and [colors], driven in
# tmux over a Maildir: a remapped key moves and quits, the old key no
# longer does, the help screen lists the keys in effect, a colour line's
# attributes show on a monochrome terminal, and a key given to two actions
# of one screen stops cachet before the screen with the file and line.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"

CACHET=${CACHET:-$top_builddir/cachet}
MD=$H/Maildir
ui_maildir "$MD"
for n in 1 2 3; do
	ui_deliver "$MD" "$n" <<EOF2
From: carol@localhost
To: bob@localhost
Subject: Message number $n
Date: Mon, 3 Mar 2025 1$n:00:00 +0000

Body of message $n.
EOF2
done

CONF=$H/config
cat > "$CONF" <<'EOF2'
[keys]
next = x ^N      # down
quit = Q
help = F2
first = Home
compose = none

[colors]
index-selected = green default underline
bars = black yellow
EOF2
chmod 600 "$CONF"

# row_escapes NAME ROW: the row with its escape sequences.
row_escapes() {
	ui_tmux capture-pane -p -e -t "$1" -S "$2" -E "$2"
}

run() {
	ui_start "$1" 100 30 "$CACHET" --config "$CONF" --data-dir "$H/data" \
		--gnupg-home "$H/gnupg" ui --maildir "$MD"
}

run main
ui_wait main "INBOX [3 messages]"
# Every message is unread: the cursor starts on the first.
ui_wait main "Q:back"
# j is not "next" any more; x is.
ui_keys main j
ui_settle main
ui_keys main Enter
ui_wait main "Body of message 1."
ui_keys main Q
ui_wait main "INBOX [3 messages]"
ui_keys main x Enter
ui_wait main "Body of message 2."
ui_keys main Q
ui_wait main "INBOX [3 messages]"
ui_keys main C-n Enter
ui_wait main "Body of message 3."
ui_keys main Q
ui_wait main "INBOX [3 messages]"
# q does nothing now: still the index.
ui_keys main q
ui_settle main
assert_contains "$(ui_screen main)" "INBOX [3 messages]" "after q"
# = was "first" and is not any more; Home is.
ui_keys main =
ui_settle main
ui_keys main Home Enter
ui_wait main "Body of message 1."
ui_keys main Q
ui_wait main "INBOX [3 messages]"

# The help screen shows the keys in effect, not the defaults.
ui_keys main F2
ui_wait main "Keys (change them in the [keys] section"
screen=$(ui_screen main)
assert_contains "$(grep ' next ' <<< "$screen")" "x, ^N"
assert_not_contains "$(grep ' next ' <<< "$screen")" "j"
assert_contains "$(grep ' quit ' <<< "$screen")" "    Q "
assert_contains "$(grep ' compose ' <<< "$screen")" "(no key)"
assert_contains "$(grep ' delete ' <<< "$screen")" "    d "
ui_keys main Escape
ui_wait main "INBOX [3 messages]"

# The selected row: green and underlined, as the colour line says; the
# bars black on yellow.
sgr=";$(ui_row_sgr main 1);"
assert_contains "$sgr" ";4;" "underline on the selected row"
assert_not_contains "$sgr" ";7;" "reverse video on the selected row"
assert_contains "$(row_escapes main 1)" $'\e[32m' "green on the selected row"
assert_contains "$(row_escapes main 0)" $'\e[30m\e[43m' "black on yellow in the title bar"
ui_keys main Q Q
ui_wait_exit main

# Monochrome: the attributes of the colour line, the default elsewhere.
UI_TERM=vt100 run mono
ui_wait mono "INBOX [3 messages]"
ui_settle mono
# All read by now: the cursor starts on the newest, the third row.
sgr=";$(ui_row_sgr mono 3);"
assert_contains "$sgr" ";4;" "underline on the selected row (monochrome)"
assert_not_contains "$sgr" ";7;" "reverse video on the selected row (monochrome)"
# The title bar keeps its default attribute: reverse video.
assert_contains ";$(ui_row_sgr mono 0);" ";7;" "reverse video on the title bar"
ui_keys mono Q Q

# Defaults without [keys]: j moves, q quits.
cat > "$H/plain" <<'EOF2'
[colors]
quote = cyan
EOF2
chmod 600 "$H/plain"
ui_start plain 100 30 "$CACHET" --config "$H/plain" --data-dir "$H/data" \
	--gnupg-home "$H/gnupg" ui --maildir "$MD"
ui_wait plain "INBOX [3 messages]"
# The default colours: the title bar white on blue.
assert_contains "$(row_escapes plain 0)" $'\e[37m\e[44m' "white on blue in the title bar"
ui_keys plain = j Enter
ui_wait plain "Body of message 2."
ui_keys plain q q q

# One key, two actions on one screen: refused before the screen starts,
# naming the file, the line and both actions.
cat > "$H/clash" <<'EOF2'
[keys]
quit = Q

reply = d
EOF2
chmod 600 "$H/clash"
set +e
err=$("$CACHET" --config "$H/clash" --data-dir "$H/data" --gnupg-home "$H/gnupg" \
	ui --maildir "$MD" < /dev/null 2>&1 > /dev/null)
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "cachet started with a key on two actions"
assert_contains "$err" "$H/clash:4: key d is both delete and reply in the index"

# A bad key name: the parser's error, with file and line.
printf '[keys]\nnext = Dwon\n' > "$H/typo"
chmod 600 "$H/typo"
set +e
err=$("$CACHET" --config "$H/typo" --data-dir "$H/data" ui --maildir "$MD" \
	< /dev/null 2>&1 > /dev/null)
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "cachet accepted a bad key name"
assert_contains "$err" "$H/typo:2: 'Dwon' is not a key"
exit 0
