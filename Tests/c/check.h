/*
 * check.h: the assertion kit of the C test programs. Every check is counted (thread-safely), a failed
 * one prints file:line, the current test case and what differed, and check_summary() prints the
 * closing "N passed, N failed" line.
 */
#ifndef DEPLOYHOOK_TEST_CHECK_H
#define DEPLOYHOOK_TEST_CHECK_H

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int n_checks, n_failed;
static pthread_mutex_t check_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t case_key;  /* each thread's current test case */
static pthread_once_t case_key_once = PTHREAD_ONCE_INIT;
static const char *last_case_ = "";  /* the case begun last by any thread, for a watchdog (atomic) */

static inline void make_case_key_(void) { pthread_key_create(&case_key, NULL); }

/* Names the test case the calling thread is in, for failure messages. */
static inline void set_case(const char *name)
{
    pthread_once(&case_key_once, make_case_key_);
    pthread_setspecific(case_key, name);
    __atomic_store_n(&last_case_, name, __ATOMIC_RELAXED);
}

/* The case begun last by any thread; safe in a signal handler. */
static inline const char *last_case(void) { return __atomic_load_n(&last_case_, __ATOMIC_RELAXED); }

static inline void report_(const char *file, int line, const char *what, const char *fmt, va_list ap)
{
    const char *name;
    pthread_once(&case_key_once, make_case_key_);
    name = pthread_getspecific(case_key);
    fprintf(stderr, "%s:%d: [%s] %s: ", file, line, name ? name : "", what);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

/* Counts one check; prints it when it failed. Returns ok. */
static inline int check_(int ok, const char *file, int line, const char *fmt, ...)
{
    pthread_mutex_lock(&check_lock);
    n_checks++;
    if (!ok) {
        va_list ap;
        n_failed++;
        va_start(ap, fmt);
        report_(file, line, "FAILED", fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&check_lock);
    return ok;
}

/* Prints a detail of a failure without counting a check (the caller counts one). Returns ok. */
static inline int note_(int ok, const char *file, int line, const char *fmt, ...)
{
    if (!ok) {
        va_list ap;
        pthread_mutex_lock(&check_lock);
        va_start(ap, fmt);
        report_(file, line, "detail", fmt, ap);
        va_end(ap);
        pthread_mutex_unlock(&check_lock);
    }
    return ok;
}

/* Exact string check; want == NULL expects NULL. */
static inline int check_str_(const char *file, int line, const char *expr, const char *got, const char *want)
{
    int ok = (got == NULL || want == NULL) ? got == want : strcmp(got, want) == 0;
    return check_(ok, file, line, "%s == \"%s\", expected \"%s\"", expr, got ? got : "(null)", want ? want : "(null)");
}

/* Checks report the line given, so helpers can report their caller's line. */
#define CHECK_AT(file, line, cond) check_(!!(cond), file, line, "%s", #cond)
#define CHECK_INT_AT(file, line, got, want)                                    \
    check_((long)(got) == (long)(want), file, line, "%s == %ld, expected %ld", \
           #got, (long)(got), (long)(want))
#define CHECK_STR_AT(file, line, got, want) check_str_(file, line, #got, got, want)
#define CHECK(cond) CHECK_AT(__FILE__, __LINE__, cond)
#define CHECK_INT(got, want) CHECK_INT_AT(__FILE__, __LINE__, got, want)
#define CHECK_STR(got, want) CHECK_STR_AT(__FILE__, __LINE__, got, want)

/* Prints "N passed, N failed" and returns the exit status: 0 when nothing failed. */
static inline int check_summary(void)
{
    printf("%d passed, %d failed\n", n_checks - n_failed, n_failed);
    return n_failed == 0 ? 0 : 1;
}

#endif
