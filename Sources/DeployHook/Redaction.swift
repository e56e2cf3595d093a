/// The one mechanism that keeps secrets out of every string leaving the library: a call's deploy hooks,
/// in every spelling (with or without dashes, any letter case), and its API token. Applied to error
/// messages, result fields (build UUID, timestamps, branch, ...), `cf-ray`, log lines and attempt reports;
/// the raw response body is the one deliberate exception (see ``APIResponse/body``).
///
/// Linear in the text: each position is tried as the start of a 36-character dashed or 32-digit UUID and
/// looked up in a dictionary, so one redactor serves a batch of any number of hooks.
struct Redactor: Sendable {
    /// Each hook's 32 lower-case hex digits, and the text that stands for it.
    private var hooks: [String: String] = [:]
    /// Other secrets (tokens), matched literally, ASCII letters in any case.
    private var literals: [Secret] = []

    /// A redactor for `hooks` and `literals`.
    init(hooks: [DeployHookID] = [], literals: [Secret] = []) {
        for hook in hooks { self.hooks[Self.digits(hook.uuid)] = hook.redacted }
        self.literals = literals
    }

    /// Both redactors' secrets.
    func merging(_ other: Redactor) -> Redactor {
        var merged = self
        merged.hooks.merge(other.hooks) { mine, _ in mine }
        merged.literals += other.literals
        return merged
    }

    /// `text` with every secret replaced by the text that stands for it.
    func callAsFunction(_ text: String) -> String {
        var result = hooks.isEmpty ? text : scrubbingHooks(text)
        for secret in literals { result = result.replacingSecret(secret.value, with: secret.redacted) }
        return result
    }

    /// `text`, or nil, scrubbed.
    func callAsFunction(_ text: String?) -> String? { text.map { self($0) } }

    private func scrubbingHooks(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count >= 32 else { return text }
        var output: [UInt8] = []
        var copied = 0, index = 0
        while index + 32 <= bytes.count {
            if let (length, redacted) = hook(at: index, in: bytes) {
                output += bytes[copied..<index]
                output += redacted.utf8
                index += length
                copied = index
            } else {
                index += 1
            }
        }
        guard copied > 0 else { return text }
        output += bytes[copied...]
        return String(decoding: output, as: UTF8.self)
    }

    /// The length and stand-in of a hook spelled at `start`, dashed (8-4-4-4-12) or as 32 hex digits.
    private func hook(at start: Int, in bytes: [UInt8]) -> (Int, String)? {
        for spelling in UUIDSpelling.all(at: start, in: bytes) {
            if let redacted = hooks[spelling.digits] { return (spelling.length, redacted) }
        }
        return nil
    }

    /// A canonical UUID's 32 hex digits.
    private static func digits(_ uuid: String) -> String { String(uuid.filter { $0 != "-" }) }
}

/// A UUID written at some place in a text, dashed (8-4-4-4-12) or as 32 hex digits, in any letter case.
struct UUIDSpelling {
    /// How many bytes it takes.
    var length: Int
    /// Its 32 hex digits in lower case.
    var digits: String

    /// The spellings that start at `start` in `bytes`: the dashed one first.
    static func all(at start: Int, in bytes: [UInt8]) -> [UUIDSpelling] {
        guard start < bytes.count, hexValue(bytes[start]) != nil else { return [] }
        return [true, false].compactMap { dashed in spelling(at: start, in: bytes, dashed: dashed) }
    }

    /// True when `text` holds a UUID in either spelling anywhere.
    static func occurs(in text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.indices.contains { !all(at: $0, in: bytes).isEmpty }
    }

    private static func spelling(at start: Int, in bytes: [UInt8], dashed: Bool) -> UUIDSpelling? {
        let length = dashed ? 36 : 32
        guard start + length <= bytes.count else { return nil }
        var digits: [UInt8] = []
        digits.reserveCapacity(32)
        for offset in 0..<length {
            let byte = bytes[start + offset]
            if dashed && (offset == 8 || offset == 13 || offset == 18 || offset == 23) {
                guard byte == UInt8(ascii: "-") else { return nil }
            } else {
                guard let lower = hexValue(byte) else { return nil }
                digits.append(lower)
            }
        }
        return UUIDSpelling(length: length, digits: String(decoding: digits, as: UTF8.self))
    }

    /// The lower-case form of an ASCII hex digit; nil for anything else.
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): byte
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte + 0x20
        default: nil
        }
    }
}

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

    private static func asciiLower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte + 0x20 : byte }
}

/// Something that must never be printed, with the text that stands for it.
struct Secret: Sendable {
    var value: String
    var redacted: String
}

extension DeployHookError {
    /// This error with every secret scrubbed from its message and the answer's `cf-ray`.
    func redacted(_ redactor: Redactor) -> DeployHookError {
        var copy = self
        copy.message = redactor(message)
        copy.response = response?.redacted(redactor)
        return copy
    }
}

extension APIResponse {
    /// This answer with secrets scrubbed from `cf-ray` (the body stays raw, by design).
    func redacted(_ redactor: Redactor) -> APIResponse {
        var copy = self
        copy.cfRay = redactor(cfRay)
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

extension Build {
    /// This build with secrets scrubbed from every text field.
    func redacted(_ redactor: Redactor) -> Build {
        Build(buildUUID: redactor(buildUUID), status: status, alreadyExists: alreadyExists, createdOn: redactor(createdOn),
              branch: redactor(branch), worker: redactor(worker))
    }
}

extension BuildDetails {
    /// This build with secrets scrubbed from every text field and from its answer's `cf-ray`.
    func redacted(_ redactor: Redactor) -> BuildDetails {
        var copy = self
        copy.buildUUID = redactor(buildUUID)
        copy.createdOn = redactor(createdOn)
        copy.initializingOn = redactor(initializingOn)
        copy.runningOn = redactor(runningOn)
        copy.stoppedOn = redactor(stoppedOn)
        copy.previewURL = redactor(previewURL)
        copy.modifiedOn = redactor(modifiedOn)
        copy.source = BuildSource(
            branch: redactor(source.branch), commitHash: redactor(source.commitHash), commitMessage: redactor(source.commitMessage),
            author: redactor(source.author), triggerSource: redactor(source.triggerSource),
            deployHookName: redactor(source.deployHookName), triggerName: redactor(source.triggerName))
        copy.response = response?.redacted(redactor)
        return copy
    }
}

extension BuildLogLine {
    /// This line with secrets scrubbed (a build may print its own deploy hook URL).
    func redacted(_ redactor: Redactor) -> BuildLogLine { BuildLogLine(timestamp: timestamp, message: redactor(message)) }
}

extension AttemptReport {
    /// This report with secrets scrubbed from its failure and `cf-ray`.
    func redacted(_ redactor: Redactor) -> AttemptReport {
        var copy = self
        copy.failure = redactor(failure)
        copy.cfRay = redactor(cfRay)
        return copy
    }
}
