#!/bin/bash
# Secrets hygiene, end to end against the real servers and gpgsm:
#   - the password never appears in any process's argv or environment
#     (cachet, its password_command, gpgsm and gpg-agent: watched through
#     /proc while send, list, harvest imap:, verify, decrypt and encrypt
#     run), nor in cachet's output, nor in any file under the data,
#     config, home or temporary directories afterwards;
#   - cachet's temporary files are private (0600) and gone afterwards
#     (TMPDIR points at a private directory), the compose editor's file
#     included (a reply on the screen, quoting decrypted text);
#   - decrypted text is never cached: bob sends alice an encrypted message
#     with a unique marker in its body; after alice's list, harvest
#     imap:INBOX, verify, decrypt and the screen, the marker is in none of
#     her files.
# A control shows the watch sees a password on a command line when there
# is one (a password_command that carries it).
set -euo pipefail
. "$top_srcdir/tests/lib/harness.sh"
CACHET=${CACHET:-$top_builddir/cachet}
WATCH=$top_srcdir/tests/attacks/proc_watch.py

harness_init
harness_need python3 tmux
. "$top_srcdir/tests/integration/ui_lib.sh"
harness_postfix
cd "$H"
ALICE=$(harness_gnupg alice)
BOB=$(harness_gnupg bob)
FAILED=0
bad() {
	echo "FAIL: $*" >&2
	FAILED=1
}

# Secrets live outside every directory cachet may write to.
mkdir -m 700 "$H/secret"
printf 'alice-pw\n' > "$H/secret/alice.pw"
printf 'bob-pw\n' > "$H/secret/bob.pw"
# The password as it travels (AUTH PLAIN) and as stored, one a line.
{
	echo alice-pw
	echo bob-pw
	printf '\0alice\0alice-pw' | base64
	printf '\0bob\0bob-pw' | base64
} > "$H/secret/needles"

# Per user: HOME, TMPDIR, config and data directories of its own.
for u in alice bob; do
	mkdir -m 700 "$H/$u-home" "$H/$u-tmp" "$H/$u-config" "$H/$u-data"
	cat > "$H/$u-config/config" <<EOF
[account $u]
from = $(pki__display_name "$u") <$u@localhost>
imap = imaps://$u@localhost:$IMAPS_PORT
smtp = smtps://$u@localhost:$SMTPS_PORT
tls_ca_file = $HARNESS_PKI/tls-ca.pem
password_command = sleep 0.2; cat $H/secret/$u.pw
EOF
	chmod 600 "$H/$u-config/config"
done

# as USER NAME ARGS...: cachet as USER, stdout in NAME.out, stderr NAME.err.
as() {
	local u=$1 name=$2 gh
	shift 2
	[ "$u" = alice ] && gh=$ALICE || gh=$BOB
	RC=0
	env HOME="$H/$u-home" TMPDIR="$H/$u-tmp" XDG_CONFIG_HOME="$H/$u-config" \
		XDG_DATA_HOME="$H/$u-data" GNUPGHOME="$gh" \
		"$CACHET" --config "$H/$u-config/config" --data-dir "$H/$u-data" "$@" \
		< /dev/null > "$H/$name.out" 2> "$H/$name.err" || RC=$?
	[ "$RC" = 0 ] || bad "$name: exit status $RC: $(cat "$H/$name.err")"
}

# watch_start NAME / watch_stop: the /proc watch around some runs.
watch_start() {
	WATCH_OUT=$H/watch.$1
	rm -f "$H/watch.stop"
	python3 "$WATCH" --root $$ --world "$H" --secrets "$H/secret/needles" \
		--stop "$H/watch.stop" --out "$WATCH_OUT" \
		--tmp "$H/alice-tmp" --tmp "$H/bob-tmp" &
	WATCH_PID=$!
	echo "$WATCH_PID" >> "$H/run/daemons"
	local i
	for i in $(seq 1 1500); do
		[ -e "$WATCH_OUT.ready" ] && return 0
		kill -0 "$WATCH_PID" 2> /dev/null || fail "the /proc watch did not start"
		sleep 0.02
	done
	fail "the /proc watch did not start in 30 s"
}
watch_stop() {
	: > "$H/watch.stop"
	wait "$WATCH_PID" || fail "the /proc watch failed"
}

# --- control: the watch does see a password on a command line ---------------

cat > "$H/leaky.conf" <<EOF
[account alice]
from = Alice Example <alice@localhost>
imap = imaps://alice@localhost:$IMAPS_PORT
tls_ca_file = $HARNESS_PKI/tls-ca.pem
password_command = sleep 1.5; printf %s alice-pw
EOF
chmod 600 "$H/leaky.conf"
watch_start control
"$CACHET" --config "$H/leaky.conf" --data-dir "$H/leaky-data" folders > /dev/null 2>&1 ||
	fail "control: folders with the leaky password_command failed"
watch_stop
grep -q '^ARGV ' "$WATCH_OUT" ||
	fail "control: the watch did not see the password on a command line: $(cat "$WATCH_OUT")"

# --- the runs -------------------------------------------------------------------

MARKER=marker-$RANDOM$RANDOM-decrypted-only
watch_start runs
as bob import certs import "$HARNESS_PKI/alice.pem"
printf 'From: Bob Example <bob@localhost>\nTo: Alice Example <alice@localhost>\nSubject: for alice only\n\nthe secret line: %s\n' \
	"$MARKER" > "$H/secret-msg.eml"
