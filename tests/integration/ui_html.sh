#!/bin/bash
# HTML and links, driven in tmux over IMAP against the private Dovecot: an
# HTML message shows its links' texts numbered and the addresses listed
# under it, the cells of a table row apart; ^B lists the links and Enter
# hands one to the account's url_command (a script that writes it down).
# EFAIL: the message names remote images, a style sheet, a frame and links
# on a loopback port where a listener counts connections: it must see none,
# from opening the message to quitting.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"
harness_dovecot

CACHET=${CACHET:-$top_builddir/cachet}

# The listener: any connection to its port is written down.
python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
while True:
    c, peer = s.accept()
    with open(sys.argv[2], "a") as log:
        log.write("connection from %s:%d\n" % peer)
    c.close()
' "$H/port" "$H/connections" &
LISTENER=$!
trap 'kill "$LISTENER" 2>/dev/null || true; ui__stop; harness_cleanup' EXIT
for ((i = 0; i < 100; i++)); do
	[ -s "$H/port" ] && break
	sleep 0.05
done
PORT=$(cat "$H/port")
: > "$H/connections"
# The listener works: a connection is seen.
exec {probe}<> "/dev/tcp/127.0.0.1/$PORT"
exec {probe}<&-
for ((i = 0; i < 100; i++)); do
	[ -s "$H/connections" ] && break
	sleep 0.05
done
assert_eq 1 "$(wc -l < "$H/connections")" "the listener's own check"
: > "$H/connections"

cat > "$H/open-url" <<'SH'
#!/bin/sh
printf '%s\n' "$1" >> "$OPENED"
SH
chmod 755 "$H/open-url"
GH=$(harness_gnupg bob)
CFG=$(harness_config bob "check_interval = 0" "url_command = $H/open-url")

U=http://127.0.0.1:$PORT
printf 'From: carol@localhost\r\nTo: bob@localhost\r\nSubject: Newsletter\r\nDate: Mon, 3 Mar 2025 12:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n%s\r\n' \
	"<html><head><link rel=stylesheet href=\"$U/style.css\"><style>body{background:url($U/bg.png)}</style></head><body>
<p>Read the <a href=\"$U/news?id=1&amp;x=2\">latest news</a> today.<img src=\"$U/pixel.png\" width=1 height=1></p>
<iframe src=\"$U/frame\"></iframe>
<table><tr><th>Item</th><th>Price</th></tr><tr><td>Tea</td><td>3 EUR</td></tr></table>
<p>See <a href=\"https://example.org/more\">more</a> or the <a href=\"$U/news?id=1&amp;x=2\">news</a> again.</p>
</body></html>" | harness_lmtp_deliver bob
harness_wait_mail bob 1

ui_start imap 100 30 env OPENED="$H/opened" "$CACHET" --config "$CFG" \
	--data-dir "$H/data" --gnupg-home "$GH"
ui_wait imap "INBOX [1 message]" 20
ui_keys imap Enter
ui_wait imap "Read the latest news[1] today." 20
assert_contains "$(ui_screen imap)" "Item | Price"
assert_contains "$(ui_screen imap)" "Tea | 3 EUR"
assert_contains "$(ui_screen imap)" "See more[2] or the news[1] again."
assert_contains "$(ui_screen imap)" "[1] $U/news?id=1&x=2"
assert_contains "$(ui_screen imap)" "[2] https://example.org/more"
assert_not_contains "$(ui_screen imap)" "pixel.png"

# ^B: the two addresses, each once; Enter on the second opens it.
ui_keys imap C-b
ui_wait imap "links of the message"
ui_wait imap "   1  $U/news?id=1&x=2"
ui_wait imap "   2  https://example.org/more"
assert_not_contains "$(ui_screen imap)" "   3  "
ui_keys imap j Enter
ui_wait imap "opened with url_command: https://example.org/more"
assert_eq "https://example.org/more" "$(cat "$H/opened")" "the address handed over"
ui_keys imap k Enter
ui_wait imap "opened with url_command: $U/news?id=1&x=2"
assert_eq "$U/news?id=1&x=2" "$(tail -n 1 "$H/opened")" "the first address"
ui_keys imap q
ui_wait imap "Read the latest news[1] today."
ui_keys imap q q q
ui_wait_exit imap
# The url_command only wrote the address down; cachet itself connected to
# nothing the message named.
sleep 0.5
assert_eq "" "$(cat "$H/connections")" "connections to the addresses in the message"
exit 0
