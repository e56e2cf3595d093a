/// A deploy hook's UUID: the secret that triggers a build. It prints only in redacted form
/// (`description`, `debugDescription`, `dump`), so it cannot leak through logs or errors.
public struct DeployHookID: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The canonical lower-case UUID. Internal: only the request builder reads it.
    let uuid: String

    /// Accepts a bare UUID (any letter case) or the full trigger URL under `apiBase`, with surrounding
    /// whitespace trimmed. Anything else, or a URL that would send the hook to another place, is rejected
    /// with ``DeployHookError/Kind/invalidArgument`` before any traffic.
    public init(parsing input: String, apiBase: APIBase) throws(DeployHookError) {
        let trimmed = input.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw Self.invalid("the deploy hook is empty") }
        // Printable ASCII (the usual case) settles it without looking up Unicode properties.
        guard trimmed.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
            || !trimmed.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else { throw Self.invalid("the deploy hook contains spaces or control characters") }
        let lowered = trimmed.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
            uuid = try Self.uuid(fromTriggerURL: trimmed, apiBase: apiBase)
        } else if let canonical = Self.canonicalUUID(trimmed) {
            uuid = canonical
        } else {
            throw Self.invalid("the deploy hook is not a UUID (expected 8-4-4-4-12 hex digits) nor a trigger URL")
        }
    }

    /// The first four hex digits and "..." (plain ASCII, like every text the library writes), e.g. `182b...`:
    /// enough to tell hooks apart, useless to an attacker.
    public var redacted: String { String(uuid.prefix(4)) + "..." }

    /// The redacted form.
    public var description: String { redacted }
    /// The redacted form.
    public var debugDescription: String { "DeployHookID(\(redacted))" }
    /// Shows only the redacted form to `dump` and debuggers.
    public var customMirror: Mirror { Mirror(self, children: ["redacted": redacted]) }

    private static func uuid(fromTriggerURL text: String, apiBase: APIBase) throws(DeployHookError) -> String {
        guard let parts = URLParts(text), parts.query == nil else {
            throw invalid("the trigger URL is malformed or has a query or fragment")
        }
        guard apiBase.sameOrigin(as: parts), parts.path.hasPrefix(apiBase.deployHooksPath) else {
            throw invalid("the trigger URL is not under the configured API base \(apiBase); refusing to send the hook elsewhere")
        }
        guard let canonical = canonicalUUID(parts.path.dropFirst(apiBase.deployHooksPath.count)) else {
            throw invalid("the trigger URL does not end in a deploy hook UUID")
        }
        return canonical
    }

    /// The lower-case UUID when `text` is exactly 8-4-4-4-12 ASCII hex digits.
    static func canonicalUUID<S: StringProtocol>(_ text: S) -> String? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 36 else { return nil }
        for (index, byte) in utf8.enumerated() {
            let isDashPosition = index == 8 || index == 13 || index == 18 || index == 23
            let isHex = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
            guard isDashPosition ? byte == 0x2D : isHex else { return nil }
        }
        return String(decoding: utf8, as: UTF8.self).lowercased()
    }

    private static func invalid(_ message: String) -> DeployHookError { DeployHookError(.invalidArgument, message) }
}

extension StringProtocol {
    /// The text without leading and trailing whitespace (spaces, tabs, CR, LF and Unicode spaces).
    func trimmingWhitespace() -> String {
        // Printable ASCII at both ends (the usual case): nothing to trim, no Unicode properties to look up.
        let text = String(self)
        if let first = text.utf8.first, let last = text.utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) {
            return text
        }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
