/// Runs attempts of one request until one should not be retried, the retries run out, or the deadline
/// (`timeout` after the start) leaves no room for the next wait. Each attempt gets the time that remains.
struct RetryLoop {
    let maxRetries: Int
    let timeout: Duration
    let timing: any RetryTiming

    func run(_ request: HTTPRequest, over transport: any HTTPTransport) -> Result<HTTPResponse, TransportFailure> {
        let deadline = timing.now().advanced(by: timeout)
        var attempt = request
        var retry = 0
        while true {
            let outcome = transport.perform(attempt)
            guard retry < maxRetries, RetryPolicy.shouldRetry(outcome) else { return outcome }
            let wait = RetryPolicy.delay(beforeRetry: retry, after: try? outcome.get(), now: timing.wallClock(), jitter: timing.jitter())
            let remaining = timing.now().duration(to: deadline)
            // Sleeping past the deadline would only delay the same answer.
            guard wait < remaining else { return outcome }
            timing.sleep(for: wait)
            attempt.timeout = remaining - wait
            attempt.connectTimeout = min(request.connectTimeout, attempt.timeout)
            retry += 1
        }
    }
}
