#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-line writes to stdout and stderr, unbuffered so progress and logs stream as they happen.
enum Terminal {
    static func out(_ line: String) { writeLine(line, to: STDOUT_FILENO) }
    static func err(_ line: String) { writeLine(line, to: STDERR_FILENO) }

    /// One write(2) per line (retried when interrupted or partial): atomic enough for lines from many threads.
    private static func writeLine(_ line: String, to descriptor: Int32) {
        var bytes = Array((line + "\n").utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }
}
