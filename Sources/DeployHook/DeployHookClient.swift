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
    /// the answer, the last retry or the deadline (``Configuration/timeout``) whichever comes first.
    public func triggerBlocking(_ hook: String) throws(DeployHookError) -> TriggerResult {
        let base = try configuration.resolvedBaseURL(environment: environment)
        let id = try DeployHookID(parsing: hook, apiBase: base)
        let request = triggerRequest(id, base)
        let outcome = retryLoop(timeout: configuration.timeout, secrets: ResponseClassifier.Subject(id).secrets).run(request, over: transport)
        return try triggerResult(outcome, id).get()
    }

    /// Triggers every hook, at most ``Configuration/maxConcurrency`` at once over shared connections (curl's
    /// multi interface), each with the usual retries and its own deadline. Blocks the calling thread.
    /// The outcomes come in input order; an invalid hook fails alone, without traffic.
    public func triggerAllBlocking(_ hooks: [String]) -> [Result<TriggerResult, DeployHookError>] {
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
        let loop = retryLoop(timeout: configuration.timeout, secrets: valid.flatMap { ResponseClassifier.Subject($0.id).secrets })
        let requests = valid.map { triggerRequest($0.id, base) }
        // One hook needs no multi handle: the plain exchange is the same request, with less set-up.
        let answers = requests.count == 1 ? [loop.run(requests[0], over: transport)]
            : transport.performAll(requests, concurrency: configuration.maxConcurrency, loop: loop)
        for ((index, id), answer) in zip(valid, answers) { outcomes[index] = triggerResult(answer, id) }
        return outcomes.map { $0 ?? .failure(DeployHookError(.internal, "a trigger had no outcome")) }
    }

    /// Like ``triggerAllBlocking(_:)``, on a thread of its own.
    public func triggerAll(_ hooks: [String]) async -> [Result<TriggerResult, DeployHookError>] {
        await runOnOwnThread { triggerAllBlocking(hooks) }
    }

    private func triggerRequest(_ id: DeployHookID, _ base: APIBase) -> HTTPRequest {
        let path = "workers/builds/deploy_hooks/"
        return request("POST", "\(base)/\(path)\(id.uuid)", redactedURL: "\(base)/\(path)\(id.redacted)", headers: [],
                       timeout: configuration.timeout)
    }

    private func triggerResult(_ outcome: Result<HTTPResponse, TransportFailure>, _ id: DeployHookID) -> Result<TriggerResult, DeployHookError> {
        let fields: Result<(TriggerFields?, APIResponse), DeployHookError> = answer(outcome, subject: .init(id))
        return fields.map { fields, response in TriggerResult(build: fields?.build ?? Build(), response: response) }
    }

    /// One API call with retries: the `result` fields of a successful answer, or a typed, scrubbed error.
    func exchange<Fields: Decodable>(_ method: String, _ url: String, redactedURL: String, headers: [String],
                                     subject: ResponseClassifier.Subject, timeout: Duration) throws(DeployHookError) -> (Fields?, APIResponse) {
        let outcome = retryLoop(timeout: timeout, secrets: subject.secrets)
            .run(request(method, url, redactedURL: redactedURL, headers: headers, timeout: timeout), over: transport)
        return try answer(outcome, subject: subject).get()
    }

    /// A request with the standard headers and this client's settings.
    private func request(_ method: String, _ url: String, redactedURL: String, headers: [String], timeout: Duration) -> HTTPRequest {
        HTTPRequest(
            url: url, redactedURL: redactedURL, method: method,
            headers: ["Accept: application/json", "User-Agent: \(configuration.userAgent ?? configuration.defaultUserAgent)"] + headers,
            connectTimeout: min(configuration.connectTimeout, timeout), timeout: timeout,
            caFile: configuration.caFile, maxBodyBytes: Configuration.maxResponseBytes)
    }

    /// This client's retries, reporting attempts (with `secrets` scrubbed) to the observer.
    private func retryLoop(timeout: Duration, secrets: [Secret]) -> RetryLoop {
        let observer = attemptObserver.map { observe in
            { @Sendable (report: AttemptReport) in
                var report = report
                report.failure = report.failure?.scrubbing(secrets)
                observe(report)
            }
        }
        return RetryLoop(maxRetries: configuration.maxRetries, timeout: timeout, timing: timing, observer: observer)
    }

    /// The `result` fields of an attempt's final outcome, or the typed, scrubbed error it amounts to.
    private func answer<Fields: Decodable>(_ outcome: Result<HTTPResponse, TransportFailure>,
                                           subject: ResponseClassifier.Subject) -> Result<(Fields?, APIResponse), DeployHookError> {
        switch outcome {
        case .success(let http):
            return ResponseClassifier.classify(http, subject).mapError { error in
                var error = error
                error.response?.retryAfter = RetryPolicy.serverRequestedDelay(http, now: timing.wallClock())
                return error
            }
        case .failure(let failure):
            let response = failure.partial.map { APIResponse(statusCode: $0.status, cfRay: $0.headers["cf-ray"], body: $0.body) }
            return .failure(DeployHookError(DeployHookError.Kind(failure.kind), failure.message, response: response).scrubbing(subject.secrets))
        }
    }

    /// Triggers `hook` without blocking Swift's cooperative threads: the blocking exchange runs on a
    /// thread of its own. Same semantics as ``triggerBlocking(_:)``.
    public func trigger(_ hook: String) async throws(DeployHookError) -> TriggerResult {
        try await runOnOwnThread { () -> Result<TriggerResult, DeployHookError> in
            do throws(DeployHookError) { return .success(try triggerBlocking(hook)) } catch { return .failure(error) }
        }.get()
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
        }
    }
}
