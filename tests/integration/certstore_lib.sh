# certstore_lib.sh — what the certstore_*.sh integration tests share: the
# harness world, bob's gpgsm home, the crafted fixtures (made once per test
# PKI by tests/fixtures/gen-certstore.sh) and a private data dir.
#
#   cs_setup           harness_init, BOB (gpgsm home), FX (fixtures), DATA
#   cs_bob ARGS...     runs cachet as bob with $DATA (status preserved)
#   cs_json_has OUT S  fails unless OUT contains the fixed string S
#   cs_fpr FILE        SHA-1 fingerprint of a PEM certificate, no colons
. "$top_srcdir/tests/lib/harness.sh"

cs_setup() {
	harness_init
	BOB=$(harness_gnupg bob)
	local ca
	ca=$(pki_fingerprint "$HARNESS_PKI/smime-ca.pem" | tr -d :)
	# Cached per test PKI and per version of the generator.
	FX=$top_builddir/tests/fixtures-cache/certstore-$ca-$(sha1sum < \
		"$top_srcdir/tests/fixtures/gen-certstore.sh" | cut -c1-12)
	[ -w "$top_builddir" ] || FX=$H/fixtures
	"$BASH" "$top_srcdir/tests/fixtures/gen-certstore.sh" "$FX" "$HARNESS_PKI" \
		> "$H/gen.log" 2>&1 || fail "fixtures: $(tail -5 "$H/gen.log")"
	DATA=$H/data
	# No configuration file: the default policy (harvest = trusted).
	XDG_CONFIG_HOME=$H/xdg-config
	export XDG_CONFIG_HOME
}

cs_bob() {
	"$CACHET" --gnupg-home "$BOB" --data-dir "$DATA" "$@"
}

cs_fpr() {
	pki_fingerprint "$1" | tr -d :
}

cs_json_has() {
	case $1 in
	*"$2"*) ;;
	*) fail "expected $2 in: $1" ;;
	esac
}
