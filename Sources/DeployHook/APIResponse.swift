/// What the API answered, kept for diagnostics: the HTTP status, the `cf-ray` header and the raw body.
public struct APIResponse: Sendable, Equatable {
    /// The HTTP status code, e.g. 200.
    public var statusCode: Int
    /// Cloudflare's request id (the `cf-ray` header), worth quoting to Cloudflare support.
    public var cfRay: String?
    /// How long the server asked to wait before trying again (`retry-after-ms` / `Retry-After`), if it did.
    public var retryAfter: Duration?
    /// The raw body as received (at most ``Configuration/maxResponseBytes`` bytes).
    public var body: [UInt8]

    /// Creates a response description.
    public init(statusCode: Int, cfRay: String?, body: [UInt8], retryAfter: Duration? = nil) {
        self.retryAfter = retryAfter
        self.statusCode = statusCode
        self.cfRay = cfRay
        self.body = body
    }

    /// The body decoded as UTF-8, invalid sequences replaced.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
