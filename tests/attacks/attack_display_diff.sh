#!/bin/bash
# Display against verdict: the screen shows a signed message with the
# structure the verdict was reached on.  The banner comes from crypto's
# reading of the MIME tree (cachet verify --json gives the same verdict);
# the pager must split the message exactly so, or a valid signature's
# banner ("Signed by bob@localhost (... valid)") stands above text the
# signature never covered.
#
# Every case is a message bob signed (cachet sign) with only unsigned
# bytes changed (gen-display-diff.py): the top header's Content-Type,
# the preamble, the delimiter lines, the epilogue, a wrapper around it.
# The text bob signed says GENUINE-SIGNED-TEXT; text an attacker slipped
# in says INJECTED-<case>.  For each case, alice's reading:
#   1. cachet verify --json gives the verdict crypto reaches (the
#      reference: exit status, signature, coverage, signer, decryption,
#      warnings, error);
#   2. on the screen, opened from a Maildir: the banner says what that
#      verdict means; and when it is the good line alone ("Signed by
#      bob@localhost (certificate from ..., valid)", beside "Encrypted to
#      you" at most), the body shows the signed text and never the
#      injected one.  Under any other banner (only part signed, not
#      signed) the banner itself warns.
# Cases:
#   o  the message as signed (the control)
#   a  boundary="evil" hidden in a comment between two parameters
#   b  a preamble line "--B-injected" (a delimiter is "--B" and white
#      space only); b2 with a close look-alike "--B--x" after it
#   c  RFC 2231 boundary*0/boundary*1 beside a plain boundary="evil";
#      c2 boundary*= after the continuations; c3 "boundary*00" (not
#      section 0); c4 a %XX in an encoded section after a plain section 0;
#      c5 an extended value in UTF-7 (its bytes are the boundary)
#   d  two Content-Type fields (the first counts), both orders
#   e  transport padding after every delimiter (still delimiters), with
#      forged text in the epilogue; e2 padding followed by text (none)
#   f  an epilogue with parts of another boundary and more "--B" parts
#   g  case a inside a multipart/mixed: a signed part of an unsigned
#      message, and the banner says so
#   h  a comment between a parameter's name and its "="
#   i  a comment holding ";" inside the type: multipart(;)/signed
#   j  a comment holding a quote, which read as a quoted value swallows
#      the boundary
#   k  an unquoted boundary=B/evil (a token ends at "/")
#   l  case a encrypted to alice: the signature covers the whole
#      decrypted content
set -euo pipefail
. "$top_srcdir/tests/attacks/attack_lib.sh"
CACHET=${CACHET:-$top_builddir/cachet}
harness_init
harness_need python3 tmux
. "$top_srcdir/tests/integration/ui_lib.sh"
BOB=$(harness_gnupg bob)
ALICE=$(harness_gnupg alice)
FX=$H/fx
mkdir -p "$FX" "$H/screens"
cd "$H"
export XDG_CONFIG_HOME=$H/config

FAILS=0
bad() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}

GOOD="Signed by bob@localhost (certificate from Cachet Test S/MIME CA, valid)"
PART="Only part of this message is signed: the rest could come from anyone"

# ---------------------------------------------------------------- messages

cat > signed-plain.eml <<'EOF'
From: Bob Example <bob@localhost>
To: alice@localhost
Subject: Invoice
Date: Mon, 3 Mar 2025 12:00:00 +0000

GENUINE-SIGNED-TEXT: the invoice total is 100 EUR, as agreed.
EOF
"$CACHET" --gnupg-home "$BOB" sign signed-plain.eml > signed.eml
python3 "$top_srcdir/tests/attacks/gen-display-diff.py" signed.eml "$FX"
{
	echo "Date: Mon, 3 Mar 2025 12:00:00 +0000"
	openssl cms -encrypt -aes128 -in "$FX/l-encrypted.inner" -from "Bob Example <bob@localhost>" \
		-to alice@localhost -subject "Invoice" "$HARNESS_PKI/alice.pem"
} > "$FX/l-encrypted.eml"

# ---------------------------------------------------------------- checks

# reference CASE RC SIG COV SIGNER DEC WARNINGS ERROR: attack_lib's verdict
# over FX/CASE.eml, read by alice (verdict runs as $BOB); a mismatch is
# reported there and counted here.
reference() {
	ATTACK_FAILED=0
	BOB=$ALICE verdict "$@"
	[ "$ATTACK_FAILED" = 0 ] || FAILS=$((FAILS + 1))
}

# excerpt: the non-empty rows of $SCREEN, indented, for a failure message.
excerpt() {
	awk 'NF && n++ < 16 { sub(/[ \t]+$/, ""); print "    | " $0 }' <<< "$SCREEN"
}

