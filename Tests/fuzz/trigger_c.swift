// Fuzz target 3: the C ABI. deployhook_trigger_with() with arbitrary bytes as the hook, and
// deployhook_trigger_many() with its lines as a batch, against the test fake
// (Tests/fake_api/fake_cloudflare.py), plus the option setters with fuzzed strings.
//
// Environment:
//   DEPLOYHOOK_FUZZ_BASE_URL  the fake's API base, e.g. http://127.0.0.1:PORT/client/v4 (required;
//                             scripts/fuzz.sh starts the fake and sets it)
//   DEPLOYHOOK_FUZZ_TIMEOUT_MS  total timeout per trigger (default 1000; connect timeout 500, no retries)
//
// Input layout: segments separated by NUL bytes.
//   segment 0  the hook; every "$BASE" in it is replaced by the fake's base URL first, so seeds can hold
//              trigger URLs although the fake's port changes from run to run. Its lines (at most 8), and
//              a NULL after them, are then triggered together with deployhook_trigger_many()
//   segment 1  (optional) a User-Agent, set on the trigger's options when the setter accepts it
//   segment 2+ (optional) strings fed to set_base_url, set_api_token, set_account_id, set_ca_file and
//              set_user_agent on a scratch options object (never used to trigger: a fuzzed base URL
//              must not send traffic off this machine)
//
// Invariants (a violation traps):
// - no crash; a result is always returned (by trigger_many: one per hook, in every slot);
// - the error code is 0...13 (DEPLOYHOOK_ERR_NO_CREDENTIALS, the last); the message is NULL exactly on success;
// - the message never contains a UUID that occurs in the hook (any case);
// - a hook with no UUID in it is rejected as an invalid argument before any traffic (HTTP status 0);
// - success means HTTP 2xx; an invalid argument means HTTP status 0;
// - a setter answers OK or INVALID_ARGUMENT;
// - trigger_many's results obey the same rules, a message holding no UUID of any hook in the batch, and
//   the NULL entry is an invalid argument.
import DeployHookCABI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The two codes checked, as the int every function returns (the header's enums only name the numbers).
private let ok = CInt(DEPLOYHOOK_OK.rawValue)
private let invalidArgument = CInt(DEPLOYHOOK_ERR_INVALID_ARGUMENT.rawValue)

private let baseURL: String = {
    guard let value = getenv("DEPLOYHOOK_FUZZ_BASE_URL").map({ String(cString: $0) }), !value.isEmpty else {
        fputs("trigger_c: set DEPLOYHOOK_FUZZ_BASE_URL to the fake's API base (scripts/fuzz.sh does)\n", stderr)
        exit(2)
    }
    return value
}()

private let timeoutMS: Int = {
    getenv("DEPLOYHOOK_FUZZ_TIMEOUT_MS").flatMap { Int(String(cString: $0)) } ?? 1000
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTriggerC(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let segments = splitAtNUL(bytes(data, size))
    var hook = segments[0]
    hook = replacing(Array("$BASE".utf8), with: Array(baseURL.utf8), in: hook)
    let hookUUIDs = uuids(in: hook)

    guard let options = deployhook_options_new() else { invariantFailed("deployhook_options_new returned NULL") }
    defer { deployhook_options_free(options) }
    require(deployhook_options_set_base_url(options, baseURL) == ok, "the fake's base URL is accepted")
    require(deployhook_options_set_timeout_ms(options, timeoutMS) == ok, "the timeout is accepted")
    require(deployhook_options_set_connect_timeout_ms(options, 500) == ok, "the connect timeout is accepted")
    require(deployhook_options_set_max_retries(options, 0) == ok, "max retries 0 is accepted")
    if segments.count > 1 {
        let answer = withCString(segments[1]) { deployhook_options_set_user_agent(options, $0) }
        require(answer == ok || answer == invalidArgument, "set_user_agent answers OK or INVALID_ARGUMENT")
    }
    if segments.count > 2 { fuzzSetters(Array(segments[2...])) }

    guard let result = withCString(hook, { deployhook_trigger_with($0, options) }) else {
        invariantFailed("deployhook_trigger_with returned NULL")
    }
    check(result, hook: hook, secrets: hookUUIDs)
    deployhook_free_result(result)
    fuzzTriggerMany(Array(hook.split(separator: 0x0A, omittingEmptySubsequences: false).prefix(8).map(Array.init)), options)
    return 0
}

/// Checks one result of triggering `hook` (nil: a NULL hook) against the invariants; `secrets` are the
/// UUIDs no message may contain.
private func check(_ result: OpaquePointer, hook: [UInt8]?, secrets: [String]) {
    let code = deployhook_error_code(result)
    let message = deployhook_error_message(result).map { String(cString: $0) }
    let status = deployhook_http_status(result)
    let shown = "hook \(hook.map(hex) ?? "NULL") code \(code) status \(status) message \(message?.debugDescription ?? "NULL")"
    require((0...13).contains(code), "a trigger's error code is 0...13", shown)
    require((code == ok) == (message == nil), "the message is NULL exactly on success", shown)
    if let message {
        for uuid in secrets {
            require(!containsIgnoringCase(message, uuid), "an error message never contains a hook's UUID", shown)
        }
        _ = String(cString: deployhook_error_name(code))
    }
    if hook.map({ uuids(in: $0).isEmpty }) ?? true {
        require(code == invalidArgument, "a hook without a UUID is an invalid argument", shown)
    }
    if code == invalidArgument {
        require(status == 0, "an invalid argument sends nothing", shown)
    }
    if code == ok {
        require((200..<300).contains(status), "success means HTTP 2xx", shown)
    }
    // Every accessor answers without crashing.
    _ = deployhook_api_error_code(result)
    _ = deployhook_build_status(result)
    _ = deployhook_already_exists(result)
    _ = deployhook_build_outcome(result)
    for text in [deployhook_build_uuid(result), deployhook_created_on(result), deployhook_cf_ray(result),
                 deployhook_response_body(result), deployhook_preview_url(result), deployhook_stopped_on(result)] {
        if let text { _ = strlen(text) }
    }
}

/// Triggers `hooks` and a NULL together through deployhook_trigger_many() and checks every result.
private func fuzzTriggerMany(_ hooks: [[UInt8]], _ options: OpaquePointer) {
    let secrets = hooks.flatMap { uuids(in: $0) }
    let texts: [UnsafeMutablePointer<CChar>?] = hooks.map { hook in
        let text = UnsafeMutablePointer<CChar>.allocate(capacity: hook.count + 1)
        for (index, byte) in hook.enumerated() { text[index] = CChar(bitPattern: byte) }
        text[hook.count] = 0  // the lines of a NUL-split segment hold no NUL
        return text
    } + [nil]
    defer { texts.forEach { $0?.deallocate() } }
    var results = [OpaquePointer?](repeating: nil, count: texts.count)
    let answer = texts.map { $0.map { UnsafePointer($0) } }.withUnsafeBufferPointer { list in
        deployhook_trigger_many(list.baseAddress, list.count, options, &results)
    }
    require(answer == ok, "trigger_many answers OK for a batch", "answer \(answer)")
    for (index, result) in results.enumerated() {
        guard let result else { invariantFailed("trigger_many left result \(index) of \(results.count) NULL") }
        check(result, hook: index < hooks.count ? hooks[index] : nil, secrets: secrets)
        deployhook_free_result(result)
    }
}

/// Feeds each string to the string setters of a scratch options object.
private func fuzzSetters(_ strings: [[UInt8]]) {
    guard let scratch = deployhook_options_new() else { invariantFailed("deployhook_options_new returned NULL") }
    defer { deployhook_options_free(scratch) }
    for string in strings {
        withCString(string) { text in
            let answers = [deployhook_options_set_base_url(scratch, text), deployhook_options_set_api_token(scratch, text),
                           deployhook_options_set_account_id(scratch, text), deployhook_options_set_ca_file(scratch, text),
                           deployhook_options_set_user_agent(scratch, text)]
            for answer in answers {
                require(answer == ok || answer == invalidArgument,
                        "a setter answers OK or INVALID_ARGUMENT", "string \(hex(string)) answer \(answer)")
            }
        }
    }
    // NULL goes back to the default and is always accepted.
    require(deployhook_options_set_base_url(scratch, nil) == ok, "set_base_url(NULL) is accepted")
    require(deployhook_options_set_user_agent(scratch, nil) == ok, "set_user_agent(NULL) is accepted")
}

/// `bytes` as a NUL-terminated C string for the duration of `body` (the bytes hold no NUL).
private func withCString<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
    (bytes + [0]).withUnsafeBufferPointer { buffer in
        buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { body($0) }
    }
}

/// `haystack` with every occurrence of `needle` replaced by `replacement`.
private func replacing(_ needle: [UInt8], with replacement: [UInt8], in haystack: [UInt8]) -> [UInt8] {
    guard !needle.isEmpty, haystack.count >= needle.count else { return haystack }
    var output: [UInt8] = []
    var index = 0
    while index < haystack.count {
        if index + needle.count <= haystack.count, Array(haystack[index..<index + needle.count]) == needle {
            output += replacement
            index += needle.count
        } else {
            output.append(haystack[index])
            index += 1
        }
    }
    return output
}
