#!/bin/bash
# bench-harvest.sh [MESSAGES [SENDERS]] — by hand, not part of make check.
#
# Builds a Maildir of MESSAGES (default 10000) signed messages from SENDERS
# (default 200) correspondents, each with a certificate from the test S/MIME
# CA (tests/lib/pki.sh), then times `cachet harvest` over it twice: the
# first run verifies every message; the second finds them all in the seen
# table and verifies nothing.  Prints messages/s for both.
#
# Environment: CACHET (default: ./cachet, else $top_builddir/cachet),
# KEEP=1 keeps the work dir.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/pki.sh"

messages=${1:-10000}
senders=${2:-200}
CACHET=${CACHET:-$( [ -x ./cachet ] && echo "$PWD/cachet" || echo "${top_builddir:-.}/cachet")}
[ -x "$CACHET" ] || { echo "bench-harvest: no cachet binary at $CACHET (set CACHET)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-harvest.XXXXXX")
cleanup() {
	pki_gnupg_stop "$work/gnupg"
	[ "${KEEP:-0}" = 1 ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }

t0=$(now)
pki_make "$work/pki"
pki_gnupg_home "$work/gnupg" "$work/pki" bob
mkdir -p "$work/senders" "$work/Maildir/cur" "$work/Maildir/new" "$work/Maildir/tmp"

printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection\n' > "$work/ext.base"
# One RSA key for every sender keeps the setup short; the certificates (and
# so the fingerprints, bindings and verifications) are all distinct.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/senders/key" 2> /dev/null
bodies=()
for s in $(seq 1 "$senders"); do
	d=$work/senders/$s
	mkdir -p "$d"
	cp "$work/senders/key" "$d/key"
	openssl req -new -key "$d/key" -subj "/CN=Sender $s/emailAddress=sender$s@bench.example" \
		-out "$d/csr"
	{ cat "$work/ext.base"; echo "subjectAltName=email:sender$s@bench.example"; } > "$d/ext"
	openssl x509 -req -in "$d/csr" -CA "$work/pki/smime-ca.pem" -CAkey "$work/pki/smime-ca.key" \
		-set_serial "0x$(openssl rand -hex 8)" -days 365 -sha256 -extfile "$d/ext" \
		-out "$d/pem" 2> /dev/null
	printf 'Content-Type: text/plain; charset=utf-8\n\nQuarterly figures from sender %s.\n' "$s" > "$d/part"
	openssl cms -sign -md sha256 -in "$d/part" -signer "$d/pem" -inkey "$d/key" -out "$d/signed"
	bodies[s]=$(cat "$d/signed")
done
t1=$(now)
# One signed body per sender; each message has its own header outside the
# signature, so every file is a distinct message that must be verified.
for m in $(seq 1 "$messages"); do
	s=$(( (m - 1) % senders + 1 ))
	printf 'From: Sender %s <sender%s@bench.example>\nTo: bob@localhost\nSubject: figures %s\nMessage-ID: <m%s@bench.example>\nDate: Fri, 27 Nov 2026 10:00:00 +0000\n%s\n' \
		"$s" "$s" "$m" "$m" "${bodies[s]}" > "$work/Maildir/cur/$m.bench:2,S"
done
t2=$(now)
echo "setup: $senders senders in $(elapsed "$t0" "$t1") s, $messages messages written in $(elapsed "$t1" "$t2") s"

run() {
	local label=$1 start end secs stored seen
	start=$(now)
	"$CACHET" --gnupg-home "$work/gnupg" --data-dir "$work/data" harvest --json "$work/Maildir" \
		> "$work/$label.json" 2> "$work/$label.err" || {
		echo "harvest failed ($label):" >&2
		tail -5 "$work/$label.err" >&2
		exit 1
	}
	end=$(now)
	secs=$(elapsed "$start" "$end")
	stored=$(grep -c '"change":"new"' "$work/$label.json" || true)
	seen=$(grep -c '"seen":true' "$work/$label.json" || true)
	printf '%s run: %d messages in %.2f s = %.1f messages/s (%d certificates stored, %d seen before)\n' \
		"$label" "$messages" "$secs" "$(echo "$messages / $secs" | bc -l)" "$stored" "$seen"
}
run first
run second
bindings=$("$CACHET" --gnupg-home "$work/gnupg" --data-dir "$work/data" certs list --json | grep -c '"state":"trusted"')
echo "store: $bindings trusted bindings (expected $senders)"
# For comparison: the verification alone (cachet verify) over the same mail.
start=$(now)
"$CACHET" --gnupg-home "$work/gnupg" verify "$work"/Maildir/cur/* > /dev/null 2>&1 || true
end=$(now)
printf 'verify alone: %d messages in %.2f s = %.1f messages/s\n' "$messages" \
	"$(elapsed "$start" "$end")" "$(echo "$messages / ($(elapsed "$start" "$end"))" | bc -l)"
[ "$bindings" = "$senders" ] || { echo "bench-harvest: wrong number of bindings" >&2; exit 1; }
