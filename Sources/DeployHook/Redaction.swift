extension String {
    /// This text with every occurrence of `secret` (ASCII letters in any case) replaced by `replacement`.
    func replacingSecret(_ secret: String, with replacement: String) -> String {
        let needle = Array(secret.utf8)
        let haystack = Array(utf8)
        guard !needle.isEmpty, haystack.count >= needle.count else { return self }
        var output: [UInt8] = []
        output.reserveCapacity(haystack.count)
        var index = 0
        while index < haystack.count {
            if index + needle.count <= haystack.count,
               zip(haystack[index..<index + needle.count], needle).allSatisfy({ Self.asciiLower($0) == Self.asciiLower($1) }) {
                output.append(contentsOf: replacement.utf8)
                index += needle.count
            } else {
                output.append(haystack[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// This text with every occurrence of `hook`'s UUID (in any letter case) replaced by its redacted form.
    func scrubbing(_ hook: DeployHookID) -> String { replacingSecret(hook.uuid, with: hook.redacted) }

    /// This text with every secret replaced by the text that stands for it.
    func scrubbing(_ secrets: [Secret]) -> String {
        secrets.reduce(self) { text, secret in text.replacingSecret(secret.value, with: secret.redacted) }
    }

    private static func asciiLower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte + 0x20 : byte }
}

/// Something that must never be printed, with the text that stands for it.
struct Secret: Sendable {
    var value: String
    var redacted: String
}

extension DeployHookError {
    /// This error with `hook` scrubbed from its message (defence in depth: servers may echo it).
    func scrubbing(_ hook: DeployHookID) -> DeployHookError { scrubbing([Secret(value: hook.uuid, redacted: hook.redacted)]) }

    /// This error with every secret scrubbed from its message.
    func scrubbing(_ secrets: [Secret]) -> DeployHookError {
        var copy = self
        copy.message = message.scrubbing(secrets)
        return copy
    }
}

/// Text that must never be printed: its description and mirror show only `[redacted]`.
struct RedactedText: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    let value: String
    init(_ value: String) { self.value = value }
    var description: String { "[redacted]" }
    var customMirror: Mirror { Mirror(self, children: []) }
}
