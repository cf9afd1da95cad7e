# certstore.sh — runs test_certstore on the harness's test PKI, the fixtures
# tests/fixtures/gen-certstore.sh makes from it, and a real gpgsm home
# (bob's, trusting the test CA).  No server is started.
set -euo pipefail
. "$top_srcdir/tests/integration/certstore_lib.sh"
cs_setup
mkdir "$H/stores"
openssl crl2pkcs7 -nocrl -certfile "$HARNESS_PKI/alice.pem" \
	-certfile "$HARNESS_PKI/smime-ca.pem" -outform DER -out "$H/stores/bundle.p7c"
"$top_builddir/tests/unit/certstore/test_certstore" "$FX" "$HARNESS_PKI" "$BOB" "$H/stores"
