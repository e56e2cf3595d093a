import CCurl

/// Many exchanges at once over one libcurl multi handle: connections are reused between them (and
/// HTTP/2 streams multiplexed when the server offers it), at most `concurrency` transfers run at a time,
/// and each request is retried as its ``RetryState`` says. Runs on the calling thread, on handles from
/// `connections`, so the connections stay open for the next call.
struct CurlMultiRunner {
    let concurrency: Int
    let loop: RetryLoop
    let connections: ConnectionPool

    /// The outcome of every request, in input order.
    func run(_ requests: [HTTPRequest]) -> [Result<HTTPResponse, TransportFailure>] {
        guard let multi = connections.takeMulti() else {
            return requests.map { _ in .failure(TransportFailure(kind: .internal, message: "libcurl could not create a multi handle")) }
        }
        defer { connections.give(multi: multi) }  // every transfer has been removed by then
        _ = dh_curl_multi_set_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        var schedule = Schedule(requests, loop: loop)
        var active: [UnsafeMutableRawPointer: (index: Int, exchange: CurlExchange)] = [:]
        while !schedule.isComplete {
            while active.count < concurrency, let index = schedule.nextDue() {
                switch CurlExchange.make(schedule.attempt(index), connections) {
                case .failure(let failure):
                    schedule.finish(index, .failure(failure))
                case .success(let exchange):
                    guard curl_multi_add_handle(multi, exchange.handle) == CURLM_OK else {
                        schedule.finish(index, .failure(TransportFailure(kind: .internal, message: "libcurl refused a transfer")))
                        continue
                    }
                    active[exchange.handle] = (index, exchange)
                }
            }
            if active.isEmpty {
                schedule.sleepUntilNextDue()
                continue
            }
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            var ended = false
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
                let code = message.pointee.data.result  // read before the handle is removed
                guard let (index, exchange) = active.removeValue(forKey: handle) else { continue }
                curl_multi_remove_handle(multi, handle)
                schedule.finish(index, exchange.outcome(of: code))
                ended = true
            }
            // Wait for socket activity (or the next retry) only while transfers are in flight, and not when
            // some just ended: their places go to waiting requests first, at once.
            if !active.isEmpty && !ended { _ = curl_multi_poll(multi, nil, 0, schedule.pollMilliseconds(), nil) }
        }
        return schedule.outcomes
    }
}

/// Which request may start when, and what has ended.
private struct Schedule {
    private var states: [RetryState]
    private var results: [Result<HTTPResponse, TransportFailure>?]
    /// Requests waiting to start (again), with when they may.
    private var waiting: [(index: Int, due: ContinuousClock.Instant)]
    private let loop: RetryLoop

    init(_ requests: [HTTPRequest], loop: RetryLoop) {
        self.loop = loop
        states = requests.map { RetryState($0, maxRetries: loop.maxRetries, timeout: loop.timeout, timing: loop.timing) }
        results = Array(repeating: nil, count: requests.count)
        let now = loop.timing.now()
        waiting = requests.indices.map { ($0, now) }
    }

    var isComplete: Bool { !results.contains { $0 == nil } }
    var outcomes: [Result<HTTPResponse, TransportFailure>] {
        results.map { $0 ?? .failure(TransportFailure(kind: .internal, message: "the request never ended")) }
    }

    func attempt(_ index: Int) -> HTTPRequest { states[index].attempt }

    /// The first request in input order whose time has come, taken off the waiting list.
    mutating func nextDue() -> Int? {
        let now = loop.timing.now()
        guard let position = waiting.firstIndex(where: { $0.due <= now }) else { return nil }
        return waiting.remove(at: position).index
    }

    /// Records an attempt's outcome: final, or the request waits for its retry.
    mutating func finish(_ index: Int, _ outcome: Result<HTTPResponse, TransportFailure>) {
        let sent = states[index].attempt
        let wait = states[index].wait(after: outcome, timing: loop.timing)
        loop.report(sent, outcome, retryIn: wait)
        if let wait { waiting.append((index, loop.timing.now().advanced(by: wait))) } else { results[index] = outcome }
    }

    /// How long a poll may block: until the next retry is due, at most a second.
    func pollMilliseconds() -> Int32 {
        let now = loop.timing.now()
        let next = waiting.map { now.duration(to: $0.due) }.min() ?? .seconds(1)
        return Int32(clamping: max(1, min(1000, next.components.seconds * 1000 + next.components.attoseconds / 1_000_000_000_000_000)))
    }

    /// Nothing is in flight: sleeps until the next retry is due.
    func sleepUntilNextDue() {
        let now = loop.timing.now()
        if let next = waiting.map({ now.duration(to: $0.due) }).min(), next > .zero { loop.timing.sleep(for: next) }
    }
}
