/// One HTTP exchange to make. Value type, so a transport can queue many (e.g. over curl multi).
struct HTTPRequest: Sendable, Equatable {
    /// The absolute URL. It holds the hook: never print it (see ``redactedURL``).
    var url: String
    /// The URL as it may be shown: the hook replaced by its redacted form.
    var redactedURL: String
    /// `POST` or `GET`.
    var method: String
    /// Header lines as `Name: value`.
    var headers: [String]
    /// Limit on establishing the connection.
    var connectTimeout: Duration
    /// Limit on the whole exchange.
    var timeout: Duration
    /// A CA bundle to trust instead of the system's.
    var caFile: String?
    /// The largest body accepted; more ends the exchange with a ``TransportFailure/Kind/response`` failure.
    var maxBodyBytes: Int
}

/// An HTTP answer, whatever its status.
struct HTTPResponse: Sendable, Equatable {
    /// The status code.
    var status: Int
    /// Header values by lower-case name (the last value wins).
    var headers: [String: String]
    /// The body bytes.
    var body: [UInt8]
}

/// Why an exchange produced no HTTP answer.
struct TransportFailure: Error, Sendable, Equatable {
    /// The classes of failure the core distinguishes.
    enum Kind: Sendable, Equatable {
        /// Resolve, connect, send or receive failed (retryable).
        case network
        /// A timeout passed (retryable when time remains).
        case timeout
        /// TLS handshake or verification failed.
        case tls
        /// The answer was not acceptable HTTP, or too large.
        case response
        /// The transport itself failed (out of memory, bad setup).
        case `internal`
    }

    /// The class of failure.
    var kind: Kind
    /// What happened, without the URL.
    var message: String
    /// The status and headers that had arrived before the failure (e.g. of an oversized answer), if any.
    var partial: HTTPResponse? = nil
}

/// Makes HTTP exchanges, synchronously on the calling thread.
protocol HTTPTransport: Sendable {
    /// Performs `request` and returns its answer or why there is none.
    func perform(_ request: HTTPRequest) -> Result<HTTPResponse, TransportFailure>
    /// Performs every request, at most `concurrency` at once, each with `loop`'s retries; outcomes in input order.
    func performAll(_ requests: [HTTPRequest], concurrency: Int, loop: RetryLoop) -> [Result<HTTPResponse, TransportFailure>]
}

extension HTTPTransport {
    /// One request after another: for transports that have no concurrency of their own.
    func performAll(_ requests: [HTTPRequest], concurrency: Int, loop: RetryLoop) -> [Result<HTTPResponse, TransportFailure>] {
        requests.map { loop.run($0, over: self) }
    }
}