as bob send send "$H/secret-msg.eml"
grep -q encrypted "$H/send.err" || bad "bob's send was not encrypted: $(cat "$H/send.err")"
harness_wait_mail alice 1
as alice list list
# The server sees the message, but not its Subject: it is inside (RFC 9788).
grep -qF "bob@localhost	[...]" "$H/list.out" || bad "alice's list does not show the message: $(cat "$H/list.out")"
grep -q "for alice only" "$H/list.out" && bad "the Subject reached the server: $(cat "$H/list.out")"
as alice list-again list
as alice harvest harvest imap:INBOX
inbox=$(find "$H/mail/alice/Maildir/new" "$H/mail/alice/Maildir/cur" -type f | head -1)
cp "$inbox" "$H/alice-msg.eml"
grep -q "$MARKER" "$H/alice-msg.eml" && bad "the message reached alice unencrypted"
as alice verify verify --json "$H/alice-msg.eml"
as alice decrypt decrypt "$H/alice-msg.eml"
grep -q "$MARKER" "$H/decrypt.out" || bad "decrypt did not give the text: $(cat "$H/decrypt.err")"
printf 'From: Alice Example <alice@localhost>\nTo: Bob Example <bob@localhost>\nSubject: reply\n\nreply text\n' \
	> "$H/reply.eml"
as alice import-bob certs import "$HARNESS_PKI/bob.pem"
as alice encrypt encrypt "$H/reply.eml"
as alice send-reply send "$H/reply.eml"

# The screen: alice replies to the encrypted message, so the editor's
# temporary file holds the decrypted text it quotes.  The editor notes the
# file's mode and whether the quote is there, adds a line, and the reply
# is abandoned.
cat > "$H/editor.sh" <<EOF
#!/bin/sh
stat -c '%a %n' "\$1" >> "$H/editor.log"
grep -q "$MARKER" "\$1" && echo quoted >> "$H/editor.log"
printf 'typed in the editor\n' >> "\$1"
EOF
chmod 755 "$H/editor.sh"
ui_start main 100 30 env HOME="$H/alice-home" TMPDIR="$H/alice-tmp" \
	XDG_CONFIG_HOME="$H/alice-config" XDG_DATA_HOME="$H/alice-data" GNUPGHOME="$ALICE" \
	EDITOR="$H/editor.sh" "$CACHET" --config "$H/alice-config/config" --data-dir "$H/alice-data"
ui_wait main "INBOX [1 message]" 30
ui_wait main "[...]" 30
ui_keys main r
ui_wait main "typed in the editor" 30
ui_keys main q
ui_wait main "Abandon this message (y/n)?" 10
ui_keys main y
ui_wait main "not sent" 10
# q leaves the index for the folders, then the screen; a q may find the
# screen already gone.
for _ in $(seq 1 40); do
	ui_alive main || break
	ui_keys main q 2> /dev/null || break
	sleep 0.25
done
ui_alive main && bad "the screen did not quit: $(ui_screen main)"
grep -q '^600 ' "$H/editor.log" ||
	bad "the editor's file was not mode 600: $(cat "$H/editor.log")"
grep -qv '^600 \|^quoted$' "$H/editor.log" &&
	bad "the editor's file had another mode: $(cat "$H/editor.log")"
grep -q "^600 $H/alice-tmp/" "$H/editor.log" ||
	bad "the editor's file was not in TMPDIR: $(cat "$H/editor.log")"
grep -q '^quoted$' "$H/editor.log" ||
	bad "the reply did not quote the decrypted text, so the editor case proves little"
watch_stop
rm -f "$H/alice-msg.eml" "$H/decrypt.out" "$H/secret-msg.eml"

# The watch covered cachet and the children that matter.
# (gpgsm lists the keybox; sh is password_command's,
# kept alive 0.2 s by its sleep so that the sampling watch sees it.)
for prog in 'cachet' 'gpgsm' 'gpg-agent' 'sh|cat'; do
	grep -Eq "^SAW ($prog)\$" "$WATCH_OUT" || bad "the watch never saw $prog: $(cat "$WATCH_OUT")"
done
if grep -E '^(ARGV|ENVIRON) ' "$WATCH_OUT"; then
	bad "a password was in a process's argv or environment"
fi

# --- temporary files ---------------------------------------------------------------

while read -r _ mode path; do
	if [ -d "$path" ] 2> /dev/null || [ "$mode" = 700 ]; then
		[ "$mode" = 700 ] || bad "temporary directory $path has mode $mode"
	elif [ "$mode" != 600 ]; then
		bad "temporary file $path has mode $mode"
	fi
done < <(grep '^TMP ' "$WATCH_OUT" || true)
for u in alice bob; do
	left=$(find "$H/$u-tmp" -mindepth 1)
	[ -z "$left" ] || bad "$u's TMPDIR keeps: $left"
done

# --- nothing on disk, nothing in the output ------------------------------------------

while read -r needle; do
	for d in alice-home alice-tmp alice-config alice-data bob-home bob-tmp bob-config bob-data; do
		hits=$(grep -rlF -- "$needle" "$H/$d" || true)
		[ -z "$hits" ] || bad "the password ($needle) is in $hits"
	done
	hits=$(grep -lF -- "$needle" "$H"/*.err "$H"/*.out || true)
	[ -z "$hits" ] || bad "the password ($needle) was printed: $hits"
done < "$H/secret/needles"

hits=$(grep -rlF -- "$MARKER" "$H/alice-home" "$H/alice-tmp" "$H/alice-config" \
	"$H/alice-data" "$H/bob-home" "$H/bob-tmp" "$H/bob-data" || true)
[ -z "$hits" ] || bad "decrypted text is kept in $hits"
[ -n "$(find "$H/alice-data" -path '*imap-cache*' -type f)" ] ||
	bad "no IMAP cache was written, so the marker check proves little"

[ "$FAILED" = 0 ] || exit 1
echo "PASS: attack_secrets"
