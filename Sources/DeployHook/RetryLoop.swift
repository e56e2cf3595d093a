/// Runs attempts of one request until one should not be retried, the retries run out, or the deadline
/// (`timeout` after the start) leaves no room for the next wait. Each attempt gets the time that remains.
struct RetryLoop {
    let maxRetries: Int
    let timeout: Duration
    let timing: any RetryTiming
    /// Hears about every attempt (for `--verbose`); nil for silence.
    var observer: (@Sendable (AttemptReport) -> Void)? = nil

    func run(_ request: HTTPRequest, over transport: any HTTPTransport) -> Result<HTTPResponse, TransportFailure> {
        let deadline = timing.now().advanced(by: timeout)
        var attempt = request
        var retry = 0
        while true {
            let outcome = transport.perform(attempt)
            guard retry < maxRetries, RetryPolicy.shouldRetry(outcome) else {
                report(attempt, outcome, retryIn: nil)
                return outcome
            }
            let wait = RetryPolicy.delay(beforeRetry: retry, after: try? outcome.get(), now: timing.wallClock(), jitter: timing.jitter())
            let remaining = timing.now().duration(to: deadline)
            // Sleeping past the deadline would only delay the same answer.
            guard wait < remaining else {
                report(attempt, outcome, retryIn: nil)
                return outcome
            }
            report(attempt, outcome, retryIn: wait)
            timing.sleep(for: wait)
            attempt.timeout = remaining - wait
            attempt.connectTimeout = min(request.connectTimeout, attempt.timeout)
            retry += 1
        }
    }

    private func report(_ request: HTTPRequest, _ outcome: Result<HTTPResponse, TransportFailure>, retryIn: Duration?) {
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
