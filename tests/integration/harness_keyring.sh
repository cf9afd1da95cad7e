#!/bin/bash
# The private Secret Service: a libsecret store/lookup round trip inside
# harness_keyring, kept in that keyring only, and the daemons gone afterwards.
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"

harness_need secret-tool
harness_init

secret="pw-$$-$RANDOM"
out=$(harness_keyring bash -c '
	set -e
	printf "%s" "$1" | secret-tool store --label="cachet test" service cachet-test account alice
	echo "lookup=$(secret-tool lookup service cachet-test account alice)"
	# Another attribute set finds nothing.
	if secret-tool lookup service cachet-test account bob; then echo "bob-found"; fi
	echo "home=$HOME"
' harness-keyring-test "$secret" 2>&1)
assert_contains "$out" "lookup=$secret" "secret-tool lookup"
assert_not_contains "$out" "bob-found" "lookup of another account"
assert_contains "$out" "home=$H/" "HOME inside harness_keyring"

# The secret went into the private keyring, encrypted.
ring=$H/keyring/home/.local/share/keyrings/login.keyring
[ -s "$ring" ] || fail "no keyring file at $ring"
if grep -qF "$secret" "$ring"; then
	fail "the secret is stored in clear text in $ring"
fi

# A later session unlocks the same keyring and finds the secret again.
out=$(harness_keyring secret-tool lookup service cachet-test account alice 2>&1)
assert_eq "$secret" "$out" "lookup in a second session"

# Outside any session there is no Secret Service: the one above was private.
out=$(env -u DBUS_SESSION_BUS_ADDRESS DISPLAY= HOME="$H/keyring/home" \
	secret-tool lookup service cachet-test account alice 2>&1) &&
	fail "secret-tool found a secret outside harness_keyring: $out"
assert_not_contains "$out" "$secret" "lookup outside harness_keyring"

# CMD's exit status comes back.
status=0
harness_keyring sh -c 'exit 3' 2> /dev/null || status=$?
assert_eq 3 "$status" "harness_keyring's exit status"

# The session's daemons (gnome-keyring-daemon, dbus-daemon) are gone.
# dbus-run-session ends its bus with SIGTERM and does not wait for it, so
# a loaded machine may still see the bus on its way out: each process gets
# up to 5 s to go.
for f in "$H"/run/keyring.*; do
	for pid in $(cat "$f"); do
		for _ in $(seq 1 100); do
			harness_pid_running "$pid" || break
			sleep 0.05
		done
		if harness_pid_running "$pid"; then
			fail "keyring session process $pid still runs: $(ps -o args= -p "$pid")"
		fi
	done
done
echo "PASS"
