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

    /// Triggers `hook` (a UUID or a trigger URL under the API base), blocking the calling thread until
    /// the answer, the last retry or the deadline (``Configuration/timeout``) whichever comes first.
    public func triggerBlocking(_ hook: String) throws(DeployHookError) -> TriggerResult {
        let base = try configuration.resolvedBaseURL(environment: environment)
        let id = try DeployHookID(parsing: hook, apiBase: base)
        let request = HTTPRequest(
            url: "\(base)\(base.deployHooksPath.dropFirst(base.path.count))\(id.uuid)",
            redactedURL: "\(base)\(base.deployHooksPath.dropFirst(base.path.count))\(id.redacted)",
            method: "POST",
            headers: ["Accept: application/json", "User-Agent: \(configuration.userAgent ?? configuration.defaultUserAgent)"],
            connectTimeout: configuration.connectTimeout, timeout: configuration.timeout,
            caFile: configuration.caFile, maxBodyBytes: Configuration.maxResponseBytes)
        let outcome = RetryLoop(maxRetries: configuration.maxRetries, timeout: configuration.timeout, timing: timing)
            .run(request, over: transport)
        switch outcome {
        case .success(let response):
            return try ResponseClassifier.classify(response, hook: id).get()
        case .failure(let failure):
            let response = failure.partial.map { APIResponse(statusCode: $0.status, cfRay: $0.headers["cf-ray"], body: $0.body) }
            throw DeployHookError(DeployHookError.Kind(failure.kind), failure.message, response: response).scrubbing(id)
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
