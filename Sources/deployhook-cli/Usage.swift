import DeployHook

/// The text of `deployhook-cli --help`.
enum Usage {
    /// The text's lines, as `Terminal` prints them (each line on its own: it takes no line breaks).
    static var lines: [String] { text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    static let text = """
    deployhook-cli \(DeployHookVersion.string): trigger Cloudflare Workers Builds deploy hooks, and follow the builds.

    USAGE
      deployhook-cli trigger [OPTIONS] [HOOK ...]
      deployhook-cli cancel [OPTIONS] BUILD_UUID ...
      deployhook-cli --version | --help

    HOOK is a deploy hook UUID or its full trigger URL. "-" reads hooks from standard input, one a line
    (blank lines, lines starting with # and a byte-order mark opening the list are skipped).
    With no HOOK, the hook is read from CLOUDFLARE_DEPLOY_HOOK: prefer that, since arguments are visible
    to every user of the machine (ps). Several hooks are triggered concurrently over shared connections.
    Hooks are never printed: output names them by their first four hex digits (182b...).

    OPTIONS
      --base-url URL          API base (default: CLOUDFLARE_BASE_URL, else https://api.cloudflare.com/client/v4)
      --timeout DURATION      deadline of each trigger, retries included (default 60s)
      --connect-timeout DURATION
                              limit on each connection attempt (default 5s)
      --retries N             retries of a failed attempt, 0-100 (default 2)
      --concurrency N         hooks triggered (and builds followed) at once, 1-256 (default 8)
      --ca-file PATH          PEM CA bundle to trust instead of the system's
      --wait                  wait for each build to stop and report its outcome
      --wait-timeout DURATION give up waiting after this long (default 25m)
      --cancel-on-timeout     cancel a build still running when --wait-timeout ends (implies --wait)
      --logs                  stream the build logs to stderr while waiting (implies --wait)
      --account-id ID         account of the builds (default: CLOUDFLARE_ACCOUNT_ID)
      --json                  print one JSON object per hook (JSON Lines), in input order
      -q, --quiet             print nothing but errors
      -v, --verbose           print every HTTP attempt to stderr (method, redacted URL, status, cf-ray, retry wait)
      --version               print the version
      -h, --help              print this help
    DURATION is seconds (30, 1.5) or a number with ms, s, m or h (500ms, 2m).
    Waiting and cancelling need an API token with Workers Builds permission in CLOUDFLARE_API_TOKEN (never
    as an argument) and the account ID (--account-id or CLOUDFLARE_ACCOUNT_ID). No colour is ever printed, and
    a control character a server sent prints as U+FFFD.

    EXIT STATUS
      0  success (with --wait: every build succeeded)
      2  usage error or invalid hook (nothing was sent)
      3  hook or build not found
      4  rate limited (after retries)
      5  network, timeout or TLS failure
      6  Cloudflare API error, unexpected HTTP answer or malformed response
      7  --wait: a build finished without success (fail, skipped, cancelled, terminated)
      8  --wait: a build did not stop before --wait-timeout
      9  an output could not be written (standard output, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY); the
         CLI still finished its work and wrote every output it could
     10  cancel: the build had already stopped, nothing was cancelled (its outcome is printed)
     11  --cancel-on-timeout: a build did not stop before --wait-timeout and was cancelled
      1  internal error
    130  SIGINT (Ctrl-C), 143 SIGTERM: requests in flight were stopped at once; what was known (each
         build triggered) was still printed and the GitHub files written
    With several hooks, the highest status wins; 9 beats every hook's status, and a signal beats all.

    GITHUB ACTIONS
      When GITHUB_OUTPUT is set, appends build_uuid=, status= (and outcome=, branch=, commit= with --wait); with several
      hooks each value is a space-separated list in input order. When GITHUB_STEP_SUMMARY is set, appends
      a Markdown table. Neither ever holds a hook or a token.

    EXAMPLES
      CLOUDFLARE_DEPLOY_HOOK=... deployhook-cli trigger
      deployhook-cli trigger --wait --logs < hooks.txt -          # hooks from a file, follow each build
      deployhook-cli trigger --json "$HOOK_A" "$HOOK_B" | jq .status
      CLOUDFLARE_BASE_URL=http://127.0.0.1:8787/client/v4 deployhook-cli trigger --wait   # the local emulator
    """
}
