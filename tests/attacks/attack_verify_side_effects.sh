#!/bin/bash
# Verifying a message changes nothing that verifies another.  Verification
# is cachet's own (GnuTLS), so what a message carries never reaches gpgsm's
# keybox:
#   - the whole attack and verdict corpus in one `cachet verify` call leaves
#     the gnupg home byte-identical;
#   - a look-alike root with the trusted CA's exact subject AND subject key
#     identifier (twin-root.eml) is untrusted, and afterwards a genuine
#     message still verifies valid and sign and encrypt still work (a keybox
#     that had filed the twin made every chain through that name fail);
#   - harvesting is held to the same rule: a certs-only bundle carrying the
#     twin root (and a certificate it issued), the twin-signed message and
#     the genuine ones harvested in one call leave the gnupg home
#     byte-identical, bind nothing to the twin, and bob still signs and
#     encrypts (a harvest that filed bundle CAs in the keybox broke both);
#   - 10,000 certificates in one signature: invalid with the limit's
#     warning, at once, and nothing kept;
#   - once the certificate store holds the trust anchors (seeded from
#     trustlist.txt and the keybox by the first verify), verifying starts no
#     process at all (strace sees every execve); a changed trustlist.txt
#     (the CA disabled with '!', then enabled again) or keybox (a listed
#     root's certificate imported) is seeded again.
set -euo pipefail
. "$top_srcdir/tests/attacks/attack_lib.sh"
harness_need strace
attack_setup
XDG_DATA_HOME=$H/xdg-data
export XDG_DATA_HOME

# home_sum HOME: sha256 of every regular file under HOME (sockets and
# other special files excluded), one line each, sorted by name.
home_sum() {
	(cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}

# --- the whole corpus in one call
mapfile -t corpus < <(find "$FX" -name '*.eml' | sort)
[ "${#corpus[@]}" -gt 50 ] || fail "the corpus has only ${#corpus[@]} messages"
before=$(home_sum "$BOB")
rc=0
"$CACHET" --gnupg-home "$BOB" verify --json "${corpus[@]}" > corpus.json 2> corpus.err || rc=$?
[ "$rc" -le 3 ] || fail "verify of the corpus: exit status $rc: $(tail -3 corpus.err)"
[ "$(wc -l < corpus.json)" = "${#corpus[@]}" ] ||
	fail "verify of the corpus: $(wc -l < corpus.json) lines for ${#corpus[@]} messages"
after=$(home_sum "$BOB")
[ "$before" = "$after" ] ||
	fail "verifying the corpus changed the gnupg home: $(diff <(echo "$before") <(echo "$after"))"
# The corpus did exercise the chain check: valid and untrusted both seen.
assert_contains "$(cat corpus.json)" '"signature":"valid"' "the corpus"
assert_contains "$(cat corpus.json)" '"signature":"untrusted"' "the corpus"

# --- the twin root: same subject, same key identifier, its own key
SKI() { openssl x509 -in "$1" -noout -ext subjectKeyIdentifier | sed -n 2p; }
[ "$(SKI "$FX/smime/certs/twin-ca.pem")" = "$(SKI "$HARNESS_PKI/smime-ca.pem")" ] ||
	fail "twin-ca does not carry the trusted CA's key identifier"
verdict smime/twin-root 1 untrusted whole alice@localhost none - null
signer_field detail alice@localhost 'the certificate chain does not reach a trusted root'
# Twice, and a genuine message after each: nothing was learned.
verdict smime/twin-root 1 untrusted whole alice@localhost none - null
verdict smime/hand-wrapped-valid 0 valid whole alice@localhost none - null
verdict smime/ossl-detached-rsa 0 valid whole alice@localhost none - null
[ "$before" = "$(home_sum "$BOB")" ] || fail "verifying the twin root changed the gnupg home"
# Bob's own certificate still signs, and encrypts to alice.
"$CACHET" --gnupg-home "$BOB" certs import "$HARNESS_PKI/alice.pem" > /dev/null
printf 'From: Bob <bob@localhost>\nTo: Alice <alice@localhost>\nSubject: after the twin\n\nstill here\n' > plain.eml
"$CACHET" --gnupg-home "$BOB" sign plain.eml > signed.eml || fail "sign after the twin root"
out=$("$CACHET" --gnupg-home "$BOB" verify --json signed.eml) || fail "bob's own signature: $out"
assert_contains "$out" '"signature":"valid","coverage":"whole","signer":"bob@localhost"'
"$CACHET" --gnupg-home "$BOB" encrypt plain.eml > enc.eml || fail "encrypt after the twin root"
openssl cms -decrypt -in enc.eml -recip "$HARNESS_PKI/alice.pem" -inkey "$HARNESS_PKI/alice.key" \
	-out dec.txt 2> ossl.err || fail "alice cannot decrypt: $(cat ossl.err)"
assert_file_contains dec.txt 'still here'

# --- harvest: the twin root in a certs-only bundle, then the rest
openssl crl2pkcs7 -nocrl -certfile "$FX/smime/certs/twin-ca.pem" \
	-certfile "$FX/smime/certs/twin-alice.pem" -outform DER -out twin-bundle.der
{ printf 'From: Alice <alice@localhost>\nTo: bob@localhost\nSubject: my certificates\nMessage-ID: <twin-bundle@x>\nMIME-Version: 1.0\nContent-Type: application/pkcs7-mime; smime-type=certs-only; name=smime.p7c\nContent-Transfer-Encoding: base64\n\n'
  base64 twin-bundle.der; } > twin-bundle.eml
# ...and carol's first signed message, her certificate new to bob's keybox.
printf 'From: Carol <carol@localhost>\nTo: bob@localhost\nSubject: hello\nMessage-ID: <carol-1@x>\n' > carol.hdr
printf 'Content-Type: text/plain\n\nfrom carol\n' |
	openssl cms -sign -signer "$HARNESS_PKI/carol.pem" -inkey "$HARNESS_PKI/carol.key" > carol.body
cat carol.hdr carol.body > carol.eml
HD=$H/harvest-data
before=$(home_sum "$BOB")
rc=0
"$CACHET" --gnupg-home "$BOB" --data-dir "$HD" harvest --json twin-bundle.eml \
	"$FX/smime/twin-root.eml" "$FX/smime/hand-wrapped-valid.eml" carol.eml > harvest.json 2> harvest.err || rc=$?
[ "$rc" -le 1 ] || fail "harvest: exit status $rc: $(cat harvest.err)"
[ "$before" = "$(home_sum "$BOB")" ] ||
	fail "harvesting changed the gnupg home: $(diff <(echo "$before") <(home_sum "$BOB"))"
twin_fpr=$(pki_fingerprint "$FX/smime/certs/twin-alice.pem" | tr -d :)
listing=$("$CACHET" --gnupg-home "$BOB" --data-dir "$HD" certs list --json)
assert_not_contains "$listing" "$twin_fpr" "the store after harvesting the twin's certificate"
assert_contains "$listing" "alice@localhost" "the store after harvesting alice's genuine message"
assert_contains "$listing" "carol@localhost" "the store after harvesting carol's message"
"$CACHET" --gnupg-home "$BOB" --data-dir "$HD" sign plain.eml > signed2.eml ||
	fail "sign after harvesting the twin root"
out=$("$CACHET" --gnupg-home "$BOB" verify --json signed2.eml) || fail "bob's signature after the harvest: $out"
assert_contains "$out" '"signature":"valid","coverage":"whole","signer":"bob@localhost"'
"$CACHET" --gnupg-home "$BOB" --data-dir "$HD" encrypt plain.eml > enc2.eml ||
	fail "encrypt to alice's harvested certificate after the twin root"
openssl cms -decrypt -in enc2.eml -recip "$HARNESS_PKI/alice.pem" -inkey "$HARNESS_PKI/alice.key" \
	-out dec2.txt 2> ossl.err || fail "alice cannot decrypt: $(cat ossl.err)"
assert_file_contains dec2.txt 'still here'

# --- 10,000 certificates: refused before any of them is parsed
before=$(home_sum "$BOB")
t0=$(date +%s%N)
verdict smime/many-certs 1 invalid whole null none too-many-certificates \
	'the signature carries 10000 certificates, more than the 64 cachet reads'
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 3000 ] || fail "10,000 certificates took $ms ms"
verdict smime/many-signers 1 invalid whole null none too-many-signers \
	'the signature has 17 signers, more than the 16 cachet checks'
