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

    /// A client over libcurl with the given settings.
    public init(configuration: Configuration = Configuration()) {
        self.init(configuration: configuration, transport: CurlTransport(), timing: SystemTiming(),
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
        let path = "workers/builds/deploy_hooks/"
        let (fields, response): (TriggerFields?, APIResponse) = try exchange(
            "POST", "\(base)/\(path)\(id.uuid)", redactedURL: "\(base)/\(path)\(id.redacted)",
            headers: [], subject: .init(id), timeout: configuration.timeout)
        return TriggerResult(build: fields?.build ?? Build(), response: response)
    }

    /// One API call with retries: the `result` fields of a successful answer, or a typed, scrubbed error.
    func exchange<Fields: Decodable>(_ method: String, _ url: String, redactedURL: String, headers: [String],
                                     subject: ResponseClassifier.Subject, timeout: Duration) throws(DeployHookError) -> (Fields?, APIResponse) {
        let request = HTTPRequest(
            url: url, redactedURL: redactedURL, method: method,
            headers: ["Accept: application/json", "User-Agent: \(configuration.userAgent ?? configuration.defaultUserAgent)"] + headers,
            connectTimeout: min(configuration.connectTimeout, timeout), timeout: timeout,
            caFile: configuration.caFile, maxBodyBytes: Configuration.maxResponseBytes)
        let observer = attemptObserver.map { observe in
            { @Sendable (report: AttemptReport) in
                var report = report
                report.failure = report.failure?.scrubbing(subject.secrets)
                observe(report)
            }
        }
        let loop = RetryLoop(maxRetries: configuration.maxRetries, timeout: timeout, timing: timing, observer: observer)
        let outcome = loop.run(request, over: transport)
        switch outcome {
        case .success(let http):
            return try ResponseClassifier.classify(http, subject).mapError { error in
                var error = error
                error.response?.retryAfter = RetryPolicy.serverRequestedDelay(http, now: timing.wallClock())
                return error
            }.get()
        case .failure(let failure):
            let response = failure.partial.map { APIResponse(statusCode: $0.status, cfRay: $0.headers["cf-ray"], body: $0.body) }
            throw DeployHookError(DeployHookError.Kind(failure.kind), failure.message, response: response).scrubbing(subject.secrets)
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
