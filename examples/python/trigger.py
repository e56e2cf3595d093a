#!/usr/bin/env python3
"""Trigger a Cloudflare Workers Builds deploy hook, and optionally follow the build until it stops.

Usage: trigger.py [--wait] [--logs] [HOOK]

HOOK is the deploy hook's UUID or its full trigger URL. Without the argument it is read from
CLOUDFLARE_DEPLOY_HOOK, which is better: an argument shows in `ps` to every user of the machine.
CLOUDFLARE_BASE_URL, when set, replaces https://api.cloudflare.com/client/v4.

  --wait   wait for the build to stop, printing each status it goes through. Needs an API token with
           Workers Builds permissions in CLOUDFLARE_API_TOKEN and the account in CLOUDFLARE_ACCOUNT_ID.
  --logs   also print the build's log lines as they come (implies --wait).

Exit status: 0 when a build was started or one was already pending (with --wait: when it succeeded);
20 with --wait when the build stopped without succeeding (fail, skipped, cancelled, terminated);
otherwise the deployhook.ErrorCode of the failure: 1 bad hook, usage or missing token/account, 2 no such
hook (or build), 3 rate limited, 4 Cloudflare error (e.g. a wrong token), 5 HTTP error, 6 network,
7 timeout, 8 TLS, 9 malformed response, 10 internal error, 11 the build did not stop within 25 minutes.

Run it from the repository (after `swift build -c release`):
    CLOUDFLARE_DEPLOY_HOOK=<uuid> PYTHONPATH=bindings/python python3 examples/python/trigger.py
or against the emulator (`PYTHONPATH=bindings/python python3 -m deployhook.emulator`, whose demo hook is
00000000-0000-4000-8000-000000000000 and whose token is emulator-token) with --wait --logs.
"""

from __future__ import annotations

import os
import sys

import deployhook

BUILD_DID_NOT_SUCCEED = 20
"""The exit status when the build stopped with another outcome than success (beyond every ErrorCode)."""


def main(argv: list[str]) -> int:
    """Triggers the hook, follows the build if asked, and reports; returns the exit status."""
    if "-h" in argv[1:] or "--help" in argv[1:]:
        print(__doc__)
        return 0
    logs = "--logs" in argv[1:]
    wait = logs or "--wait" in argv[1:]
    arguments = [argument for argument in argv[1:] if argument not in ("--wait", "--logs")]
    if len(arguments) > 1 or any(argument.startswith("--") for argument in arguments):
        print("usage: trigger.py [--wait] [--logs] [HOOK] (see --help)", file=sys.stderr)
        return deployhook.ErrorCode.INVALID_ARGUMENT
    hook = arguments[0] if arguments else os.environ.get("CLOUDFLARE_DEPLOY_HOOK", "")
    if not hook:
        print("trigger.py: no hook: set CLOUDFLARE_DEPLOY_HOOK or pass it as the argument (see --help)",
              file=sys.stderr)
        return deployhook.ErrorCode.INVALID_ARGUMENT
    try:
        build = deployhook.trigger(
            hook, wait=wait,
            on_status=(lambda update: print(f"status {update.status.value}", flush=True)) if wait else None,
            on_log=(lambda line: print(f"| {line}", flush=True)) if logs else None,
        )
    except deployhook.DeployHookError as error:  # the message already names the HTTP status and API code
        print(f"trigger.py: {error}" + (f" [cf-ray {error.cf_ray}]" if error.cf_ray else ""), file=sys.stderr)
        return error.code
    pending = " (a build was already pending: no new one was started)" if build.already_exists else ""
    ended = f", {build.outcome.value}" if build.outcome is not None else ""
    print(f"build {build.build_uuid or '(no id given)'}: {build.status.value}{ended}{pending}")
    if build.created_on is not None:
        print(f"created {build.created_on.isoformat()}")
    if build.stopped_on is not None:
        print(f"stopped {build.stopped_on.isoformat()}")
    if build.preview_url is not None:
        print(f"preview {build.preview_url}")
    if build.cf_ray is not None:
        print(f"cf-ray {build.cf_ray}")
    if wait and build.outcome is not deployhook.BuildOutcome.SUCCESS:
        return BUILD_DID_NOT_SUCCEED
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
