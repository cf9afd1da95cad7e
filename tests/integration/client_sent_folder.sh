#!/bin/bash
# Sent that exists: on a server with no Sent folder, the first send creates
# it (APPEND answered [TRYCREATE], then CREATE and one more APPEND), says
# so, and files the copy there; the next send just files.  When `sent` is
# not configured, the folder the server marks \Sent (RFC 6154 SPECIAL-USE)
# is used whatever its name; a configured `sent` wins over the mark.
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/peers.sh"
CACHET=${CACHET:-$top_builddir/cachet}
HOSTILE=${top_srcdir:-$(dirname "$0")/../..}/tests/attacks/fake_hostile_server.py

# No folder but INBOX at first; "Sent Messages" is \Sent once it exists.
HARNESS_DOVECOT_MAILBOXES='  mailbox "Sent Messages" {
    special_use = \Sent
  }'
harness_init
trap peers_stop EXIT
harness_postfix
data=$H/data

mail_files() {
	find "$H/mail/$1/Maildir/$2"/new "$H/mail/$1/Maildir/$2"/cur -type f 2> /dev/null | sort
}

# alice: no Sent anywhere, nothing marked \Sent.
cfg=$(harness_config alice)
GNUPGHOME=$(harness_gnupg alice) \
	"$CACHET" --config "$cfg" --data-dir "$data" folders > "$H/folders" ||
	fail "folders failed"
assert_eq "INBOX" "$(cat "$H/folders")" "alice's folders before the first send"
printf 'To: bob@localhost\nSubject: first %s\n\nthe first send\n' $$ > "$H/m1.eml"
out=$(GNUPGHOME=$(harness_gnupg alice) "$CACHET" --config "$cfg" --data-dir "$data" \
	send "$H/m1.eml" 2>&1) || fail "the first send failed: $out"
assert_contains "$out" "the server had no folder Sent: cachet created it and filed the copy there" \
	"the first send"
assert_not_contains "$out" "outbox" "the first send"
harness_wait_mail bob 1
assert_eq 1 "$(mail_files alice .Sent | wc -l)" "copies in alice's new Sent"
grep -q "Subject: first $$" $(mail_files alice .Sent) || fail "the copy in Sent is not the message"
[ -z "$(find "$data/outbox" -name '*.meta' 2> /dev/null)" ] || fail "something waits in the outbox"

printf 'To: bob@localhost\nSubject: second %s\n\nthe second send\n' $$ > "$H/m2.eml"
out=$(GNUPGHOME=$(harness_gnupg alice) "$CACHET" --config "$cfg" --data-dir "$data" \
	send "$H/m2.eml" 2>&1) || fail "the second send failed: $out"
assert_not_contains "$out" "created" "the second send"
assert_eq 2 "$(mail_files alice .Sent | wc -l)" "copies in alice's Sent"

# bob: "Sent Messages" exists and is marked \Sent; no `sent` configured.
m=$H/mail/bob/Maildir/.Sent\ Messages
mkdir -p "$m/new" "$m/cur" "$m/tmp"
[ "$(id -u)" = 0 ] && chown -R dovecot:dovecot "$H/mail/bob"
cfg_bob=$(harness_config bob)
printf 'To: alice@localhost\nSubject: from bob %s\n\nspecial use\n' $$ > "$H/m3.eml"
out=$(GNUPGHOME=$(harness_gnupg bob) "$CACHET" --config "$cfg_bob" --data-dir "$H/data-bob" \
	send "$H/m3.eml" 2>&1) || fail "bob's send failed: $out"
assert_not_contains "$out" "created" "bob's send"
harness_wait_mail alice 1
assert_eq 1 "$(mail_files bob '.Sent Messages' | wc -l)" "copies in bob's Sent Messages"
[ ! -d "$H/mail/bob/Maildir/.Sent" ] || fail "a folder Sent was made beside Sent Messages"

# A configured sent wins over the mark (and is created when missing).
cfg_bob2=$(harness_config bob "sent = Outgoing")
out=$(GNUPGHOME=$(harness_gnupg bob) "$CACHET" --config "$cfg_bob2" --data-dir "$H/data-bob" \
	send "$H/m3.eml" 2>&1) || fail "bob's second send failed: $out"
assert_contains "$out" "the server had no folder Outgoing: cachet created it" "sent = Outgoing"
assert_eq 1 "$(mail_files bob .Outgoing | wc -l)" "copies in bob's Outgoing"
assert_eq 1 "$(mail_files bob '.Sent Messages' | wc -l)" "copies in bob's Sent Messages"
# A server with CREATE-SPECIAL-USE (Dovecot 2.3 has none, so a scripted
# one): the folder is created marked \Sent.
fake_peer csu "$HOSTILE" --proto imap --scenario create-special-use --tls implicit
read -r FPORT _ < "$H/fake.csu.port"
cfg_csu=$(harness_config alice)
sed -i "s|^imap = .*|imap = imaps://alice@localhost:$FPORT|" "$cfg_csu"
out=$(GNUPGHOME=$(harness_gnupg alice) "$CACHET" --config "$cfg_csu" --data-dir "$H/data-csu" \
	send "$H/m1.eml" 2>&1) || fail "the send with a CREATE-SPECIAL-USE server failed: $out"
assert_contains "$out" "the server had no folder Sent: cachet created it" "CREATE-SPECIAL-USE"
grep -qF 'CREATE "Sent" (USE (\Sent))' "$H/fake.csu.log" ||
	fail "no CREATE with USE (\Sent): $(cat "$H/fake.csu.log")"
[ "$(grep -c ' APPEND ' "$H/fake.csu.log")" = 2 ] ||
	fail "expected APPEND, CREATE, APPEND: $(cat "$H/fake.csu.log")"
echo "PASS: client_sent_folder"
