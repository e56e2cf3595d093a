extension String {
    /// This text with every occurrence of `hook`'s UUID (in any letter case) replaced by its redacted form.
    func scrubbing(_ hook: DeployHookID) -> String {
        let needle = Array(hook.uuid.utf8)
        let haystack = Array(utf8)
        guard haystack.count >= needle.count else { return self }
        var output: [UInt8] = []
        output.reserveCapacity(haystack.count)
        var index = 0
        while index < haystack.count {
            if index + needle.count <= haystack.count,
               zip(haystack[index..<index + needle.count], needle).allSatisfy({ Self.asciiLower($0) == $1 }) {
                output.append(contentsOf: hook.redacted.utf8)
                index += needle.count
            } else {
                output.append(haystack[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func asciiLower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte + 0x20 : byte }
}

extension DeployHookError {
    /// This error with `hook` scrubbed from its message (defence in depth: servers may echo it).
    func scrubbing(_ hook: DeployHookID) -> DeployHookError {
        var copy = self
        copy.message = message.scrubbing(hook)
        return copy
    }
}
