/*
 * check.h — the unit tests' few assertions.  A failed check prints where and
 * what, and the test goes on so that one run shows every failure; main
 * returns check_exit(), which automake's driver reads (0 pass, 1 fail).
 */
#ifndef CACHET_CHECK_H
#define CACHET_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond) do { \
	check_count++; \
	if (!(cond)) { \
		check_failures++; \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *check_g_ = (got), *check_w_ = (want); \
	check_count++; \
	if ((check_g_ == NULL) != (check_w_ == NULL) || \
	    (check_g_ && strcmp(check_g_, check_w_) != 0)) { \
		check_failures++; \
		fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, \
			__LINE__, #got, check_g_ ? check_g_ : "(null)", \
			check_w_ ? check_w_ : "(null)"); \
	} \
} while (0)

#define CHECK_INT(got, want) do { \
	long long check_g_ = (long long)(got), check_w_ = (long long)(want); \
	check_count++; \
	if (check_g_ != check_w_) { \
		check_failures++; \
		fprintf(stderr, "%s:%d: %s is %lld, expected %lld\n", __FILE__, \
			__LINE__, #got, check_g_, check_w_); \
	} \
} while (0)

/* Checks that haystack contains needle (error messages). */
#define CHECK_CONTAINS(haystack, needle) do { \
	const char *check_h_ = (haystack), *check_n_ = (needle); \
	check_count++; \
	if (check_h_ == NULL || strstr(check_h_, check_n_) == NULL) { \
		check_failures++; \
		fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, \
			__LINE__, check_h_ ? check_h_ : "(null)", check_n_); \
	} \
} while (0)

static inline int
check_exit(void)
{
	fprintf(stderr, "%d checks, %d failed\n", check_count, check_failures);
	return check_failures ? 1 : 0;
}

#endif
