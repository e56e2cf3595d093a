import DeployHook

/// What happened to one hook: the trigger's answer, the build's final state (with `--wait`), or the error.
struct HookReport {
    /// The hook's redacted form, e.g. `182b...`.
    var hook: String
    var triggered: TriggerResult?
    var final: BuildDetails?
    var error: DeployHookError?
    /// Whether the build was waited for.
    var waited: Bool

    /// The report of a trigger's outcome. (The library already refuses an answer whose `build_uuid` is not
    /// a UUID, as a response error, so only UUIDs are ever printed or recorded.)
    init(hook: String, waited: Bool, outcome: Result<TriggerResult, DeployHookError>) {
        self.hook = hook
        self.waited = waited
        switch outcome {
        case .success(let result): triggered = result
        case .failure(let failure): error = failure
        }
    }

    /// The exit status this hook alone would give.
    var exitCode: ExitCode {
        if let error { return ExitCode(error.kind) }
        if waited, final?.outcome != .success { return .buildFailed }
        return .success
    }

    /// The build's UUID as the trigger answered it: checked to be a UUID (see `init`). The one waited
    /// for is the same; what a get-build answer says it is, is never shown.
    var buildUUID: String? { triggered?.build.buildUUID }
    /// The build's latest status: an enum, so only ever a documented name or `unknown`.
    var status: BuildStatus? { final?.status ?? triggered?.build.status }

    /// The human line for stdout, or nil when the report is an error (those go to stderr).
    var humanLine: String? {
        guard error == nil, let triggered else { return nil }
        var line = "deploy hook \(hook): build \(buildUUID ?? "(no id given)") \(status?.rawValue ?? "unknown")"
        if let final {
            line += ": \(final.outcome?.rawValue ?? "no outcome")"
            if let preview = final.previewURL { line += ", preview \(preview)" }
        }
        if triggered.build.alreadyExists == true { line += " (already queued: no new build started)" }
        return line
    }

    /// The error line for stderr, naming the hook once.
    var errorLine: String? {
        guard let error else { return nil }
        let message = error.message.contains(hook) ? error.message : "deploy hook \(hook): \(error.message)"
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
            fields.append(("outcome", .optional(final?.outcome?.rawValue)))
            fields.append(("preview_url", .optional(final?.previewURL)))
        }
        fields.append(("error", error.map { error in
            .object([
                ("kind", .string(error.kind.jsonName)),
                ("api_code", error.apiCode.map { .number(Double($0)) } ?? .null),
                ("http_status", error.response.map { .number(Double($0.statusCode)) } ?? .null),
                ("message", .string(error.message)),
            ])
        } ?? .null))
        return .object(fields)
    }
}

extension DeployHookError.Kind {
    /// The snake_case name used in `--json`, e.g. `not_found`: the core's stable name in lower case.
    var jsonName: String { name.lowercased() }
}
