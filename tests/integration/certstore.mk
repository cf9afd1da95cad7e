# Integration tests of the certificate store (certstore/, harvest, certs).
CERTSTORE_TESTS = \
	tests/integration/certstore_harvest.sh \
	tests/integration/certstore_certs.sh \
	tests/integration/certstore_parallel.sh \
	tests/integration/certstore_e2e.sh

TESTS += $(CERTSTORE_TESTS)
EXTRA_DIST += $(CERTSTORE_TESTS) tests/integration/certstore_lib.sh \
	tests/bench/bench-harvest.sh

# The fixtures of gen-certstore.sh, cached in the build tree per version.
CLEANFILES += tests/fixtures-cache/*.lock \
	tests/fixtures-cache/*/*.pem tests/fixtures-cache/*/*.key \
	tests/fixtures-cache/*/*.eml tests/fixtures-cache/*/*.sha1 \
	tests/fixtures-cache/*/*.sha256 tests/fixtures-cache/*/.complete \
	tests/fixtures-cache/*/pki/*.pem tests/fixtures-cache/*/pki/*.key \
	tests/fixtures-cache/*/pki/*.p12
