/*
 * Steady state through libdeployhook: one options object (the API base set), one untimed warm-up
 * trigger, then COUNT sequential deployhook_trigger_with() calls, each checked for success (a queued
 * build) and freed. Prints the seconds the COUNT triggers took (CLOCK_MONOTONIC).
 *
 * Usage: steady_deployhook BASE_URL HOOK COUNT      (built and run by benchmarks/run.py)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "deployhook.h"

static int trigger_once(const char *hook, const deployhook_options *options) {
    deployhook_result *result = deployhook_trigger_with(hook, options);
    int ok = result != NULL && deployhook_error_code(result) == DEPLOYHOOK_OK &&
             deployhook_build_status(result) == DEPLOYHOOK_STATUS_QUEUED;
    if (!ok) {
        fprintf(stderr, "steady_deployhook: trigger failed: %s\n",
                result ? deployhook_error_name(deployhook_error_code(result)) : "out of memory");
    }
    deployhook_free_result(result);
    return ok;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s BASE_URL HOOK COUNT\n", argv[0]);
        return 2;
    }
    const char *hook = argv[2];
    long count = strtol(argv[3], NULL, 10);
    deployhook_options *options = deployhook_options_new();
    if (options == NULL || deployhook_options_set_base_url(options, argv[1]) != DEPLOYHOOK_OK) {
        fprintf(stderr, "steady_deployhook: bad options\n");
        return 2;
    }
    if (!trigger_once(hook, options)) { /* warm-up: one-time initialisation, first connection */
        return 1;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long i = 0; i < count; i++) {
        if (!trigger_once(hook, options)) {
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    deployhook_options_free(options);
    printf("%.6f\n", (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9);
    return 0;
}
