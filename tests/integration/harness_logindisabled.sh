#!/bin/bash
# The listener on 127.0.0.2 behaves like a remote server: before STARTTLS it
# advertises LOGINDISABLED and refuses LOGIN; after STARTTLS login works.
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"

harness_init
harness_dovecot

# capabilities ADDR PORT: greeting, CAPABILITY and a LOGIN attempt in plain text.
plain_session() {
	exec 3<> "/dev/tcp/$1/$2"
	printf 'a CAPABILITY\r\nb LOGIN alice alice-pw\r\nc LOGOUT\r\n' >&3
	timeout 10 cat <&3
	exec 3<&-
}

out=$(plain_session 127.0.0.2 "$IMAP_REMOTE_PORT")
assert_contains "$out" "STARTTLS" "capabilities on 127.0.0.2"
assert_contains "$out" "LOGINDISABLED" "capabilities on 127.0.0.2"
assert_contains "$out" "b NO" "plaintext LOGIN on 127.0.0.2"
assert_not_contains "$out" "b OK" "plaintext LOGIN on 127.0.0.2"

# The loopback listener is a "secure" peer for Dovecot: no LOGINDISABLED
# there, which is why the remote-like listener exists at all.
out=$(plain_session 127.0.0.1 "$IMAP_PORT")
assert_not_contains "$out" "LOGINDISABLED" "capabilities on 127.0.0.1"

out=$(printf 'a CAPABILITY\r\nb LOGIN alice alice-pw\r\nc LOGOUT\r\n' |
	timeout 20 openssl s_client -brief -ign_eof -verify_return_error \
		-CAfile "$HARNESS_PKI/tls-ca.pem" -verify_ip 127.0.0.2 \
		-starttls imap -connect "127.0.0.2:$IMAP_REMOTE_PORT" 2>&1) || true
assert_contains "$out" "Verification: OK" "certificate of 127.0.0.2"
assert_not_contains "$out" "LOGINDISABLED" "capabilities after STARTTLS"
assert_contains "$out" "b OK" "LOGIN after STARTTLS on 127.0.0.2"
echo "PASS"
