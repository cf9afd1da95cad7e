# Fuzz targets.  Each target NAME has tests/fuzz/fuzz_NAME.c and a seed
# corpus tests/fuzz/corpus/NAME/ (made by make-seeds.sh from the fixture
# generator, except config's and authres's, written by hand).  make check replays every
# corpus with the normal compiler (and under ASan/UBSan in the sanitizer
# build); with --enable-fuzzing (clang) each target is also a libFuzzer
# binary and "make fuzz-smoke" runs each for FUZZ_SECONDS, the message
# readers with tests/fuzz/dict/message.dict (pathological structure: many
# parameters, deep comments, many parts), and fails an input slower than
# 10 s.
FUZZ_TARGETS = config mime address cms enveloped codec verdict certstore pager authres

EXTRA_DIST += tests/fuzz/corpus tests/fuzz/fuzz.h tests/fuzz/make-seeds.sh tests/fuzz/lsan.supp \
	tests/fuzz/make-client-seeds.sh tests/fuzz/dict/message.dict tests/bench/bench-parse.sh

check_PROGRAMS += tests/fuzz/replay_certstore
TESTS += tests/fuzz/replay_certstore
tests_fuzz_replay_certstore_SOURCES = tests/fuzz/fuzz_certstore.c tests/fuzz/replay.c
tests_fuzz_replay_certstore_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"tests/fuzz/corpus/certstore"'
tests_fuzz_replay_certstore_LDADD = libcertstore.a libcrypto.a libbase.a $(CACHET_EXT_LIBS)

check_PROGRAMS += tests/fuzz/replay_authres
TESTS += tests/fuzz/replay_authres
tests_fuzz_replay_authres_SOURCES = tests/fuzz/fuzz_authres.c tests/fuzz/replay.c
tests_fuzz_replay_authres_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"tests/fuzz/corpus/authres"'
tests_fuzz_replay_authres_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)

check_PROGRAMS += tests/fuzz/replay_config
TESTS += tests/fuzz/replay_config
tests_fuzz_replay_config_SOURCES = tests/fuzz/fuzz_config.c tests/fuzz/replay.c
tests_fuzz_replay_config_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"tests/fuzz/corpus/config"'
tests_fuzz_replay_config_LDADD = libclient.a libbase.a

check_PROGRAMS += tests/fuzz/replay_mime
TESTS += tests/fuzz/replay_mime
tests_fuzz_replay_mime_SOURCES = tests/fuzz/fuzz_mime.c tests/fuzz/replay.c
tests_fuzz_replay_mime_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"tests/fuzz/corpus/mime"'
tests_fuzz_replay_mime_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)

check_PROGRAMS += tests/fuzz/replay_address
TESTS += tests/fuzz/replay_address
tests_fuzz_replay_address_SOURCES = tests/fuzz/fuzz_address.c tests/fuzz/replay.c
tests_fuzz_replay_address_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"tests/fuzz/corpus/address"'
tests_fuzz_replay_address_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)

check_PROGRAMS += tests/fuzz/replay_cms
TESTS += tests/fuzz/replay_cms
tests_fuzz_replay_cms_SOURCES = tests/fuzz/fuzz_cms.c tests/fuzz/replay.c
tests_fuzz_replay_cms_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"tests/fuzz/corpus/cms"'
tests_fuzz_replay_cms_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)

check_PROGRAMS += tests/fuzz/replay_enveloped
TESTS += tests/fuzz/replay_enveloped
tests_fuzz_replay_enveloped_SOURCES = tests/fuzz/fuzz_enveloped.c tests/fuzz/replay.c
tests_fuzz_replay_enveloped_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"tests/fuzz/corpus/enveloped"'
tests_fuzz_replay_enveloped_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)

check_PROGRAMS += tests/fuzz/replay_codec
TESTS += tests/fuzz/replay_codec
tests_fuzz_replay_codec_SOURCES = tests/fuzz/fuzz_codec.c tests/fuzz/replay.c
tests_fuzz_replay_codec_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"tests/fuzz/corpus/codec"'
tests_fuzz_replay_codec_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)

