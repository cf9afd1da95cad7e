#!/bin/bash
# A signature from a look-alike root (a CA with exactly the trusted CA's
# subject) verified with a terminal attached: gpgsm would ask gpg-agent to
# show "Do you ultimately trust ...?" on that terminal, and one "Yes" makes
# every forgery from that root valid.  cachet must answer "untrusted" at
# once, show no dialog, and leave trustlist.txt as it was.
set -euo pipefail
. "$top_srcdir/tests/lib/harness.sh"
harness_init
bob=$(harness_gnupg bob)
cd "$H"
"$BASH" "$top_srcdir/tests/fixtures/gen-smime.sh" "$HARNESS_PKI" fx > gen.log 2>&1 ||
	{ cat gen.log; fail "fixture generation failed"; }
cp "$bob/trustlist.txt" trustlist.before

sock="cachet-attack-$$"
tmux_() { tmux -L "$sock" "$@"; }
trap 'tmux_ kill-server 2>/dev/null || true; harness_cleanup' EXIT

# on_terminal NAME COMMAND: runs COMMAND with the pane as its terminal
# (stdout included: that is what GPGME hands to gpg-agent for a dialog)
# and prints the screen once it has finished or a dialog has appeared.
on_terminal() {
	local screen=
	tmux_ new-window -d -n "$1" "$2; echo RC=\$?; sleep 60"
	for _ in $(seq 1 150); do
		screen=$(tmux_ capture-pane -p -t "$1")
		case "$screen" in *RC=*|*"ultimately trust"*) break ;; esac
		sleep 0.1
	done
	printf '%s\n' "$screen"
}
tmux_ new-session -d -s attack -x 120 -y 30

screen=$(on_terminal verify "'$CACHET' --gnupg-home '$bob' verify --json fx/untrusted-root.eml")
assert_not_contains "$screen" "ultimately trust" "a trust dialog on the terminal (verify)"
assert_contains "$screen" "RC=1" "verify's exit status (within 15 s)"
assert_contains "$screen" '"signature":"untrusted"' "the verdict"

# Importing the look-alike's certificate validates its chain through the
# certificate store's own gpgsm context: the same rule holds there.
screen=$(on_terminal import "'$CACHET' --gnupg-home '$bob' --data-dir '$H/data' certs import fx/certs/fake-alice.pem")
assert_not_contains "$screen" "ultimately trust" "a trust dialog on the terminal (certs import)"
assert_contains "$screen" "RC=1" "certs import's exit status (within 15 s)"
out=$("$CACHET" --gnupg-home "$bob" --data-dir "$H/data" certs list --json)
assert_not_contains "$out" "alice@localhost" "the store after importing the look-alike's certificate"

cmp -s trustlist.before "$bob/trustlist.txt" || fail "trustlist.txt changed: $(cat "$bob/trustlist.txt")"
echo "PASS: look-alike root: untrusted, no dialog, nothing stored, trust list unchanged"
