// Fuzz target 2: response decoding and classification, and the JSON reader under them.
//
// Input layout:
//   byte 0-1  HTTP status, big-endian (0...65535, so out-of-range statuses are fuzzed too)
//   byte 2    flags: bit 0 -> the header value below goes to `retry-after-ms` instead of `retry-after`;
//             bit 1 -> also sent as `x-should-retry`; bit 2 -> also sent as `cf-ray`;
//             bits 4-7 -> jitter (n / 16) for RetryPolicy.delay
//   then      a header value up to the first "\n" (empty: no header), then the body (all the rest)
// Inputs shorter than 3 bytes are taken as a body answered with HTTP 200.
//
// Each input is classified and redacted as the client does it (`ResponseClassifier.redactedClassification`):
// as a trigger answer for a fixed hook, as a build answer (`BuildFields`) and as a logs answer (`LogFields`)
// for a subject whose secret is a fixed API token; fed to RetryPolicy; and its body (and the whole input)
// read by JSONReader.
//
// Invariants (a violation traps):
// - no crash;
// - an error message, a cf-ray and a trigger's build fields never contain the hook's UUID (any case, with or
//   without dashes) nor the API token;
// - success only for 2xx; the answer's status and body are kept as received;
// - an error carries the answer (status, body);
// - the retry delay is in (0, 60 s];
// - JSON: a text the reader accepts is UTF-8 (a leading BOM aside) and nests at most as deep as allowed,
//   counted by brackets outside strings; one it refuses only for depth nests deeper; written back
//   compactly it reads again to the same values (strings decoded, numbers as written); an envelope is
//   read exactly when the text is accepted and is an object.
private let hookText = "5F1C2E3D-4B5A-4C6D-8E7F-90A1B2C3D4E5"
private let hook = try! DeployHookID(parsing: hookText, apiBase: .cloudflare)
private let token = "fuzz-Token_0123456789abcdefXYZ"
private let buildUUID = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e"
private let buildSubject = ResponseClassifier.Subject(
    name: "build \(buildUUID)", action: "reading build \(buildUUID)",
    redactor: Redactor(literals: [Secret(value: token, redacted: "[token]")]))
private let now = WallTime(secondsSince1970: 1_700_000_000)

private let triggerSubject = ResponseClassifier.Subject(hook)

private let hookSecrets = [hook.uuid, hook.uuid.filter { $0 != "-" }]

