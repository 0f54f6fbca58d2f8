/* A tiny unit-test harness: each test file defines test functions, lists them
 * in main with T_RUN, and prints one TAP line per test ("ok N - name" or
 * "not ok N - name"); tests/run.sh counts them. */
#ifndef DROVER_TESTS_T_H
#define DROVER_TESTS_T_H

#include <stdio.h>
#include <string.h>

static int t_failed_checks;
static int t_count;
static int t_failures;

#define T_CHECK(cond)                                                                        \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stdout, "#   %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			t_failed_checks++;                                                   \
		}                                                                            \
	} while (0)

#define T_EQ_INT(a, b)                                                                       \
	do {                                                                                 \
		long long t_a_ = (long long)(a), t_b_ = (long long)(b);                      \
		if (t_a_ != t_b_) {                                                          \
			fprintf(stdout, "#   %s:%d: %s == %lld, expected %lld\n", __FILE__,      \
			        __LINE__, #a, t_a_, t_b_);                                   \
			t_failed_checks++;                                                   \
		}                                                                            \
	} while (0)

#define T_EQ_STR(a, b)                                                                       \
	do {                                                                                 \
		const char *t_a_ = (a), *t_b_ = (b);                                         \
		if (t_a_ == NULL || t_b_ == NULL || strcmp(t_a_, t_b_) != 0) {               \
			fprintf(stdout, "#   %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__,  \
			        __LINE__, #a, t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)"); \
			t_failed_checks++;                                                   \
		}                                                                            \
	} while (0)

#define T_RUN(fn)                                                                            \
	do {                                                                                 \
		int t_before_ = t_failed_checks;                                             \
		fn();                                                                        \
		t_count++;                                                                   \
		if (t_failed_checks != t_before_) {                                          \
			t_failures++;                                                        \
			printf("not ok %d - %s\n", t_count, #fn);                            \
		} else {                                                                     \
			printf("ok %d - %s\n", t_count, #fn);                                \
		}                                                                            \
		fflush(stdout);                                                              \
	} while (0)

#define T_DONE() (printf("1..%d\n", t_count), t_failures ? 1 : 0)

#endif
