/// When to retry and how long to wait, as Cloudflare's official SDKs do: retry connection errors,
/// timeouts, 408, 409, 429 and >= 500 (an `x-should-retry` header overrides that for failures; a 2xx is
/// final); wait what the server asks
/// (`retry-after-ms`, else `Retry-After` in seconds or as an HTTP date) when 0 < wait <= 60 s, otherwise
/// `min(0.5 s * 2^n, 8 s)` less up to 25 % random jitter.
struct RetryPolicy: Sendable {
    static let initialDelay = Duration.milliseconds(500)
    static let maxDelay = Duration.seconds(8)
    static let maxServerDelay = Duration.seconds(60)

    /// Whether an attempt's outcome is worth another attempt.
    static func shouldRetry(_ outcome: Result<HTTPResponse, TransportFailure>) -> Bool {
        switch outcome {
        case .failure(let failure):
            return failure.kind == .network || failure.kind == .timeout
        case .success(let response):
            // A success is final: the header only overrides the decision for answers that are failures.
            if (200..<300).contains(response.status) { return false }
            switch response.headers["x-should-retry"]?.lowercased() {
            case "true": return true
            case "false": return false
            default: return [408, 409, 429].contains(response.status) || response.status >= 500
            }
        }
    }

    /// The wait before retry number `retry` (0 for the first), given the last answer, the current time
    /// and a jitter draw in 0..<1.
    static func delay(beforeRetry retry: Int, after response: HTTPResponse?, now: WallTime, jitter: Double) -> Duration {
        if let requested = response.flatMap({ serverRequestedDelay($0, now: now) }),
           requested > .zero, requested <= maxServerDelay {
            return requested
        }
        let exponent = min(retry, 16)
        let backoff = min(initialDelay * (1 << exponent), maxDelay)
        return backoff * (1 - 0.25 * min(max(jitter, 0), 1))
    }

    /// `retry-after-ms`, else `Retry-After` as seconds or as an HTTP date; nil when absent or unreadable.
    static func serverRequestedDelay(_ response: HTTPResponse, now: WallTime) -> Duration? {
        if let text = response.headers["retry-after-ms"], let milliseconds = Double(text), milliseconds.isFinite {
            return .milliseconds(Int64(max(min(milliseconds, 1e9), -1e9)))
        }
        guard let text = response.headers["retry-after"] else { return nil }
        if let seconds = Double(text), seconds.isFinite {
            return .milliseconds(Int64(max(min(seconds, 1e6), -1e6) * 1000))
        }
        guard let date = HTTPDate.parse(text) else { return nil }
        let seconds = date.seconds(since: now)
        return .milliseconds(Int64(max(min(seconds, 1e6), -1e6) * 1000))
    }
}
