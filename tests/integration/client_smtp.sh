#!/bin/bash
# Recipients the submission server refuses (from the scripted peer, which
# refuses nobody@ with 550 and defers later@ with 450): cachet names each
# with the server's reply, sends to nobody (no DATA), exits 5 and keeps the
# message in the outbox; a message whose recipients are all accepted goes.
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/peers.sh"
CACHET=${CACHET:-$top_builddir/cachet}
FAKE=${top_srcdir:-$(dirname "$0")/../..}/tests/fake/fake_mail_server.py

harness_init
harness_need python3
trap peers_stop EXIT
fake_peer smtp "$FAKE" --proto smtp --mode ok
port=$(cat "$H/fake.smtp.port")

cfg=$H/alice.conf
cat > "$cfg" <<CONF
[account alice]
from = Alice Example <alice@localhost>
smtp = submission://alice@localhost:$port
tls_ca_file = $HARNESS_PKI/tls-ca.pem
password_command = printf alice-pw
[policy]
sign = never
encrypt = never
CONF
chmod 600 "$cfg"

printf 'To: bob@localhost, nobody@localhost\nCc: later@localhost\nSubject: refused\n\nbody\n' > "$H/m.eml"
rc=0
out=$("$CACHET" --config "$cfg" --data-dir "$H/data" send "$H/m.eml" 2>&1) || rc=$?
assert_eq 5 "$rc" "exit status; output: $out"
assert_contains "$out" "refused 2 of 3 recipients, so nothing was sent" "refusal"
assert_contains "$out" "nobody@localhost (550 5.1.1 <nobody@localhost>: Recipient address rejected)" "refusal"
assert_contains "$out" "later@localhost (450 4.2.0" "refusal"
assert_contains "$out" "kept in the outbox" "refusal"
assert_not_contains "$(cat "$H/fake.smtp.log")" "DATA" "what the server received"
assert_file_contains "$H/fake.smtp.log" "RSET"
assert_eq 1 "$(find "$H/data/outbox" -name '*.meta' | wc -l)" "outbox entries"

printf 'To: bob@localhost\nSubject: accepted\n\nbody\n' > "$H/ok.eml"
out=$("$CACHET" --config "$cfg" --data-dir "$H/data" send "$H/ok.eml" 2>&1) ||
	fail "send to accepted recipients failed: $out"
assert_contains "$out" "sent to 1 recipient" "accepted"
assert_file_contains "$H/fake.smtp.log" "DATA"
assert_file_contains "$H/fake.smtp.log" "Subject: accepted"
echo "PASS: client_smtp"
