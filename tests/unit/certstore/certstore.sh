# certstore.sh — runs test_certstore on fixtures from tests/fixtures/gen-certstore.sh
# and a real gpgsm home (bob's, trusting the test CA).
set -euo pipefail
. "$top_srcdir/tests/lib/pki.sh"

# Cached per version of the generator (a day at most: see gen-certstore.sh).
gen=$top_srcdir/tests/fixtures/gen-certstore.sh
fixtures=${CERTSTORE_FIXTURES:-$top_builddir/tests/fixtures-cache/certstore-unit-$(sha1sum < "$gen" | cut -c1-12)}
bash "$gen" "$fixtures"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/certstore-unit.XXXXXX")
trap 'pki_gnupg_stop "$tmp/gnupg"; rm -rf "$tmp"' EXIT
pki_gnupg_home "$tmp/gnupg" "$fixtures/pki" bob
mkdir "$tmp/stores"
openssl crl2pkcs7 -nocrl -certfile "$fixtures/pki/alice.pem" \
	-certfile "$fixtures/pki/smime-ca.pem" -outform DER -out "$tmp/stores/bundle.p7c"

"$top_builddir/tests/unit/certstore/test_certstore" "$fixtures" "$tmp/gnupg" "$tmp/stores"
