// Fuzz target 2: response decoding and classification.
//
// Input layout:
//   byte 0-1  HTTP status, big-endian (0...65535, so out-of-range statuses are fuzzed too)
//   byte 2    flags: bit 0 -> the header value below goes to `retry-after-ms` instead of `retry-after`;
//             bit 1 -> also sent as `x-should-retry`; bit 2 -> also sent as `cf-ray`;
//             bits 4-7 -> jitter (n / 16) for RetryPolicy.delay
//   then      a header value up to the first "\n" (empty: no header), then the body (all the rest)
// Inputs shorter than 3 bytes are taken as a body answered with HTTP 200.
//
// Each input is classified as the client does it (`ResponseClassifier.redactedClassification`): as a
// trigger answer for a fixed hook, as a build answer (`Envelope<BuildFields>`) and as a logs answer
// (`Envelope<LogFields>`) for a subject whose secret is a fixed API token; and fed to RetryPolicy.
//
// Invariants (a violation traps):
// - no crash;
// - an error message, a cf-ray and a trigger's build fields never contain the hook's UUID (any case, with or
//   without dashes) nor the API token;
// - success only for 2xx; the answer's status and body are kept as received;
// - an error carries the answer (status, body);
// - the retry delay is in (0, 60 s].
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

private let hookText = "5F1C2E3D-4B5A-4C6D-8E7F-90A1B2C3D4E5"
private let hook = try! DeployHookID(parsing: hookText, apiBase: .cloudflare)
private let token = "fuzz-Token_0123456789abcdefXYZ"
private let buildUUID = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e"
private let buildSubject = ResponseClassifier.Subject(
    name: "build \(buildUUID)", action: "reading build \(buildUUID)",
    redactor: Redactor(literals: [Secret(value: token, redacted: "[token]")]))
private let hookSecrets = [hook.uuid, hook.uuid.filter { $0 != "-" }]
private let now = Date(timeIntervalSince1970: 1_700_000_000)

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
    let trigger: Result<(TriggerFields?, APIResponse), DeployHookError> =
        ResponseClassifier.redactedClassification(http, ResponseClassifier.Subject(hook))
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
    let build: Result<(BuildFields?, APIResponse), DeployHookError> = ResponseClassifier.redactedClassification(http, buildSubject)
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
    let logs: Result<(LogFields?, APIResponse), DeployHookError> = ResponseClassifier.redactedClassification(http, buildSubject)
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
    return 0
}

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