# pager CASE: opens FX/CASE.eml, the one message of a Maildir, on the
# screen (120 x 50) and leaves the pager's screen in $SCREEN (and in
# screens/CASE.txt); false when it never showed the message.
pager() {
	local c=$1 md=$H/md-$1
	SCREEN=
	ui_maildir "$md"
	ui_deliver "$md" 1 < "$FX/$c.eml"
	ui_start "$c" 120 50 "$CACHET" --data-dir "$H/data-$c" --gnupg-home "$ALICE" \
		ui --maildir "$md"
	if ! ui_shows "$c" "INBOX [1 message]"; then
		SCREEN=$(ui_screen "$c" 2> /dev/null) || SCREEN=
		bad "$c: the index did not come up:"$'\n'"$(excerpt)"
		SCREEN=
	else
		ui_keys "$c" Enter
		# One message per screen: its Subject says it opened.
		if ui_shows "$c" "Subject: Invoice"; then
			ui_settle "$c"
			SCREEN=$(ui_screen "$c")
			printf '%s\n' "$SCREEN" > "screens/$c.txt"
		else
			SCREEN=$(ui_screen "$c" 2> /dev/null) || SCREEN=
			bad "$c: the message did not open:"$'\n'"$(excerpt)"
			SCREEN=
		fi
	fi
	ui_tmux kill-session -t "$c" 2> /dev/null || true
	[ -n "$SCREEN" ]
}

# on_screen CASE BANNER: the pager's banner rows (those above the header
# lines, joined by "|") are BANNER; under the good line alone the signed
# text is shown and the injected one is not.
on_screen() {
	local c=$1 want=$2 banner line plain=0 problems=()
	pager "$c" || return 0
	banner=$(awk 'NR == 1 { next } /^(From|To|Cc|Date|Subject): / { exit }
		{ sub(/[ \t]+$/, ""); print }' <<< "$SCREEN" | paste -sd '|')
	[ "$banner" = "$want" ] ||
		problems+=("the banner is \"$banner\", expected \"$want\"")
	case "|$banner|" in
	"|$GOOD|" | "|$GOOD|Encrypted to you|") plain=1 ;;
	esac
	if [ "$plain" = 1 ]; then
		line=$(grep -F -m 1 -- "INJECTED-$c" <<< "$SCREEN" | sed 's/[[:space:]]*$//') || line=
		[ -z "$line" ] ||
			problems+=("under \"$GOOD\" the screen shows text the signature does not cover: \"$line\"")
		grep -qF GENUINE-SIGNED-TEXT <<< "$SCREEN" ||
			problems+=("under \"$GOOD\" the screen does not show the signed text (GENUINE-SIGNED-TEXT)")
	fi
	if [ "${#problems[@]}" -gt 0 ]; then
		for line in "${problems[@]}"; do
			bad "$c: $line"
		done
		echo "  the screen of $c:" >&2
		excerpt >&2
	fi
}

# expect CASE RC SIG COV SIGNER DEC WARNINGS ERROR BANNER: both checks.
expect() {
	reference "${@:1:8}"
	on_screen "$1" "$9"
}

# ---------------------------------------------------------------- cases

V=(0 valid whole bob@localhost none - null)
expect o-original "${V[@]}" "$GOOD"
expect a-comment "${V[@]}" "$GOOD"
expect b-prefix "${V[@]}" "$GOOD"
expect b2-prefix-close "${V[@]}" "$GOOD"
expect c-rfc2231 "${V[@]}" "$GOOD"
expect c2-rfc2231-ext-after-sections "${V[@]}" "$GOOD"
expect c3-rfc2231-leading-zero "${V[@]}" "$GOOD"
expect c4-rfc2231-encoded-section "${V[@]}" "$GOOD"
expect c5-rfc2231-charset "${V[@]}" "$GOOD"
# The first Content-Type decides: with multipart/signed first the message
# is bob's; with multipart/mixed first it is two unsigned texts.
expect d-two-ctypes "${V[@]}" "$GOOD"
expect d2-two-ctypes-mixed-first 1 none null null none - null "Not signed"
expect e-padding "${V[@]}" "$GOOD"
expect e2-padding-then-text "${V[@]}" "$GOOD"
expect f-epilogue "${V[@]}" "$GOOD"
expect g-nested 1 valid part bob@localhost none unsigned-content null "$GOOD|$PART"
expect h-comment-before-equals "${V[@]}" "$GOOD"
expect i-type-comment "${V[@]}" "$GOOD"
expect j-quote-in-comment "${V[@]}" "$GOOD"
expect k-token-tspecial "${V[@]}" "$GOOD"
expect l-encrypted 0 valid whole bob@localhost ok - null "$GOOD|Encrypted to you"

if [ "$FAILS" -gt 0 ]; then
	echo "FAIL: attack_display_diff: $FAILS check(s) failed" >&2
	exit 1
fi
echo "PASS: attack_display_diff"
