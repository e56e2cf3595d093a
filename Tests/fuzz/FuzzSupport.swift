// Helpers shared by the fuzz targets (compiled into each target's module; see scripts/fuzz.sh).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reports a broken invariant and traps, so libFuzzer records the input as a crash.
func invariantFailed(_ what: String, _ detail: @autoclosure () -> String = "") -> Never {
    let text = "\n==deployhook-fuzz== INVARIANT VIOLATED: \(what)\n\(detail())\n"
    fputs(text, stderr)
    fflush(stderr)
    fatalError("invariant violated: \(what)")
}

/// Traps with `what` unless `condition` holds.
@inline(__always)
func require(_ condition: @autoclosure () -> Bool, _ what: @autoclosure () -> String,
             _ detail: @autoclosure () -> String = "") {
    if !condition() { invariantFailed(what(), detail()) }
}

/// The input bytes as an array.
func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
}

private func isHex(_ byte: UInt8) -> Bool {
    (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
}

private func asciiLower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte + 0x20 : byte }

/// True when the 36 bytes at `start` are 8-4-4-4-12 hex digits (any case).
private func isUUID(_ utf8: [UInt8], at start: Int) -> Bool {
    guard start + 36 <= utf8.count else { return false }
    for offset in 0..<36 {
        let byte = utf8[start + offset]
        let dash = offset == 8 || offset == 13 || offset == 18 || offset == 23
        if dash ? byte != 0x2D : !isHex(byte) { return false }
    }
    return true
}

/// Every 8-4-4-4-12 hex substring of `text`, lower-cased, without duplicates.
func uuids(in text: String) -> [String] { uuids(in: Array(text.utf8)) }

/// Every 8-4-4-4-12 hex substring of `utf8`, lower-cased, without duplicates.
func uuids(in utf8: [UInt8]) -> [String] {
    var found: [String] = []
    guard utf8.count >= 36 else { return found }
    for start in 0...(utf8.count - 36) where isUUID(utf8, at: start) {
        let uuid = String(decoding: utf8[start..<start + 36].map(asciiLower), as: UTF8.self)
        if !found.contains(uuid) { found.append(uuid) }
    }
    return found
}

/// True when `needle` occurs in `haystack`, ASCII letters compared without case.
func containsIgnoringCase(_ haystack: String, _ needle: String) -> Bool {
    let h = Array(haystack.utf8), n = Array(needle.utf8)
    guard !n.isEmpty, h.count >= n.count else { return n.isEmpty }
    outer: for start in 0...(h.count - n.count) {
        for offset in 0..<n.count where asciiLower(h[start + offset]) != asciiLower(n[offset]) { continue outer }
        return true
    }
    return false
}

/// True when `uuid` is 36 characters: lower-case hex digits with dashes at 8, 13, 18 and 23.
func isCanonicalUUID(_ uuid: String) -> Bool {
    let utf8 = Array(uuid.utf8)
    guard utf8.count == 36, isUUID(utf8, at: 0) else { return false }
    return !utf8.contains { (0x41...0x46).contains($0) }
}

/// The bytes as hex, for messages.
func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 15)]) }
    return String(decoding: out, as: UTF8.self)
}

/// Splits `bytes` at every NUL byte.
func splitAtNUL(_ bytes: [UInt8]) -> [[UInt8]] {
    bytes.split(separator: 0, omittingEmptySubsequences: false).map(Array.init)
}
