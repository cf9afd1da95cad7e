#!/bin/bash
# The pager's banner for each crafted verdict case of the crypto tests
# (tests/fixtures/gen-smime.sh), read by bob in the screen: every problem in
# plain words, the signer named by the address in its certificate.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
. "$top_srcdir/tests/integration/ui_lib.sh"

CACHET=${CACHET:-$top_builddir/cachet}
GH=$(harness_gnupg bob)
"$BASH" "$top_srcdir/tests/fixtures/gen-smime.sh" "$HARNESS_PKI" "$H/fx" > /dev/null

# NAME and a line the banner must show.
cases=(
	"hand-wrapped-valid|Signed by alice@localhost (certificate from Cachet Test S/MIME CA, valid)"
	"tampered|Invalid signature (claimed signer alice@localhost): the message was changed after signing"
	"untrusted-root|Signed by alice@localhost, but the certificate's issuer \"Cachet Test S/MIME CA\" is not trusted"
	"expired-signer|Signed by eve@localhost, but the certificate expired on"
	"from-mismatch|, but it was signed by alice@localhost"
	"two-from|The message has more than one From address"
	"no-email-signer|a certificate without an e-mail address"
	"zero-signers|The signature has no signer at all"
	"multi-signers|Several signers (2)"
	"detached-with-content|The signature carries content of its own besides the message"
	"truncated|Could not check: "
	"part-signed|Only part of this message is signed: the rest could come from anyone"
	"sig-over-ciphertext|The signature covers only the encrypted data, not what you read"
	"encrypted-not-top|An encrypted part inside this message was not opened"
	"ecdh|Encrypted, but it could not be decrypted: "
	"ossl-enc-aes128|Encrypted to you"
)

MD=$H/Maildir
ui_maildir "$MD"
n=0
for c in "${cases[@]}"; do
	n=$((n + 1))
	ui_deliver "$MD" "$n" < "$H/fx/${c%%|*}.eml"
done

export XDG_CONFIG_HOME=$H/config
ui_start main 120 40 "$CACHET" --data-dir "$H/data" --gnupg-home "$GH" \
	ui --maildir "$MD"
ui_wait main "INBOX [$n messages]"

bad=0
for c in "${cases[@]}"; do
	name=${c%%|*}
	want=${c#*|}
	ui_keys main Enter
	[ -z "${UI_TRACE:-}" ] || echo "$(date +%T.%N) $name" >&2
	if ! ui_wait main "$want" 20 2> "$H/$name.err"; then
		echo "FAIL: $name: banner without \"$want\"" >&2
		cat "$H/$name.err" >&2
		bad=1
	fi
	# The banner's lines sit at the top, above the headers.
	banner=$(ui_screen main | sed -n '2,/^From: /p')
	assert_contains "$banner" "$want" "$name: the banner above the headers"
	# A good line only for the good message.
	# Signed, or unknown behind a failed decryption: never "Not signed".
	case $name in
	ossl-enc-aes128 | encrypted-not-top) ;;
	*) assert_not_contains "$banner" "Not signed" "$name: called unsigned" ;;
	esac
	ui_keys main q
	ui_wait main "INBOX [$n messages]"
	ui_keys main j
done
[ "$bad" = 0 ] || fail "some banners were wrong"

# The index remembers what the pager found.
screen=$(ui_screen main)
assert_contains "$(sed -n 2p <<< "$screen")" " S+ "
assert_contains "$(sed -n 3p <<< "$screen")" " S! "
ui_keys main q q
exit 0
