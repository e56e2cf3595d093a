/*
 * trigger: trigger a Cloudflare Workers Builds deploy hook from C.
 *
 *   CLOUDFLARE_DEPLOY_HOOK=<uuid or trigger URL> ./trigger     (preferred: argv is visible to other users)
 *   ./trigger <uuid or trigger URL>
 *
 * CLOUDFLARE_BASE_URL points it at another API base (e.g. a local fake). Exit status: 0 on success,
 * otherwise the library's error code (1 invalid hook, 2 not found, 3 rate limited, ...).
 */
#include <stdio.h>
#include <stdlib.h>

#include "deployhook.h"

int main(int argc, char **argv) {
    const char *hook = argc > 1 ? argv[1] : getenv("CLOUDFLARE_DEPLOY_HOOK");
    if (hook == NULL || argc > 2) {
        fprintf(stderr, "usage: %s [HOOK]   (or set CLOUDFLARE_DEPLOY_HOOK)\n", argv[0]);
        return 64;
    }

    deployhook_result *result = deployhook_trigger(hook);
    if (result == NULL) {
        fprintf(stderr, "trigger: out of memory\n");
        return 70;
    }

    int code = deployhook_error_code(result);
    if (code == DEPLOYHOOK_OK) {
        const char *build = deployhook_build_uuid(result);
        printf("build %s %s%s\n", build ? build : "(no uuid)",
               deployhook_status_name(deployhook_build_status(result)),
               deployhook_already_exists(result) == 1 ? " (already queued)" : "");
    } else {
        const char *ray = deployhook_cf_ray(result);
        fprintf(stderr, "trigger: %s: %s%s%s\n", deployhook_error_name(code), deployhook_error_message(result),
                ray ? " cf-ray " : "", ray ? ray : "");
    }
    deployhook_free_result(result);
    return code;
}
