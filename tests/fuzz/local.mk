# Fuzz targets.  Each target NAME has tests/fuzz/fuzz_NAME.c and a seed
# corpus tests/fuzz/corpus/NAME/.  make check replays every corpus with the
# normal compiler; with --enable-fuzzing (clang) each target is also built as
# a libFuzzer binary and "make fuzz-smoke" runs each for FUZZ_SECONDS.
FUZZ_TARGETS = config

EXTRA_DIST += tests/fuzz/corpus tests/fuzz/fuzz.h

check_PROGRAMS += tests/fuzz/replay_config
TESTS += tests/fuzz/replay_config
tests_fuzz_replay_config_SOURCES = tests/fuzz/fuzz_config.c tests/fuzz/replay.c
tests_fuzz_replay_config_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"tests/fuzz/corpus/config"'
tests_fuzz_replay_config_LDADD = libclient.a libbase.a

if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_config
tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c
tests_fuzz_fuzz_config_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_config_LDADD = libclient.a libbase.a
endif

FUZZ_SECONDS = 60
fuzz-smoke:
	@set -e; for t in $(FUZZ_TARGETS); do \
	  if [ ! -x tests/fuzz/fuzz_$$t ]; then \
	    echo "fuzz-smoke: tests/fuzz/fuzz_$$t is not built; configure with CC=clang --enable-fuzzing" >&2; exit 2; fi; \
	  mkdir -p tests/fuzz/work/$$t; \
	  echo "fuzzing $$t for $(FUZZ_SECONDS)s"; \
	  tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	    tests/fuzz/work/$$t $(srcdir)/tests/fuzz/corpus/$$t; \
	done
.PHONY: fuzz-smoke
