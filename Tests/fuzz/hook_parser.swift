// Fuzz target 1: the hook parser and the API base parser.
//
// Input: arbitrary bytes, decoded as UTF-8 (invalid sequences repaired).
// - The whole input is parsed as an API base (`APIBase(validating:)`) and as a hook
//   (`DeployHookID(parsing:apiBase:)`) against three fixed bases.
// - When the input holds a NUL byte, the text before the first NUL is parsed as an API base and, when it
//   is valid, the text after it as a hook under that base (so trigger URLs meet fuzzed bases).
//
// Invariants (a violation traps, which libFuzzer reports as a crash):
// - no crash;
// - a rejected hook is `.invalidArgument`, and its message contains no UUID that occurs in the input
//   (unless that UUID is also part of the base, which messages may name);
// - an accepted hook's uuid is 36 lower-case hex/dash characters, occurs in the input (any case), and is
//   absent from description, debugDescription and the redacted form; the trigger URL built from the base
//   and the uuid parses back to the same uuid;
// - a bare UUID (after trimming) is always accepted;
// - an accepted base has scheme http/https, a lower-case non-empty host, a port in 1...65535, a path
//   without a trailing slash, and its description parses back to the same base.

private let fixedBases: [APIBase] = [
    .cloudflare,
    APIBase(validating: "http://127.0.0.1:8787/client/v4")!,
    APIBase(validating: "https://[::1]:8443")!,
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHookParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let text = String(decoding: input, as: UTF8.self)
    _ = checkBase(text)
    for base in fixedBases { checkHook(text, base) }
    if let nul = input.firstIndex(of: 0) {
        let baseText = String(decoding: input[..<nul], as: UTF8.self)
        let hookText = String(decoding: input[(nul + 1)...], as: UTF8.self)
        if let base = checkBase(baseText) { checkHook(hookText, base) }
    }
    return 0
}

/// Parses `text` as an API base and checks what an accepted one looks like.
private func checkBase(_ text: String) -> APIBase? {
    guard let base = APIBase(validating: text) else { return nil }
    let shown = "base \(text.debugDescription) -> scheme \(base.scheme.debugDescription) host \(base.host.debugDescription) port \(base.port) path \(base.path.debugDescription)"
    require(base.scheme == "http" || base.scheme == "https", "APIBase scheme is http or https", shown)
    require(!base.host.isEmpty, "APIBase host is not empty", shown)
    require(base.host == base.host.lowercased(), "APIBase host is lower case", shown)
    require((1...65_535).contains(base.port), "APIBase port is in 1...65535", shown)
    require(!base.path.hasSuffix("/"), "APIBase path has no trailing slash", shown)
    require(base.path.isEmpty || base.path.hasPrefix("/"), "APIBase path is empty or starts with /", shown)
    let description = base.description
    require(description.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F },
            "APIBase description is visible ASCII", shown)
    require(APIBase(validating: description) == base, "APIBase description parses back to the same base",
            shown + " description \(description.debugDescription)")
    return base
}

/// Parses `text` as a hook under `base` and checks the outcome.
private func checkHook(_ text: String, _ base: APIBase) {
    let inputUUIDs = uuids(in: text)
    let baseText = base.description
    do {
        let id = try DeployHookID(parsing: text, apiBase: base)
        let shown = "hook \(text.debugDescription) base \(baseText)"
        require(isCanonicalUUID(id.uuid), "a parsed hook's uuid is 36 lower-case hex/dash characters",
                shown + " uuid \(id.uuid.debugDescription)")
        require(inputUUIDs.contains(id.uuid), "a parsed hook's uuid occurs in the input", shown)
        require(id.redacted == String(id.uuid.prefix(4)) + "...", "the redacted form is 4 hex digits and \"...\"", shown)
        for shownForm in [id.description, id.debugDescription, id.redacted, "\(id)", String(reflecting: id)] {
            require(!containsIgnoringCase(shownForm, id.uuid), "a hook never prints its uuid", shown + " printed \(shownForm)")
        }
        let url = "\(base)/workers/builds/deploy_hooks/\(id.uuid)"
        let again = try? DeployHookID(parsing: url, apiBase: base)
        require(again?.uuid == id.uuid, "the trigger URL built from the base parses back to the uuid",
                shown + " url \(url.debugDescription)")
        require(again == id, "equal uuids make equal ids", shown)
    } catch {
        let shown = "hook \(text.debugDescription) base \(baseText) message \(error.message.debugDescription)"
        require(error.kind == .invalidArgument, "a rejected hook is invalidArgument", shown)
        for uuid in inputUUIDs where !containsIgnoringCase(baseText, uuid) {
            require(!containsIgnoringCase(error.message, uuid), "an error message never contains the input's UUID", shown)
            require(!containsIgnoringCase(error.description, uuid), "an error description never contains the input's UUID", shown)
        }
        let trimmed = text.trimmingWhitespace()
        require(DeployHookID.canonicalUUID(trimmed) == nil, "a bare UUID (after trimming) is always accepted", shown)
    }
}
