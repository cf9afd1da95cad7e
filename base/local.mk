noinst_LIBRARIES += libbase.a
libbase_a_SOURCES = base/base.h base/err.c base/util.c
