#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The clocks and waits the retry loop uses, replaceable in tests so retry schedules run instantly.
protocol RetryTiming: Sendable {
    /// A monotonic reading, for the deadline.
    func now() -> ContinuousClock.Instant
    /// The wall-clock time, for `Retry-After` dates.
    func wallClock() -> Date
    /// Blocks the calling thread for `duration`.
    func sleep(for duration: Duration)
    /// A random number in 0..<1, for jitter.
    func jitter() -> Double
}

/// Real time: the continuous clock, the system time, a blocking sleep of the calling thread.
struct SystemTiming: RetryTiming {
    func now() -> ContinuousClock.Instant { ContinuousClock.now }
    func wallClock() -> Date { Date() }
    func jitter() -> Double { Double.random(in: 0..<1) }

    func sleep(for duration: Duration) {
        guard duration > .zero else { return }
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }
}
