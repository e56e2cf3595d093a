#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-line writes to stdout and stderr, unbuffered so progress and logs stream as they happen. Every
/// line is made safe first (`SafeText.line`: no control character, no workflow command), so nothing a
/// server sent can add a line or drive the terminal; the only line breaks are the ones written here.
/// Each write reports whether it was written: the CLI ignores SIGPIPE (main.swift), so a closed pipe is
/// an error here (`EPIPE`) instead of killing the process.
enum Terminal {
    /// Writes `lines` to standard output in one write; nil when written.
    @discardableResult
    static func out(_ lines: String...) -> WriteFailure? { writeLines(lines, to: STDOUT_FILENO) }

    /// Writes `lines` to standard output in one write; nil when written.
    @discardableResult
    static func out(lines: [String]) -> WriteFailure? { writeLines(lines, to: STDOUT_FILENO) }

    /// Writes `lines` to standard error in one write; nil when written. Callers ignore a failure: stderr
    /// is where it would be reported.
    @discardableResult
    static func err(_ lines: String...) -> WriteFailure? { writeLines(lines, to: STDERR_FILENO) }

    /// `.success` when standard output was written (`failure` is nil); else says why on stderr and
    /// returns `.outputFailed`.
    static func status(ofStandardOutput failure: WriteFailure?) -> ExitCode {
        guard let failure else { return .success }
        err("deployhook-cli: cannot write standard output: \(failure.reason)")
        return .outputFailed
    }

    /// One write(2) for all the lines (retried when interrupted, partial, or the descriptor is
    /// non-blocking and full): atomic enough for lines from many threads.
    private static func writeLines(_ lines: [String], to descriptor: Int32) -> WriteFailure? {
        var bytes = Array(lines.map { SafeText.line($0) + "\n" }.joined().utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written > 0 { bytes = bytes.dropFirst(written); continue }
            if written == 0 { return WriteFailure(code: EIO) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&ready, 1, -1)
            default: return .fromErrno()
            }
        }
        return nil
    }
}
