#!/bin/bash
# The private Postfix: authenticated submission over implicit TLS and over
# STARTTLS, with the server certificate verified, delivered through Dovecot
# LMTP into bob's Maildir. Unauthenticated and plaintext attempts fail.
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"

harness_init
harness_postfix

# submit PORT TLS-OPTION USER PASSWORD SUBJECT [swaks options...]
submit() {
	local port=$1 tls=$2 user=$3 pw=$4 subject=$5
	shift 5
	timeout 30 swaks --server 127.0.0.1 --port "$port" $tls \
		--tls-verify --tls-ca-path "$HARNESS_PKI/tls-ca.pem" \
		--ehlo client.localhost --from "$user@localhost" --to bob@localhost \
		--auth PLAIN --auth-user "$user" --auth-password "$pw" \
		--header "Subject: $subject" --body "probe $subject" "$@" 2>&1
}

out=$(submit "$SMTPS_PORT" --tls-on-connect alice alice-pw "implicit-$$") ||
	fail "submission over implicit TLS failed: $out"
assert_contains "$out" "235 2.7.0 Authentication successful" "AUTH over implicit TLS"
assert_contains "$out" "250 2.0.0 Ok: queued" "submission over implicit TLS"
harness_wait_mail bob 1 10

out=$(submit "$SUBMISSION_PORT" --tls carol carol-pw "starttls-$$") ||
	fail "submission over STARTTLS failed: $out"
assert_contains "$out" "220 2.0.0 Ready to start TLS" "STARTTLS"
assert_contains "$out" "250 2.0.0 Ok: queued" "submission over STARTTLS"
harness_wait_mail bob 2 10

all=$(harness_mailbox_text bob)
assert_contains "$all" "Subject: implicit-$$" "bob's Maildir"
assert_contains "$all" "Subject: starttls-$$" "bob's Maildir"
assert_contains "$all" "Return-Path: <alice@localhost>" "bob's Maildir"
assert_contains "$all" "Delivered-To: bob@localhost" "bob's Maildir"

# What must not work. Each is checked by its SMTP reply, so a failure for
# another reason (a dead server) does not pass for a refusal.
out=$(submit "$SMTPS_PORT" --tls-on-connect alice wrong-pw "badpw-$$") &&
	fail "a wrong password was accepted: $out"
assert_contains "$out" "535 5.7.8" "AUTH with a wrong password"

out=$(submit "$SUBMISSION_PORT" "" alice alice-pw "plain-$$") &&
	fail "AUTH without TLS was accepted on the STARTTLS port: $out"
assert_contains "$out" "Host did not advertise authentication" "AUTH before STARTTLS"

out=$(timeout 30 swaks --server 127.0.0.1 --port "$SMTPS_PORT" --tls-on-connect \
	--tls-verify --tls-ca-path "$HARNESS_PKI/tls-ca.pem" \
	--from alice@localhost --to bob@localhost --header "Subject: noauth-$$" 2>&1) &&
	fail "unauthenticated submission was accepted: $out"
assert_contains "$out" "554 5.7.1" "unauthenticated submission"

out=$(submit "$SMTPS_PORT" --tls-on-connect alice alice-pw "relay-$$" --to someone@example.org) &&
	fail "relaying to another domain was accepted: $out"
assert_contains "$out" "550 5.1.1 <someone@example.org>" "relay attempt"

sleep 0.3
assert_eq 2 "$(harness_mail_count bob)" "messages in bob's Maildir"
echo "PASS"
