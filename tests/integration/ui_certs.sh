#!/bin/bash
# The certificate view (C in the pager) and harvesting from the screen.
# The view shows the signer certificate's subject, issuer, fingerprints,
# validity and addresses, and its binding in bob's certificate store.
# Reading a signed message harvests it under the policy's harvest key:
# never: no binding (and T has nothing to trust); ask: the certificate
# waits as pending, said on the status line, T trusts it only after a typed
# "yes", and the store (as `cachet certs list` shows it) then holds it as
# trusted; trusted (the default): bound at once, said on the status line.
# A message read again is not harvested again; a different certificate
# for a trusted address is a conflict, said in words, never bound.  An
# unsigned message has no certificate to show.
set -euo pipefail
. "$top_srcdir/tests/integration/certstore_lib.sh"
cs_setup
. "$top_srcdir/tests/integration/ui_lib.sh"

CACHET=${CACHET:-$top_builddir/cachet}
PKI=$HARNESS_PKI
GH=$BOB
ALICE=$(pki_fingerprint "$PKI/alice.pem" | tr -d :)
ALICE256=$(openssl x509 -in "$PKI/alice.pem" -noout -fingerprint -sha256 |
	sed 's/^.*=//' | tr -d :)
[ ${#ALICE} -eq 40 ] && [ ${#ALICE256} -eq 64 ] || fail "no fingerprint of alice.pem"

export XDG_CONFIG_HOME=$H/config
mkdir -p "$XDG_CONFIG_HOME/cachet"
# policy HARVEST: bob's configuration says harvest = HARVEST ("" for none).
policy() {
	if [ -n "$1" ]; then
		printf '[policy]\nharvest = %s\n' "$1"
	fi > "$XDG_CONFIG_HOME/cachet/config"
	chmod 600 "$XDG_CONFIG_HOME/cachet/config"
}
policy never

MD=$H/Maildir
ui_maildir "$MD"
printf 'Hello Bob,\nthis is signed.\n' > "$H/body.txt"
{
	echo "Date: Tue, 4 Mar 2025 09:30:00 +0000"
	openssl cms -sign -text -in "$H/body.txt" -signer "$PKI/alice.pem" \
		-inkey "$PKI/alice.key" -from "Alice Example <alice@localhost>" \
		-to bob@localhost -subject "Signed by alice"
} > "$H/signed.eml"
ui_deliver "$MD" 1 < "$H/signed.eml"
printf 'From: carol@localhost\nTo: bob@localhost\nSubject: Plain words\n\nHi.\n' |
	ui_deliver "$MD" 2

cachet_bob() {
	"$CACHET" --data-dir "$H/data" --gnupg-home "$GH" "$@"
}

# ui_open [N]: the screen on the Maildir (N messages, default 2), the
# signed message (the first) open in the pager.
ui_open() {
	ui_start main 120 40 "$CACHET" --data-dir "$H/data" --gnupg-home "$GH" \
		ui --maildir "$MD"
	ui_wait main "INBOX [${1:-2} messages]"
	ui_keys main '='
	ui_keys main Enter
	ui_wait main "Signed by alice@localhost" 20
	assert_contains "$(ui_screen main | head -n 1)" "C:certificate"
}

ui_quit() {
	ui_keys main q q q
	ui_wait_exit main
}

# harvest = never: nothing is harvested; the certificate's details, and
# no binding.
ui_open
ui_settle main
assert_not_contains "$(ui_screen main | tail -n 2)" "certificate of" "status line under harvest = never"
ui_keys main C
ui_wait main "Signer's certificate" 20
screen=$(ui_screen main)
assert_contains "$screen" "Subject:   " "subject line"
assert_contains "$(grep 'Subject:' <<< "$screen")" "CN=Alice Example"
assert_contains "$(grep 'Issuer:' <<< "$screen")" "Cachet Test S/MIME CA"
assert_contains "$(grep 'SHA-1:' <<< "$screen")" "$ALICE"
assert_contains "$(grep 'SHA-256:' <<< "$screen")" "$ALICE256"
assert_contains "$(grep 'Valid:' <<< "$screen")" " to "
assert_contains "$(grep 'Addresses:' <<< "$screen")" "alice@localhost"
assert_contains "$screen" "none: no address is bound to this certificate"
assert_not_contains "$(ui_screen main | head -n 1)" "T:trust" "title without a pending binding"
# T with nothing to trust says so and changes nothing.
ui_keys main T
ui_wait main "Nothing to trust"
ui_keys main q
ui_wait main "this is signed."
ui_quit
assert_eq "" "$(cachet_bob certs list)" "the store under harvest = never"

# harvest = ask: reading the message leaves the certificate pending, and
# the status line says so.
policy ask
ui_open
ui_wait main "the certificate of alice@localhost waits for your decision (C shows it, T trusts it)" 20
assert_contains "$(cachet_bob certs show "$ALICE")" "pending" "store after reading under harvest = ask"
ui_keys main C
ui_wait main "alice@localhost: pending: not used until you trust it (T)" 20
assert_contains "$(ui_screen main | head -n 1)" "T:trust"

# Anything but "yes" leaves it pending.
ui_keys main T
ui_wait main "Type yes to trust"
assert_contains "$(ui_screen main | tail -n 1)" "$ALICE"
ui_keys main y e Enter
ui_wait main "not trusted"
assert_contains "$(ui_screen main)" "alice@localhost: pending"
assert_contains "$(cachet_bob certs show "$ALICE")" "pending" "store after a refused trust"
# Escape cancels too.
ui_keys main T
ui_wait main "Type yes to trust"
ui_keys main Escape
ui_wait main "not trusted"

# yes trusts it; the view and the store say so.
ui_keys main T
ui_wait main "Type yes to trust"
ui_keys main y e s Enter
ui_wait main "alice@localhost: trusted: cachet encrypts to this certificate" 20
assert_contains "$(ui_screen main | tail -n 1)" "trusted $ALICE for 1 address"
assert_not_contains "$(ui_screen main | head -n 1)" "T:trust" "title once trusted"
list=$(cachet_bob certs list)
assert_contains "$list" "trusted" "certs list after trusting in the screen"
assert_not_contains "$list" "pending" "certs list after trusting in the screen"
ui_keys main q
ui_wait main "this is signed."

# An unsigned message has no certificate to show.
ui_keys main J
ui_wait main "Plain words"
ui_keys main C
ui_wait main "This message is not signed: there is no certificate to show"
ui_quit

# Read again, the message is not harvested again: nothing on the status line.
ui_open
ui_settle main
assert_not_contains "$(ui_screen main | tail -n 2)" "certificate of" "status line on a second reading"
ui_quit
assert_eq 1 "$(cachet_bob certs list | grep -c .)" "bindings after a second reading"

# harvest = trusted (the default), a store of its own: bound on reading.
policy ""
ui_start main 120 40 "$CACHET" --data-dir "$H/data2" --gnupg-home "$GH" ui --maildir "$MD"
ui_wait main "INBOX [2 messages]"
ui_keys main '=' Enter
ui_wait main "stored the certificate of alice@localhost: mail to alice@localhost can be encrypted" 20
ui_quit
assert_contains "$("$CACHET" --data-dir "$H/data2" --gnupg-home "$GH" certs list)" \
	"alice@localhost              trusted" "the default policy's store after reading"

# Another certificate for alice, trusted in bob's store since above: a
# conflict, said in words (bad), and nothing changes in what is trusted.
ui_deliver "$MD" 3 < "$FX/conflict.eml"
ui_start main 120 40 "$CACHET" --data-dir "$H/data" --gnupg-home "$GH" ui --maildir "$MD"
ui_wait main "INBOX [3 messages]"
ui_keys main '*' Enter
ui_wait main "alice@localhost signed with another certificate than the one cachet encrypts to: it waits for your decision (C)" 20
ui_quit
assert_contains "$(cachet_bob certs show "$ALICE")" "trusted" "alice's first certificate after the conflict"
assert_eq 1 "$(cachet_bob certs list | grep -c trusted)" "trusted bindings after the conflict"
exit 0