/// An answer classified and redacted as the client does it.
private func classify<Fields: EnvelopeResult>(_ http: HTTPResponse, _ subject: ResponseClassifier.Subject)
    -> Result<(Fields?, APIResponse), DeployHookError> {
    ResponseClassifier.redactedClassification(http, subject)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResponseDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    var status = 200
    var flags: UInt8 = 0
    var headers: [String: String] = [:]
    var body = input
    if input.count >= 3 {
        status = Int(input[0]) << 8 | Int(input[1])
        flags = input[2]
        let rest = input[3...]
        let newline = rest.firstIndex(of: 0x0A)
        if let newline {
            let value = String(decoding: rest[..<newline], as: UTF8.self)
            if !value.isEmpty {
                headers[flags & 1 != 0 ? "retry-after-ms" : "retry-after"] = value
                if flags & 2 != 0 { headers["x-should-retry"] = value }
                if flags & 4 != 0 { headers["cf-ray"] = value }
            }
            body = Array(rest[(newline + 1)...])
        } else {
            body = Array(rest)
        }
    }
    let http = HTTPResponse(status: status, headers: headers, body: body)
    let shown = "status \(status) headers \(headers) body \(hex(body))"

    // A trigger's answer.
    let trigger: Result<(TriggerFields?, APIResponse), DeployHookError> = classify(http, triggerSubject)
    switch trigger {
    case .success(let (fields, response)):
        require((200..<300).contains(status), "only a 2xx answer is a success", shown)
        checkResponse(response, http, secrets: hookSecrets, shown)
        let build = (fields?.build ?? Build()).redacted(Redactor(hooks: [hook]))
        for text in [build.buildUUID, build.createdOn, build.branch, build.worker].compactMap({ $0 }) {
            for secret in hookSecrets {
                require(!containsIgnoringCase(text, secret), "a build field never holds the hook", shown + " field \(text)")
            }
        }
    case .failure(let error):
        checkError(error, http, secrets: hookSecrets, shown)
    }

    // A build's answer and a logs page, as the build reader classifies them.
    let build: Result<(BuildFields?, APIResponse), DeployHookError> = classify(http, buildSubject)
    switch build {
    case .success(let (fields, response)):
        require((200..<300).contains(status), "only a 2xx answer is a success (build)", shown)
        checkResponse(response, http, secrets: [token], shown)
        if let details = fields?.details {
            _ = (details.buildUUID.count, details.status, details.outcome, details.previewURL?.count)
        }
    case .failure(let error):
        checkError(error, http, secrets: [token], shown)
    }
    let logs: Result<(LogFields?, APIResponse), DeployHookError> = classify(http, buildSubject)
    switch logs {
    case .success(let (fields, response)):
        require((200..<300).contains(status), "only a 2xx answer is a success (logs)", shown)
        checkResponse(response, http, secrets: [token], shown)
        if let page = fields?.page {
            for line in page.lines { _ = (line.timestamp, line.message.utf8.count) }
        }
    case .failure(let error):
        checkError(error, http, secrets: [token], shown)
    }

    // The envelopes on their own.
    _ = Envelope<TriggerFields>.decode(body)?.result?.build
    _ = Envelope<BuildFields>.decode(body)?.errors.first?.message
    _ = Envelope<LogFields>.decode(body)?.result?.page.cursor

    // Retry decisions on this answer.
    _ = RetryPolicy.shouldRetry(.success(http))
    _ = RetryPolicy.serverRequestedDelay(http, now: now)
    let jitter = Double(flags >> 4) / 16
    for retry in [0, 1, 5, 100] {
        let delay = RetryPolicy.delay(beforeRetry: retry, after: http, now: now, jitter: jitter)
        require(delay > .zero && delay <= .seconds(60), "a retry delay is in (0, 60 s]", shown + " delay \(delay)")
    }
    if let text = headers["retry-after"] { _ = HTTPDate.parse(text) }

    // The JSON reader on its own, on the body and on the whole input.
    checkJSON(body, shown)
    checkJSON(input, shown)
    return 0
}

/// The reader's invariants on one text (see the header).
private func checkJSON(_ text: [UInt8], _ shown: @autoclosure () -> String) {
    let limit = Envelope<TriggerFields>.maxNesting
    let document = JSONReader.read(text, maxDepth: limit)
    let unlimited = JSONReader.read(text, maxDepth: Int.max)
    let depth = bracketDepth(text)
    require((Envelope<TriggerFields>.decode(text) != nil) == (document?.root.isObject == true),
            "an envelope is read exactly when the text is an accepted object", shown())
    guard let unlimited else {
        require(document == nil, "a text refused without a depth limit is refused with one", shown())
        return
    }
    require((document != nil) == (depth <= limit), "the depth limit is the depth in brackets", shown() + " depth \(depth)")
    let body = text.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(text.dropFirst(3)) : text
    require(String(validating: body, as: UTF8.self) != nil, "an accepted text is UTF-8", shown())
    let written = compact(unlimited)
    guard let again = JSONReader.read(written, maxDepth: Int.max) else {
        invariantFailed("a text written back reads again", shown() + " written \(hex(written))")
    }
    require(compact(again) == written, "a text written back reads to the same values",
            shown() + " written \(hex(written)) again \(hex(compact(again)))")
    require(again.nodes.count == unlimited.nodes.count, "a text written back has as many values", shown())
}

