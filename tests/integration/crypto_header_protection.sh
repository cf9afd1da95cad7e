#!/bin/bash
# Header protection (RFC 9788) as a second implementation reads it: what
# `cachet sign` and `cachet encrypt [--sign]` make is parsed with Python's
# email package, and the protected values (inside the signed or encrypted
# part, hp="clear" or hp="cipher", HP-Outer) and the outer ones (Subject
# "[...]" when encrypted, hcp_baseline) are asserted field by field;
# openssl cms checks the signatures and decrypts.  cachet's own verify
# reads the same values back as protected_headers.
set -euo pipefail
. "$top_srcdir/tests/lib/harness.sh"
harness_init
harness_need python3 openssl
P=$HARNESS_PKI
alice=$(harness_gnupg alice)
bob=$(harness_gnupg bob)
export XDG_DATA_HOME=$H/data
"$CACHET" --gnupg-home "$alice" certs import "$P/bob.pem" > /dev/null ||
	fail "could not import bob's certificate"

cat > "$H/m.eml" <<'MSG'
From: Alice Example <alice@localhost>
To: Bob Example <bob@localhost>
Cc: carol@localhost
Bcc: dave@localhost
Reply-To: alice-replies@localhost
Subject: Quarterly =?utf-8?q?r=C3=A9sum=C3=A9?=
Date: Thu, 03 Dec 2026 10:00:00 +0000
Message-ID: <hp-interop@localhost>
In-Reply-To: <earlier@localhost>
References: <first@localhost> <earlier@localhost>
Keywords: confidential

The figures are attached.
MSG

# check.py MODE FILE: asserts what Python's email package reads in FILE.
cat > "$H/check.py" <<'PY'
import email, email.policy, sys
mode, path = sys.argv[1], sys.argv[2]
msg = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)
fails = []
def eq(what, got, want):
    if got != want:
        fails.append("%s: %r, expected %r" % (what, got, want))
orig = {
    "From": "Alice Example <alice@localhost>",
    "To": "Bob Example <bob@localhost>",
    "Cc": "carol@localhost",
    "Reply-To": "alice-replies@localhost",
    "Subject": "Quarterly r\u00e9sum\u00e9",
    "Date": "Thu, 03 Dec 2026 10:00:00 +0000",
    "Message-ID": "<hp-interop@localhost>",
    "In-Reply-To": "<earlier@localhost>",
    "References": "<first@localhost> <earlier@localhost>",
}
def protected(part, hp):
    """The payload root: hp parameter, every protected field, never Bcc."""
    eq("hp parameter", part.get_param("hp"), hp)
    for k, v in orig.items():
        eq("protected " + k, part.get_all(k), [v])
    eq("protected Keywords", part.get_all("Keywords"), ["confidential"])
    eq("protected Bcc", part.get_all("Bcc"), None)
def outer(m, hidden):
    for k, v in orig.items():
        if k == "Subject" and hidden:
            v = "[...]"
        eq("outer " + k, m.get_all(k), [v])
    eq("outer Keywords", m.get_all("Keywords"), None if hidden else ["confidential"])
def hp_outer(part):
    got = [str(h) for h in part.get_all("HP-Outer") or []]
    want = ["%s: %s" % (k, "[...]" if k == "Subject" else
                        m_raw.get(k, v)) for k, v in orig.items()]
    eq("HP-Outer fields", sorted(got), sorted(want))
# HP-Outer holds the outer values as written (the Subject's are "[...]").
m_raw = {"Subject": "[...]"}

if mode == "signed":
    # multipart/signed: the outer header as it was (Bcc too: sign keeps it),
    # the signed part hp="clear" with the protected copy, no HP-Outer.
    eq("type", msg.get_content_type(), "multipart/signed")
    outer(msg, False)
    eq("outer Bcc", msg.get_all("Bcc"), ["dave@localhost"])
    part = msg.get_payload(0)
    protected(part, "clear")
    eq("HP-Outer in a signed-only part", part.get_all("HP-Outer"), None)
    eq("body", part.get_content().strip(), "The figures are attached.")
elif mode == "enveloped":
    # The encrypted message as it travels: hcp_baseline outside, no Bcc.
    eq("type", msg.get_content_type(), "application/pkcs7-mime")
    eq("smime-type", msg.get_param("smime-type"), "enveloped-data")
    outer(msg, True)
    eq("outer Bcc", msg.get_all("Bcc"), None)
elif mode == "opened-signed":
    # openssl's decryption of encrypt --sign: multipart/signed whose
    # signed part carries hp="cipher", the protected fields and HP-Outer.
    eq("type", msg.get_content_type(), "multipart/signed")
    part = msg.get_payload(0)
    protected(part, "cipher")
    hp_outer(part)
elif mode == "opened":
    # openssl's decryption of encrypt alone: the payload root itself.
    protected(msg, "cipher")
    hp_outer(msg)
    eq("body", msg.get_content().strip(), "The figures are attached.")
elif mode == "decrypted-signed":
    # cachet decrypt of encrypt --sign: the outer header ([...]) above the
    # signed part, which holds the real values.
    outer(msg, True)
    part = msg.get_payload(0)
    protected(part, "cipher")
    hp_outer(part)
