/// One HTTP attempt as `--verbose` shows it: never the hook or the token.
public struct AttemptReport: Sendable, Equatable {
    /// `POST`, `GET` or `PUT`.
    public var method: String
    /// The URL with the hook redacted (tokens are never in URLs).
    public var redactedURL: String
    /// The HTTP status, when an answer arrived.
    public var statusCode: Int?
    /// The answer's `cf-ray`, when there was one.
    public var cfRay: String?
    /// Why no answer arrived, when none did.
    public var failure: String?
    /// The wait before the next attempt, when there will be one.
    public var retryIn: Duration?

    /// One line: `POST https://…/deploy_hooks/182b... -> 429 (cf-ray …), retrying in 1.0 s`.
    public var summary: String {
        var line = "\(method) \(redactedURL) -> " + (statusCode.map { "HTTP \($0)" } ?? (failure ?? "no answer"))
        if let cfRay { line += " (cf-ray \(cfRay))" }
        if let retryIn { line += ", retrying in \(retryIn.secondsText)" }
        return line
    }
}

extension Duration {
    /// Seconds with one decimal, e.g. `1.5 s`.
    var secondsText: String {
        let (seconds, attoseconds) = components
        let tenths = (Int64(seconds) * 10 + attoseconds / 100_000_000_000_000_000)
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
