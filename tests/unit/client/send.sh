# send.sh — runs test_send with a certificate store of its own (made in the
# test from the harness's test PKI and tests/fixtures/gen-certstore.sh's
# certificates) and bob's gpgsm home: the send plan's look-ups are real.
# No server is started.
set -euo pipefail
. "$top_srcdir/tests/integration/certstore_lib.sh"
cs_setup
"$top_builddir/tests/unit/client/test_send" "$FX" "$HARNESS_PKI" "$BOB" "$H"
