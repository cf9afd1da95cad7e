#!/bin/bash
# TLS as cachet enforces it, each failure with a clear message and exit 5:
# unknown CA, wrong host name, expired certificate, a TLS 1.1-only server,
# STARTTLS not offered, bytes injected after the STARTTLS go-ahead, PREAUTH
# before TLS.  Controls show the same peers work when nothing is wrong, so
# each failure comes from its fault alone; the scripted peers' logs show no
# password went out.
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/peers.sh"
CACHET=${CACHET:-$top_builddir/cachet}
FAKE=${top_srcdir:-$(dirname "$0")/../..}/tests/fake/fake_mail_server.py

harness_init
harness_need certtool gnutls-serv python3
harness_postfix

# The peers this script starts (gnutls-serv, the scripted server) are
# stopped on exit, those started in command substitutions too.
trap peers_stop EXIT

# config NAME IMAP-URL SMTP-URL [CA-FILE]: a config for alice with no
# signing or encryption (this test is about transport), printed path.
config() {
	local f=$H/$1.conf
	{
		echo "[account alice]"
		echo "from = Alice Example <alice@localhost>"
		echo "imap = $2"
		echo "smtp = $3"
		[ -n "${4:-}" ] && echo "tls_ca_file = $4"
		echo "password_command = printf alice-pw"
		echo "[policy]"
		echo "sign = never"
		echo "encrypt = never"
	} > "$f"
	chmod 600 "$f"
	echo "$f"
}

# expect_tls_failure WHAT TEXT... -- CACHET-ARGS: exit 5 and every TEXT.
expect_failure() {
	local what=$1 out rc=0
	shift
	local -a texts=()
	while [ "$1" != -- ]; do
		texts+=("$1")
		shift
	done
	shift
	out=$(timeout 60 "$CACHET" --data-dir "$H/data" "$@" < /dev/null 2>&1) || rc=$?
	assert_eq 5 "$rc" "exit status ($what); output: $out"
	local t
	for t in "${texts[@]}"; do
		assert_contains "$out" "$t" "$what"
	done
}

printf 'To: bob@localhost\nSubject: tls test\n\nbody\n' > "$H/m.eml"
CA=$HARNESS_PKI/tls-ca.pem

# --- the real servers: trusted only with tls_ca_file --------------------

good=$(config good "imaps://alice@localhost:$IMAPS_PORT" "smtps://alice@localhost:$SMTPS_PORT" "$CA")
out=$("$CACHET" --config "$good" folders) || fail "folders with tls_ca_file: $out"
assert_contains "$out" "INBOX" "control: folders over verified TLS"

nocfg=$(config noca "imaps://alice@localhost:$IMAPS_PORT" "smtps://alice@localhost:$SMTPS_PORT")
expect_failure "IMAP, unknown CA" \
	"is not trusted: it is issued by an unknown certificate authority" \
	"subject: CN=localhost" "issuer:  CN=Cachet Test TLS CA" "SHA-256: " \
	"tls_ca_file" -- --config "$nocfg" folders
expect_failure "SMTP, unknown CA" \
	"localhost:$SMTPS_PORT is not trusted: it is issued by an unknown certificate authority" \
	"kept in the outbox" -- --config "$nocfg" send --no-sign "$H/m.eml"
sleep 0.3
assert_eq 0 "$(harness_mail_count bob)" "bob's mail after the refused TLS session"

# --- certificates with faults, served by gnutls-serv ---------------------

# make_cert NAME TEMPLATE-LINES...: key and certificate from the test TLS CA.
make_cert() {
	local name=$1
	shift
	printf '%s\n' "$@" > "$H/$name.tmpl"
	certtool --generate-privkey --key-type rsa --bits 2048 \
		--outfile "$H/$name.key" > /dev/null 2>&1
	certtool --generate-certificate --load-privkey "$H/$name.key" \
		--load-ca-certificate "$CA" --load-ca-privkey "$HARNESS_PKI/tls-ca.key" \
		--template "$H/$name.tmpl" --outfile "$H/$name.pem" > /dev/null 2>&1 ||
		fail "certtool could not make the $name certificate"
}
make_cert wrongname 'cn = wrong.example' 'dns_name = wrong.example' \
	'tls_www_server' 'encryption_key' 'signing_key' 'expiration_days = 30'
make_cert expired 'cn = localhost' 'dns_name = localhost' 'ip_address = 127.0.0.1' \
	'tls_www_server' 'encryption_key' 'signing_key' \
	'activation_date = "2020-01-01 00:00:00 UTC"' \
	'expiration_date = "2021-01-01 00:00:00 UTC"'

# serve CERT KEY PRIORITY: a gnutls-serv on a free port, printed.
serve() {
	local port
	port=$(harness_free_port)
	gnutls-serv --port "$port" --x509certfile "$1" --x509keyfile "$2" \
		--priority "$3" > "$H/gnutls-serv.$port.log" 2>&1 &
	peer_started $!
	harness__wait_port 127.0.0.1 "$port" 10 ||
		fail "gnutls-serv did not start: $(cat "$H/gnutls-serv.$port.log")"
	echo "$port"
}