elif mode == "decrypted":
    # cachet decrypt of encrypt alone: the protected fields are the
    # message's, each once: the real Subject, not "[...]".
    protected(msg, "cipher")
    eq("MIME-Version", msg.get_all("MIME-Version"), ["1.0"])
    eq("body", msg.get_content().strip(), "The figures are attached.")
else:
    fails.append("unknown mode " + mode)
for f in fails:
    print("FAIL: %s: %s: %s" % (mode, path, f), file=sys.stderr)
sys.exit(1 if fails else 0)
PY
pycheck() { python3 "$H/check.py" "$1" "$2" || fail "Python's email package disagrees ($1)"; }

# --- signed: hp="clear"
"$CACHET" --gnupg-home "$alice" sign "$H/m.eml" > "$H/s.eml" || fail "cachet sign"
openssl cms -verify -in "$H/s.eml" -CAfile "$P/smime-ca.pem" -out /dev/null 2> /dev/null ||
	fail "openssl does not verify the protected signed message"
pycheck signed "$H/s.eml"
out=$("$CACHET" --gnupg-home "$bob" verify --json "$H/s.eml") || fail "verify of the signed message: $out"
python3 - "$out" <<'PY' || fail "verify --json of the signed message: $out"
import json, sys
j = json.loads(sys.argv[1])
assert j["signature"] == "valid" and j["warnings"] == [], j
p = j["protected_headers"]
assert p["Subject"] == "Quarterly r\u00e9sum\u00e9", p
assert p["Reply-To"] == "alice-replies@localhost" and p["Keywords"] == "confidential", p
assert p["References"] == "<first@localhost> <earlier@localhost>", p
assert "Bcc" not in p, p
PY

# --- signed and encrypted: hp="cipher", Subject "[...]" outside
"$CACHET" --gnupg-home "$alice" encrypt --sign --to bob@localhost "$H/m.eml" > "$H/es.eml" ||
	fail "cachet encrypt --sign"
pycheck enveloped "$H/es.eml"
assert_not_contains "$(cat "$H/es.eml")" "dave@localhost" "the encrypted message"
openssl cms -decrypt -in "$H/es.eml" -recip "$P/bob.pem" -inkey "$P/bob.key" -out "$H/es.opened" ||
	fail "openssl cannot decrypt encrypt --sign"
openssl cms -verify -in "$H/es.opened" -CAfile "$P/smime-ca.pem" -out /dev/null 2> /dev/null ||
	fail "openssl does not verify the signature inside"
pycheck opened-signed "$H/es.opened"
assert_not_contains "$(cat "$H/es.opened")" "dave@localhost" "the decrypted content"
"$CACHET" --gnupg-home "$bob" decrypt "$H/es.eml" > "$H/es.decrypted" || fail "cachet decrypt"
pycheck decrypted-signed "$H/es.decrypted"
for f in es.eml es.decrypted; do
	out=$("$CACHET" --gnupg-home "$bob" verify --json "$H/$f") || fail "verify of $f: $out"
	assert_contains "$out" '"signature":"valid","coverage":"whole","signer":"alice@localhost"' "$f"
	assert_contains "$out" '"warnings":[]' "$f: the outer [...] is what HP-Outer says"
	assert_contains "$out" '"Subject":"Quarterly résumé"' "$f"
done

# --- encrypted only: the payload root is the decrypted entity
"$CACHET" --gnupg-home "$alice" encrypt --to bob@localhost "$H/m.eml" > "$H/e.eml" ||
	fail "cachet encrypt"
pycheck enveloped "$H/e.eml"
openssl cms -decrypt -in "$H/e.eml" -recip "$P/bob.pem" -inkey "$P/bob.key" -out "$H/e.opened" ||
	fail "openssl cannot decrypt encrypt"
pycheck opened "$H/e.opened"
"$CACHET" --gnupg-home "$bob" decrypt "$H/e.eml" > "$H/e.decrypted" || fail "cachet decrypt"
pycheck decrypted "$H/e.decrypted"
out=$("$CACHET" --gnupg-home "$bob" verify --json "$H/e.eml") || true
assert_contains "$out" '"signature":"none"' "the encrypted message"
assert_contains "$out" '"decryption":"ok","warnings":[]' "the encrypted message"
assert_contains "$out" '"Subject":"Quarterly résumé"' "the encrypted message"
# Its decrypted form has no crypto layer left: nothing protected, one From.
out=$("$CACHET" --gnupg-home "$bob" verify --json "$H/e.decrypted") || true
assert_contains "$out" '"warnings":[],"error":null,"from":"alice@localhost"' "the decrypted message"
assert_contains "$out" '"protected_headers":null' "the decrypted message"

# --- a message already signed is encrypted byte for byte: the signature holds
"$CACHET" --gnupg-home "$alice" encrypt --to bob@localhost "$H/s.eml" > "$H/se.eml" ||
	fail "cachet encrypt of a signed message"
out=$("$CACHET" --gnupg-home "$bob" verify --json "$H/se.eml") || fail "verify of se.eml: $out"
assert_contains "$out" '"signature":"valid","coverage":"whole"' "a signed message encrypted"
assert_contains "$out" '"decryption":"ok","warnings":[]' "a signed message encrypted"
# Signed with hp="clear", so its Subject was not to be hidden.
assert_file_contains "$H/se.eml" "Subject: Quarterly =?utf-8?q?r=C3=A9sum=C3=A9?="
echo "PASS: crypto_header_protection"
