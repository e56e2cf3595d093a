import DeployHook

/// The CLI's exit statuses: stable, documented in `--help` and the README. With several hooks the
/// highest one wins; an output that could not be written (9) beats them all, and a signal (130, 143)
/// beats everything (see `Signals`).
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
    /// could not be written, e.g. a closed pipe or a full disk. It beats every hook's status.
    case outputFailed = 9
    /// `cancel`: the build had already stopped; nothing was cancelled.
    case alreadyStopped = 10
    /// With `--wait --cancel-on-timeout`: a build did not stop before `--wait-timeout` and was cancelled.
    case cancelledOnTimeout = 11

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
        case .cancelled: self = .internalError  // only a signal interrupts the CLI, and its status (130, 143) wins
        case .noCredentials: self = .usage
        }
    }

    static func < (lhs: ExitCode, rhs: ExitCode) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The status of a run whose hooks ended with `hooks` and whose outputs were all written or not.
    static func combining(_ hooks: [ExitCode], outputsWritten: Bool) -> ExitCode {
        outputsWritten ? hooks.max() ?? .success : .outputFailed
    }
}
