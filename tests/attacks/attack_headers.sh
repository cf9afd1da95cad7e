#!/bin/bash
# Unsigned headers: fields of the outer header that nobody signed, changed
# or added on the way.  Alice signs (cachet sign, cachet encrypt --sign:
# protected headers, RFC 9788; openssl cms -sign: none), then only outer
# header fields are edited; bob reads each message with cachet verify
# --json and on the screen (tmux, from a Maildir):
#   legacy-reply-to  no protected headers, a Reply-To added: the verdict is
#                    valid (From is bound, nothing else can be), but the
#                    pager shows the Reply-To and the banner says the
#                    headers are not covered by the signature
#   hp-control       protected, untouched: the good line alone
#   hp-reply-to      protected, a Reply-To added outside: header-mismatch,
#                    the banner names it, the pager does not show it
#   hp-subject       protected, the outer Subject rewritten
#   hp-to            protected, the outer To rewritten
#   hp-date          protected, the outer Date rewritten
#   hp-enc-control   signed and encrypted: the outer Subject is "[...]",
#                    as HP-Outer says; the pager shows the real one
#   hp-enc-subject   signed and encrypted, the outer "[...]" rewritten
# In each changed case the pager shows the protected value, and the
# banner the outer one, in its problem colour; verify --json gives the
# protected values in protected_headers and the warning header-mismatch.
# A reply to hp-reply-to goes to the signed From, not the added Reply-To.
set -euo pipefail
. "$top_srcdir/tests/attacks/attack_lib.sh"
CACHET=${CACHET:-$top_builddir/cachet}
harness_init
harness_need python3 tmux openssl
. "$top_srcdir/tests/integration/ui_lib.sh"
BOB=$(harness_gnupg bob)
ALICE=$(harness_gnupg alice)
FX=$H/fx
mkdir -p "$FX" "$H/screens"
cd "$H"
export XDG_CONFIG_HOME=$H/config XDG_DATA_HOME=$H/data
"$CACHET" --gnupg-home "$ALICE" certs import "$HARNESS_PKI/bob.pem" > /dev/null ||
	fail "could not import bob's certificate"

FAILS=0
bad() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}

GOOD="Signed by alice@localhost (certificate from Cachet Test S/MIME CA, valid)"
VALID="Signed by alice@localhost (certificate from Cachet Test S/MIME CA, valid)"
SUBJECT="Invoice 4711"

# ---------------------------------------------------------------- messages

cat > plain.eml <<EOF
From: Alice Example <alice@localhost>
To: Bob Example <bob@localhost>
Subject: $SUBJECT
Date: Mon, 3 Mar 2025 12:00:00 +0000
Message-ID: <invoice-4711@localhost>

Please pay invoice 4711 to the usual account.
EOF
"$CACHET" --gnupg-home "$ALICE" sign plain.eml > "$FX/hp-control.eml" || fail "cachet sign"
"$CACHET" --gnupg-home "$ALICE" encrypt --sign --to bob@localhost plain.eml \
	> "$FX/hp-enc-control.eml" || fail "cachet encrypt --sign"
# A signer without header protection: the header is all outside.
{
	sed -n '1,/^$/{/^$/!p}' plain.eml
	printf 'Reply-To: mallory@localhost\n'
	printf 'Content-Type: text/plain; charset=us-ascii\n\nPlease pay invoice 4711 to the usual account.\n' |
		openssl cms -sign -signer "$HARNESS_PKI/alice.pem" -inkey "$HARNESS_PKI/alice.key"
} > "$FX/legacy-reply-to.eml"

# outer CASE FROM SED: FX/CASE.eml is FX/FROM.eml with SED applied to its
# outer header only (the lines before the first empty one).
outer() {
	sed -e '1,/^\r\?$/{' -e "$3" -e '}' "$FX/$2.eml" > "$FX/$1.eml"
	cmp -s "$FX/$1.eml" "$FX/$2.eml" && fail "$1: the edit changed nothing"
	return 0
}
outer hp-reply-to hp-control '/^Subject: /i Reply-To: mallory@localhost'
outer hp-subject hp-control 's/^Subject: .*/Subject: Pay now/'
outer hp-to hp-control 's/^To: .*/To: Mallory <mallory@localhost>/'
outer hp-date hp-control 's/^Date: .*/Date: Fri, 1 Jan 2027 08:00:00 +0000/'
outer hp-enc-subject hp-enc-control 's/^Subject: .*/Subject: Pay now/'

