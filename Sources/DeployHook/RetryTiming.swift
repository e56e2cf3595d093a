/// The clocks and waits the retry loop uses, replaceable in tests so retry schedules run instantly.
protocol RetryTiming: Sendable {
    /// A monotonic reading, for the deadline.
    func now() -> ContinuousClock.Instant
    /// The wall-clock time, for `Retry-After` dates.
    func wallClock() -> WallTime
    /// Blocks the calling thread for `duration`, or less when `ticket`'s call is interrupted; false then.
    func sleep(for duration: Duration, unless ticket: Interrupter.Ticket) -> Bool
    /// A random number in 0..<1, for jitter.
    func jitter() -> Double
}

/// Real time: the continuous clock, the system time, a sleep of the calling thread that an interrupt ends.
struct SystemTiming: RetryTiming {
    func now() -> ContinuousClock.Instant { ContinuousClock.now }
    func wallClock() -> WallTime { WallTime.now() }
    func jitter() -> Double { Double.random(in: 0..<1) }

    func sleep(for duration: Duration, unless ticket: Interrupter.Ticket) -> Bool {
        ticket.sleep(for: duration)
    }
}
