/// How triggers are made. Every setter validates its value and, when it throws, changes nothing.
public struct Configuration: Sendable, Equatable {
    /// The most concurrency accepted.
    public static let maxConcurrencyLimit = 256
    /// The largest response body accepted: 1 MiB. A larger one is a ``DeployHookError/Kind/response`` error.
    public static let maxResponseBytes = 1 << 20
    /// The environment variable that replaces the default API base, as in Cloudflare's official SDKs.
    public static let baseURLEnvironmentVariable = "CLOUDFLARE_BASE_URL"
    /// The longest duration accepted for a timeout: one day.
    public static let maxTimeout = Duration.seconds(86_400)
    /// The most retries accepted.
    public static let maxRetriesLimit = 100

    /// The explicit API base; nil means `CLOUDFLARE_BASE_URL`, else ``APIBase/cloudflare``.
    public private(set) var baseURL: APIBase?
    /// The deadline for a whole trigger, every attempt and retry wait included. Default 60 s.
    public private(set) var timeout: Duration = .seconds(60)
    /// The limit on each connection attempt. Default 5 s.
    public private(set) var connectTimeout: Duration = .seconds(5)
    /// How many times a failed attempt is retried (when retrying is safe). Default 2.
    public private(set) var maxRetries = 2
    /// A PEM file of CA certificates to trust instead of the system's; nil means the system's.
    public private(set) var caFile: String?
    /// The User-Agent header; nil means ``defaultUserAgent``.
    public private(set) var userAgent: String?
    /// How many triggers ``DeployHookClient/triggerAllBlocking(_:)`` runs at once. Default 8.
    public private(set) var maxConcurrency = 8
    /// The account whose builds are followed; nil means `CLOUDFLARE_ACCOUNT_ID`.
    public private(set) var accountID: String?
    /// The API token for following builds; nil means `CLOUDFLARE_API_TOKEN`. Never printed.
    private(set) var apiToken: RedactedText?
    /// How long waiting for a build may take in all. Default 25 min (builds time out after 20).
    public private(set) var waitTimeout: Duration = .seconds(1500)
    /// Which surface makes the calls ("swift", "c", "cli", "python", "rust", ...), named in the default
    /// User-Agent. Set it with ``setBinding(_:)``.
    public private(set) var binding = "swift"

    /// The defaults.
    public init() {}

    /// Sets the API base (nil: back to the environment or the default).
    public mutating func setBaseURL(_ text: String?) throws(DeployHookError) {
        guard let text else { baseURL = nil; return }
        baseURL = try APIBase.parsingSetting(text.trimmingWhitespace(), name: "the base URL")
    }

    /// Sets the total deadline of a trigger, 1 ms to one day.
    public mutating func setTimeout(_ value: Duration) throws(DeployHookError) {
        timeout = try Self.validated(value, "timeout")
    }

    /// Sets the limit on each connection attempt, 1 ms to one day.
    public mutating func setConnectTimeout(_ value: Duration) throws(DeployHookError) {
        connectTimeout = try Self.validated(value, "connect timeout")
    }

    /// Sets how many times a failed attempt may be retried, 0 to ``maxRetriesLimit``.
    public mutating func setMaxRetries(_ value: Int) throws(DeployHookError) {
        guard (0...Self.maxRetriesLimit).contains(value) else {
            throw DeployHookError(.invalidArgument, "max retries must be between 0 and \(Self.maxRetriesLimit)")
        }
        maxRetries = value
    }

    /// Sets how many triggers run at once when triggering many, 1 to ``maxConcurrencyLimit``.
    public mutating func setMaxConcurrency(_ value: Int) throws(DeployHookError) {
        guard (1...Self.maxConcurrencyLimit).contains(value) else {
            throw DeployHookError(.invalidArgument, "max concurrency must be between 1 and \(Self.maxConcurrencyLimit)")
        }
        maxConcurrency = value
    }

