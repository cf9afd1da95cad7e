#!/bin/bash
# Terminal control in text output: ESC, CSI, OSC, BEL, DEL, C1 controls
# (as UTF-8 and as a raw byte) and bidirectional formatting characters in
# a From address, a Subject, a certificate subject, a file name or a
# recipient reach the terminal through no verb's human-readable output
# (stdout and stderr): verify, harvest, certs import/list/show, encrypt,
# decrypt, list and folders.  Each shows them as placeholders instead.
# The cases of the issue: a From that rewrites verify's line into a valid
# verdict by alice, a certs-only message whose refusal reads "stored alice
# (trusted)", a CA-issued certificate whose subject holds ESC and BEL.
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/attacks/attack_lib.sh"
CACHET=${CACHET:-$top_builddir/cachet}

attack_setup
harness_dovecot
cfg=$(harness_config alice)
data=$H/data
payloads="esc csi osc bel del c1 c1-raw rlo lri alm"

# clean LABEL FILE...: no byte or character that steers a terminal in FILEs.
clean() {
	local label=$1
	shift
	python3 - "$label" "$@" <<'EOF' || ATTACK_FAILED=1
import re, sys
label, files = sys.argv[1], sys.argv[2:]
bad = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c")
rc = 0
for f in files:
    data = open(f, "rb").read()
    m = bad.search(data)
    if m is None:
        try:
            data.decode("utf-8")
            continue
        except UnicodeDecodeError as e:
            m = e
    print("FAIL: %s: %s carries %r: %r" % (label, f, getattr(m, "group", lambda: m)(), data[:300]),
          file=sys.stderr)
    rc = 1
sys.exit(rc)
EOF
}

# run LABEL CMD...: runs CMD (any exit status), then checks its stdout and stderr.
run() {
	local label=$1
	shift
	"$@" > "$H/out" 2> "$H/err" || true
	clean "$label" "$H/out" "$H/err"
}

# payload_of FILE: the bytes gen-attacks.sh put between "mal" and "lory".
payload_of() {
	python3 -c 'import sys; d = open(sys.argv[1], "rb").read()
sys.stdout.buffer.write(d.split(b"\"mal", 1)[1].split(b"lory\"", 1)[0])' "$1"
}

V=("$CACHET" --gnupg-home "$BOB" --data-dir "$H/bob-data")

for n in $payloads; do
	run "verify from-$n" "${V[@]}" verify "$FX/term/from-$n.eml"
	run "harvest from-$n" "${V[@]}" harvest "$FX/term/from-$n.eml"
	# The same payload in a file name.
	name="$H/file$(payload_of "$FX/term/from-$n.eml")x.eml"
	cp "$FX/term/from-$n.eml" "$name"
	run "verify file name $n" "${V[@]}" verify "$name"
	run "decrypt file name $n" "${V[@]}" decrypt "$name"
	# A recipient encrypt has no certificate for: its refusal names it.
	run "encrypt to $n" "${V[@]}" encrypt --from bob@localhost \
		--to "nobody$(payload_of "$FX/term/from-$n.eml")@localhost" "$FX/term/from-$n.eml"
	grep -q "nobody" "$H/err" || { echo "FAIL: encrypt to $n: not refused: $(cat "$H/err")" >&2; ATTACK_FAILED=1; }
	rm -f "$name"
done

run "verify spoof" "${V[@]}" verify "$FX/term/verify-spoof.eml"
grep -q "mismatch" "$H/out" || { echo "FAIL: verify spoof: not a mismatch: $(cat "$H/out")" >&2; ATTACK_FAILED=1; }
spoof="$H/$(printf '\r\033[2K')certs-only.eml: stored alice@localhost (trusted)$(printf '\033[8m')"
cp "$FX/term/harvest-spoof.eml" "$spoof"
run "harvest certs-only spoof" "${V[@]}" harvest "$spoof"
grep -q "refused" "$H/out" || { echo "FAIL: harvest spoof: not refused: $(cat "$H/out")" >&2; ATTACK_FAILED=1; }

# A certificate from the trusted CA whose subject holds ESC[2J, OSC and BEL.
run "certs import" "${V[@]}" certs import "$FX/certs/escape-subject.pem"
grep -q "eve@localhost" "$H/out" || { echo "FAIL: escape-subject not imported: $(cat "$H/out" "$H/err")" >&2; ATTACK_FAILED=1; }
run "certs list" "${V[@]}" certs list
grep -q "Eve" "$H/out" || { echo "FAIL: certs list does not show the subject: $(cat "$H/out")" >&2; ATTACK_FAILED=1; }
run "certs show" "${V[@]}" certs show eve@localhost

# The index and the folder list over IMAP: Subject, From and a folder name.
python3 - "$IMAPS_PORT" "$HARNESS_PKI/tls-ca.pem" "$FX/term/unsigned.eml" <<'PY'
import imaplib, ssl, sys
port, ca, msg = sys.argv[1:]
imap = imaplib.IMAP4_SSL("localhost", int(port), ssl_context=ssl.create_default_context(cafile=ca))
imap.login("alice", "alice-pw")
data = open(msg, "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
assert imap.append("INBOX", None, None, data)[0] == "OK"
# A folder name in modified UTF-7 that decodes to U+202E (Dovecot refuses
# control characters in names).
r = imap.create("evil&IC4-fdp")
assert r[0] == "OK", r
PY
run "list" "$CACHET" --config "$cfg" --data-dir "$data" list
grep -q "csi" "$H/out" || { echo "FAIL: list does not show the subject: $(cat "$H/out" "$H/err")" >&2; ATTACK_FAILED=1; }
run "folders" "$CACHET" --config "$cfg" --data-dir "$data" folders
grep -q "evil" "$H/out" || { echo "FAIL: folders does not show the folder: $(cat "$H/out" "$H/err")" >&2; ATTACK_FAILED=1; }

attack_done "no control or bidirectional character reaches the terminal"
