#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an output could not be written: the `errno` of the call that failed (`EPIPE` for a closed
/// pipe, `ENOSPC` for a full disk, `ENOENT` for a missing directory...).
struct WriteFailure: Error {
    var code: Int32

    /// The failure of the call that just failed, from `errno`.
    static func fromErrno() -> WriteFailure { WriteFailure(code: errno) }

    /// The system's words for it, e.g. `No space left on device`.
    var reason: String { String(cString: strerror(code)) }
}
