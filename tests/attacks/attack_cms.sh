#!/bin/bash
# CMS-level signature spoofing: the verdict comes from the SignedData's own
# structure (eContent, SignerInfos, certificates, digest), never from what
# the MIME header claims about it.
set -euo pipefail
. "$top_srcdir/tests/attacks/attack_lib.sh"
attack_setup
ALICE=$(pki_fingerprint "$HARNESS_PKI/alice.pem" | tr -d :)
SECOND=$(pki_fingerprint "$FX/certs/alice-second.pem" | tr -d :)

# eContent confusion: a detached signature that carries and signs other
# text than the part shown; a detached signature presented as opaque.
verdict cms/econtent-confusion 1 invalid whole null none detached-with-content \
	'the detached signature carries content of its own'
verdict cms/opaque-without-content 1 invalid whole null none - \
	'signed-data without the signed content'

# Two SignerInfos for the From address, one with a broken signature value:
# the weakest wins, both are reported.
verdict cms/two-signers-one-bad 1 invalid whole alice@localhost none multiple-signers null
# The signer the verdict names is the weakest one.
assert_contains "$OUT" "\"signer\":\"alice@localhost\",\"fingerprint\":\"$SECOND\"" "two-signers-one-bad"
python3 - "$OUT" "$ALICE" "$SECOND" <<'PY' || ATTACK_FAILED=1
import json, sys
j = json.loads(sys.argv[1])
st = {s["fingerprint"]: s["state"] for s in j["signers"]}
want = {sys.argv[2]: "valid", sys.argv[3]: "invalid"}
if st != want:
    print("FAIL: two-signers-one-bad: signer states %r, expected %r" % (st, want), file=sys.stderr)
    sys.exit(1)
PY

# Zero SignerInfos: as the signature of multipart/signed (a signature that
# names nobody: invalid), and as opaque certs-only, a delivery of
# certificates that signs nothing: not signed at all, with the note.
verdict cms/zero-signers 1 invalid whole null none no-signers 'the signature has no signer'
verdict cms/certs-only-opaque 1 none null null none certs-only null
# Not RFC 5322 at all: bad input (exit 3, error set); a broken signature in
# a well-formed message: a verdict, invalid.
verdict cms/not-mail 3 invalid null null none - 'not a header field'
verdict cms/no-header 3 invalid null null none - 'not a mail message'
verdict cms/broken-signature 1 invalid whole null none - 'signature unreadable'

# The signer's certificate: no address, self-signed, expired, not yet valid.
verdict cms/no-email-signer 1 mismatch whole null none from-mismatch null
signer_field detail null 'the certificate is for no address, the message is from noaddr@localhost'
verdict cms/self-signed 1 untrusted whole alice@localhost none - null
signer_field detail alice@localhost 'the certificate chain does not reach a trusted root'
verdict cms/expired 1 expired whole eve@localhost none - null
verdict cms/not-yet-valid 1 untrusted whole nina@localhost none - null
signer_field detail nina@localhost 'a certificate in the chain is not valid yet'

# micalg is a hint: a false one changes nothing, in either direction; the
# digest in the SignerInfo decides, and SHA-1 is reported as weak.
verdict cms/sha256-valid 0 valid whole alice@localhost none - null
signer_field detail alice@localhost null
verdict cms/micalg-sha1-on-sha256 0 valid whole alice@localhost none - null
verdict cms/micalg-sha256-on-sha1 0 valid whole alice@localhost none weak-digest null
signer_field detail alice@localhost 'signed with SHA-1, a digest that no longer proves who signed'
verdict cms/sha1 0 valid whole alice@localhost none weak-digest null
verdict cms/sha1-opaque 0 valid whole alice@localhost none weak-digest null
signer_field fingerprint alice@localhost "$ALICE"
# MD5 is not weak but refused: invalid, whatever its value.
verdict cms/md5 1 invalid whole alice@localhost none weak-digest null
signer_field detail alice@localhost 'signed with MD5, a digest cachet refuses'

attack_done "CMS: eContent, SignerInfos, signer certificates, micalg, SHA-1, MD5"
