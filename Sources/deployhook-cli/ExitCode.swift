import DeployHook

/// The CLI's exit statuses: stable, documented in `--help` and the README. With several hooks the
/// highest one wins.
enum ExitCode: Int32, Comparable {
    /// Every hook triggered (and, with `--wait`, every build succeeded).
    case success = 0
    /// Something unexpected inside deployhook.
    case internalError = 1
    /// A usage error or an invalid hook; nothing was sent.
    case usage = 2
    /// A hook or build does not exist.
    case notFound = 3
    /// Rate limited, after retries.
    case rateLimited = 4
    /// Network, timeout or TLS failure.
    case network = 5
    /// Cloudflare API error, unexpected HTTP answer or malformed response.
    case api = 6
    /// With `--wait`: the build finished without success.
    case buildFailed = 7
    /// With `--wait`: the build did not stop before `--wait-timeout`.
    case waitTimedOut = 8
    /// An output the CLI was asked to write (standard output, `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`)
    /// could not be written, e.g. a closed pipe or a full disk. The highest status, so it always wins.
    case outputFailed = 9

    /// The exit status for an error kind.
    init(_ kind: DeployHookError.Kind) {
        switch kind {
        case .invalidArgument: self = .usage
        case .notFound: self = .notFound
        case .rateLimited: self = .rateLimited
        case .network, .timeout, .tls: self = .network
        case .api, .http, .response: self = .api
        case .waitTimeout: self = .waitTimedOut
        case .internal: self = .internalError
        case .cancelled: self = .internalError  // until the CLI's own signal handling lands: 130 / 143
        case .noCredentials: self = .usage
        }
    }

    static func < (lhs: ExitCode, rhs: ExitCode) -> Bool { lhs.rawValue < rhs.rawValue }
}
