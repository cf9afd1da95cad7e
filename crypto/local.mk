noinst_LIBRARIES += libcrypto.a
libcrypto_a_SOURCES = crypto/smime.h crypto/smime_p.h crypto/engine_p.h \
	crypto/names.c crypto/mime.c crypto/codec.c crypto/der.c crypto/engine.c \
	crypto/keys.c crypto/sign.c crypto/verify.c crypto/json.c
