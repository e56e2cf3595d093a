/// One HTTP exchange to make. Value type, so a transport can queue many (e.g. over curl multi).
struct HTTPRequest: Sendable, Equatable {
    /// The absolute URL. It holds the hook: never print it (see ``redactedURL``).
    var url: String
    /// The URL as it may be shown: the hook replaced by its redacted form.
    var redactedURL: String
    /// The method: a closed set, so no request can go out with a method it was not meant to have.
    var method: HTTPMethod
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

/// The HTTP methods deployhook sends.
enum HTTPMethod: String, Sendable, Equatable {
    /// Triggering a deploy hook (an empty body).
    case post = "POST"
    /// Reading a build or its logs.
    case get = "GET"
    /// Cancelling a build (an empty body).
    case put = "PUT"
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
        /// The call was interrupted (``Interrupter/interrupt()``).
        case cancelled
    }

    /// The class of failure.
    var kind: Kind
    /// What happened, without the URL.
    var message: String
    /// The status and headers that had arrived before the failure (e.g. of an oversized answer), if any.
    var partial: HTTPResponse? = nil

    /// The failure of a request an interrupt stopped, or kept from starting.
    static let interrupted = TransportFailure(kind: .cancelled, message: "the call was interrupted")
}

/// The end of one transfer of a ``TransferSession``.
typealias TransferEnd = (tag: Int, outcome: Result<HTTPResponse, TransportFailure>)

/// Makes HTTP exchanges; never retries (``RequestScheduler`` decides that).
protocol HTTPTransport: Sendable {
    /// A session for the transfers of one call, whose waits end early when `ticket`'s call is interrupted.
    func session(_ ticket: Interrupter.Ticket) -> any TransferSession
}

/// The transfers of one call, run on the calling thread.
protocol TransferSession: AnyObject {
    /// Starts `request` as transfer `tag`; its end comes out of ``waitForEnded(timeout:)``.
    func start(_ request: HTTPRequest, tag: Int)
    /// Blocks until a transfer ended, `timeout` passed or the call was interrupted; returns what ended.
    func waitForEnded(timeout: Duration) -> [TransferEnd]
    /// Stops every transfer still running (the call was interrupted); their ends are never reported.
    func abandonAll()
}

/// A transport whose exchanges block the calling thread until they end (test transports).
protocol BlockingHTTPTransport: HTTPTransport {
    /// Performs `request` and returns its answer or why there is none.
    func perform(_ request: HTTPRequest) -> Result<HTTPResponse, TransportFailure>
}

extension BlockingHTTPTransport {
    /// Transfers one after another, each ending as it starts.
    func session(_ ticket: Interrupter.Ticket) -> any TransferSession { BlockingSession(self) }
}

/// The session of a ``BlockingHTTPTransport``: `start` performs the exchange, `waitForEnded` hands it over.
private final class BlockingSession<Transport: BlockingHTTPTransport>: TransferSession {
    private let transport: Transport
    private var ended: [TransferEnd] = []

    init(_ transport: Transport) { self.transport = transport }

    func start(_ request: HTTPRequest, tag: Int) { ended.append((tag, transport.perform(request))) }

    func waitForEnded(timeout: Duration) -> [TransferEnd] {
        defer { ended = [] }
        return ended
    }

    func abandonAll() { ended = [] }
}
