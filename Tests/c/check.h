/*
 * check.h: the assertion kit of the C test programs. Every check is counted (thread-safely), a failed
 * one prints file:line, the current test case and what differed, and check_summary() prints the
 * closing "N passed, N failed" line. A few string and clock helpers the checks need come with it.
 */
#ifndef DEPLOYHOOK_TEST_CHECK_H
#define DEPLOYHOOK_TEST_CHECK_H

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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
/* Each operand is evaluated once, so a check may call a function with side effects. */
static inline int check_int_(const char *file, int line, const char *expr, long got, long want)
{
    return check_(got == want, file, line, "%s == %ld, expected %ld", expr, got, want);
}

static inline int check_str_(const char *file, int line, const char *expr, const char *got, const char *want)
{
    int ok = (got == NULL || want == NULL) ? got == want : strcmp(got, want) == 0;
    return check_(ok, file, line, "%s == \"%s\", expected \"%s\"", expr, got ? got : "(null)", want ? want : "(null)");
}

/* Checks report the line given, so helpers can report their caller's line. */
#define CHECK_AT(file, line, cond) check_(!!(cond), file, line, "%s", #cond)
#define CHECK_INT_AT(file, line, got, want) check_int_(file, line, #got, (long)(got), (long)(want))
#define CHECK_STR_AT(file, line, got, want) check_str_(file, line, #got, got, want)
#define CHECK(cond) CHECK_AT(__FILE__, __LINE__, cond)
#define CHECK_INT(got, want) CHECK_INT_AT(__FILE__, __LINE__, got, want)
#define CHECK_STR(got, want) CHECK_STR_AT(__FILE__, __LINE__, got, want)

/* ---- small helpers the checks use ---- */

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int starts_with(const char *s, const char *prefix)
{
    return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

static inline int ends_with(const char *s, const char *suffix)
{
    size_t n, m;
    if (s == NULL)
        return 0;
    n = strlen(s);
    m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Case-insensitive substring search (ASCII). */
static inline int contains_ci(const char *hay, const char *needle)
{
    size_t i, j, n = strlen(needle);
    for (i = 0; hay[i] != '\0'; i++) {
        for (j = 0; j < n; j++) {
            char a = hay[i + j], b = needle[j];
            if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
            if (b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
            if (a == '\0' || a != b)
                break;
        }
        if (j == n)
            return 1;
    }
    return 0;
}

/* Prints "N passed, N failed" and returns the exit status: 0 when nothing failed. */
static inline int check_summary(void)
{
    printf("%d passed, %d failed\n", n_checks - n_failed, n_failed);
    return n_failed == 0 ? 0 : 1;
}

#endif
