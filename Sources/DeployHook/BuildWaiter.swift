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
    /// The most log pages read in one poll.
    static let maxLogPagesPerPoll = 100

    /// Polls the build until it has stopped, reporting each status change (and, with `followLogs`, each
    /// new log line, never one twice) to `onEvent` on the calling thread. Passing errors (network, timeouts,
    /// rate limits, 5xx) only delay the next poll; others end the wait. ``Configuration/waitTimeout`` is a
    /// hard deadline for the whole wait, every request and log page included: past it the wait throws
    /// ``DeployHookError/Kind/waitTimeout``. An interrupt (``interrupter``, also from inside `onEvent`)
    /// ends it with ``DeployHookError/Kind/cancelled``. `secretHooks` (the hooks that started the build)
    /// are scrubbed from everything reported, log lines included. Returns the stopped build; its `outcome`
    /// says how it ended.
    public func waitBlocking(forBuild buildUUID: String, followLogs: Bool = false, secretHooks: [DeployHookID] = [],
                             onEvent: (BuildEvent) -> Void = { _ in }) throws(DeployHookError) -> BuildDetails {
        let ticket = interrupter.begin()
        defer { ticket.finish() }
        return try waitBlocking(forBuild: buildUUID, followLogs: followLogs, secretHooks: secretHooks, ticket: ticket, onEvent: onEvent)
    }

    /// Triggers `hook`, then waits for the build it started (or found pending) as
    /// ``waitBlocking(forBuild:followLogs:secretHooks:onEvent:)`` does, as one call: an interrupt ends
    /// either part. The credentials are checked before anything is sent. Returns the trigger's result
    /// when it succeeded (nil otherwise) and the wait's outcome or the error that ended the call.
    public func triggerAndWaitBlocking(_ hook: String, followLogs: Bool = false, onEvent: (BuildEvent) -> Void = { _ in })
        -> (triggered: TriggerResult?, outcome: Result<BuildDetails, DeployHookError>) {
        let ticket = interrupter.begin()
        defer { ticket.finish() }
        var triggered: TriggerResult?
        do throws(DeployHookError) {
            try validateWaitCredentials()  // a build nobody can follow helps no one: check before sending
            let id = try validate(hook: hook)
            let result = try trigger(hook, ticket: ticket)
            triggered = result
            guard let uuid = result.build.buildUUID else {
                throw DeployHookError(.response, "the trigger's answer names no build to wait for", response: result.response)
            }
            return (triggered, .success(try waitBlocking(forBuild: uuid, followLogs: followLogs, secretHooks: [id],
                                                         ticket: ticket, onEvent: onEvent)))
        } catch {
            return (triggered, .failure(error))
        }
    }

    /// Like ``waitBlocking(forBuild:followLogs:secretHooks:onEvent:)``, on a thread of its own; cancelling the
    /// task interrupts it.
    public func wait(forBuild buildUUID: String, followLogs: Bool = false, secretHooks: [DeployHookID] = [],
                     onEvent: @escaping @Sendable (BuildEvent) -> Void = { _ in }) async throws(DeployHookError) -> BuildDetails {
        try await interruptibleOnOwnThread { client -> Result<BuildDetails, DeployHookError> in
            do throws(DeployHookError) {
                return .success(try client.waitBlocking(forBuild: buildUUID, followLogs: followLogs, secretHooks: secretHooks,
                                                        onEvent: onEvent))
            } catch {
                return .failure(error)
            }
        }.get()
    }

    private func waitBlocking(forBuild buildUUID: String, followLogs: Bool, secretHooks: [DeployHookID],
                              ticket: Interrupter.Ticket, onEvent: (BuildEvent) -> Void) throws(DeployHookError) -> BuildDetails {
        let build = try BuildReference(buildUUID, self, secretHooks: secretHooks)
        let deadline = timing.now().advanced(by: configuration.waitTimeout)
        /// The time each request may take: the client's timeout, within what is left of the wait.
        func requestTimeout() throws(DeployHookError) -> Duration {
            let remaining = timing.now().duration(to: deadline)
            guard remaining > .zero else { throw DeployHookError(.waitTimeout, "") }
            return min(configuration.timeout, remaining)
        }
        func report(_ event: BuildEvent) throws(DeployHookError) {
            onEvent(event)
            if ticket.isInterrupted { throw DeployHookError(.cancelled, "the call was interrupted") }
        }
        var logs = LogFollower()
        var gap = Self.firstPollGap
        var lastStatus: BuildStatus?
        var lastProblem = ""
        var lastResponse: APIResponse?
        while true {
            var wait = gap
            do throws(DeployHookError) {
                let details = try buildDetails(build, timeout: try requestTimeout(), ticket: ticket)
                lastResponse = details.response
                let stopped = details.status == .stopped
                // A build's last lines come before the news that it stopped.
                if followLogs && stopped { try logs.readNewLines(of: build, self, requestTimeout, ticket, report) }
                if details.status != lastStatus {
                    lastStatus = details.status
                    try report(.status(details))
                }
                if followLogs && !stopped { try logs.readNewLines(of: build, self, requestTimeout, ticket, report) }
                if stopped { return details }
                lastProblem = ""
            } catch where error.kind == .waitTimeout {
                break
            } catch where Self.isPassing(error) {
                lastProblem = "; last error: \(error.message)"
                lastResponse = error.response ?? lastResponse
                if let asked = error.response?.retryAfter, asked > wait { wait = asked }
            }
            if ticket.isInterrupted { throw DeployHookError(.cancelled, "the call was interrupted") }
            let remaining = timing.now().duration(to: deadline)
            guard remaining > .zero else { break }
            guard timing.sleep(for: min(wait, remaining), unless: ticket) else {
                throw DeployHookError(.cancelled, "the call was interrupted")
            }
            gap = min(gap * 1.5, Self.maxPollGap)
        }
        throw DeployHookError(.waitTimeout, "gave up waiting for build \(build.uuid) after \(configuration.waitTimeout)" +
                              (lastStatus.map { " (last status: \($0.rawValue))" } ?? "") + lastProblem, response: lastResponse)
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

/// Where the log was read up to: the cursor of the last page that had one, and how many lines were
/// reported since (a page without a cursor is read again from the same place next time, and the lines
/// already reported are skipped), so no line is ever reported twice.
struct LogFollower {
    private(set) var cursor: String?
    private(set) var seenSinceCursor = 0

    /// Reports every line not reported yet, following truncated pages while they carry a cursor (at most
    /// ``DeployHookClient/maxLogPagesPerPoll``).
    mutating func readNewLines(of build: BuildReference, _ client: DeployHookClient,
                               _ timeout: () throws(DeployHookError) -> Duration, _ ticket: Interrupter.Ticket,
                               _ report: (BuildEvent) throws(DeployHookError) -> Void) throws(DeployHookError) {
        for _ in 0..<DeployHookClient.maxLogPagesPerPoll {
            let page = try client.buildLogs(build, after: cursor, timeout: try timeout(), ticket: ticket)
            for line in page.lines.dropFirst(seenSinceCursor) { try report(.log(line)) }
            guard let next = page.cursor, !next.isEmpty else {
                seenSinceCursor = max(seenSinceCursor, page.lines.count)
                return
            }
            cursor = next
            seenSinceCursor = 0
            if !page.truncated || page.lines.isEmpty { return }
        }
    }
}
