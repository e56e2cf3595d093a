/*
 * Fan-out through libdeployhook: triggers every hook given with one deployhook_trigger_many() call, at
 * most CONCURRENCY at once ("default": the library's default, 8), then checks that each one succeeded (a queued build). Prints how many
 * succeeded and the seconds the call took; exits 1 unless all did.
 *
 * Usage: fanout_deployhook BASE_URL CONCURRENCY HOOK...      (built and run by benchmarks/run.py)
 */
#include <stdio.h>
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
    clock_gettime(CLOCK_MONOTONIC, &start);
    int called = deployhook_trigger_many(hooks, n, options, results);
    clock_gettime(CLOCK_MONOTONIC, &end);
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
    deployhook_options_free(options);
    printf("%zu %.6f\n", succeeded, (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9);
    return succeeded == n ? 0 : 1;
}