[ "$before" = "$(home_sum "$BOB")" ] || fail "10,000 certificates changed the gnupg home"
# At the limits, alice's signature counts (64 certificates, 16 SignerInfos).
verdict smime/at-limits 0 valid whole alice@localhost none multiple-signers null

# --- no gpgsm once the anchors are in the store (the calls above seeded them)
# LeakSanitizer cannot run under ptrace: the traced runs of a sanitizer
# build go without leak checks (the untraced ones above have them).
traced() {	# traced LOG COMMAND...
	local log=$1
	shift
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -qq -e trace=execve -o "$log" "$@"
}
execs() {	# execs LOG: the programs a traced run started, one a line
	sed -n 's/^[0-9]* *execve("\([^"]*\)".*/\1/p' "$1" | grep -v "/cachet$" || true
}
traced trace.log \
	"$CACHET" --gnupg-home "$BOB" verify --json "$FX/smime/hand-wrapped-valid.eml" \
	"$FX/smime/twin-root.eml" "$FX/cms/sha1.eml" > traced.json || true
assert_contains "$(cat traced.json)" '"signature":"valid"' "the traced verify"
grep -q 'execve(' trace.log || fail "strace saw no execve at all: $(head -3 trace.log)"
[ -z "$(execs trace.log)" ] || fail "verify started: $(execs trace.log | sort -u | tr '\n' ' ')"

# trustlist.txt changed: the CA disabled is no anchor (seeded again, with a
# gpgsm listing), enabled again it is one.
cp "$BOB/trustlist.txt" trustlist.orig
sed 's/^\([0-9A-F]\)/!\1/' trustlist.orig > "$BOB/trustlist.txt"
verdict smime/hand-wrapped-valid 1 untrusted whole alice@localhost none - null
cp trustlist.orig "$BOB/trustlist.txt"
verdict smime/hand-wrapped-valid 0 valid whole alice@localhost none - null
traced trace2.log \
	"$CACHET" --gnupg-home "$BOB" verify "$FX/smime/hand-wrapped-valid.eml" > /dev/null
[ -z "$(execs trace2.log)" ] || fail "verify after re-seeding started: $(execs trace2.log | sort -u | tr '\n' ' ')"

# A root named in trustlist.txt whose certificate is not in the keybox is
# no anchor; once the keybox holds it (a changed keybox is listed again),
# it is one.  (Last: this makes the look-alike CA trusted in bob's home.)
printf '%s S\n' "$(pki_fingerprint "$FX/smime/certs/fake-ca.pem")" >> "$BOB/trustlist.txt"
verdict smime/untrusted-root 1 untrusted whole alice@localhost none - null
gpgsm --homedir "$BOB" --batch --import "$FX/smime/certs/fake-ca.pem" > import.log 2>&1 ||
	fail "gpgsm could not import fake-ca: $(cat import.log)"
verdict smime/untrusted-root 0 valid whole alice@localhost none - null

attack_done "verification: nothing kept, a twin root harms no other message, work bounded ($ms ms for 10,000 certificates)"
