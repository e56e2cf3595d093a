/// The one error type of deployhook: a stable ``Kind`` plus what the API said, never the hook itself.
public struct DeployHookError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong. The raw values are the C ABI's `deployhook_error` numbers and never change.
    public enum Kind: Int32, Sendable, CaseIterable {
        /// A bad hook, option or argument; nothing was sent.
        case invalidArgument = 1
        /// No such deploy hook (HTTP 404, Cloudflare code 12000).
        case notFound = 2
        /// Rate limited (HTTP 429, Cloudflare code 12051), after retries.
        case rateLimited = 3
        /// Any other Cloudflare error envelope (`success: false`).
        case api = 4
        /// A non-2xx answer with no Cloudflare envelope (an HTML 502, a redirect), after retries.
        case http = 5
        /// Could not resolve, connect, send or receive.
        case network = 6
        /// The connect timeout or the total deadline passed.
        case timeout = 7
        /// The TLS handshake or certificate verification failed.
        case tls = 8
        /// A malformed, unreadable or oversized response.
        case response = 9
        /// A bug or resource failure inside the library.
        case `internal` = 10
        /// The build did not stop before the wait timeout.
        case waitTimeout = 11
        /// The call was interrupted (``Interrupter/interrupt()``, a cancelled task).
        case cancelled = 12
        /// Following a build needs an API token and an account ID, and one is missing or malformed; nothing was sent.
        case noCredentials = 13
    }

    /// The stable kind of failure.
    public var kind: Kind
    /// A human-readable explanation; it never contains the hook (see ``DeployHookID/redacted``).
    public var message: String
    /// Cloudflare's first error code (e.g. 12000), when the answer carried one.
    public var apiCode: Int?
    /// The answer, when one arrived.
    public var response: APIResponse?

    /// Creates an error; callers must never put a hook into `message`.
    public init(_ kind: Kind, _ message: String, apiCode: Int? = nil, response: APIResponse? = nil) {
        self.kind = kind
        self.message = message
        self.apiCode = apiCode
        self.response = response
    }

    /// The message.
    public var description: String { message }
}
