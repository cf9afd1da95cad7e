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
# stdout is the pane's terminal: that is what GPGME hands to gpg-agent.
tmux_ new-session -d -x 120 -y 30 \
	"GNUPGHOME='$bob' '$CACHET' --gnupg-home '$bob' verify --json fx/untrusted-root.eml; echo RC=\$?; sleep 60"
screen=
for _ in $(seq 1 100); do
	screen=$(tmux_ capture-pane -p)
	case "$screen" in *RC=*) break ;; esac
	case "$screen" in *"ultimately trust"*) break ;; esac
	sleep 0.1
done
assert_not_contains "$screen" "ultimately trust" "a trust dialog on the terminal"
assert_contains "$screen" "RC=1" "verify's exit status (within 10 s)"
assert_contains "$screen" '"signature":"untrusted"' "the verdict"
cmp -s trustlist.before "$bob/trustlist.txt" || fail "trustlist.txt changed: $(cat "$bob/trustlist.txt")"
echo "PASS: look-alike root: untrusted, no dialog, trust list unchanged"
