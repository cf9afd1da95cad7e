noinst_LIBRARIES += libbase.a
libbase_a_SOURCES = base/base.h base/err.c base/util.c base/files.c base/text.c

check_PROGRAMS += tests/unit/base/test_base
TESTS += tests/unit/base/test_base
tests_unit_base_test_base_SOURCES = tests/unit/base/test_base.c
tests_unit_base_test_base_LDADD = libbase.a
