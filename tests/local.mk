# Tests: unit tests per module live in each module's local.mk; this fragment
# holds the harness and the integration tests that need the real servers.
#
# tests/lib/harness.sh starts a private Dovecot, Postfix, gpgsm homes and a
# Secret Service per test script (see the top of that file); tests/lib/pki.sh
# makes the test certificates; tests/lib/peers.sh starts and stops the extra
# servers (scripted fakes, gnutls-serv) some scripts add. The harness_* tests
# prove the harness itself.

HARNESS_TESTS = \
	tests/integration/harness_lifecycle.sh \
	tests/integration/harness_imap.sh \
	tests/integration/harness_logindisabled.sh \
	tests/integration/harness_smtp.sh \
	tests/integration/harness_keyring.sh \
	tests/integration/harness_gpgsm.sh

TESTS += $(HARNESS_TESTS)
EXTRA_DIST += tests/lib/harness.sh tests/lib/pki.sh tests/lib/peers.sh tests/lib/identity.sh $(HARNESS_TESTS)

# The harness's PKI cache in the build tree (one dir per version of pki.sh).
CLEANFILES += tests/pki-cache/*/*.pem tests/pki-cache/*/*.key \
	tests/pki-cache/*/*.p12 tests/pki-cache/*/.lock

# The unit tests' shared assertions (each module's tests include it).
EXTRA_DIST += tests/unit/check.h

# The floors (doc/DESIGN.md): no #include and no symbol goes from a lower
# folder to a higher one, and no C file of a floor is over 1,000 lines; it
# reads the sources and the built libraries.
TESTS += tests/unit/layering.sh
EXTRA_DIST += tests/unit/layering.sh
