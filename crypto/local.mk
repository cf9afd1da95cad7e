noinst_LIBRARIES += libcrypto.a
libcrypto_a_SOURCES = crypto/smime.h crypto/smime_p.h crypto/engine_p.h crypto/agent_p.h \
	crypto/agent.c crypto/identity.c crypto/cms_decrypt_p.h crypto/cms_decrypt.c crypto/cms_decrypt_key.c \
	crypto/cms_p.h crypto/cms_attrs.c crypto/cms_sign.c crypto/cms_encrypt.c crypto/cms_envelope.c crypto/caps.c crypto/engine_certs.c \
	crypto/names.c crypto/mime.c crypto/codec.c crypto/der.c crypto/engine.c \
	crypto/keys.c crypto/sign.c crypto/hp.c crypto/verify.c crypto/json.c crypto/summary.c \
	crypto/cms_verify.c crypto/anchors.c crypto/revocation_p.h crypto/revocation.c \
	crypto/revocation_inquire.c crypto/authres.c
# Reading header fields and encodings for display, leniently.
libcrypto_a_SOURCES += crypto/mime_display.c

check_PROGRAMS += tests/unit/crypto/test_mime tests/unit/crypto/test_codec \
	tests/unit/crypto/test_der tests/unit/crypto/test_json \
	tests/unit/crypto/test_summary tests/unit/crypto/test_trustlist \
	tests/unit/crypto/test_authres
TESTS += tests/unit/crypto/test_mime tests/unit/crypto/test_codec \
	tests/unit/crypto/test_der tests/unit/crypto/test_json \
	tests/unit/crypto/test_summary tests/unit/crypto/test_trustlist \
	tests/unit/crypto/test_authres
tests_unit_crypto_test_mime_SOURCES = tests/unit/crypto/test_mime.c
tests_unit_crypto_test_mime_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)
tests_unit_crypto_test_codec_SOURCES = tests/unit/crypto/test_codec.c
tests_unit_crypto_test_codec_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)
tests_unit_crypto_test_der_SOURCES = tests/unit/crypto/test_der.c
tests_unit_crypto_test_der_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)
tests_unit_crypto_test_json_SOURCES = tests/unit/crypto/test_json.c
tests_unit_crypto_test_json_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)
tests_unit_crypto_test_summary_SOURCES = tests/unit/crypto/test_summary.c
tests_unit_crypto_test_summary_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)
tests_unit_crypto_test_trustlist_SOURCES = tests/unit/crypto/test_trustlist.c
tests_unit_crypto_test_trustlist_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)
tests_unit_crypto_test_authres_SOURCES = tests/unit/crypto/test_authres.c
tests_unit_crypto_test_authres_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)
