/// Takes every request of one call to its final outcome over a transport that never retries: at most
/// `concurrency` attempts at once, each request retried as ``RetryState`` says, all within one deadline
/// counted from the call's start (a request still waiting for its turn or its retry when the deadline
/// passes ends ``TransportFailure/Kind/timeout``), and every unfinished request ends
/// ``TransportFailure/Kind/cancelled`` as soon as the call's ticket is interrupted. Every wait is the
/// transport's (interruptible) or ``RetryTiming/sleep(for:unless:)``. Work per request is constant: the
/// call's cost grows linearly with the number of requests.
struct RequestScheduler {
    let maxRetries: Int
    /// The deadline of the whole call, from its start.
    let timeout: Duration
    /// The most attempts in flight at once.
    let concurrency: Int
    let timing: any RetryTiming
    /// The call's interrupt ticket.
    let ticket: Interrupter.Ticket
    /// Hears about every attempt (for `--verbose`); nil for silence.
    var observer: (@Sendable (AttemptReport) -> Void)? = nil

    /// The outcome of every request, in input order.
    func run(_ requests: [HTTPRequest], over transport: any HTTPTransport) -> [Result<HTTPResponse, TransportFailure>] {
        var run = Run(requests, self)
        let session = transport.session(ticket)
        while run.unfinished > 0 {
            if ticket.isInterrupted {
                session.abandonAll()
                run.finishAll(.interrupted)
                break
            }
            let now = timing.now()
            run.promoteDueRetries(now: now)
            if now >= run.deadline { run.finishWaiting(TransportFailure(kind: .timeout, message: "the deadline passed before it could be sent")) }
            while run.active < concurrency, let index = run.nextReady() {
                session.start(run.states[index].attempt(at: now, deadline: run.deadline), tag: index)
                run.active += 1
            }
            if run.unfinished == 0 { break }
            let pause = run.untilNextEvent(now: now)
            guard run.active > 0 else {
                _ = timing.sleep(for: pause, unless: ticket)
                continue
            }
            for (index, outcome) in session.waitForEnded(timeout: pause) {
                run.active -= 1
                run.ended(index, outcome)
            }
        }
        return run.outcomes
    }

    /// Tells the observer about one attempt.
    func report(_ request: HTTPRequest, _ outcome: Result<HTTPResponse, TransportFailure>, retryIn: Duration?) {
        guard let observer else { return }
        var report = AttemptReport(method: request.method.rawValue, redactedURL: request.redactedURL, retryIn: retryIn)
        switch outcome {
        case .success(let response):
            report.statusCode = response.status
            report.cfRay = response.headers["cf-ray"]
        case .failure(let failure):
            report.failure = failure.message
        }
        observer(report)
    }

    /// The state of one ``run(_:over:)``: which request may start when, and what has ended.
    private struct Run {
        let scheduler: RequestScheduler
        let deadline: ContinuousClock.Instant
        var states: [RetryState]
        var results: [Result<HTTPResponse, TransportFailure>?]
        /// Requests whose turn has come, first in first out (`readyHead` is the next).
        var ready: [Int]
        var readyHead = 0
        /// Requests waiting for a retry, soonest first.
        var retries = RetryQueue()
        var active = 0
        var unfinished: Int

        init(_ requests: [HTTPRequest], _ scheduler: RequestScheduler) {
            self.scheduler = scheduler
            deadline = scheduler.timing.now().advanced(by: scheduler.timeout)
            states = requests.map { RetryState($0, maxRetries: scheduler.maxRetries) }
            results = Array(repeating: nil, count: requests.count)
            ready = Array(requests.indices)
            unfinished = requests.count
        }

        var outcomes: [Result<HTTPResponse, TransportFailure>] {
            results.map { $0 ?? .failure(TransportFailure(kind: .internal, message: "the request never ended")) }
        }

        mutating func nextReady() -> Int? {
            guard readyHead < ready.count else { return nil }
            defer { readyHead += 1 }
            return ready[readyHead]
        }

        /// Moves the retries whose time has come to the end of the ready queue.
        mutating func promoteDueRetries(now: ContinuousClock.Instant) {
            while let index = retries.popDue(now: now) { ready.append(index) }
        }

