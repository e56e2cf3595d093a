import DeployHook

/// `deployhook-cli trigger`: validate every hook, trigger them concurrently (and follow the builds), report.
struct TriggerCommand: Sendable {
    let options: CommandLineOptions
    let environment: @Sendable (String) -> String?
    let readLine: @Sendable () -> String?

    /// Runs the command on the calling thread. Only `--wait` starts Swift concurrency (to follow many
    /// builds at once); a plain trigger stays synchronous, which keeps the CLI's cold start short.
    func run() -> ExitCode {
        let inputs: [String]
        do throws(CommandLineOptions.UsageError) { inputs = try hookInputs() } catch {
            Terminal.err("deployhook-cli: \(error.message)")
            return .usage
        }
        var client = DeployHookClient(configuration: options.configuration)
        client.interrupter = Signals.interrupter
        if options.verbose { client.attemptObserver = { Terminal.err("deployhook-cli: " + $0.summary) } }
        var ids: [DeployHookID] = []
        var invalid = false
        for (index, input) in inputs.enumerated() {
            do throws(DeployHookError) { ids.append(try client.validate(hook: input)) } catch {
                Terminal.err("deployhook-cli: hook \(index + 1) of \(inputs.count): \(error.message)")
                invalid = true
            }
        }
        if options.wait {
            do throws(DeployHookError) { try client.validateWaitCredentials() } catch {
                Terminal.err("deployhook-cli: --wait: \(error.message)")
                invalid = true
            }
        }
        if invalid {
            Terminal.err("deployhook-cli: nothing was sent")
            return .usage
        }
        let reports = runAll(Array(zip(inputs, ids)), client)
        var stdoutFailure: WriteFailure?
        for report in reports { stdoutFailure = emit(report) ?? stdoutFailure }
        let recorded = GitHubActions.record(reports, waited: options.wait, environment: environment)
        let outputs = Terminal.status(ofStandardOutput: stdoutFailure)
        return ExitCode.combining(reports.map(\.exitCode), outputsWritten: recorded && outputs == .success)
    }

    /// The hooks to trigger: the arguments (`-` expanded to standard input's lines), else CLOUDFLARE_DEPLOY_HOOK.
    private func hookInputs() throws(CommandLineOptions.UsageError) -> [String] {
        var hooks: [String] = []
        for argument in options.hooks {
            guard argument == "-" else { hooks.append(argument); continue }
            hooks += HookList.read(readLine)
        }
        if options.hooks.isEmpty, let hook = environment("CLOUDFLARE_DEPLOY_HOOK"), !hook.isEmpty { hooks.append(hook) }
        guard !hooks.isEmpty else {
            throw .init(message: options.hooks.isEmpty ? "no hook: pass one, '-' for standard input, or set CLOUDFLARE_DEPLOY_HOOK"
                                                      : "no hook on standard input")
        }
        return hooks
    }

    /// Triggers every hook together (libcurl's multi interface, at most --concurrency at once), then with
    /// `--wait` follows the builds, as many at once; reports in input order.
    private func runAll(_ hooks: [(String, DeployHookID)], _ client: DeployHookClient) -> [HookReport] {
        let triggered = client.triggerAllBlocking(hooks.map(\.0))
        let reports = zip(hooks, triggered).map { hook, outcome in
            HookReport(id: hook.1, waited: options.wait, outcome: outcome)
        }
        guard options.wait else { return reports }
        return blockUntilDone { await followAll(reports, client) }
    }

    /// Follows every triggered build to its end, at most --concurrency at once; reports in input order.
    private func followAll(_ reports: [HookReport], _ client: DeployHookClient) async -> [HookReport] {
        let labelled = reports.count > 1
        let concurrency = options.configuration.maxConcurrency
        return await withTaskGroup(of: (Int, HookReport).self) { group in
            var waited = reports
            var next = 0
            func startNext() {
                guard next < reports.count else { return }
                let (index, report) = (next, reports[next])
                group.addTask { (index, await self.follow(report, client, labelled: labelled)) }
                next += 1
            }
            for _ in 0..<concurrency { startNext() }
            while let (index, report) = await group.next() {
                waited[index] = report
                startNext()
            }
            return waited
        }
    }

    /// Follows a triggered build to its end; progress and logs go to stderr.
    private func follow(_ report: HookReport, _ client: DeployHookClient, labelled: Bool) async -> HookReport {
        guard report.error == nil, let triggered = report.triggered else { return report }
        var report = report
        let (hook, quiet, prefix) = (report.hook, options.quiet, labelled ? "[\(report.hook)] " : "")
        do throws(DeployHookError) {
            guard let uuid = triggered.build.buildUUID else {
                throw DeployHookError(.response, "the trigger's answer names no build to wait for", response: triggered.response)
            }
            report.final = try await client.wait(forBuild: uuid, followLogs: options.logs, secretHooks: [report.id]) { event in
                switch event {
                case .status(let details) where !quiet && details.status != .stopped:  // the final line says it
                    Terminal.err("deploy hook \(hook): build \(uuid) \(details.status.rawValue)")
                case .log(let line):
                    Terminal.err(prefix + line.message)
                default: break
                }
            }
        } catch where error.kind == .waitTimeout && options.cancelOnTimeout {
            report = await cancelAfterTimeout(report, error, client)
        } catch {
            report.error = error
        }
        return report
    }

    /// `--cancel-on-timeout`: cancels a build the wait gave up on. The report then holds the cancelled
    /// build (or, when the cancel failed, the wait's error with the cancel's reason).
    private func cancelAfterTimeout(_ report: HookReport, _ timeout: DeployHookError, _ client: DeployHookClient) async -> HookReport {
        var report = report
        guard let uuid = report.buildUUID else { report.error = timeout; return report }
        do throws(DeployHookError) {
            report.final = try await client.cancelBuild(uuid)
            report.cancelledOnTimeout = true
        } catch {
            report.error = DeployHookError(.waitTimeout, timeout.message + "; cancelling it failed: " + error.message, response: error.response)
        }
        return report
    }

    /// Prints a report: its JSON or human line on stdout, its error on stderr. Returns why stdout could
    /// not be written, if it could not.
    private func emit(_ report: HookReport) -> WriteFailure? {
        if options.json {
            let failure = Terminal.out(report.json.rendered)
            if let line = report.errorLine, !options.quiet { Terminal.err("deployhook-cli: " + line) }
            return failure
        } else if let line = report.errorLine {
            Terminal.err("deployhook-cli: " + line)
        } else if let line = report.humanLine, !options.quiet {
            return Terminal.out(line)
        }
        return nil
    }
}
