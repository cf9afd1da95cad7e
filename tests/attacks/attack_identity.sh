#!/bin/bash
# Identity: the signer is the address in the certificate, bound to the
# single From address (addr-spec, not display name; domain and local part
# without case, IDNA U-labels as A-labels, no look-alike folding).
set -euo pipefail
. "$top_srcdir/tests/attacks/attack_lib.sh"
attack_setup
MALLORY=$(pki_fingerprint "$FX/certs/mallory.pem" | tr -d :)

verdict identity/from-not-signer 1 mismatch whole mallory@localhost none from-mismatch null
signer_field detail mallory@localhost 'the certificate is for mallory@localhost, the message is from alice@localhost'
# Display names that look like addresses: mallory signs as mallory.
for name in display-name-spoof display-name-unquoted; do
	verdict "identity/$name" 0 valid whole mallory@localhost none - null
	signer_field fingerprint mallory@localhost "$MALLORY"
	assert_contains "$OUT" '"from":"mallory@localhost"' "$name"
done
verdict identity/display-name-reverse 1 mismatch whole mallory@localhost none from-mismatch null
assert_contains "$OUT" '"from":"alice@localhost"' "display-name-reverse"
# Two From fields, or two addresses in one: no single author to bind.
verdict identity/two-from 1 mismatch whole mallory@localhost none multiple-from null
signer_field detail mallory@localhost 'the message has several From fields'
verdict identity/two-addresses-one-from 1 mismatch whole alice@localhost none multiple-from null
signer_field detail alice@localhost "the message's From names several addresses"
# A group is no author either (Dovecot's ENVELOPE calls alice the sender).
verdict identity/group-from 1 mismatch whole mallory@localhost none multiple-from null
signer_field detail mallory@localhost "the message's From is a group, not an author"
assert_contains "$OUT" '"from":null' "group-from"
# Display names that read as an address: mallory signs as mallory (the
# screen and list show mallory's address beside them: attack_sender.sh).
for name in word-at fullwidth-at small-at; do
	verdict "identity/$name" 0 valid whole mallory@localhost none - null
done
# Sender: From is what is bound; a Sender the signer does not carry is said.
verdict identity/sender-not-signer 0 valid whole alice@localhost none sender-mismatch null
verdict identity/sender-is-signer 1 mismatch whole alice@localhost none from-mismatch null
# Case: neither the domain nor the local part has case (RFC 8550 for the
# domain; every large provider for the local part).
verdict identity/domain-case 0 valid whole alice@localhost none - null
verdict identity/local-part-case 0 valid whole alice@localhost none - null
# A subject emailAddress binds nobody when the certificate has SAN
# addresses: the certificate is mallory's.
verdict identity/dn-email-not-san 1 mismatch whole mallory@localhost none from-mismatch null
# IDNA: a U-label domain is its A-label.
verdict identity/idn-u-label 0 valid whole alice@xn--bcher-kva.example none - null
verdict identity/idn-a-label-upper 0 valid whole alice@xn--bcher-kva.example none - null
# A Cyrillic a in the domain, raw and in punycode: another domain.
verdict identity/idn-lookalike 1 mismatch whole alice@localhost none from-mismatch null
assert_contains "$OUT" "\"from\":\"alice@loc$(printf '\xd0\xb0')lhost\"" "idn-lookalike"
verdict identity/idn-punycode 1 mismatch whole alice@localhost none from-mismatch null

attack_done "identity: From vs signer, display names, Sender, case, IDN"
