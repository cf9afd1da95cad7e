noinst_LIBRARIES += libcertstore.a
libcertstore_a_SOURCES = certstore/certstore.h certstore/store.c
