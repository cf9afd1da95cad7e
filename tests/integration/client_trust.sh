#!/bin/bash
# Where the trust in a server certificate comes from: the system trust
# store, the account's tls_ca_file, or both.  A tls_ca_file that alone
# leads to the server's issuer is enough (the system store is then not
# needed); one that does not leaves the system store to decide, still
# with the host name checked; without a tls_ca_file the system store is
# all there is.
#
# Each case runs cachet in a private mount namespace in which
# /etc/ssl/certs/ca-certificates.crt (GnuTLS's system store on Debian) and
# /etc/hosts are files of this test, so the real ones are never touched.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
CACHET=${CACHET:-$top_builddir/cachet}

harness_init
harness_need unshare mount
if [ "$(id -u)" != 0 ] && [ -z "${CI:-}" ]; then
	echo "SKIP: a private mount namespace needs root"
	exit 77
fi
harness_dovecot

SYSTEM=/etc/ssl/certs/ca-certificates.crt
[ -f "$SYSTEM" ] || fail "no system trust store at $SYSTEM (package ca-certificates)"
# Stores: the real one with the test TLS CA added, and one with nothing
# trustworthy in it.
cat "$SYSTEM" "$HARNESS_PKI/tls-ca.pem" > "$H/system-plus-test-ca.crt"
printf 'not a certificate\n' > "$H/system-garbage.crt"
{ cat /etc/hosts; echo "127.0.0.1 mail.example.test"; } > "$H/hosts"

# config NAME HOST [CA-FILE]: alice's account on the harness's IMAPS port.
config() {
	local f=$H/$1.conf
	{
		echo "[account alice]"
		echo "from = Alice Example <alice@localhost>"
		echo "imap = imaps://alice@$2:$IMAPS_PORT"
		[ -n "${3:-}" ] && echo "tls_ca_file = $3"
		echo "password_command = printf alice-pw"
	} > "$f"
	chmod 600 "$f"
	echo "$f"
}

# folders STORE CONFIG: cachet folders with STORE as the system trust
# store; its output in $out, its status in $rc.
folders() {
	rc=0
	out=$(timeout 60 unshare -m sh -c '
		mount --bind "$1" /etc/ssl/certs/ca-certificates.crt &&
		mount --bind "$2" /etc/hosts || exit 99
		shift 2
		exec "$@"' sh "$1" "$H/hosts" \
		"$CACHET" --config "$2" --data-dir "$H/data" folders < /dev/null 2>&1) || rc=$?
	[ "$rc" != 99 ] || fail "cannot bind-mount the test's stores: $out"
}

UNRELATED=$HARNESS_PKI/smime-ca.pem	# a CA that did not issue the server's

# Control: the real system store does not know the test CA, so without a
# tls_ca_file the server is refused.
folders "$SYSTEM" "$(config none localhost)"
assert_eq 5 "$rc" "exit status, real system store, no tls_ca_file; output: $out"
assert_contains "$out" "unknown certificate authority"

# The system store alone, when it holds the issuer.
folders "$H/system-plus-test-ca.crt" "$(config none localhost)"
assert_eq 0 "$rc" "exit status, system store with the test CA; output: $out"
assert_contains "$out" "INBOX"

# tls_ca_file alone: the system store may hold nothing usable.
folders "$H/system-garbage.crt" "$(config file localhost "$HARNESS_PKI/tls-ca.pem")"
assert_eq 0 "$rc" "exit status, tls_ca_file with the issuer, garbage system store; output: $out"
assert_contains "$out" "INBOX"

# A tls_ca_file without the issuer: the system store is still asked.
folders "$H/system-plus-test-ca.crt" "$(config unrelated localhost "$UNRELATED")"
assert_eq 0 "$rc" "exit status, unrelated tls_ca_file, system store with the test CA; output: $out"
assert_contains "$out" "INBOX"

# ... and when neither holds the issuer, the refusal says where it looked.
folders "$SYSTEM" "$(config unrelated localhost "$UNRELATED")"
assert_eq 5 "$rc" "exit status, issuer in neither; output: $out"
assert_contains "$out" "not in the system trust store nor in tls_ca_file"
assert_contains "$out" "tls_ca_file"

# Trust found in the system store on the second look still needs the
# right host name: mail.example.test is 127.0.0.1 here, but the server's
# certificate is not issued for it.
folders "$H/system-plus-test-ca.crt" "$(config wronghost mail.example.test "$UNRELATED")"
assert_eq 5 "$rc" "exit status, wrong host name after the system store; output: $out"
assert_contains "$out" "not issued for the host name 'mail.example.test'"
# The same with the issuer in tls_ca_file: the name is checked there too.
folders "$H/system-garbage.crt" "$(config wronghost mail.example.test "$HARNESS_PKI/tls-ca.pem")"
assert_eq 5 "$rc" "exit status, wrong host name with tls_ca_file; output: $out"
assert_contains "$out" "not issued for the host name 'mail.example.test'"

echo "PASS: client_trust"
