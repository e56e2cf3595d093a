import CCurl

/// The transfers of one call over a libcurl multi handle from the pool: connections are reused between
/// them (and HTTP/2 streams multiplexed when the server offers it), and every wait polls the call's
/// interrupt descriptor beside the transfers' sockets, so an interrupt wakes it at once. Runs on the
/// calling thread; gives the multi handle back to the pool, with its open connections, when done.
final class CurlSession: TransferSession {
    /// The most idle connections a multi handle keeps open between calls.
    static let maxIdleConnections = 64

    private let connections: ConnectionPool
    private let ticket: Interrupter.Ticket
    private let multi: UnsafeMutableRawPointer?
    private var active: [UnsafeMutableRawPointer: (tag: Int, exchange: CurlExchange)] = [:]
    /// Transfers that failed before they could start, reported by the next wait.
    private var failedToStart: [TransferEnd] = []

    init(_ connections: ConnectionPool, _ ticket: Interrupter.Ticket) {
        self.connections = connections
        self.ticket = ticket
        multi = connections.takeMulti()
        if let multi {
            _ = dh_curl_multi_set_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
            // Keep the connections of a whole fan-out open for the next call; by default libcurl keeps four
            // per transfer in progress, so a call of one transfer would close those of an earlier fan-out.
            _ = dh_curl_multi_set_long(multi, CURLMOPT_MAXCONNECTS, Self.maxIdleConnections)
        }
    }

    deinit {
        abandonAll()
        if let multi { connections.give(multi: multi) }
    }

    func start(_ request: HTTPRequest, tag: Int) {
        guard let multi else {
            failedToStart.append((tag, .failure(TransportFailure(kind: .internal, message: "libcurl could not create a multi handle"))))
            return
        }
        switch CurlExchange.make(request, connections) {
        case .failure(let failure):
            failedToStart.append((tag, .failure(failure)))
        case .success(let exchange):
            guard curl_multi_add_handle(multi, exchange.handle) == CURLM_OK else {
                failedToStart.append((tag, .failure(TransportFailure(kind: .internal, message: "libcurl refused a transfer"))))
                return
            }
            active[exchange.handle] = (tag, exchange)
        }
    }

    func waitForEnded(timeout: Duration) -> [TransferEnd] {
        var ended = failedToStart
        failedToStart = []
        guard let multi else { return ended }
        let start = ContinuousClock.now
        while true {
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            collectEnded(multi, into: &ended)
            if !ended.isEmpty || active.isEmpty || ticket.isInterrupted { return ended }
            let remaining = timeout - start.duration(to: .now)
            guard remaining > .zero else { return ended }
            poll(multi, upTo: remaining)
        }
    }

    func abandonAll() {
        guard let multi else { return }
        // A transfer removed before it ended has its connection closed by libcurl, never reused half-done.
        for handle in active.keys { curl_multi_remove_handle(multi, handle) }
        active = [:]  // each exchange gives its handle back to the pool
    }

    /// Moves every finished transfer out of the multi handle into `ended`.
    private func collectEnded(_ multi: UnsafeMutableRawPointer, into ended: inout [TransferEnd]) {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result  // read before the handle is removed
            guard let (tag, exchange) = active.removeValue(forKey: handle) else { continue }
            curl_multi_remove_handle(multi, handle)
            ended.append((tag, exchange.outcome(of: code)))
        }
    }

    /// Waits for socket activity, an interrupt descriptor, or `duration`.
    private func poll(_ multi: UnsafeMutableRawPointer, upTo duration: Duration) {
        let milliseconds = Interrupter.Ticket.milliseconds(ticket.longestWait.map { min(duration, $0) } ?? duration)
        var wakes = ticket.descriptors.map { curl_waitfd(fd: $0, events: Int16(CURL_WAIT_POLLIN), revents: 0) }
        _ = curl_multi_poll(multi, &wakes, UInt32(wakes.count), milliseconds, nil)
        if wakes.contains(where: { $0.revents != 0 }) && !ticket.isInterrupted { ticket.drainSpuriousWake() }
    }
}
