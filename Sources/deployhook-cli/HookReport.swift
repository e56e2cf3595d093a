import DeployHook

/// What happened to one hook: the trigger's answer, the build's final state (with `--wait`), or the error.
struct HookReport {
    /// The hook, which only the library may read (to scrub it from the build's logs).
    var id: DeployHookID
    /// The hook's redacted form, e.g. `182b...`.
    var hook: String { id.redacted }
    var triggered: TriggerResult?
    var final: BuildDetails?
    var error: DeployHookError?
    /// Whether the build was waited for.
    var waited: Bool
    /// With `--cancel-on-timeout`: the wait timed out and the build was cancelled (`final` says how it ended).
    var cancelledOnTimeout = false

    /// The report of a trigger's outcome. (The library already refuses an answer whose `build_uuid` is not
    /// a UUID, as a response error, so only UUIDs are ever printed or recorded.)
    init(id: DeployHookID, waited: Bool, outcome: Result<TriggerResult, DeployHookError>) {
        self.id = id
        self.waited = waited
        switch outcome {
        case .success(let result): triggered = result
        case .failure(let failure): error = failure
        }
    }

    /// The exit status this hook alone would give.
    var exitCode: ExitCode {
        if cancelledOnTimeout { return .cancelledOnTimeout }
        if let error { return ExitCode(error.kind) }
        if waited, final?.outcome != .success { return .buildFailed }
        return .success
    }

    /// The build's UUID as the trigger answered it: checked to be a UUID (see `init`). The one waited
    /// for is the same; what a get-build answer says it is, is never shown.
    var buildUUID: String? { triggered?.build.buildUUID }
    /// The build's latest status: an enum, so only ever a documented name or `unknown`.
    var status: BuildStatus? { final?.status ?? triggered?.build.status }

    /// The human line for stdout, or nil when the report is an error (those go to stderr), e.g.
    /// `deploy hook 182b...: build 5f1c... on main @ 1a2b3c4 stopped: success, preview https://...`.
    var humanLine: String? {
        guard error == nil, let triggered else { return nil }
        var line = "deploy hook \(hook): build \(buildUUID ?? "(no id given)")"
        if let branch = final?.source.branch { line += " on \(branch)" }
        if let commit = final?.source.commitHash { line += " @ \(commit.prefix(7))" }
        line += " \(status?.rawValue ?? "unknown")"
        if let final {
            line += ": \(final.outcome?.rawValue ?? "no outcome")"
            if let preview = final.previewURL { line += ", preview \(preview)" }
        }
        if triggered.build.alreadyExists == true { line += " (already queued: no new build started)" }
        if cancelledOnTimeout { line += " (cancelled: it did not stop before --wait-timeout)" }
        return line
    }

    /// The error line for stderr, naming the hook once.
    var errorLine: String? {
        guard let error else { return nil }
        var message = error.message.contains(hook) ? error.message : "deploy hook \(hook): \(error.message)"
        if let buildUUID { message += " (build \(buildUUID) \(status?.rawValue ?? "unknown"))" }  // triggered before it failed
        return message + (error.response?.cfRay.map { " [cf-ray \($0)]" } ?? "")
    }

    /// The `--json` object.
    var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("hook", .string(hook)),
            ("build_uuid", .optional(buildUUID)),
            ("status", .optional(status?.rawValue)),
            ("already_exists", triggered?.build.alreadyExists.map(JSONValue.bool) ?? .null),
            ("created_on", .optional(final?.createdOn ?? triggered?.build.createdOn)),
            ("cf_ray", .optional(triggered?.response.cfRay ?? error?.response?.cfRay)),
        ]
        if waited {
            let source = final?.source
            fields += [
                ("outcome", .optional(final?.outcome?.rawValue)),
                ("preview_url", .optional(final?.previewURL)),
                ("branch", .optional(source?.branch)),
                ("commit", .optional(source?.commitHash)),
                ("commit_message", .optional(source?.commitMessage)),
                ("author", .optional(source?.author)),
                ("trigger_source", .optional(source?.triggerSource)),
                ("deploy_hook_name", .optional(source?.deployHookName)),
                ("trigger_name", .optional(source?.triggerName)),
                ("initializing_on", .optional(final?.initializingOn)),
                ("running_on", .optional(final?.runningOn)),
                ("stopped_on", .optional(final?.stoppedOn)),
                ("modified_on", .optional(final?.modifiedOn)),
                ("cancelled_on_timeout", .bool(cancelledOnTimeout)),
            ]
        }
        fields.append(("error", error?.json ?? .null))
        return .object(fields)
    }
}

extension DeployHookError {
    /// The `error` object of `--json`.
    var json: JSONValue {
        .object([
            ("kind", .string(kind.jsonName)),
            ("api_code", apiCode.map { .number(Double($0)) } ?? .null),
            ("http_status", response.map { .number(Double($0.statusCode)) } ?? .null),
            ("message", .string(message)),
        ])
    }
}

extension DeployHookError.Kind {
    /// The snake_case name used in `--json`, e.g. `not_found`: the core's stable name in lower case.
    var jsonName: String { name.lowercased() }
}
