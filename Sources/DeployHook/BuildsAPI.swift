/// Reading and cancelling builds: `GET /accounts/{account_id}/builds/builds/{build_uuid}`, its `/logs`, and
/// `PUT …/cancel`, with a bearer token (``Configuration/setAPIToken(_:)`` or `CLOUDFLARE_API_TOKEN`).
extension DeployHookClient {
    /// The build's current state.
    public func buildDetailsBlocking(_ buildUUID: String) throws(DeployHookError) -> BuildDetails {
        let ticket = interrupter.begin()
        defer { ticket.finish() }
        return try buildDetails(try BuildReference(buildUUID, self), timeout: configuration.timeout, ticket: ticket)
    }

    /// The build's log lines after `cursor` (nil: from the start).
    public func buildLogsBlocking(_ buildUUID: String, after cursor: String? = nil) throws(DeployHookError) -> BuildLogPage {
        let ticket = interrupter.begin()
        defer { ticket.finish() }
        return try buildLogs(try BuildReference(buildUUID, self), after: cursor, timeout: configuration.timeout, ticket: ticket)
    }

    /// Cancels the build: `PUT …/builds/{build_uuid}/cancel`. Returns the build as the answer describes it,
    /// stopped: its outcome is ``BuildOutcome/cancelled`` when this call cancelled it, and the outcome it
    /// had when it had already stopped (Cloudflare's schema lets the answer say so either way; an error
    /// envelope is an ``DeployHookError/Kind/api`` error with its code). An interrupt ends it with
    /// ``DeployHookError/Kind/cancelled``.
    public func cancelBuildBlocking(_ buildUUID: String) throws(DeployHookError) -> BuildDetails {
        let ticket = interrupter.begin()
        defer { ticket.finish() }
        return try cancelBuild(try BuildReference(buildUUID, self), timeout: configuration.timeout, ticket: ticket)
    }

    /// Like ``cancelBuildBlocking(_:)``, on a thread of its own; cancelling the task interrupts it.
    public func cancelBuild(_ buildUUID: String) async throws(DeployHookError) -> BuildDetails {
        try await interruptibleOnOwnThread { client -> Result<BuildDetails, DeployHookError> in
            do throws(DeployHookError) { return .success(try client.cancelBuildBlocking(buildUUID)) } catch { return .failure(error) }
        }.get()
    }

    /// ``cancelBuildBlocking(_:)`` as part of a call that holds `ticket`.
    func cancelBuild(_ build: BuildReference, timeout: Duration, ticket: Interrupter.Ticket) throws(DeployHookError) -> BuildDetails {
        let url = build.url + "/cancel"
        let (fields, response): (BuildFields?, APIResponse) = try exchange(
            .put, url, redactedURL: url, headers: [build.authorization], subject: build.cancelSubject, timeout: timeout, ticket: ticket)
        var details = try checked(fields, response, build)
        details.status = .stopped
        return details
    }

    /// The build's state. An answer about another build, or with a build UUID that is not a UUID, is a
    /// ``DeployHookError/Kind/response`` error; a stopped build (an outcome or a stop time) reads as stopped
    /// even when the answer has no status.
    func buildDetails(_ build: BuildReference, timeout: Duration, ticket: Interrupter.Ticket) throws(DeployHookError) -> BuildDetails {
        let (fields, response): (BuildFields?, APIResponse) = try exchange(
            .get, build.url, redactedURL: build.url, headers: [build.authorization], subject: build.subject,
            timeout: timeout, ticket: ticket)
        return try checked(fields, response, build)
    }

    /// A build answer's details, redacted, once they are known to be about `build`; a stopped build (an
    /// outcome or a stop time) reads as stopped even without a status.
    private func checked(_ fields: BuildFields?, _ response: APIResponse, _ build: BuildReference) throws(DeployHookError) -> BuildDetails {
        guard var details = fields?.details.redacted(build.subject.redactor) else {
            throw DeployHookError(.response, "the answer for build \(build.uuid) has no result", response: response)
        }
        if details.buildUUID.isEmpty { details.buildUUID = build.uuid }
        guard Self.canonicalBuildUUID(details.buildUUID) == build.uuid else {
            throw DeployHookError(.response, "the answer for build \(build.uuid) is about another build", response: response)
        }
        if details.status != .stopped && (details.outcome != nil || details.stoppedOn != nil) { details.status = .stopped }
        details.response = response
        return details
    }

    func buildLogs(_ build: BuildReference, after cursor: String?, timeout: Duration,
                   ticket: Interrupter.Ticket) throws(DeployHookError) -> BuildLogPage {
        let query = cursor.map { "?cursor=\($0.percentEncodedForQuery)" } ?? ""
        let (fields, _): (LogFields?, APIResponse) = try exchange(
            .get, build.url + "/logs" + query, redactedURL: build.url + "/logs" + query, headers: [build.authorization],
            subject: build.subject, timeout: timeout, ticket: ticket)
        var page = fields?.page ?? BuildLogPage(cursor: nil, lines: [], truncated: false)
        page.lines = page.lines.map { $0.redacted(build.subject.redactor) }
        return page
    }
}

/// A validated build to read: its URL under the account, the credentials, how messages name it and what
/// they must never contain.
struct BuildReference {
    let uuid: String
    let url: String
    let authorization: String
    let subject: ResponseClassifier.Subject

    /// `secretHooks`: the hooks that started the build, scrubbed like the token from all it returns.
    init(_ buildUUID: String, _ client: DeployHookClient, secretHooks: [DeployHookID] = []) throws(DeployHookError) {
        guard let uuid = DeployHookID.canonicalUUID(buildUUID.trimmingWhitespace()) else {
            throw DeployHookError(.invalidArgument, "the build UUID is not a UUID")
        }
        let base = try client.configuration.resolvedBaseURL(environment: client.environment)
        let credentials = try client.configuration.resolvedCredentials(environment: client.environment)
        self.uuid = uuid
        url = "\(base)/accounts/\(credentials.accountID)/builds/builds/\(uuid)"
        authorization = "Authorization: Bearer \(credentials.token)"
        subject = .init(name: "build \(uuid)", action: "reading build \(uuid)",
                        redactor: Redactor(hooks: secretHooks, literals: [credentials.secret]))
    }

    /// How messages about cancelling it name it.
    var cancelSubject: ResponseClassifier.Subject {
        .init(name: subject.name, action: "cancelling build \(uuid)", redactor: subject.redactor)
    }
}

extension String {
    /// The text with everything but RFC 3986 unreserved characters percent-encoded.
    var percentEncodedForQuery: String {
        var encoded = ""
        for byte in utf8 {
            if byte.isASCIIAlphanumeric || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~") {
                encoded.append(Character(Unicode.Scalar(byte)))
            } else {
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return encoded
    }

    private func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

extension DeployHookClient {
    /// The canonical (lower-case) form of a build UUID, or nil when `text` is not a UUID.
    public static func canonicalBuildUUID(_ text: String) -> String? {
        DeployHookID.canonicalUUID(text.trimmingWhitespace())
    }

    /// Checks that waiting is possible (account ID and API token at hand, well formed), sending nothing;
    /// throws ``DeployHookError/Kind/noCredentials`` otherwise.
    public func validateWaitCredentials() throws(DeployHookError) {
        _ = try configuration.resolvedCredentials(environment: environment)
    }
}
