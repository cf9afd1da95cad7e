#!/bin/bash
# Unsigned mail gets a verdict too: the DKIM, SPF and DMARC results that the
# account's own receiving servers wrote (Authentication-Results, counted
# only with an authserv-id of authserv_id and only above the first field
# those servers did not add), and the warning unsigned-from-signer for an
# unsigned message from an address with a trusted certificate.  Every
# message goes through the private Dovecot's LMTP, as Postfix would hand
# it on, carrying the fields a receiving server (mx.localhost, with a
# DMARC milter) puts above the message as it came; verify reads the files
# Dovecot wrote.
set -euo pipefail
. "${top_srcdir:?}/tests/lib/harness.sh"
harness_init
harness_dovecot

CACHET=${CACHET:-$top_builddir/cachet}
PKI=$HARNESS_PKI
GH=$(harness_gnupg bob)
DATA=$H/data
mkdir -p "$H/in" "$H/got"

# deliver NAME: the message $H/in/NAME.eml through LMTP; the file Dovecot
# wrote (its Return-Path, Delivered-To and Received on top) is $H/got/NAME.eml.
n=0
deliver() {
	local before f
	before=$(ls "$H/mail/bob/Maildir/new" 2> /dev/null || true)
	harness_lmtp_deliver bob "$H/in/$1.eml"
	n=$((n + 1))
	harness_wait_mail bob "$n"
	for f in "$H/mail/bob/Maildir/new"/*; do
		grep -qxF -- "$(basename "$f")" <<< "$before" || cp "$f" "$H/got/$1.eml"
	done
	[ -f "$H/got/$1.eml" ] || fail "no new file for $1"
}

# The host Dovecot names in its own Received field ("by HOST with LMTP"):
# the second of bob's receiving servers, after mx.localhost.
printf 'From: probe@localhost\nSubject: probe\n\nprobe\n' > "$H/in/probe.eml"
deliver probe
LMTP_HOST=$(sed -n 's/^[[:space:]]*by \([^ ]*\) with LMTP.*/\1/p' "$H/got/probe.eml" | head -n 1)
[ -n "$LMTP_HOST" ] || fail "no 'by HOST with LMTP' in: $(cat "$H/got/probe.eml")"

CFG=$(harness_config bob "authserv_id = mx.localhost, $LMTP_HOST")
CFG_NONE=$H/config/none.conf
sed '/^authserv_id/d' "$CFG" > "$CFG_NONE"
chmod 600 "$CFG_NONE"
bob() { "$CACHET" --config "$CFG" --data-dir "$DATA" --gnupg-home "$GH" "$@"; }

# received FROM: the field mx.localhost writes for the hop it took the
# message from.
received() {
	printf 'Received: from %s (%s [192.0.2.7])\n\tby mx.localhost (Postfix) with ESMTPS id 4Q1; Thu, 3 Dec 2026 10:00:00 +0000\n' "$1" "$1"
}
# body FROM SUBJECT: the message as its sender sent it.
body() {
	printf 'Received: from [10.0.0.2] by mail.%s (Postfix) with ESMTPSA id 9Z\nFrom: %s\nTo: bob@localhost\nSubject: %s\nDate: Thu, 3 Dec 2026 09:59:00 +0000\nMessage-ID: <%s@test>\n\nHello Bob.\n' \
		"${1#*@}" "$1" "$2" "$(echo "$2" | tr -c 'a-z' -)"
}

{
	printf 'Authentication-Results: mx.localhost;\n\tdkim=pass (2048-bit key; unprotected) header.d=example.org header.s=s1;\n\tspf=pass (domain of carol@example.org designates 192.0.2.7 as permitted sender) smtp.mailfrom=carol@example.org;\n\tdmarc=pass (p=reject dis=none) header.from=example.org\n'
	received mail.example.org
	body carol@example.org "trusted pass"
} > "$H/in/pass.eml"
{
	printf 'Authentication-Results: mx.localhost; dkim=none;\n\tspf=fail smtp.mailfrom=ceo@example.org;\n\tdmarc=fail (p=reject dis=none) header.from=example.org\n'
	received evil.example
	body ceo@example.org "trusted fail"
} > "$H/in/fail.eml"
# The sender wrote a pass with the right authserv-id at the top of its own
# header: right below the Received that mx.localhost wrote for the hop.
{
	printf 'Authentication-Results: mx.localhost; spf=fail smtp.mailfrom=ceo@example.org;\n\tdmarc=fail (p=reject dis=none) header.from=example.org\n'
	received evil.example
	printf 'Authentication-Results: mx.localhost; dkim=pass header.d=example.org;\n\tspf=pass smtp.mailfrom=example.org; dmarc=pass (p=reject) header.from=example.org\n'
	body ceo@example.org "forged below"
} > "$H/in/forged.eml"
# The same under a field of the message's own, with nothing trusted above.
{
	received evil.example
	printf 'X-Mailer: forger 1.0\nAuthentication-Results: mx.localhost; dmarc=pass (p=reject) header.from=example.org\n'
	body ceo@example.org "forged alone"
} > "$H/in/forged-alone.eml"
# Another authserv-id, even above everything: not one of bob's servers.
{
	printf 'Authentication-Results: mx.evil.example; dkim=pass header.d=example.org;\n\tdmarc=pass header.from=example.org\n'
	printf 'Authentication-Results: mx.localhost; dmarc=pass header.from=example.org\n'
	received evil.example
	body ceo@example.org "other authserv-id"
} > "$H/in/other-id.eml"
# Several fields and results: a signature by a mailing list and one by
# the From domain (the aligned pass counts), SPF of the list.
{
	printf 'Authentication-Results: mx.localhost; dmarc=pass policy.dmarc=quarantine header.from=example.net\n'
	printf 'Authentication-Results: mx.localhost 1;\n\tdkim=fail reason="signature verification failed" header.d=lists.example.com;\n\tdkim=pass header.d=lists.example.com; dkim=pass header.i=@example.net\n'
	printf 'Authentication-Results: mx.localhost; spf=softfail smtp.mailfrom=owner@lists.example.com\n'
	received lists.example.com
	body dave@example.net "several results"
} > "$H/in/several.eml"
# Fields that do not follow RFC 8601: ignored, and nothing below them
# counts either; a good one above them still does.
{
	printf 'Authentication-Results: mx.localhost; spf=pass smtp.mailfrom=example.org\n'
	printf 'Authentication-Results: mx.localhost; dkim=pass (unclosed comment header.d=example.org\n'
	printf 'Authentication-Results: mx.localhost; dmarc=fail header.from=example.org\n'
	received mail.example.org
	body carol@example.org "malformed"
} > "$H/in/malformed.eml"
{
	printf 'Authentication-Results: mx.localhost %s; dmarc=\n' "$(head -c 3000 /dev/zero | tr '\0' '(')"
	printf 'Authentication-Results: %s\n' "$(head -c 20000 /dev/zero | tr '\0' ';')"
	received mail.example.org
	body carol@example.org "malformed deep"
} > "$H/in/malformed2.eml"
for m in pass fail forged forged-alone other-id several malformed malformed2; do
	deliver "$m"
done

# field JSON PYTHON-EXPRESSION: a value of the verdict, printed as JSON.
field() {
	python3 -c 'import json, sys
o = json.loads(sys.argv[1])
print(json.dumps(eval(sys.argv[2], {"o": o})))' "$1" "$2"
}
# verdict NAME STATUS DKIM SPF DMARC ALIGNED: the authentication object of
# verify --json for $H/got/NAME.eml, as "result/domain" (DMARC with
# "/policy"), "null" for no result.
verdict() {
	local name=$1 status=$2 out rc=0 got
	out=$(bob verify --json "$H/got/$name.eml" 2> "$H/err") || rc=$?
	assert_eq "$status" "$rc" "$name: exit status ($(cat "$H/err"))"
	got=$(python3 -c 'import json, sys
a = json.loads(sys.argv[1])["authentication"]
def one(k, extra=()):
    c = a[k]
    return "null" if c is None else "/".join([c["result"], str(c["domain"])] + [str(c[x]) for x in extra])
print(one("dkim"), one("spf"), one("dmarc", ("policy",)), str(a["aligned"]).lower())' "$out") ||
		fail "$name: not the JSON expected: $out"
	assert_eq "$3 $4 $5 $6" "$got" "$name: dkim spf dmarc aligned"
	assert_eq '"signature":"none"' "$(grep -o '"signature":"none"' <<< "$out")" "$name: unsigned"
}

verdict pass 1 pass/example.org pass/example.org pass/example.org/reject true
verdict fail 1 none/None fail/example.org fail/example.org/reject false
verdict forged 1 null fail/example.org fail/example.org/reject false
verdict forged-alone 1 null null null false
verdict other-id 1 null null null false
verdict several 1 pass/example.net softfail/lists.example.com pass/example.net/quarantine true
verdict malformed 1 null pass/example.org null true
verdict malformed2 1 null null null false

# The text output: one line of its own.
out=$(bob verify "$H/got/pass.eml") || true
assert_contains "$out" "pass.eml: authentication dkim pass (example.org), spf pass (example.org), dmarc pass (example.org, policy reject); From aligned with example.org"
assert_eq 2 "$(grep -c . <<< "$out")" "lines of the text output"

# Without authserv_id nothing is read: null, never guessed.
out=$("$CACHET" --config "$CFG_NONE" --data-dir "$DATA" --gnupg-home "$GH" verify --json "$H/got/pass.eml") || true
assert_eq null "$(field "$out" 'o["authentication"]')" "authentication without authserv_id"
out=$("$CACHET" --config "$CFG_NONE" --data-dir "$DATA" --gnupg-home "$GH" verify "$H/got/pass.eml") || true
assert_eq 1 "$(grep -c . <<< "$out")" "lines of the text output without authserv_id"

# --- signing continuity ------------------------------------------------
# alice signs a message to bob; harvesting it binds her certificate.
printf 'Hello Bob,\nsigned.\n' > "$H/text.txt"
{
	received mail.localhost
	echo "Date: Thu, 3 Dec 2026 09:00:00 +0000"
	openssl cms -sign -text -in "$H/text.txt" -signer "$PKI/alice.pem" \
		-inkey "$PKI/alice.key" -from "Alice Example <alice@localhost>" \
		-to bob@localhost -subject "signed by alice"
} > "$H/in/signed.eml"
deliver signed
{
	printf 'Authentication-Results: mx.localhost; dmarc=pass header.from=localhost\n'
	received evil.example
	body alice@localhost "unsigned from alice"
} > "$H/in/unsigned-alice.eml"
deliver unsigned-alice
warnings() { field "$(bob verify --json "$H/got/$1.eml" 2> /dev/null || true)" 'o["warnings"]'; }

# Before harvest the store knows nothing of alice: no warning.
assert_eq '[]' "$(warnings unsigned-alice)" "warnings before alice's certificate is bound"
bob harvest "$H/got/signed.eml" > /dev/null 2>&1 || fail "harvest of alice's signed message"
assert_contains "$(bob certs list 2>&1)" "alice@localhost" "bindings after harvest"
out=$(bob verify --json "$H/got/unsigned-alice.eml") && fail "an unsigned message verified with exit 0"
assert_eq '["unsigned-from-signer"]' "$(field "$out" 'o["warnings"]')" "unsigned from alice"
assert_eq '[]' "$(warnings signed)" "alice's signed message"
assert_eq '"valid"' "$(field "$(bob verify --json "$H/got/signed.eml")" 'o["signature"]')" "alice's signed message"
assert_eq '[]' "$(warnings pass)" "unsigned from carol, who never signed"
assert_contains "$(bob verify "$H/got/unsigned-alice.eml" || true)" "warnings: unsigned-from-signer"

# The policy exception, by address and by domain.
for who in alice@localhost LOCALHOST; do
	printf '[policy]\nsigns_sometimes = nobody@example.org, %s\n' "$who" >> "$CFG"
	assert_eq '[]' "$(warnings unsigned-alice)" "signs_sometimes = $who"
	sed -i '/^\[policy\]/,$d' "$CFG"
done
assert_eq '["unsigned-from-signer"]' "$(warnings unsigned-alice)" "without the exception again"
printf '[policy]\nsigns_sometimes = bob@localhost example.org\n' >> "$CFG"
assert_eq '["unsigned-from-signer"]' "$(warnings unsigned-alice)" "an exception for others"
exit 0
