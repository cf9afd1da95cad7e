# Integration tests of the certificate store (certstore/, harvest, certs).
CERTSTORE_TESTS = \
	tests/integration/certstore_harvest.sh \
	tests/integration/certstore_certs.sh \
	tests/integration/certstore_parallel.sh \
	tests/integration/certstore_e2e.sh

TESTS += $(CERTSTORE_TESTS)
EXTRA_DIST += $(CERTSTORE_TESTS) tests/integration/certstore_lib.sh
