#!/bin/bash
# tests/fuzz/make-seeds.sh FIXTURES_DIR
#
# Rebuilds the seed corpora of the message fuzz targets from the output of
# tests/fixtures/gen-smime.sh (run it first: gen-smime.sh PKIDIR FIXTURES_DIR).
#   mime, verdict, pager
#                   every generated message (pager keeps its hand-written
#                   spoof-*.eml seeds)
#   cms             the CMS blobs inside them, as DER
#   enveloped       those of them that are EnvelopedData or AuthEnvelopedData
#   codec           their base64 bodies and a few raw texts
#   address         every From/To/Cc value in them, plus hand-written lists
#   certstore       byte 0 then each message; byte 1 then each certificate
#                   of FIXTURES_DIR/certs as PEM and DER, and a two-certificate
#                   PKCS#7 bundle
set -euo pipefail
fx=${1:?usage: make-seeds.sh FIXTURES_DIR}
here=$(cd "$(dirname "$0")" && pwd)
c=$here/corpus
rm -rf "$c/mime" "$c/verdict" "$c/cms" "$c/enveloped" "$c/codec" "$c/address" "$c/certstore"
find "$c/pager" -type f ! -name 'spoof-*' -delete 2> /dev/null || true
mkdir -p "$c/mime" "$c/verdict" "$c/cms" "$c/enveloped" "$c/codec" "$c/address" "$c/certstore" "$c/pager"
for m in "$fx"/*.eml; do
	n=$(basename "$m" .eml)
	cp "$m" "$c/mime/$n"
	cp "$m" "$c/verdict/$n"
	cp "$m" "$c/pager/$n"
	# The base64 body of the last application/(x-)pkcs7 part, decoded.
	awk 'BEGIN{IGNORECASE=1}
	     /^Content-Type: application\/(x-)?pkcs7/ {grab=1; inbody=0; out=""; next}
	     grab && !inbody && /^\r?$/ {inbody=1; next}
	     grab && inbody && (/^--/ || /^\r?$/) {grab=0; last=out; next}
	     grab && inbody {out=out $0 "\n"}
	     END{ if (grab) last=out; printf "%s", last }' "$m" > "$c/codec/$n"
	base64 -d -i < "$c/codec/$n" > "$c/cms/$n" 2>/dev/null || true
	[ -s "$c/cms/$n" ] || rm -f "$c/cms/$n"
	if [ -s "$c/cms/$n" ] && openssl cms -cmsout -print -inform DER -in "$c/cms/$n" 2> /dev/null |
		grep -qE '^  contentType: (pkcs7-envelopedData|id-smime-ct-authEnvelopedData)'; then
		cp "$c/cms/$n" "$c/enveloped/$n"
	fi
	[ -s "$c/codec/$n" ] || rm -f "$c/codec/$n"
	grep -iE '^(From|To|Cc|Sender):' "$m" | sed 's/^[^:]*: *//' > "$c/address/$n" || true
	[ -s "$c/address/$n" ] || rm -f "$c/address/$n"
done
for m in "$fx"/*.eml; do
	{ printf '\x00'; cat "$m"; } > "$c/certstore/msg-$(basename "$m" .eml)"
done
pems=("$fx"/certs/*.pem)
for p in "${pems[@]}"; do
	n=$(basename "$p" .pem)
	{ printf '\x01'; cat "$p"; } > "$c/certstore/pem-$n"
	{ printf '\x01'; openssl x509 -in "$p" -outform DER; } > "$c/certstore/der-$n"
done
{ printf '\x01'; openssl crl2pkcs7 -nocrl -certfile "${pems[0]}" -certfile "${pems[1]}" \
	-outform DER; } > "$c/certstore/p7c-two"
printf '%s' 'Alice Example <alice@localhost>, "Bob, the builder" <bob@Example.ORG>' > "$c/address/display-names"
printf '%s' 'team: carol@localhost, (comment) dave@x.org;, eve@y.org' > "$c/address/group"
printf '%s' '"alice@localhost" <mallory@evil.example>' > "$c/address/spoof"
printf '%s' '<@route,@r2:a@b>, "q\"uote"@x, a@[127.0.0.1]' > "$c/address/odd"
printf 'plain text\nwith lines\r\nand a bare \r cr\n' > "$c/codec/text"
# Pathological structure, small (the benchmark, tests/bench/bench-parse.sh,
# has the large ones): many RFC 2231 parameters and continuations, nested
# comments, many parts, a long folded field, a group and look-alike names.
python3 - "$c" <<'EOF2'
import sys
c = sys.argv[1]
head = "From: alice@localhost\r\nTo: bob@localhost\r\nSubject: seed\r\n"
ps = "".join(";\r\n p%d*=utf-8''v%%41; q%d*1=b; q%d*0*=a" % (i, i, i) for i in range(500))
seeds = {
    "many-params": head + "Content-Type: application/octet-stream" + ps + "\r\n\r\nx\r\n",
    "nested-comments": "From: " + "(" * 2000 + ")" * 2000 + " alice@localhost\r\n" +
        "Content-Type: text/plain; charset=" + "(" * 2000 + "x" + ")" * 2000 + "us-ascii\r\n\r\nx\r\n",
    "many-parts": head + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' +
        "".join("--b\r\n\r\n%d\r\n" % i for i in range(2000)) + "--b--\r\n",
    "long-folded": head.replace("Subject: seed", "Subject:" + "\r\n folded" * 4000) + "\r\nx\r\n",
    "group-from": "From: alice@localhost: mallory@localhost;\r\nSubject: group\r\n\r\nx\r\n",
    "word-at": "From: =?utf-8?q?alice=40localhost=2C?= <mallory@localhost>\r\n\r\nx\r\n",
}
for name, text in seeds.items():
    for target in ("mime", "verdict", "pager"):
        open("%s/%s/%s" % (c, target, name), "w").write(text)
open(c + "/address/nested-comments", "w").write("(" * 5000 + ")" * 5000 + " a@b")
open(c + "/address/lookalike-at", "w").write("alice\uff20localhost \ufe6b <mallory@localhost>")
EOF2
printf '\x00\xff\x80 binary' > "$c/codec/binary"
echo "corpora written to $c"
