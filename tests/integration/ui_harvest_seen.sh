#!/bin/bash
# The screen and `cachet harvest` share one "seen" table key: over IMAP
# (the private Dovecot) a message alice signed and bob read on the screen
# is seen by `cachet harvest imap:INBOX`, which neither fetches nor
# verifies it again, and a message `cachet harvest` took first is not
# harvested again when bob reads it on the screen.  The seen table holds
# one row per message, keyed by its IMAP identity (UIDVALIDITY/UID).
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"
harness_dovecot

CACHET=${CACHET:-$top_builddir/cachet}
PKI=$HARNESS_PKI
GH=$(harness_gnupg bob)
CFG=$(harness_config bob)
DATA=$H/data
ALICE=$(pki_fingerprint "$PKI/alice.pem" | tr -d :)
bob() { "$CACHET" --config "$CFG" --data-dir "$DATA" --gnupg-home "$GH" "$@"; }
seen_rows() { sqlite3 "$DATA/certstore.db" "SELECT ${1:-count(*)} FROM seen ORDER BY key"; }

# signed DATE SUBJECT: a message alice signs for bob, delivered over LMTP.
signed() {
	printf 'Hello Bob,\n%s.\n' "$2" > "$H/body.txt"
	{
		echo "Date: $1"
		openssl cms -sign -text -in "$H/body.txt" -signer "$PKI/alice.pem" \
			-inkey "$PKI/alice.key" -from "Alice Example <alice@localhost>" \
			-to bob@localhost -subject "$2"
	} > "$H/msg.eml"
	harness_lmtp_deliver bob "$H/msg.eml"
}
signed "Tue, 4 Mar 2025 09:30:00 +0000" "Read on the screen first"
signed "Wed, 5 Mar 2025 09:30:00 +0000" "Harvested by the CLI first"
harness_wait_mail bob 2

# The screen: reading the first message stores alice's certificate.
ui_start main 100 30 "$CACHET" --config "$CFG" --data-dir "$DATA" --gnupg-home "$GH"
ui_wait main "INBOX [2 messages]" 20
ui_keys main Enter
ui_wait main "Signed by alice@localhost (certificate from Cachet Test S/MIME CA, valid)" 20
ui_wait main "stored the certificate of alice@localhost" 20
ui_keys main q
ui_wait main "INBOX [2 messages]"
ui_keys main q q
ui_wait_exit main
assert_eq 1 "$(seen_rows)" "seen rows after the screen read one message"
assert_contains "$(seen_rows key)" "imap:bob@localhost/INBOX;UIDVALIDITY=" "the screen's seen key"
assert_eq stored "$(seen_rows result)" "what the screen recorded"

# `cachet harvest`: the message read on the screen is seen; the other is new.
out=$(bob harvest --json imap:INBOX 2> "$H/harvest.err") || fail "harvest imap:INBOX: $(cat "$H/harvest.err")"
first=$(grep '"file":"imap:INBOX/1"' <<< "$out") || fail "no line for UID 1 in: $out"
second=$(grep '"file":"imap:INBOX/2"' <<< "$out") || fail "no line for UID 2 in: $out"
assert_contains "$first" '"seen":true' "the message read on the screen, to cachet harvest"
assert_contains "$second" '"seen":false' "the message not read yet"
assert_contains "$second" "{\"email\":\"alice@localhost\",\"fingerprint\":\"$ALICE\",\"state\":\"trusted\",\"change\":\"known\"}"
assert_contains "$(cat "$H/harvest.err")" "harvest: 2 messages (1 seen before), 0 certificates stored, 0 not signed, 0 refused, 0 errors"
assert_eq 2 "$(seen_rows)" "seen rows after cachet harvest"
before=$(seen_rows "key || ' ' || at || ' ' || result")

# The screen again: the message cachet harvest took is not harvested again
# (no new row, the row's time unchanged), and nothing is said about it.
ui_start main 100 30 "$CACHET" --config "$CFG" --data-dir "$DATA" --gnupg-home "$GH"
ui_wait main "INBOX [2 messages]" 20
ui_keys main j Enter
ui_wait main "Signed by alice@localhost (certificate from Cachet Test S/MIME CA, valid)" 20
ui_settle main
assert_not_contains "$(ui_screen main | tail -n 2)" "certificate of" "status line for a message seen by cachet harvest"
ui_keys main q
ui_wait main "INBOX [2 messages]"
ui_keys main q q
ui_wait_exit main
assert_eq "$before" "$(seen_rows "key || ' ' || at || ' ' || result")" "seen table after the screen read the second message"
assert_eq 1 "$(bob certs list --json | grep -c .)" "bindings"
exit 0
