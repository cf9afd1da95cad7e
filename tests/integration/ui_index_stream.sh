#!/bin/bash
# A large IMAP folder opened for the first time (no index cached): the
# screen shows its newest messages at once and the older ones stream in
# behind, with the count so far on the status line, while keys work:
# scrolling, opening a message and searching act on what has come.  When
# the whole folder is there, the index is cached (a second screen shows it
# whole at once); a message another client (imaplib) expunges leaves the
# index by itself, through the timed look (check_interval), and a flag it
# sets shows.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"
harness_dovecot
harness_need python3

CACHET=${CACHET:-$top_builddir/cachet}
COUNT=20000
python3 "$top_srcdir/tests/bench/gen_folder.py" "$H/mail/carol/Maildir" "$COUNT" ||
	fail "generating the folder failed"
chown -R dovecot:dovecot "$H/mail/carol"
GH=$(harness_gnupg carol)
CFG=$(harness_config carol)
sed -i '/^\[account /a check_interval = 1' "$CFG"

# shown NAME: the message count of the index's title, "INBOX [N messages]".
shown() {
	ui_screen "$1" | sed -n 's/.*INBOX \[\([0-9]*\) messages\].*/\1/p' | head -n 1
}

ui_start main 120 30 "$CACHET" --config "$CFG" --data-dir "$H/data" --gnupg-home "$GH"
ui_wait main "older ones coming" 60
first=$(shown main)
[ -n "$first" ] && [ "$first" -lt "$COUNT" ] ||
	fail "the first screen showed ${first:-no} messages, expected fewer than $COUNT"

# Scrolling: End goes to the newest message so far, Home to the oldest so
# far; the cursor row is drawn in reverse video.
ui_keys main End
# Opening the message under the cursor, and back.
ui_keys main Enter
ui_wait main "Subject: " 20
opened=$(ui_screen main | sed -n 's/^Subject: \(.*\)$/\1/p' | head -n 1 | sed 's/ *$//')
[ -n "$opened" ] || fail "the pager showed no subject"
ui_keys main q
ui_wait main "INBOX [" 20
# Searching the envelopes that have come: the subject just read.
ui_keys main Home
ui_keys main /
ui_wait_prompt main "Search:"
ui_keys main "$opened" Enter
ui_wait main "$opened" 20
during=$(shown main)
[ -n "$during" ] && [ "$during" -lt "$COUNT" ] ||
	fail "the folder was whole (${during:-?} messages) before the keys were done: nothing was tested while it streamed"
assert_contains "$(ui_screen main | tail -n 1)" "$opened" "status after the search"

# The rest comes by itself.
ui_wait main "INBOX [$COUNT messages]" 120
ui_wait main "INBOX: $COUNT messages" 20

# Another client expunges the newest message and flags the oldest.
ui_keys main Home
ui_settle main
ui_screen main | grep -E -- "^ *[0-9]+ N! " &&
	fail "a message is flagged before the other client flags one"
python3 - "$IMAPS_PORT" "$HARNESS_PKI/tls-ca.pem" > "$H/other.out" <<'PY' || fail "the other client failed"
import imaplib, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
m = imaplib.IMAP4_SSL("127.0.0.1", int(sys.argv[1]), ssl_context=ctx)
m.login("carol", "carol-pw")
m.select("INBOX")
typ, data = m.uid("SEARCH", "ALL")
uids = data[0].split()
typ, data = m.uid("FETCH", uids[-1], "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
print(data[0][1].decode().strip())
typ, data = m.uid("FETCH", uids[0], "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
print("Flagged-" + data[0][1].decode().strip())
m.uid("STORE", uids[0], "+FLAGS", "(\\Flagged)")
m.uid("STORE", uids[-1], "+FLAGS", "(\\Deleted)")
m.expunge()
m.logout()
PY
gone=$(sed -n 's/^Subject: //p' "$H/other.out" | tr -d '\r')
flagged=$(sed -n 's/^Flagged-Subject: //p' "$H/other.out" | tr -d '\r')
[ -n "$gone" ] && [ -n "$flagged" ] || fail "no subjects from the other client"
ui_keys main End
ui_wait main "INBOX [$((COUNT - 1)) messages]" 20
ui_keys main End
ui_settle main
ui_screen main | grep -qE -- "$gone( |\$)" &&
	fail "the message another client expunged ($gone) is still shown"
ui_keys main Home
ui_settle main
ui_screen main | grep -E -- "$flagged( |\$)" | grep -qE -- "^ *[0-9]+ N! " ||
	fail "the message another client flagged ($flagged) is not shown flagged"
ui_keys main q
ui_wait main "folders"
ui_keys main q
ui_wait_exit main 10

# The index was cached: a second screen shows the whole folder at once.
ui_start again 120 30 "$CACHET" --config "$CFG" --data-dir "$H/data" --gnupg-home "$GH"
ui_wait again "INBOX [$((COUNT - 1)) messages]" 30
assert_not_contains "$(ui_screen again)" "older ones coming" "a cached folder"
ui_keys again q
ui_wait again "folders"
ui_keys again q
ui_wait_exit again 10
echo "PASS: ui_index_stream"
