noinst_LIBRARIES += libcrypto.a
libcrypto_a_SOURCES = crypto/smime.h crypto/names.c
