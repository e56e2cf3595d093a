#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Triggers Cloudflare Workers Builds deploy hooks: `POST <base>/workers/builds/deploy_hooks/<uuid>`.
///
/// Retrying a trigger is safe: while a build for the branch is pending, Cloudflare answers a repeated
/// trigger with that build (`already_exists: true`) instead of starting a second one.
public struct DeployHookClient: Sendable {
    /// The settings every trigger uses.
    public var configuration: Configuration
    let transport: any HTTPTransport
    let timing: any RetryTiming
    let environment: @Sendable (String) -> String?
    /// Hears about every HTTP attempt (method, redacted URL, status, cf-ray, retry wait); nil by default.
    public var attemptObserver: (@Sendable (AttemptReport) -> Void)?
    /// Ends this client's calls in flight (and its copies', which share it) when interrupted.
    public var interrupter = Interrupter()

    /// A client over libcurl with the given settings and a pool of its own: repeated calls through this
    /// client (and its copies) reuse connections.
    public init(configuration: Configuration = Configuration()) {
        self.init(configuration: configuration, connections: ConnectionPool())
    }

    /// A client over libcurl with the given settings, keeping its connections in `connections` (which
    /// other clients may share, e.g. one pool for a long-lived settings object whose client is made per call).
    public init(configuration: Configuration, connections: ConnectionPool) {
        self.init(configuration: configuration, transport: CurlTransport(connections: connections), timing: SystemTiming(),
                  environment: { name in getenv(name).map { String(cString: $0) } })
    }

    /// A client over any transport and timing (tests).
    init(configuration: Configuration, transport: any HTTPTransport, timing: any RetryTiming,
         environment: @escaping @Sendable (String) -> String?) {
        self.configuration = configuration
        self.transport = transport
        self.timing = timing
        self.environment = environment
    }

    /// Validates `hook` against the API base in force, sending nothing: what a trigger would refuse, this refuses.
    public func validate(hook: String) throws(DeployHookError) -> DeployHookID {
        try DeployHookID(parsing: hook, apiBase: try configuration.resolvedBaseURL(environment: environment))
    }

    /// Triggers `hook` (a UUID or a trigger URL under the API base), blocking the calling thread until
    /// the answer, the last retry, the deadline (``Configuration/timeout``) or an interrupt
    /// (``interrupter``), whichever comes first.
    public func triggerBlocking(_ hook: String) throws(DeployHookError) -> TriggerResult {
        let ticket = interrupter.begin()
        defer { ticket.finish() }
        return try trigger(hook, ticket: ticket)
    }

    /// ``triggerBlocking(_:)`` as part of a call that holds `ticket`.
    func trigger(_ hook: String, ticket: Interrupter.Ticket) throws(DeployHookError) -> TriggerResult {
        let base = try configuration.resolvedBaseURL(environment: environment)
        let id = try DeployHookID(parsing: hook, apiBase: base)
        let subject = ResponseClassifier.Subject(id)
        let outcome = scheduler(ticket, timeout: configuration.timeout, concurrency: 1, subject.redactor)
            .run([triggerRequest(id, base)], over: transport)[0]
        return try triggerResult(outcome, subject).get()
    }

    /// Triggers every hook, at most ``Configuration/maxConcurrency`` at once over shared connections (curl's
    /// multi interface), each with the usual retries, all within ``Configuration/timeout`` from the call's
    /// start (a hook still waiting for its turn then ends ``DeployHookError/Kind/timeout``). Blocks the
    /// calling thread; an interrupt ends the hooks still running or waiting with
    /// ``DeployHookError/Kind/cancelled``. The outcomes come in input order; an invalid hook fails alone,
    /// without traffic. No outcome holds any hook of the batch.
    public func triggerAllBlocking(_ hooks: [String]) -> [Result<TriggerResult, DeployHookError>] {
        let ticket = interrupter.begin()
        defer { ticket.finish() }
        let base: APIBase
        do throws(DeployHookError) { base = try configuration.resolvedBaseURL(environment: environment) } catch {
            return hooks.map { _ in .failure(error) }
        }
        var outcomes = [Result<TriggerResult, DeployHookError>?](repeating: nil, count: hooks.count)
        var valid: [(index: Int, id: DeployHookID)] = []
        for (index, hook) in hooks.enumerated() {
            do throws(DeployHookError) { valid.append((index, try DeployHookID(parsing: hook, apiBase: base))) } catch {
                outcomes[index] = .failure(error)
            }
        }
        let redactor = Redactor(hooks: valid.map(\.id))
        let answers = scheduler(ticket, timeout: configuration.timeout, concurrency: configuration.maxConcurrency, redactor)
            .run(valid.map { triggerRequest($0.id, base) }, over: transport)
        for ((index, id), answer) in zip(valid, answers) {
            outcomes[index] = triggerResult(answer, ResponseClassifier.Subject(id, redactor: redactor))
        }
        return outcomes.map { $0 ?? .failure(DeployHookError(.internal, "a trigger had no outcome")) }
    }

    /// Like ``triggerAllBlocking(_:)``, on a thread of its own; cancelling the task interrupts it.
    public func triggerAll(_ hooks: [String]) async -> [Result<TriggerResult, DeployHookError>] {
        await interruptibleOnOwnThread { client in client.triggerAllBlocking(hooks) }
    }

