noinst_LIBRARIES += libcertstore.a
libcertstore_a_SOURCES = certstore/certstore.h certstore/store_p.h \
	certstore/cert.c certstore/store.c certstore/gpgsm.c certstore/harvest.c
# The database (store.c) and what it records about addresses (bindings.c).
libcertstore_a_SOURCES += certstore/bindings.c

check_PROGRAMS += tests/unit/certstore/test_certstore
TESTS += tests/unit/certstore/certstore.sh
EXTRA_DIST += tests/unit/certstore/certstore.sh tests/fixtures/gen-certstore.sh
tests_unit_certstore_test_certstore_SOURCES = tests/unit/certstore/test_certstore.c
tests_unit_certstore_test_certstore_LDADD = libcertstore.a libcrypto.a libbase.a \
	$(CACHET_EXT_LIBS)