        /// How long until a retry is due or the deadline passes.
        func untilNextEvent(now: ContinuousClock.Instant) -> Duration {
            let next = retries.soonest.map { min($0, deadline) } ?? deadline
            return max(.zero, now.duration(to: next))
        }

        /// Records an attempt's end: final, or the request waits for its retry.
        mutating func ended(_ index: Int, _ outcome: Result<HTTPResponse, TransportFailure>) {
            let sent = states[index].lastAttempt
            let wait = states[index].retryDelay(after: outcome, timing: scheduler.timing, deadline: deadline)
            scheduler.report(sent, outcome, retryIn: wait)
            if let wait {
                retries.push(index, due: scheduler.timing.now().advanced(by: wait))
            } else {
                finish(index, outcome)
            }
        }

        /// Ends every request that is not in flight with `failure`.
        mutating func finishWaiting(_ failure: TransportFailure) {
            for index in ready[readyHead...] { finish(index, .failure(failure)) }
            readyHead = ready.count
            for index in retries.removeAll() { finish(index, .failure(failure)) }
        }

        /// Ends every unfinished request with `failure`.
        mutating func finishAll(_ failure: TransportFailure) {
            for index in results.indices where results[index] == nil { finish(index, .failure(failure)) }
        }

        private mutating func finish(_ index: Int, _ outcome: Result<HTTPResponse, TransportFailure>) {
            guard results[index] == nil else { return }
            results[index] = outcome
            unfinished -= 1
        }
    }
}

/// One request's way through its attempts: the attempt to send, and after each outcome whether another
/// follows and after how long. Each attempt gets the time that remains before the deadline when it starts.
struct RetryState {
    let original: HTTPRequest
    let maxRetries: Int
    /// The attempt sent last.
    private(set) var lastAttempt: HTTPRequest
    private(set) var retry = 0

    init(_ request: HTTPRequest, maxRetries: Int) {
        original = request
        lastAttempt = request
        self.maxRetries = maxRetries
    }

    /// The attempt to send at `now`, with the time that remains of the request's own timeout (the
    /// scheduler gives it the call's deadline) as its limits.
    mutating func attempt(at now: ContinuousClock.Instant, deadline: ContinuousClock.Instant) -> HTTPRequest {
        var attempt = original
        attempt.timeout = max(.milliseconds(1), now.duration(to: deadline))
        attempt.connectTimeout = min(original.connectTimeout, attempt.timeout)
        lastAttempt = attempt
        return attempt
    }

    /// After the outcome of the last attempt: nil when it is final, else the wait before the next one.
    mutating func retryDelay(after outcome: Result<HTTPResponse, TransportFailure>, timing: any RetryTiming,
                             deadline: ContinuousClock.Instant) -> Duration? {
        guard retry < maxRetries, RetryPolicy.shouldRetry(outcome) else { return nil }
        let wait = RetryPolicy.delay(beforeRetry: retry, after: try? outcome.get(), now: timing.wallClock(), jitter: timing.jitter())
        // Sleeping past the deadline would only delay the same answer.
        guard wait < timing.now().duration(to: deadline) else { return nil }
        retry += 1
        return wait
    }
}

/// Requests waiting for their retry, as a binary min-heap on when they are due: pushing and popping cost
/// O(log n) however many wait.
struct RetryQueue {
    private var heap: [(index: Int, due: ContinuousClock.Instant)] = []

    /// When the soonest retry is due; nil when none waits.
    var soonest: ContinuousClock.Instant? { heap.first?.due }

    /// Adds request `index`, due at `due`.
    mutating func push(_ index: Int, due: ContinuousClock.Instant) {
        heap.append((index, due))
        var child = heap.count - 1
        while child > 0, heap[child].due < heap[(child - 1) / 2].due {
            heap.swapAt(child, (child - 1) / 2)
            child = (child - 1) / 2
        }
    }

    /// Removes and returns every waiting request.
    mutating func removeAll() -> [Int] {
        defer { heap = [] }
        return heap.map(\.index)
    }

    /// Removes and returns the soonest request if it is due at `now`.
    mutating func popDue(now: ContinuousClock.Instant) -> Int? {
        guard let first = heap.first, first.due <= now else { return nil }
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].due < heap[smallest].due { smallest = left }
            if right < heap.count, heap[right].due < heap[smallest].due { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return first.index
    }
}
