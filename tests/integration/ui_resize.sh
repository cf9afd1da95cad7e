#!/bin/bash
# Resizing the terminal while the index or the pager is up redraws the
# whole screen from the model: after a resize the screen is exactly what a
# fresh cachet started at the new size shows after the same keys.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"

CACHET=${CACHET:-$top_builddir/cachet}
PKI=$HARNESS_PKI
GH=$(harness_gnupg bob)
MD=$H/Maildir
ui_maildir "$MD"

# Forty messages, so that the index scrolls; number 21 is signed and long,
# with lines that wrap differently at each width.
for n in $(seq 1 40); do
	if [ "$n" = 21 ]; then
		for l in $(seq 1 60); do
			echo "Line $l of a long signed message, with words enough to wrap on a narrow screen."
		done > "$H/long.txt"
		{
			echo "Date: Sat, 1 Mar 2025 10:00:00 +0000"
			openssl cms -sign -text -in "$H/long.txt" -signer "$PKI/alice.pem" \
				-inkey "$PKI/alice.key" -from "Alice Example <alice@localhost>" \
				-to bob@localhost -subject "Long signed report"
		} | ui_deliver "$MD" "$n"
		continue
	fi
	ui_deliver "$MD" "$n" <<EOF
From: Carol Example <carol@localhost>
To: bob@localhost
Subject: Message number $n with a subject long enough to be cut on a narrow screen
Date: Sat, 1 Mar 2025 09:$(printf %02d "$n"):00 +0000

Body $n.
EOF
done

export XDG_CONFIG_HOME=$H/config
run() {
	ui_start "$1" "$2" "$3" "$CACHET" --data-dir "$H/data-$1" --gnupg-home "$GH" \
		ui --maildir "$MD"
	ui_wait "$1" "INBOX [40 messages]"
}

# j twenty times: the cursor's row and the list's scroll are the same
# whatever size the screen had while moving.
down20() {
	local i
	for i in $(seq 1 20); do
		ui_keys "$1" j
	done
	ui_settle "$1"
}

# --- index: 100x30, resized through several sizes to 70x20.
run a 100 30
down20 a
before=$(ui_screen a)
assert_contains "$before" "Long signed report"
ui_resize a 40 12
ui_settle a
ui_resize a 130 40
ui_settle a
ui_resize a 70 20
ui_settle a
resized=$(ui_screen a)

run b 70 20
down20 b
fresh=$(ui_screen b)
assert_contains "$fresh" "Long signed report"
if [ "$resized" != "$fresh" ]; then
	diff <(echo "$fresh") <(echo "$resized") >&2 || true
	fail "the index after a resize differs from a fresh screen of that size"
fi
# Every line fits the new width (nothing left over from the wider screen).
while IFS= read -r line; do
	[ "${#line}" -le 70 ] || fail "a line is wider than the screen: $line"
done <<< "$resized"

# --- pager: open the signed message, scroll, resize back to 100x30.
for s in a b; do
	ui_keys "$s" Enter
	ui_wait "$s" "Signed by alice@localhost"
	for i in $(seq 1 10); do
		ui_keys "$s" j
	done
	ui_settle "$s"
done
ui_resize a 50 15
ui_settle a
ui_resize a 100 30
ui_settle a
resized=$(ui_screen a)
assert_contains "$resized" "Signed by alice@localhost (certificate from Cachet Test S/MIME CA, valid)"
assert_contains "$resized" "Line 12 of a long signed message"

run c 100 30
down20 c
ui_keys c Enter
ui_wait c "Signed by alice@localhost"
for i in $(seq 1 10); do
	ui_keys c j
done
ui_settle c
fresh=$(ui_screen c)
if [ "$resized" != "$fresh" ]; then
	diff <(echo "$fresh") <(echo "$resized") >&2 || true
	fail "the pager after a resize differs from a fresh screen of that size"
fi

# The banner stays at the top while the text scrolls, at any size.
ui_resize b 40 12
ui_settle b
assert_contains "$(ui_screen b | sed -n 2p)" "Signed by alice@localhost"

# A tiny screen does not crash it, and back in the index all is well.
ui_resize a 12 4
ui_settle a
ui_alive a || fail "cachet ended on a 12x4 screen"
ui_resize a 100 30
ui_keys a q
ui_wait a "INBOX [40 messages]"
assert_contains "$(ui_screen a | grep 'Long signed report')" " S+ "
exit 0
