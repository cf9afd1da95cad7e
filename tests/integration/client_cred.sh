#!/bin/bash
# Where cachet's passwords come from: the Secret Service (stored with
# 'cachet passwd', read back in a later session), or password_command; and
# the clear errors, exit 5, when neither can give one: no session bus, a
# bus without a Secret Service, a locked keyring, nothing stored, a failing
# or silent password_command, a wrong password.
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
CACHET=${CACHET:-$top_builddir/cachet}

harness_init
harness_postfix
harness_need dbus-run-session dbus-daemon gnome-keyring-daemon

# config NAME [LINE...]: alice's account without signing, extra lines added.
config() {
	local f=$H/$1.conf
	shift
	{
		echo "[account alice]"
		echo "from = Alice Example <alice@localhost>"
		echo "imap = imaps://alice@localhost:$IMAPS_PORT"
		echo "smtp = smtps://alice@localhost:$SMTPS_PORT"
		echo "tls_ca_file = $HARNESS_PKI/tls-ca.pem"
		local l
		for l in "$@"; do
			echo "$l"
		done
		echo "[policy]"
		echo "sign = never"
		echo "encrypt = never"
	} > "$f"
	chmod 600 "$f"
	echo "$f"
}

# expect_failure WHAT TEXT... -- COMMAND...: exit 5 and every TEXT in stderr.
expect_failure() {
	local what=$1 out rc=0 t
	shift
	local -a texts=()
	while [ "$1" != -- ]; do
		texts+=("$1")
		shift
	done
	shift
	out=$("$@" 2>&1 < /dev/null) || rc=$?
	assert_eq 5 "$rc" "exit status ($what); output: $out"
	for t in "${texts[@]}"; do
		assert_contains "$out" "$t" "$what"
	done
}

keyring_cfg=$(config keyring)
export CACHET keyring_cfg H

# --- the Secret Service ---------------------------------------------------

# Nothing stored yet: the error says what to do.
expect_failure "nothing stored" "no password for alice@localhost (account alice) in the Secret Service" \
	"cachet passwd" "password_command" -- \
	harness_keyring "$CACHET" --config "$keyring_cfg" folders

# Stored from standard input (not a terminal), used in a later session.
out=$(harness_keyring sh -c 'printf "alice-pw\n" | "$CACHET" --config "$keyring_cfg" passwd' 2>&1) ||
	fail "cachet passwd failed: $out"
assert_contains "$out" "stored the password of alice@localhost" "cachet passwd"
out=$(harness_keyring "$CACHET" --config "$keyring_cfg" folders 2>&1) ||
	fail "folders with the stored password failed: $out"
assert_contains "$out" "INBOX" "folders with the Secret Service"
printf 'To: bob@localhost\nSubject: keyring %s\n\nbody\n' $$ > "$H/m.eml"
out=$(harness_keyring "$CACHET" --config "$keyring_cfg" --data-dir "$H/data" send "$H/m.eml" 2>&1) ||
	fail "send with the stored password failed: $out"
harness_wait_mail bob 1
# The password is not in any file cachet wrote.
if grep -rq "alice-pw" "$H/data" "$H/config" 2> /dev/null; then
	fail "the password was written to disk"
fi

# A wrong password stored: the server's refusal, exit 5.
harness_keyring sh -c 'printf "wrong-pw\n" | "$CACHET" --config "$keyring_cfg" passwd' > /dev/null 2>&1 ||
	fail "cachet passwd (wrong password) failed"
expect_failure "wrong password" "refused the login" -- \
	harness_keyring "$CACHET" --config "$keyring_cfg" folders

# No session bus at all.
expect_failure "no session bus" "there is no D-Bus session bus" "password_command" -- \
	env -u DBUS_SESSION_BUS_ADDRESS DISPLAY= HOME="$H/keyring/home" \
	XDG_RUNTIME_DIR="$H/keyring/home" "$CACHET" --config "$keyring_cfg" folders

# A session bus on which nothing provides org.freedesktop.secrets (its own
# configuration, without the system's activatable services).
cat > "$H/bare-bus.conf" <<'CONF'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
expect_failure "no Secret Service" "no Secret Service is running on the session bus" \
	"password_command" -- \
	dbus-run-session --config-file="$H/bare-bus.conf" -- \
	"$CACHET" --config "$keyring_cfg" folders

# The keyring of the earlier sessions, locked: gnome-keyring started
# without the password.
locked_session() {
	mkdir -p "$H/locked-xdg"
	chmod 700 "$H/locked-xdg"
	HOME=$H/keyring/home XDG_RUNTIME_DIR=$H/locked-xdg dbus-run-session -- sh -c '
		gnome-keyring-daemon --foreground --components=secrets > /dev/null 2>&1 &
		k=$!
		for i in $(seq 1 100); do
			dbus-send --session --print-reply --dest=org.freedesktop.DBus \
				/org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
				string:org.freedesktop.secrets 2> /dev/null | grep -q true && break
			sleep 0.05
		done
		rc=0
		"$@" || rc=$?
		kill $k
		exit $rc' locked "$@"
}
expect_failure "locked keyring" \
	"the password of alice@localhost (account alice) is in a locked keyring; unlock it" \
	"password_command" -- \
	locked_session "$CACHET" --config "$keyring_cfg" folders

# --- password_command ------------------------------------------------------

cmd_cfg=$(config cmd "password_command = printf 'alice-pw\\nsecond line ignored\\n'")
out=$("$CACHET" --config "$cmd_cfg" folders 2>&1) || fail "password_command: $out"
assert_contains "$out" "INBOX" "folders with password_command"

fail_cfg=$(config cmdfail "password_command = echo oops >&2; exit 3")
expect_failure "failing password_command" "password_command failed with exit status 3" -- \
	"$CACHET" --config "$fail_cfg" folders
empty_cfg=$(config cmdempty "password_command = true")
expect_failure "silent password_command" "password_command printed no password" -- \
	"$CACHET" --config "$empty_cfg" folders
missing_cfg=$(config cmdmissing "password_command = /nonexistent/pass-helper")
expect_failure "missing password_command" "exit status 127 (command not found?)" -- \
	"$CACHET" --config "$missing_cfg" folders
echo "PASS: client_cred"
