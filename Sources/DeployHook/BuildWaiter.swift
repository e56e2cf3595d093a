/// Something that happened while waiting for a build.
public enum BuildEvent: Sendable, Equatable {
    /// The build's status changed (the first poll always reports).
    case status(BuildDetails)
    /// A new line in the build's log (only when following logs).
    case log(BuildLogLine)
}

extension DeployHookClient {
    /// The first gap between polls; each gap grows by half, up to ``maxPollGap``.
    public static let firstPollGap = Duration.seconds(2)
    /// The longest gap between polls.
    public static let maxPollGap = Duration.seconds(15)

    /// Polls the build until it has stopped, reporting each status change (and, with `followLogs`, each
    /// new log line) to `onEvent` on the calling thread. Passing errors (network, timeouts, rate limits,
    /// 5xx) only delay the next poll; others end the wait. Gives up with ``DeployHookError/Kind/waitTimeout``
    /// after ``Configuration/waitTimeout``. Returns the stopped build; its `outcome` says how it ended.
    public func waitBlocking(forBuild buildUUID: String, followLogs: Bool = false,
                             onEvent: (BuildEvent) -> Void = { _ in }) throws(DeployHookError) -> BuildDetails {
        let build = try BuildReference(buildUUID, self)
        let deadline = timing.now().advanced(by: configuration.waitTimeout)
        var gap = Self.firstPollGap
        var lastStatus: BuildStatus?
        var cursor: String?
        var lastProblem = ""
        var lastResponse: APIResponse?
        while true {
            let remaining = timing.now().duration(to: deadline)
            guard remaining > .zero else {
                throw DeployHookError(.waitTimeout, "gave up waiting for build \(build.uuid) after \(configuration.waitTimeout)" +
                                      (lastStatus.map { " (last status: \($0.rawValue))" } ?? "") + lastProblem,
                                      response: lastResponse)
            }
            var wait = gap
            do throws(DeployHookError) {
                let details = try buildDetails(build, timeout: min(configuration.timeout, remaining))
                lastResponse = details.response
                let stopped = details.status == .stopped
                // A build's last lines come before the news that it stopped.
                if followLogs && stopped { cursor = try drainLogs(build, after: cursor, remaining: remaining, onEvent: onEvent) }
                if details.status != lastStatus {
                    lastStatus = details.status
                    onEvent(.status(details))
                }
                if followLogs && !stopped { cursor = try drainLogs(build, after: cursor, remaining: remaining, onEvent: onEvent) }
                if stopped { return details }
                lastProblem = ""
            } catch where Self.isPassing(error) {
                lastProblem = "; last error: \(error.message)"
                lastResponse = error.response ?? lastResponse
                if let asked = error.response?.retryAfter, asked > wait { wait = asked }
            }
            timing.sleep(for: min(wait, timing.now().duration(to: deadline)))
            gap = min(gap * 1.5, Self.maxPollGap)
        }
    }

    /// Like ``waitBlocking(forBuild:followLogs:onEvent:)``, on a thread of its own.
    public func wait(forBuild buildUUID: String, followLogs: Bool = false,
                     onEvent: @escaping @Sendable (BuildEvent) -> Void = { _ in }) async throws(DeployHookError) -> BuildDetails {
        try await runOnOwnThread { () -> Result<BuildDetails, DeployHookError> in
            do throws(DeployHookError) {
                return .success(try waitBlocking(forBuild: buildUUID, followLogs: followLogs, onEvent: onEvent))
            } catch {
                return .failure(error)
            }
        }.get()
    }

    /// Reports every log line after `cursor` (following truncated pages, at most 100); returns the new cursor.
    private func drainLogs(_ build: BuildReference, after cursor: String?, remaining: Duration,
                           onEvent: (BuildEvent) -> Void) throws(DeployHookError) -> String? {
        var cursor = cursor
        for _ in 0..<100 {
            let page = try buildLogs(build, after: cursor, timeout: min(configuration.timeout, remaining))
            page.lines.forEach { onEvent(.log($0)) }
            cursor = page.cursor ?? cursor
            if !page.truncated || page.lines.isEmpty { break }
        }
        return cursor
    }

    /// Errors that say nothing about the build itself: worth another poll.
    static func isPassing(_ error: DeployHookError) -> Bool {
        switch error.kind {
        case .network, .timeout, .rateLimited: true
        case .http, .api: (error.response?.statusCode ?? 0) >= 500 || error.response?.statusCode == 408
        default: false
        }
    }
}