p=$(serve "$H/wrongname.pem" "$H/wrongname.key" NORMAL)
cfg=$(config wrongname "imaps://alice@127.0.0.1:$p" "smtps://alice@127.0.0.1:$p" "$CA")
expect_failure "wrong host name" \
	"127.0.0.1:$p is not trusted: it is not issued for the host name '127.0.0.1'" \
	"subject: CN=wrong.example" "names:   wrong.example" -- --config "$cfg" folders

p=$(serve "$H/expired.pem" "$H/expired.key" NORMAL)
cfg=$(config expired "imaps://alice@localhost:$p" "smtps://alice@localhost:$p" "$CA")
expect_failure "expired certificate" "is not trusted: it has expired" \
	"valid:   2020-01-01 00:00 UTC to 2021-01-01 00:00 UTC" -- --config "$cfg" folders

p=$(serve "$HARNESS_PKI/server.pem" "$HARNESS_PKI/server.key" \
	"NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0")
cfg=$(config old "imaps://alice@localhost:$p" "smtps://alice@localhost:$p" "$CA")
expect_failure "TLS 1.1 server" "TLS handshake with localhost:$p failed" \
	"cachet requires TLS 1.2 or newer" -- --config "$cfg" folders

# --- STARTTLS faults, from the scripted peer -----------------------------

# fake PROTO MODE: starts the scripted server, prints its port.
fake() {
	fake_peer "$1-$2" "$FAKE" --proto "$1" --mode "$2"
	cat "$H/fake.$1-$2.port"
}

# Controls: STARTTLS done right works for IMAP and SMTP, although before
# TLS the peer says LOGINDISABLED (IMAP) and offers only CRAM-MD5 (SMTP):
# cachet must have asked again inside TLS.
p=$(fake imap ok)
cfg=$(config fake-imap-ok "imap://alice@localhost:$p" "submission://alice@localhost:1" "$CA")
out=$("$CACHET" --config "$cfg" folders 2>&1) || fail "control: STARTTLS IMAP failed: $out"
assert_contains "$out" "FakeFolder" "control: folders over IMAP STARTTLS"
p=$(fake smtp ok)
cfg=$(config fake-smtp-ok "imap://alice@localhost:1" "submission://alice@localhost:$p" "$CA")
# (no IMAP server: the copy in Sent fails and is queued, the send succeeds)
out=$("$CACHET" --config "$cfg" --data-dir "$H/data-ok" send "$H/m.eml" 2>&1) ||
	fail "control: STARTTLS submission failed: $out"
assert_contains "$out" "sent to 1 recipient" "control: send over STARTTLS"
assert_file_contains "$H/fake.smtp-ok.log" "AUTH PLAIN"
# The server name went out in the handshake (SNI).
assert_file_contains "$H/fake.smtp-ok.log" "SNI: localhost"
assert_file_contains "$H/fake.imap-ok.log" "SNI: localhost"

p=$(fake imap no-starttls)
cfg=$(config fake-imap-no "imap://alice@localhost:$p" "submission://alice@localhost:1" "$CA")
expect_failure "IMAP without STARTTLS" "localhost:$p does not offer STARTTLS" -- \
	--config "$cfg" folders
assert_not_contains "$(cat "$H/fake.imap-no-starttls.log")" "LOGIN" "what the peer received"
assert_not_contains "$(cat "$H/fake.imap-no-starttls.log")" "alice-pw" "what the peer received"

p=$(fake imap inject)
cfg=$(config fake-imap-inject "imap://alice@localhost:$p" "submission://alice@localhost:1" "$CA")
expect_failure "IMAP bytes after the STARTTLS go-ahead" \
	"localhost:$p sent data after agreeing to STARTTLS and before the TLS handshake" -- \
	--config "$cfg" folders
assert_not_contains "$(cat "$H/fake.imap-inject.log")" "alice-pw" "what the peer received"

p=$(fake imap preauth)
cfg=$(config fake-imap-preauth "imap://alice@localhost:$p" "submission://alice@localhost:1" "$CA")
expect_failure "PREAUTH before TLS" "greeted with PREAUTH before TLS" -- \
	--config "$cfg" folders
assert_not_contains "$(cat "$H/fake.imap-preauth.log")" "LIST" "what the peer received"

p=$(fake smtp no-starttls)
cfg=$(config fake-smtp-no "imap://alice@localhost:1" "submission://alice@localhost:$p" "$CA")
expect_failure "SMTP without STARTTLS" "localhost:$p does not offer STARTTLS" -- \
	--config "$cfg" send "$H/m.eml"
assert_not_contains "$(cat "$H/fake.smtp-no-starttls.log")" "AUTH" "what the peer received"
assert_not_contains "$(cat "$H/fake.smtp-no-starttls.log")" "MAIL FROM" "what the peer received"

p=$(fake smtp inject)
cfg=$(config fake-smtp-inject "imap://alice@localhost:1" "submission://alice@localhost:$p" "$CA")
expect_failure "SMTP bytes after the STARTTLS go-ahead" \
	"localhost:$p sent data after agreeing to STARTTLS and before the TLS handshake" -- \
	--config "$cfg" send "$H/m.eml"
assert_not_contains "$(cat "$H/fake.smtp-inject.log")" "AUTH" "what the peer received"

echo "PASS: client_tls"