    private func triggerRequest(_ id: DeployHookID, _ base: APIBase) -> HTTPRequest {
        let path = "workers/builds/deploy_hooks/"
        return request(.post, "\(base)/\(path)\(id.uuid)", redactedURL: "\(base)/\(path)\(id.redacted)", headers: [],
                       timeout: configuration.timeout)
    }

    /// A trigger's build, redacted, or the error the outcome amounts to. A build UUID that is not a UUID
    /// is an answer the library cannot use: a ``DeployHookError/Kind/response`` error.
    private func triggerResult(_ outcome: Result<HTTPResponse, TransportFailure>,
                               _ subject: ResponseClassifier.Subject) -> Result<TriggerResult, DeployHookError> {
        let fields: Result<(TriggerFields?, APIResponse), DeployHookError> = answer(outcome, subject: subject)
        return fields.flatMap { fields, response in
            let build = (fields?.build ?? Build()).redacted(subject.redactor)
            if let uuid = build.buildUUID, Self.canonicalBuildUUID(uuid) == nil {
                return .failure(DeployHookError(.response, "the answer's build_uuid is not a UUID", response: response))
            }
            return .success(TriggerResult(build: build, response: response))
        }
    }

    /// One API call with retries within `timeout`: the `result` fields of a successful answer, or a typed,
    /// redacted error.
    func exchange<Fields: EnvelopeResult>(_ method: HTTPMethod, _ url: String, redactedURL: String, headers: [String],
                                     subject: ResponseClassifier.Subject, timeout: Duration,
                                     ticket: Interrupter.Ticket) throws(DeployHookError) -> (Fields?, APIResponse) {
        let outcome = scheduler(ticket, timeout: timeout, concurrency: 1, subject.redactor)
            .run([request(method, url, redactedURL: redactedURL, headers: headers, timeout: timeout)], over: transport)[0]
        return try answer(outcome, subject: subject).get()
    }

    /// A request with the standard headers and this client's settings.
    private func request(_ method: HTTPMethod, _ url: String, redactedURL: String, headers: [String], timeout: Duration) -> HTTPRequest {
        HTTPRequest(
            url: url, redactedURL: redactedURL, method: method,
            headers: ["Accept: application/json", "User-Agent: \(configuration.userAgent ?? configuration.defaultUserAgent)"] + headers,
            connectTimeout: min(configuration.connectTimeout, timeout), timeout: timeout,
            caFile: configuration.caFile, maxBodyBytes: Configuration.maxResponseBytes)
    }

    /// This client's retries for one call, reporting attempts (redacted) to the observer.
    private func scheduler(_ ticket: Interrupter.Ticket, timeout: Duration, concurrency: Int, _ redactor: Redactor) -> RequestScheduler {
        let observer = attemptObserver.map { observe in
            { @Sendable (report: AttemptReport) in observe(report.redacted(redactor)) }
        }
        return RequestScheduler(maxRetries: configuration.maxRetries, timeout: timeout, concurrency: concurrency,
                                timing: timing, ticket: ticket, observer: observer)
    }

    /// The `result` fields of an attempt's final outcome, or the typed error it amounts to; errors redacted.
    private func answer<Fields: EnvelopeResult>(_ outcome: Result<HTTPResponse, TransportFailure>,
                                           subject: ResponseClassifier.Subject) -> Result<(Fields?, APIResponse), DeployHookError> {
        switch outcome {
        case .success(let http):
            return ResponseClassifier.redactedClassification(http, subject).mapError { error in
                var error = error
                error.response?.retryAfter = RetryPolicy.serverRequestedDelay(http, now: timing.wallClock())
                return error
            }
        case .failure(let failure):
            let response = failure.partial.map { APIResponse(statusCode: $0.status, cfRay: $0.headers["cf-ray"], body: $0.body) }
            return .failure(DeployHookError(DeployHookError.Kind(failure.kind), failure.message, response: response).redacted(subject.redactor))
        }
    }

    /// Triggers `hook` without blocking Swift's cooperative threads: the blocking exchange runs on a
    /// thread of its own. Same semantics as ``triggerBlocking(_:)``; cancelling the task interrupts the
    /// call, which then throws ``DeployHookError/Kind/cancelled``.
    public func trigger(_ hook: String) async throws(DeployHookError) -> TriggerResult {
        try await interruptibleOnOwnThread { client -> Result<TriggerResult, DeployHookError> in
            do throws(DeployHookError) { return .success(try client.triggerBlocking(hook)) } catch { return .failure(error) }
        }.get()
    }

    /// Runs `work` with a copy of this client on a thread of its own; cancelling the task interrupts it
    /// (through an interrupter of its own, below this client's: other calls with this client go on, and
    /// this client's interrupts still reach the call).
    func interruptibleOnOwnThread<T: Sendable>(_ work: @escaping @Sendable (DeployHookClient) -> T) async -> T {
        var client = self
        client.interrupter = Interrupter(parent: interrupter)
        let call = client
        return await withTaskCancellationHandler {
            await runOnOwnThread { work(call) }
        } onCancel: {
            call.interrupter.interrupt()
        }
    }
}

extension DeployHookError.Kind {
    /// The error kind a transport failure becomes.
    init(_ kind: TransportFailure.Kind) {
        switch kind {
        case .network: self = .network
        case .timeout: self = .timeout
        case .tls: self = .tls
        case .response: self = .response
        case .internal: self = .internal
        case .cancelled: self = .cancelled
        }
    }
}
