#!/usr/bin/env python3
"""Trigger a Cloudflare Workers Builds deploy hook.

Usage: trigger.py [HOOK]

HOOK is the deploy hook's UUID or its full trigger URL. Without the argument it is read from
CLOUDFLARE_DEPLOY_HOOK, which is better: an argument shows in `ps` to every user of the machine.
CLOUDFLARE_BASE_URL, when set, replaces https://api.cloudflare.com/client/v4.

Exit status: 0 when a build was started or one was already pending; otherwise the deployhook.ErrorCode
of the failure: 1 bad hook or usage, 2 no such hook, 3 rate limited, 4 Cloudflare error, 5 HTTP error,
6 network, 7 timeout, 8 TLS, 9 malformed response, 10 internal error.

Run it from the repository (after `swift build -c release`):
    CLOUDFLARE_DEPLOY_HOOK=<uuid> PYTHONPATH=bindings/python python3 examples/python/trigger.py
"""

from __future__ import annotations

import os
import sys

import deployhook


def main(argv: list[str]) -> int:
    """Triggers the hook and reports the build; returns the exit status."""
    if argv[1:] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    if len(argv) > 2:
        print("usage: trigger.py [HOOK] (see --help)", file=sys.stderr)
        return deployhook.ErrorCode.INVALID_ARGUMENT
    hook = argv[1] if len(argv) == 2 else os.environ.get("CLOUDFLARE_DEPLOY_HOOK", "")
    if not hook:
        print("trigger.py: no hook: set CLOUDFLARE_DEPLOY_HOOK or pass it as the argument (see --help)",
              file=sys.stderr)
        return deployhook.ErrorCode.INVALID_ARGUMENT
    try:
        build = deployhook.trigger(hook)
    except deployhook.DeployHookError as error:  # the message already names the HTTP status and API code
        print(f"trigger.py: {error}" + (f" [cf-ray {error.cf_ray}]" if error.cf_ray else ""), file=sys.stderr)
        return error.code
    pending = " (a build was already pending: no new one was started)" if build.already_exists else ""
    print(f"build {build.build_uuid or '(no id given)'}: {build.status.value}{pending}")
    if build.created_on is not None:
        print(f"created {build.created_on.isoformat()}")
    if build.cf_ray is not None:
        print(f"cf-ray {build.cf_ray}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
