#!/bin/bash
# The screen shows what the account's own receiving servers found for an
# unsigned message (DMARC pass as information, DMARC fail as a problem),
# and warns, as a problem, when a correspondent whose certificate is bound
# sends unsigned mail; the index marks them D! and U! in the problem
# colour once read.  The messages go through the private Dovecot's LMTP
# with the fields the receiving server mx.localhost puts on top.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"
harness_dovecot

CACHET=${CACHET:-$top_builddir/cachet}
PKI=$HARNESS_PKI
GH=$(harness_gnupg bob)
DATA=$H/data
# Dovecot names this machine in its Received field (checked below).
LMTP_HOST=$(hostname)
CFG=$(harness_config bob "authserv_id = mx.localhost $LMTP_HOST")

# message FROM SUBJECT RESULTS: an unsigned message from FROM as
# mx.localhost hands it on, its DMARC milter's RESULTS on top.
message() {
	printf 'Authentication-Results: mx.localhost; %s\n' "$3"
	printf 'Received: from mail.example.org (mail.example.org [192.0.2.7])\n\tby mx.localhost (Postfix) with ESMTPS id 4Q1\n'
	printf 'From: %s\nTo: bob@localhost\nSubject: %s\nDate: Thu, 3 Dec 2026 09:0%s:00 +0000\n\nHello Bob.\n' \
		"$1" "$2" "$4"
}
message carol@example.org "dmarc passes" \
	"dkim=pass header.d=example.org; dmarc=pass (p=reject) header.from=example.org" 1 > "$H/1.eml"
message ceo@example.org "dmarc fails" \
	"spf=fail smtp.mailfrom=example.org; dmarc=fail (p=reject) header.from=example.org" 2 > "$H/2.eml"
printf 'Hello Bob,\nsigned.\n' > "$H/text.txt"
{
	echo "Date: Thu, 3 Dec 2026 09:03:00 +0000"
	openssl cms -sign -text -in "$H/text.txt" -signer "$PKI/alice.pem" \
		-inkey "$PKI/alice.key" -from "Alice Example <alice@localhost>" \
		-to bob@localhost -subject "alice signs"
} > "$H/3.eml"
message "Alice Example <alice@localhost>" "alice does not sign" \
	"dmarc=pass header.from=localhost" 4 > "$H/4.eml"
for i in 1 2 3 4; do
	harness_lmtp_deliver bob "$H/$i.eml"
	harness_wait_mail bob "$i"
done
assert_contains "$(harness_mailbox_text bob)" "by $LMTP_HOST with LMTP" "Dovecot's Received field"

# row_escapes NAME ROW: the row as the terminal got it, escapes included.
row_escapes() { ui_tmux capture-pane -p -e -t "$1" -S "$2" -E "$2"; }
# index_row N: the index line of message N (row N, under the title bar).
index_row() { ui_screen main | sed -n "$(($1 + 1))p"; }
RED_BG=$'\e[41m' CYAN_BG=$'\e[46m' RED_FG=$'\e[31m'

ui_start main 100 30 "$CACHET" --config "$CFG" --data-dir "$DATA" --gnupg-home "$GH"
ui_wait main "INBOX [4 messages]" 20

ui_keys main = Enter
ui_wait main "Not signed; DMARC pass for example.org" 20
assert_contains "$(row_escapes main 1)" "$CYAN_BG" "the DMARC pass line (information)"
assert_not_contains "$(row_escapes main 1)" "$RED_BG" "the DMARC pass line"
ui_keys main q
ui_wait main "INBOX [4 messages]"

ui_keys main j Enter
ui_wait main "Not signed; DMARC fail: example.org did not send this" 20
assert_contains "$(row_escapes main 1)" "$RED_BG" "the DMARC fail line (a problem)"
ui_keys main q
ui_wait main "INBOX [4 messages]"
assert_contains "$(index_row 2)" " D! " "the index mark of the DMARC fail"
assert_not_contains "$(index_row 1)" "!" "the index mark of the DMARC pass"

# alice signs: reading it binds her certificate.
ui_keys main j Enter
ui_wait main "Signed by alice@localhost (certificate from Cachet Test S/MIME CA, valid)" 20
ui_wait main "stored the certificate of alice@localhost" 20
ui_keys main q
ui_wait main "INBOX [4 messages]"

ui_keys main j Enter
ui_wait main "alice@localhost has signed before; this message is not signed" 20
assert_contains "$(row_escapes main 1)" "$RED_BG" "the continuity line (a problem)"
assert_contains "$(ui_screen main | sed -n 2,3p)" "Not signed; DMARC pass for localhost"
ui_keys main q
ui_wait main "INBOX [4 messages]"
assert_contains "$(index_row 4)" " U! " "the index mark of unsigned mail from a signer"
assert_contains "$(index_row 3)" " S+ " "the index mark of alice's signed message"
# Off the cursor, both marked rows are in the problem colour.
ui_keys main k
ui_settle main
assert_contains "$(row_escapes main 4)" "$RED_FG" "the U! row"
assert_contains "$(row_escapes main 2)" "$RED_FG" "the D! row"
assert_not_contains "$(row_escapes main 1)" "$RED_FG" "the DMARC pass row"
ui_keys main q q
ui_wait_exit main
exit 0
