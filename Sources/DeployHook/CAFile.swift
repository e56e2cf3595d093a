#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The checks a CA bundle passes before it is configured (``Configuration/setCAFile(_:)``), made with the C
/// library: it exists (symbolic links followed), is not a directory, this process may read it, and it holds
/// a PEM certificate block within its first and only 16 MiB.
enum CAFile {
    /// The largest file accepted.
    static let maxBytes = 16 << 20
    static let certificateMarker = Array("-----BEGIN CERTIFICATE-----".utf8)

    /// True when `path` names something that exists, is not a directory, and may be read (`access(R_OK)`).
    static func isReadableFile(_ path: String) -> Bool {
        var info = stat()
        guard !path.isEmpty, stat(path, &info) == 0 else { return false }
        return info.st_mode & S_IFMT != S_IFDIR && access(path, R_OK) == 0
    }

    /// True when the file holds `-----BEGIN CERTIFICATE-----` and is at most ``maxBytes`` long. Read in
    /// chunks until the marker shows (a regular file's size is checked first; anything else, e.g. a pipe, is
    /// refused once more than ``maxBytes`` have come without it).
    static func holdsPEMCertificate(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT != S_IFDIR else { return false }
        if info.st_mode & S_IFMT == S_IFREG, info.st_size > maxBytes { return false }
        let chunkSize = 1 << 16
        var window: [UInt8] = []  // the last bytes read: a chunk and the tail of the one before
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var total = 0
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, chunkSize) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }  // the end, or an error
            total += count
            guard total <= maxBytes else { return false }
            window.append(contentsOf: chunk[..<count])
            if contains(window, certificateMarker) { return true }
            window.removeFirst(max(0, window.count - (certificateMarker.count - 1)))
        }
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        let first = needle[0]
        var start = 0
        while start <= haystack.count - needle.count {
            if haystack[start] == first, haystack[start ..< start + needle.count].elementsEqual(needle) { return true }
            start += 1
        }
        return false
    }
}
