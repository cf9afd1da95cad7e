#!/bin/bash
# The sender shown beside a signature is the address the signature is bound
# to.  Mallory signs as mallory@localhost and dresses From up as alice:
#   word-at       =?utf-8?q?alice=40localhost=2C?= <mallory@localhost>
#                 (decoded: "alice@localhost, <mallory@localhost>")
#   fullwidth-at  alice＠localhost <mallory@localhost> (U+FF20)
#   small-at      alice﹫localhost <mallory@localhost> (U+FE6B)
#   group-from    alice@localhost: mallory@localhost;  (a group: the
#                 server's ENVELOPE names alice, crypto reads mallory)
# The index (on a Maildir and over IMAP, driven in tmux, before and after
# each message is opened and verified), `cachet list` and the pager show
# mallory@localhost for each, the look-alike name only after it, and never
# a row whose sender reads as alice alone.
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/attacks/attack_lib.sh"
CACHET=${CACHET:-$top_builddir/cachet}
attack_setup
harness_need python3 tmux
. "$top_srcdir/tests/integration/ui_lib.sh"
harness_dovecot
GH=$(harness_gnupg bob)
CFG=$(harness_config bob)
cases="word-at fullwidth-at small-at group-from"

bad() {
	echo "FAIL: $*" >&2
	ATTACK_FAILED=1
}

# Each case with a Subject of its own (outside what mallory signed).
mkdir -p "$H/msgs"
n=0
for c in $cases; do
	n=$((n + 1))
	sed "s/^Subject: attack fixture/Subject: sender-$c/" "$FX/identity/$c.eml" > "$H/msgs/$c.eml"
done

# rows WHERE SCREEN: each case's index row shows mallory's address.
rows() {
	local where=$1 screen=$2 c row
	for c in $cases; do
		row=$(grep "sender-$c" <<< "$screen") || { bad "$where: no row for $c"; continue; }
		[[ $row == *"mallory@localhost"* ]] ||
			bad "$where: the $c row does not show mallory@localhost: $row"
	done
}

# index NAME CMD...: the screen on a folder holding the cases: rows before
# any is opened, each opened (its banner names mallory, the pager's From
# line shows mallory's address), rows again with the verdicts' marks.
index() {
	local name=$1 c screen
	shift
	ui_start "$name" 120 30 "$@"
	ui_wait "$name" "INBOX [4 messages]" 20
	rows "$name index" "$(ui_screen "$name")"
	for c in $cases; do
		# The cursor starts on the newest message; / finds the case.
		ui_keys "$name" /
		ui_wait_prompt "$name" "Search:"
		ui_keys "$name" "sender-$c" Enter
		ui_settle "$name"
		ui_keys "$name" Enter
		ui_wait "$name" "Subject: sender-$c" 20
		ui_settle "$name"
		screen=$(ui_screen "$name")
		[[ $screen == *"mallory@localhost"* ]] || bad "$name pager $c: no mallory: $screen"
		grep -q '^From: .*mallory@localhost' <<< "$screen" ||
			bad "$name pager $c: the From line does not show mallory's address: $(grep '^From:' <<< "$screen")"
		ui_keys "$name" q
		ui_wait "$name" "INBOX [4 messages]" 20
	done
	ui_settle "$name"
	screen=$(ui_screen "$name")
	rows "$name index after opening" "$screen"
	grep -q "sender-word-at" <<< "$screen" && grep "sender-word-at" <<< "$screen" | grep -q " S+ " ||
		bad "$name: word-at was not verified valid: $(grep "sender-word-at" <<< "$screen")"
	ui_keys "$name" q
	ui_wait "$name" "folders"
	ui_keys "$name" q
	ui_wait_exit "$name"
}

# On a Maildir.
ui_maildir "$H/md"
n=0
for c in $cases; do
	n=$((n + 1))
	ui_deliver "$H/md" "$n" < "$H/msgs/$c.eml"
done
index maildir "$CACHET" --data-dir "$H/data-md" --gnupg-home "$GH" ui --maildir "$H/md"

# Over IMAP: the index, and cachet list.
for c in $cases; do
	harness_lmtp_deliver bob "$H/msgs/$c.eml"
done
harness_wait_mail bob 4
out=$("$CACHET" --config "$CFG" --data-dir "$H/data-list" list) || bad "cachet list failed: $out"
for c in $cases; do
	row=$(grep "sender-$c" <<< "$out") || { bad "list: no row for $c"; continue; }
	[[ $(cut -f5 <<< "$row") == *"mallory@localhost"* ]] ||
		bad "list: the $c row's sender is not mallory@localhost: $row"
done
index imap "$CACHET" --config "$CFG" --data-dir "$H/data-imap" --gnupg-home "$GH"

attack_done "the sender shown is the address the signature binds"