check_PROGRAMS += tests/fuzz/replay_pager
TESTS += tests/fuzz/replay_pager
tests_fuzz_replay_pager_SOURCES = tests/fuzz/fuzz_pager.c tests/fuzz/replay.c
tests_fuzz_replay_pager_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"tests/fuzz/corpus/pager"'
tests_fuzz_replay_pager_LDADD = libui.a $(CACHET_LIBS) $(CACHET_EXT_LIBS)

check_PROGRAMS += tests/fuzz/replay_verdict
TESTS += tests/fuzz/replay_verdict
tests_fuzz_replay_verdict_SOURCES = tests/fuzz/fuzz_verdict.c tests/fuzz/replay.c
tests_fuzz_replay_verdict_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"tests/fuzz/corpus/verdict"'
tests_fuzz_replay_verdict_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)

if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_authres
tests_fuzz_fuzz_authres_SOURCES = tests/fuzz/fuzz_authres.c
tests_fuzz_fuzz_authres_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_authres_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_certstore
tests_fuzz_fuzz_certstore_SOURCES = tests/fuzz/fuzz_certstore.c
tests_fuzz_fuzz_certstore_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_certstore_LDADD = libcertstore.a libcrypto.a libbase.a $(CACHET_EXT_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_config
tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c
tests_fuzz_fuzz_config_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_config_LDADD = libclient.a libbase.a

noinst_PROGRAMS += tests/fuzz/fuzz_mime
tests_fuzz_fuzz_mime_SOURCES = tests/fuzz/fuzz_mime.c
tests_fuzz_fuzz_mime_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_mime_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_address
tests_fuzz_fuzz_address_SOURCES = tests/fuzz/fuzz_address.c
tests_fuzz_fuzz_address_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_address_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_cms
tests_fuzz_fuzz_cms_SOURCES = tests/fuzz/fuzz_cms.c
tests_fuzz_fuzz_cms_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_cms_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_enveloped
tests_fuzz_fuzz_enveloped_SOURCES = tests/fuzz/fuzz_enveloped.c
tests_fuzz_fuzz_enveloped_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_enveloped_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_codec
tests_fuzz_fuzz_codec_SOURCES = tests/fuzz/fuzz_codec.c
tests_fuzz_fuzz_codec_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_codec_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_pager
tests_fuzz_fuzz_pager_SOURCES = tests/fuzz/fuzz_pager.c
tests_fuzz_fuzz_pager_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_pager_LDADD = libui.a $(CACHET_LIBS) $(CACHET_EXT_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_verdict
tests_fuzz_fuzz_verdict_SOURCES = tests/fuzz/fuzz_verdict.c
tests_fuzz_fuzz_verdict_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_verdict_LDADD = libcrypto.a libbase.a $(CRYPTO_EXT_LIBS)

endif

FUZZ_SECONDS = 60
fuzz-smoke:
	@set -e; for t in $(FUZZ_TARGETS); do \
	  if [ ! -x tests/fuzz/fuzz_$$t ]; then \
	    echo "fuzz-smoke: tests/fuzz/fuzz_$$t is not built; configure with CC=clang --enable-fuzzing" >&2; exit 2; fi; \
	  mkdir -p tests/fuzz/work/$$t; \
	  echo "fuzzing $$t for $(FUZZ_SECONDS)s"; \
	  LSAN_OPTIONS=$${LSAN_OPTIONS:+$$LSAN_OPTIONS:}suppressions=$(abs_srcdir)/tests/fuzz/lsan.supp \
	  dict=; case $$t in mime|verdict|pager|address) \
	    dict=-dict=$(srcdir)/tests/fuzz/dict/message.dict;; esac; \
	  tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 $$dict \
	    tests/fuzz/work/$$t $(srcdir)/tests/fuzz/corpus/$$t; \
	done
.PHONY: fuzz-smoke

# The IMAP benchmark's peers (run by hand through tests/bench/bench-imap.sh).
EXTRA_DIST += tests/bench/gen_folder.py tests/bench/imap_raw_fetch.py \
	tests/bench/neomutt_open.py tests/bench/imap_peers.sh tests/bench/screen_open.py