    /// Sets a CA bundle (a readable file holding PEM certificates) to trust instead of the system's CAs
    /// (the file only: libcurl's CA directory is not consulted then); nil goes back to the system's.
    public mutating func setCAFile(_ path: String?) throws(DeployHookError) {
        guard let path else { caFile = nil; return }
        guard CAFile.isReadableFile(path) else {
            throw DeployHookError(.invalidArgument, "the CA file does not exist, is a directory, or cannot be read")
        }
        guard CAFile.holdsPEMCertificate(path) else {
            throw DeployHookError(.invalidArgument, "the CA file holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        }
        caFile = path
    }

    /// Sets the User-Agent (1 to 1024 bytes, no control characters); nil goes back to the default.
    public mutating func setUserAgent(_ value: String?) throws(DeployHookError) {
        guard let value else { userAgent = nil; return }
        guard (1...1024).contains(value.utf8.count), !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw DeployHookError(.invalidArgument, "the user agent must be 1 to 1024 bytes without control characters")
        }
        userAgent = value
    }

    /// Sets the account whose builds are followed (nil: `CLOUDFLARE_ACCOUNT_ID`).
    public mutating func setAccountID(_ value: String?) throws(DeployHookError) {
        accountID = try value.map { (text) throws(DeployHookError) in try APICredentials.validAccountID(text) }
    }

    /// Sets the API token used to follow builds (nil: `CLOUDFLARE_API_TOKEN`). It is never sent to the trigger endpoint.
    public mutating func setAPIToken(_ value: String?) throws(DeployHookError) {
        apiToken = try value.map { (text) throws(DeployHookError) in RedactedText(try APICredentials.validToken(text)) }
    }

    /// Sets the name of the binding making the calls, shown in the default User-Agent
    /// (`deployhook/<version> (<binding>; <os>)`): 1 to 32 lower-case letters, digits, `.`, `_` or `-`.
    public mutating func setBinding(_ name: String) throws(DeployHookError) {
        guard (1...32).contains(name.utf8.count), name.utf8.allSatisfy({
            (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }) else {
            throw DeployHookError(.invalidArgument, "the binding name must be 1 to 32 lower-case letters, digits, '.', '_' or '-'")
        }
        binding = name
    }

    /// True when an API token was set explicitly.
    public var hasAPIToken: Bool { apiToken != nil }

    /// Sets how long waiting for a build may take in all, 1 ms to one day.
    public mutating func setWaitTimeout(_ value: Duration) throws(DeployHookError) {
        waitTimeout = try Self.validated(value, "wait timeout")
    }

    /// The credentials in force: explicit values, else the environment; a ``DeployHookError/Kind/noCredentials``
    /// error naming what is missing or malformed.
    func resolvedCredentials(environment: (String) -> String?) throws(DeployHookError) -> APICredentials {
        let account = accountID ?? environment(APICredentials.accountEnvironmentVariable).flatMap { $0.isEmpty ? nil : $0 }
        let token = apiToken?.value ?? environment(APICredentials.tokenEnvironmentVariable).flatMap { $0.isEmpty ? nil : $0 }
        guard let account, let token else {
            throw DeployHookError(.noCredentials, "following a build needs an account ID and an API token (\(APICredentials.accountEnvironmentVariable), \(APICredentials.tokenEnvironmentVariable))")
        }
        do throws(DeployHookError) {
            return try APICredentials(accountID: account, token: token)
        } catch {
            throw DeployHookError(.noCredentials, error.message)  // a malformed value from the environment
        }
    }

    /// `deployhook/<version> (<binding>; <os>)`.
    public var defaultUserAgent: String { "deployhook/\(DeployHookVersion.string) (\(binding); \(Self.operatingSystem))" }

    /// The API base in force: the explicit one, else `CLOUDFLARE_BASE_URL` (when set and not empty), else Cloudflare's.
    func resolvedBaseURL(environment: (String) -> String?) throws(DeployHookError) -> APIBase {
        if let baseURL { return baseURL }
        guard let text = environment(Self.baseURLEnvironmentVariable), !text.isEmpty else { return .cloudflare }
        return try APIBase.parsingSetting(text.trimmingWhitespace(), name: Self.baseURLEnvironmentVariable)
    }

    private static func validated(_ value: Duration, _ name: String) throws(DeployHookError) -> Duration {
        guard value >= .milliseconds(1), value <= maxTimeout else {
            throw DeployHookError(.invalidArgument, "the \(name) must be between 1 ms and 24 h")
        }
        return value
    }

    private static var operatingSystem: String {
        #if os(Linux)
        "linux"
        #elseif os(macOS)
        "macos"
        #elseif os(Windows)
        "windows"
        #else
        "unknown"
        #endif
    }
}
