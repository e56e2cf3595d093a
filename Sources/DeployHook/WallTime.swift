#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in wall-clock time, in seconds since 1970-01-01 00:00:00 UTC (leap seconds not counted), as
/// `Retry-After` dates need it.
struct WallTime: Sendable, Equatable, Comparable {
    var secondsSince1970: Double

    init(secondsSince1970: Double) {
        self.secondsSince1970 = secondsSince1970
    }

    /// The system's time now (`CLOCK_REALTIME`).
    static func now() -> WallTime {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return WallTime(secondsSince1970: Double(time.tv_sec) + Double(time.tv_nsec) / 1e9)
    }

    /// The seconds from `other` to this time (negative when this one is earlier).
    func seconds(since other: WallTime) -> Double {
        secondsSince1970 - other.secondsSince1970
    }

    static func < (lhs: WallTime, rhs: WallTime) -> Bool { lhs.secondsSince1970 < rhs.secondsSince1970 }
}
