#!/bin/bash
# The private Dovecot: IMAPS and IMAP+STARTTLS with a verified server
# certificate, LOGIN with the test passwords, and LMTP delivery into the
# Maildir that IMAP then lists.
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"

harness_init
harness_dovecot

# imap_session ARGS...: one IMAP conversation over openssl s_client, with
# the server certificate verified against the test TLS CA and host name.
imap_session() {
	timeout 20 openssl s_client -brief -ign_eof -verify_return_error \
		-CAfile "$HARNESS_PKI/tls-ca.pem" -verify_hostname localhost "$@" 2>&1
}

# Deliver one message to alice over LMTP, as Postfix will.
printf 'From: bob@localhost\r\nTo: alice@localhost\r\nSubject: lmtp-probe-%s\r\n\r\nhello\r\n' "$$" |
	harness_lmtp_deliver alice
harness_wait_mail alice 1 5

out=$(printf 'a LOGIN alice alice-pw\r\nb LIST "" INBOX\r\nc SELECT INBOX\r\nd FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]\r\ne LOGOUT\r\n' |
	imap_session -connect "127.0.0.1:$IMAPS_PORT") || true
assert_contains "$out" "Verification: OK" "IMAPS certificate check"
assert_contains "$out" "a OK" "IMAPS LOGIN"
assert_contains "$out" '* LIST (\HasNoChildren) "/" INBOX' "LIST INBOX"
assert_contains "$out" "* 1 EXISTS" "SELECT INBOX"
assert_contains "$out" "Subject: lmtp-probe-$$" "FETCH"

# Wrong password is refused.
out=$(printf 'a LOGIN alice wrong\r\nb LOGOUT\r\n' |
	imap_session -connect "127.0.0.1:$IMAPS_PORT") || true
assert_contains "$out" "a NO" "LOGIN with a wrong password"

# bob sees his own, empty INBOX.
out=$(printf 'a LOGIN bob bob-pw\r\nc SELECT INBOX\r\ne LOGOUT\r\n' |
	imap_session -connect "127.0.0.1:$IMAPS_PORT") || true
assert_contains "$out" "* 0 EXISTS" "bob's INBOX"

# STARTTLS on the plain port.
out=$(printf 'a LOGIN carol carol-pw\r\nb LOGOUT\r\n' |
	imap_session -starttls imap -connect "127.0.0.1:$IMAP_PORT") || true
assert_contains "$out" "Verification: OK" "STARTTLS certificate check"
assert_contains "$out" "a OK" "LOGIN after STARTTLS"

# The check is real: a client trusting another CA refuses the server.
out=$(printf 'a LOGOUT\r\n' | timeout 20 openssl s_client -quiet -verify_return_error \
	-CAfile "$HARNESS_PKI/smime-ca.pem" -connect "127.0.0.1:$IMAPS_PORT" 2>&1) || true
assert_contains "$out" "unable to get local issuer certificate" "untrusted server certificate"
assert_not_contains "$out" "* OK" "greeting through an untrusted TLS session"
echo "PASS"
