/*
 * Fan-out through libdeployhook: triggers every hook given with one deployhook_trigger_many() call, at
 * most CONCURRENCY at once ("default": the library's default, 8), then checks that each one succeeded (a queued
 * build). Prints how many succeeded, the seconds the call took and the CPU seconds (user + system) the process
 * spent in it; exits 1 unless all did.
 *
 * Usage: fanout_deployhook BASE_URL CONCURRENCY HOOK...        (built and run by benchmarks/run.py)
 *        fanout_deployhook BASE_URL CONCURRENCY --count N      (N distinct made-up hooks, for the scaling run)
 */
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deployhook.h"

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s BASE_URL CONCURRENCY HOOK...\n", argv[0]);
        return 2;
    }
    size_t n = (size_t)(argc - 3);
    const char *const *hooks = (const char *const *)(argv + 3);
    char **made = NULL;
    if (strcmp(argv[3], "--count") == 0 && argc == 5) {
        n = (size_t)strtoul(argv[4], NULL, 10) % 1000000000u;
        made = calloc(n, sizeof *made);
        for (size_t i = 0; made != NULL && i < n; i++) {
            made[i] = malloc(37);
            if (made[i] != NULL) snprintf(made[i], 37, "00000000-0000-4000-8000-%012u", (unsigned)(i % 1000000000u));
        }
        hooks = (const char *const *)made;
    }
    deployhook_options *options = deployhook_options_new();
    deployhook_result **results = calloc(n, sizeof *results);
    if (options == NULL || results == NULL ||
        deployhook_options_set_base_url(options, argv[1]) != DEPLOYHOOK_OK ||
        (strcmp(argv[2], "default") != 0 &&
         deployhook_options_set_max_concurrency(options, atoi(argv[2])) != DEPLOYHOOK_OK)) {
        fprintf(stderr, "fanout_deployhook: bad options\n");
        return 2;
    }
    struct timespec start, end;
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    clock_gettime(CLOCK_MONOTONIC, &start);
    int called = deployhook_trigger_many(hooks, n, options, results);
    clock_gettime(CLOCK_MONOTONIC, &end);
    getrusage(RUSAGE_SELF, &after);
    size_t succeeded = 0;
    for (size_t i = 0; called == DEPLOYHOOK_OK && i < n; i++) {
        if (results[i] != NULL && deployhook_error_code(results[i]) == DEPLOYHOOK_OK &&
            deployhook_build_status(results[i]) == DEPLOYHOOK_STATUS_QUEUED) {
            succeeded++;
        } else if (results[i] != NULL) {
            fprintf(stderr, "fanout_deployhook: hook %zu: %s\n", i,
                    deployhook_error_name(deployhook_error_code(results[i])));
        }
        deployhook_free_result(results[i]);
    }
    free(results);
    for (size_t i = 0; made != NULL && i < n; i++) free(made[i]);
    free(made);
    deployhook_options_free(options);
    double cpu = (double)(after.ru_utime.tv_sec - before.ru_utime.tv_sec + after.ru_stime.tv_sec - before.ru_stime.tv_sec)
                 + (double)(after.ru_utime.tv_usec - before.ru_utime.tv_usec + after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1e6;
    printf("%zu %.6f %.6f\n", succeeded,
           (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9, cpu);
    return succeeded == n ? 0 : 1;
}