/// How deep arrays and objects nest in `text`, counting brackets outside strings (meaningful for JSON).
private func bracketDepth(_ text: [UInt8]) -> Int {
    var depth = 0, deepest = 0, inString = false, escaped = false
    for byte in text {
        if inString {
            if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
            continue
        }
        switch byte {
        case 0x22: inString = true
        case 0x5B, 0x7B: depth += 1; deepest = max(deepest, depth)
        case 0x5D, 0x7D: depth -= 1
        default: break
        }
    }
    return deepest
}

/// The document written back without whitespace, without recursion: strings re-escaped from their
/// decoded text (only `"`, `\` and control characters escaped), numbers and literals as written.
private func compact(_ document: JSONDocument) -> [UInt8] {
    var out: [UInt8] = []
    var open: [(end: Int, isObject: Bool, written: Int)] = []
    for index in 0 ... document.nodes.count {
        while let innermost = open.last, innermost.end == index {
            out.append(innermost.isObject ? 0x7D : 0x5D)
            open.removeLast()
        }
        guard index < document.nodes.count else { break }
        if let innermost = open.last {
            if innermost.written > 0 { out.append(innermost.isObject && innermost.written % 2 == 1 ? 0x3A : 0x2C) }
            open[open.count - 1].written += 1
        }
        let node = document.nodes[index]
        switch node.kind {
        case .object, .array:
            out.append(node.kind == .object ? 0x7B : 0x5B)
            open.append((node.end, node.kind == .object, 0))
        case .string:
            out.append(0x22)
            for byte in document.string(at: index).utf8 {
                switch byte {
                case 0x22, 0x5C: out += [0x5C, byte]
                case 0 ..< 0x20: out += Array("\\u00".utf8) + [hexDigit(byte >> 4), hexDigit(byte & 15)]
                default: out.append(byte)
                }
            }
            out.append(0x22)
        case .number:
            _ = JSONValue(document: document, index: index).number
            out += document.bytes[node.start ..< node.end]
        case .true, .false, .null:
            out += document.bytes[node.start ..< node.end]
        }
    }
    return out
}

private func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? 0x30 + value : 0x61 + value - 10 }

private func checkResponse(_ response: APIResponse, _ http: HTTPResponse, secrets: [String], _ shown: @autoclosure () -> String) {
    require(response.statusCode == http.status, "the answer keeps its status", shown())
    require(response.body == http.body, "the answer keeps its body (raw, by design)", shown())
    require((response.cfRay == nil) == (http.headers["cf-ray"] == nil), "the answer keeps its cf-ray", shown())
    for secret in secrets {
        require(!containsIgnoringCase(response.cfRay ?? "", secret), "a cf-ray never holds a secret", shown())
    }
    _ = response.bodyText
}

private func checkError(_ error: DeployHookError, _ http: HTTPResponse, secrets: [String], _ shown: @autoclosure () -> String) {
    for secret in secrets {
        require(!containsIgnoringCase(error.message, secret), "an error message never contains the secret",
                shown() + " secret \(secret) message \(error.message.debugDescription)")
        require(!containsIgnoringCase(error.response?.cfRay ?? "", secret), "an error's cf-ray never holds a secret", shown())
    }
    require(error.kind != .invalidArgument, "an answer is never an invalid argument", shown())
    require(error.response?.statusCode == http.status, "an error carries the answer's status", shown())
    require(error.response?.body == http.body, "an error carries the answer's body", shown())
    if (200..<300).contains(http.status) {
        require(error.kind == .response || error.kind == .api || error.kind == .notFound || error.kind == .rateLimited,
                "a failed 2xx is a response or API error", shown() + " kind \(error.kind)")
    }
    if let code = error.apiCode {
        require(error.kind != .http, "an error with a Cloudflare code is not a bare HTTP error", shown() + " code \(code)")
    }
}
