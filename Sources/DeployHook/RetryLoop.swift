/// One request's way through its attempts: the attempt to send, and after each outcome whether another
/// follows and after how long. Each attempt gets the time that remains before the deadline.
struct RetryState {
    let original: HTTPRequest
    let maxRetries: Int
    let deadline: ContinuousClock.Instant
    /// The request to send next.
    private(set) var attempt: HTTPRequest
    private(set) var retry = 0

    init(_ request: HTTPRequest, maxRetries: Int, timeout: Duration, timing: any RetryTiming) {
        original = request
        attempt = request
        self.maxRetries = maxRetries
        deadline = timing.now().advanced(by: timeout)
    }

    /// After the outcome of ``attempt``: nil when it is final, else the wait before the next attempt
    /// (``attempt`` then carries the timeouts that will remain).
    mutating func wait(after outcome: Result<HTTPResponse, TransportFailure>, timing: any RetryTiming) -> Duration? {
        guard retry < maxRetries, RetryPolicy.shouldRetry(outcome) else { return nil }
        let wait = RetryPolicy.delay(beforeRetry: retry, after: try? outcome.get(), now: timing.wallClock(), jitter: timing.jitter())
        let remaining = timing.now().duration(to: deadline)
        // Sleeping past the deadline would only delay the same answer.
        guard wait < remaining else { return nil }
        attempt.timeout = remaining - wait
        attempt.connectTimeout = min(original.connectTimeout, attempt.timeout)
        retry += 1
        return wait
    }
}

/// Runs attempts of one request until one should not be retried, the retries run out, or the deadline
/// (`timeout` after the start) leaves no room for the next wait.
struct RetryLoop {
    let maxRetries: Int
    let timeout: Duration
    let timing: any RetryTiming
    /// Hears about every attempt (for `--verbose`); nil for silence.
    var observer: (@Sendable (AttemptReport) -> Void)? = nil

    func run(_ request: HTTPRequest, over transport: any HTTPTransport) -> Result<HTTPResponse, TransportFailure> {
        var state = RetryState(request, maxRetries: maxRetries, timeout: timeout, timing: timing)
        while true {
            let sent = state.attempt
            let outcome = transport.perform(sent)
            let wait = state.wait(after: outcome, timing: timing)
            report(sent, outcome, retryIn: wait)
            guard let wait else { return outcome }
            timing.sleep(for: wait)
        }
    }

    /// Tells the observer about one attempt.
    func report(_ request: HTTPRequest, _ outcome: Result<HTTPResponse, TransportFailure>, retryIn: Duration?) {
        guard let observer else { return }
        var report = AttemptReport(method: request.method, redactedURL: request.redactedURL, retryIn: retryIn)
        switch outcome {
        case .success(let response):
            report.statusCode = response.status
            report.cfRay = response.headers["cf-ray"]
        case .failure(let failure):
            report.failure = failure.message
        }
        observer(report)
    }
}