# ---------------------------------------------------------------- checks

# protected CASE JSON: after verdict, protected_headers in $OUT is JSON
# (a Python literal: None, or a dict of the fields checked).
protected() {
	python3 - "$1" "$OUT" "$2" <<'PY' || FAILS=$((FAILS + 1))
import json, sys
name, out, want = sys.argv[1], json.loads(sys.argv[2]), eval(sys.argv[3])
got = out.get("protected_headers", "absent")
if want is None:
    ok = got is None
else:
    ok = isinstance(got, dict) and all(got.get(k) == v for k, v in want.items())
if not ok:
    print("FAIL: %s: protected_headers is %r, expected %r" % (name, got, want), file=sys.stderr)
    sys.exit(1)
PY
}

excerpt() {
	awk 'NF && n++ < 16 { sub(/[ \t]+$/, ""); print "    | " $0 }' <<< "$SCREEN"
}

# pager CASE: opens FX/CASE.eml, the one message of a Maildir, as bob
# (160 x 40); its banner rows (above the header lines, joined by "|") in
# $BANNER, its header lines in $HEADERS.
pager() {
	local c=$1 md=$H/md-$1
	SCREEN= BANNER= HEADERS=
	ui_maildir "$md"
	ui_deliver "$md" 1 < "$FX/$c.eml"
	ui_start "$c" 160 40 "$CACHET" --data-dir "$H/data-$c" --gnupg-home "$BOB" \
		ui --maildir "$md"
	if ! ui_shows "$c" "INBOX [1 message]"; then
		SCREEN=$(ui_screen "$c" 2> /dev/null) || SCREEN=
		bad "$c: the index did not come up:"$'\n'"$(excerpt)"
	else
		ui_keys "$c" Enter
		if ui_shows "$c" "Please pay invoice 4711"; then
			ui_settle "$c"
			SCREEN=$(ui_screen "$c")
			printf '%s\n' "$SCREEN" > "screens/$c.txt"
		else
			SCREEN=$(ui_screen "$c" 2> /dev/null) || SCREEN=
			bad "$c: the message did not open:"$'\n'"$(excerpt)"
		fi
	fi
	ui_tmux kill-session -t "$c" 2> /dev/null || true
	re='^(From|To|Cc|Reply-To|Date|Subject): '
	BANNER=$(awk -v re="$re" 'NR == 1 { next } $0 ~ re { exit }
		{ sub(/[ \t]+$/, ""); print }' <<< "$SCREEN" | paste -sd '|')
	HEADERS=$(grep -E "$re" <<< "$SCREEN" | sed 's/[[:space:]]*$//') || HEADERS=
}

# on_screen CASE BANNER-LINE... -- HEADER-LINE...: the banner rows are the
# BANNER-LINEs (in order), the header lines include each HEADER-LINE;
# "!LINE" is a header line that must not be shown.
on_screen() {
	local c=$1 want=() x in_headers=0
	shift
	pager "$c"
	[ -n "$SCREEN" ] || return 0
	for x in "$@"; do
		if [ "$x" = -- ]; then
			in_headers=1
		elif [ "$in_headers" = 0 ]; then
			want+=("$x")
		elif [ "${x#!}" != "$x" ]; then
			grep -qxF -- "${x#!}" <<< "$HEADERS" && bad "$c: the pager shows \"${x#!}\""
		else
			grep -qxF -- "$x" <<< "$HEADERS" ||
				bad "$c: the pager does not show \"$x\" among its headers:"$'\n'"$HEADERS"
		fi
	done
	x=$(printf '%s|' "${want[@]}")
	[ "$BANNER" = "${x%|}" ] || bad "$c: the banner is \"$BANNER\", expected \"${x%|}\""
	return 0
}

# verdict (attack_lib) with its failures counted here.
json_verdict() {
	ATTACK_FAILED=0
	verdict "$@"
	[ "$ATTACK_FAILED" = 0 ] || FAILS=$((FAILS + 1))
}

# ---------------------------------------------------------------- cases

V=(0 valid whole alice@localhost none)
PROT="{'From': 'Alice Example <alice@localhost>', 'To': 'Bob Example <bob@localhost>', 'Subject': '$SUBJECT', 'Date': 'Mon, 3 Mar 2025 12:00:00 +0000', 'Message-ID': '<invoice-4711@localhost>'}"

json_verdict legacy-reply-to "${V[@]}" - null
protected legacy-reply-to None
on_screen legacy-reply-to \
	"Headers are not covered by the signature: Reply-To (mallory@localhost), To, Cc and Subject could have been changed after signing" \
	"$GOOD" -- "Reply-To: mallory@localhost" "Subject: $SUBJECT"

json_verdict hp-control "${V[@]}" - null
protected hp-control "$PROT"
on_screen hp-control "$GOOD" -- "From: Alice Example <alice@localhost>" \
	"To: Bob Example <bob@localhost>" "Subject: $SUBJECT"

json_verdict hp-reply-to "${V[@]}" header-mismatch null
protected hp-reply-to "$PROT"
on_screen hp-reply-to "$VALID" \
	"Reply-To was added outside the signed part: \"mallory@localhost\" (not shown)" \
	-- "!Reply-To: mallory@localhost" "Subject: $SUBJECT"

json_verdict hp-subject "${V[@]}" header-mismatch null
protected hp-subject "$PROT"
on_screen hp-subject "$VALID" \
	"Subject was changed outside the signed part: there it says \"Pay now\"; the signed Subject is shown" \
	-- "Subject: $SUBJECT" "!Subject: Pay now"

json_verdict hp-to "${V[@]}" header-mismatch null
protected hp-to "$PROT"
on_screen hp-to "$VALID" \
	"To was changed outside the signed part: there it says \"Mallory <mallory@localhost>\"; the signed To is shown" \
	-- "To: Bob Example <bob@localhost>" "!To: Mallory <mallory@localhost>"

json_verdict hp-date "${V[@]}" header-mismatch null
protected hp-date "$PROT"
on_screen hp-date "$VALID" \
	"Date was changed outside the signed part: there it says \"Fri, 1 Jan 2027 08:00:00 +0000\"; the signed Date is shown" \
	-- "Date: Mon, 3 Mar 2025 12:00:00 +0000"

E=(0 valid whole alice@localhost ok)
json_verdict hp-enc-control "${E[@]}" - null
protected hp-enc-control "$PROT"
on_screen hp-enc-control "$GOOD" "Encrypted to you" -- "Subject: $SUBJECT" "!Subject: [...]"

json_verdict hp-enc-subject "${E[@]}" header-mismatch null
protected hp-enc-subject "$PROT"
on_screen hp-enc-subject "$VALID" \
	"Subject was changed outside the signed part: there it says \"Pay now\"; the signed Subject is shown" \
	"Encrypted to you" -- "Subject: $SUBJECT"

# A reply to hp-reply-to goes to the signed From, with the signed
# Subject: the Reply-To added on the way takes nothing anywhere.
# An account to reply from; nothing is sent, so no server is needed.
CFG=$H/config/bob.conf
mkdir -p "$H/config"
printf '[account bob]\nfrom = Bob Example <bob@localhost>\nimap = imaps://bob@localhost:1\nsmtp = smtps://bob@localhost:1\n' \
	> "$CFG"
chmod 600 "$CFG"
printf '#!/bin/sh\nprintf "noted\\n" >> "$1"\n' > "$H/editor.sh"
chmod 755 "$H/editor.sh"
md=$H/md-reply
ui_maildir "$md"
ui_deliver "$md" 1 < "$FX/hp-reply-to.eml"
ui_start reply 160 40 env EDITOR="$H/editor.sh" "$CACHET" --config "$CFG" \
	--data-dir "$H/data-reply" --gnupg-home "$BOB" ui --maildir "$md"
ui_wait reply "INBOX [1 message]" 20
ui_keys reply Enter
ui_wait reply "Reply-To was added outside the signed part" 20
ui_keys reply r
ui_wait reply "noted" 20
SCREEN=$(ui_screen reply)
grep -qF "     To: Alice Example <alice@localhost>" <<< "$SCREEN" ||
	bad "the reply is not to the signed From:"$'\n'"$(excerpt)"
grep -qF "Subject: Re: $SUBJECT" <<< "$SCREEN" ||
	bad "the reply's Subject is not the signed one:"$'\n'"$(excerpt)"
grep -qF "mallory" <<< "$SCREEN" && bad "the reply names mallory:"$'\n'"$(excerpt)"
ui_keys reply q
ui_wait reply "Abandon this message (y/n)?"
ui_keys reply y
ui_wait reply "not sent"
ui_tmux kill-session -t reply 2> /dev/null || true

[ "$FAILS" = 0 ] || exit 1
echo "PASS: attack_headers"
