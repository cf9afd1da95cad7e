# tests/attacks/attack_lib.sh — what the attack_*.sh scripts share.
#
#   attack_setup        harness_init, BOB (bob's gpgsm home), FX (the messages
#                       of gen-attacks.sh, made once per test PKI and version
#                       of the generators, then reused), cd into $H
#   verdict NAME RC SIG COV SIGNER DEC WARNINGS ERROR
#                       runs `cachet verify --json FX/NAME.eml` as bob and
#                       checks every field exactly: exit status RC, signature,
#                       coverage and signer ("null" for JSON null), decryption,
#                       WARNINGS as a comma-separated set ("-" for none), and
#                       ERROR ("null", or a substring of the error).  A
#                       mismatch is reported and counted; the line of JSON is
#                       left in $OUT.
#   signer_field JSONKEY EMAIL WANT
#                       checks the field of the signer EMAIL in $OUT's
#                       signers array ("null" for null or no such signer).
#   attack_done         exits 1 when a check failed, else prints PASS.
. "$top_srcdir/tests/lib/harness.sh"

ATTACK_FAILED=0

attack_setup() {
	harness_init
	BOB=$(harness_gnupg bob)
	local ca key
	ca=$(pki_fingerprint "$HARNESS_PKI/smime-ca.pem" | tr -d :)
	key=$(cat "$top_srcdir/tests/attacks/gen-attacks.sh" "$top_srcdir/tests/fixtures/gen-smime.sh" |
		sha1sum | cut -c1-12)
	if [ -w "$top_builddir" ]; then
		FX=$top_builddir/tests/fixtures-cache/attacks-$ca-$key
	else
		FX=$H/fixtures
	fi
	mkdir -p "$(dirname "$FX")"
	# One generator per cache dir; a set from yesterday is made again
	# (not-yet-valid and expired certificates are relative to today).
	(
		flock 9
		if [ -f "$FX/.complete" ] && [ -z "$(find "$FX/.complete" -mmin +720)" ]; then
			exit 0
		fi
		rm -rf "$FX" "$FX.new"
		"$BASH" "$top_srcdir/tests/attacks/gen-attacks.sh" "$HARNESS_PKI" "$FX.new" \
			> "$H/gen.log" 2>&1 || { tail -20 "$H/gen.log" >&2; exit 1; }
		touch "$FX.new/.complete"
		mv "$FX.new" "$FX"
	) 9> "$FX.lock" || fail "gen-attacks.sh failed"
	cd "$H"
}

verdict() {
	local name=$1 rc=0
	OUT=$("$CACHET" --gnupg-home "$BOB" verify --json "$FX/$name.eml" 2> "$H/verdict.err") || rc=$?
	python3 - "$name" "$rc" "$OUT" "$@" <<'EOF' || ATTACK_FAILED=1
import json, sys
name, rc, out = sys.argv[1], sys.argv[2], sys.argv[3]
_, want_rc, sig, cov, signer, dec, warns, err = sys.argv[4:]
bad = []
try:
    lines = out.splitlines()
    if len(lines) != 1:
        raise ValueError("%d lines" % len(lines))
    j = json.loads(lines[0])
except Exception as e:
    print("FAIL: %s: not one line of JSON (%s): %s" % (name, e, out), file=sys.stderr)
    sys.exit(1)
def field(k, want):
    got = j.get(k)
    w = None if want == "null" else want
    if got != w:
        bad.append("%s is %r, expected %r" % (k, got, w))
if rc != want_rc:
    bad.append("exit status %s, expected %s" % (rc, want_rc))
field("signature", sig)
field("coverage", cov)
field("signer", signer)
field("decryption", dec)
want_w = set() if warns == "-" else set(warns.split(","))
if set(j.get("warnings", [])) != want_w or len(j.get("warnings", [])) != len(want_w):
    bad.append("warnings are %r, expected %r" % (j.get("warnings"), sorted(want_w)))
if err == "null":
    if j.get("error") is not None:
        bad.append("error is %r, expected null" % j.get("error"))
elif err not in (j.get("error") or ""):
    bad.append("error is %r, expected to contain %r" % (j.get("error"), err))
for b in bad:
    print("FAIL: %s: %s\n  %s" % (name, b, out), file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
}

signer_field() {
	python3 - "$OUT" "$@" <<'EOF' || ATTACK_FAILED=1
import json, sys
out, key, email, want = sys.argv[1:]
j = json.loads(out)
s = [x for x in j.get("signers", []) if x.get("email") == (None if email == "null" else email)]
got = s[0].get(key) if s else None
if got != (None if want == "null" else want):
    print("FAIL: %s: signer %s: %s is %r, expected %r\n  %s" % (j.get("file"), email, key, got, want, out), file=sys.stderr)
    sys.exit(1)
EOF
}

attack_done() {
	[ "$ATTACK_FAILED" = 0 ] || exit 1
	echo "PASS: ${1:-}"
}
