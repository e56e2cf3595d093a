import DeployHook

/// `deployhook-cli cancel BUILD_UUID ...`: cancel each build, one after another, and report how it ended:
/// cancelled now (exit 0), or already stopped before (exit 10, with the outcome it had).
struct CancelCommand: Sendable {
    let options: CommandLineOptions

    func run() -> ExitCode {
        guard !options.hooks.isEmpty else {
            Terminal.err("deployhook-cli: cancel needs a build UUID (deployhook-cli cancel BUILD_UUID)")
            return .usage
        }
        var client = DeployHookClient(configuration: options.configuration)
        client.interrupter = Signals.interrupter
        if options.verbose { client.attemptObserver = { Terminal.err("deployhook-cli: " + $0.summary) } }
        var invalid = false
        for (index, text) in options.hooks.enumerated() where DeployHookClient.canonicalBuildUUID(text) == nil {
            Terminal.err("deployhook-cli: argument \(index + 1) of \(options.hooks.count) is not a build UUID")
            invalid = true
        }
        do throws(DeployHookError) { try client.validateWaitCredentials() } catch {
            Terminal.err("deployhook-cli: cancel: \(error.message)")
            invalid = true
        }
        if invalid {
            Terminal.err("deployhook-cli: nothing was sent")
            return .usage
        }
        var statuses: [ExitCode] = []
        var stdoutFailure: WriteFailure?
        for text in options.hooks {
            let uuid = DeployHookClient.canonicalBuildUUID(text) ?? text
            let outcome = Result { () throws(DeployHookError) in try client.cancelBuildBlocking(uuid) }
            statuses.append(status(of: outcome))
            stdoutFailure = report(uuid, outcome) ?? stdoutFailure
        }
        return ExitCode.combining(statuses, outputsWritten: Terminal.status(ofStandardOutput: stdoutFailure) == .success)
    }

    private func status(of outcome: Result<BuildDetails, DeployHookError>) -> ExitCode {
        switch outcome {
        case .success(let details): details.outcome == .cancelled ? .success : .alreadyStopped
        case .failure(let error): ExitCode(error.kind)
        }
    }

    /// Prints one build's line (or JSON object); errors go to stderr. Returns why stdout failed, if it did.
    private func report(_ uuid: String, _ outcome: Result<BuildDetails, DeployHookError>) -> WriteFailure? {
        let details = try? outcome.get()
        if let error = outcome.failure, !(options.json && options.quiet) {
            Terminal.err("deployhook-cli: cancelling build \(uuid): \(error.message)" + (error.response?.cfRay.map { " [cf-ray \($0)]" } ?? ""))
        }
        if options.json {
            return Terminal.out(JSONValue.object([
                ("build_uuid", .string(uuid)),
                ("outcome", .optional(details?.outcome?.rawValue)),
                ("already_stopped", details.map { .bool($0.outcome != .cancelled) } ?? .null),
                ("stopped_on", .optional(details?.stoppedOn)),
                ("error", outcome.failure?.json ?? .null),
            ]).rendered)
        }
        guard let details, !options.quiet else { return nil }
        if details.outcome == .cancelled {
            return Terminal.out("build \(uuid) cancelled" + (details.stoppedOn.map { " (stopped \($0))" } ?? ""))
        }
        return Terminal.out("build \(uuid) had already stopped: \(details.outcome?.rawValue ?? "no outcome"); nothing was cancelled")
    }
}

extension Result {
    /// The error, when this is a failure.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
