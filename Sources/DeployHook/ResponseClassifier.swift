/// Turns an HTTP answer to a trigger into a build or a typed error.
enum ResponseClassifier {
    /// Cloudflare's code for an unknown deploy hook.
    static let notFoundCode = 12000
    /// Cloudflare's code for a rate-limited trigger.
    static let rateLimitedCode = 12051

    /// What an answer is about: named in messages; its secrets are scrubbed from everything the answer becomes.
    struct Subject {
        /// How messages name it, e.g. "deploy hook 182b..." or "build 5f1c...".
        var name: String
        /// What was being done, e.g. "triggering deploy hook 182b...".
        var action: String
        /// What must never leave the library.
        var redactor: Redactor

        init(name: String, action: String, redactor: Redactor = Redactor()) {
            self.name = name
            self.action = action
            self.redactor = redactor
        }

        init(_ hook: DeployHookID, redactor: Redactor? = nil) {
            self.init(name: "deploy hook \(hook)", action: "triggering deploy hook \(hook)",
                      redactor: redactor ?? Redactor(hooks: [hook]))
        }
    }

    /// ``classify(_:_:)`` with the subject's secrets scrubbed from all it returns (the raw body aside, by
    /// design): what the client hands on.
    static func redactedClassification<Fields: EnvelopeResult>(_ http: HTTPResponse, _ subject: Subject)
        -> Result<(Fields?, APIResponse), DeployHookError> {
        classify(http, subject)
            .map { fields, response in (fields, response.redacted(subject.redactor)) }
            .mapError { $0.redacted(subject.redactor) }
    }

    /// The `result` fields of a successful answer (nil when it had none) with the answer, or a typed error.
    static func classify<Fields: EnvelopeResult>(_ http: HTTPResponse, _ subject: Subject) -> Result<(Fields?, APIResponse), DeployHookError> {
        let response = APIResponse(statusCode: http.status, cfRay: http.headers["cf-ray"], body: http.body)
        let envelope = Envelope<Fields>.decode(http.body)
        if (200..<300).contains(http.status) {
            guard let envelope else {
                return .failure(DeployHookError(.response, "the API answered HTTP \(http.status) with a body that is not a JSON object", response: response))
            }
            if envelope.success == false {
                return .failure(apiFailure(envelope, response: response, subject))
            }
            return .success((envelope.result, response))
        }
        if let envelope, envelope.isCloudflareEnvelope {
            return .failure(apiFailure(envelope, response: response, subject))
        }
        switch http.status {
        case 404:
            return .failure(DeployHookError(.notFound, "\(subject.name) not found (HTTP 404)", response: response))
        case 429:
            return .failure(DeployHookError(.rateLimited, "rate limited (HTTP 429) \(subject.action)", response: response))
        case 300..<400:
            return .failure(DeployHookError(.http, "the API answered with a redirect (HTTP \(http.status)); redirects are never followed", response: response))
        default:
            return .failure(DeployHookError(.http, "the API answered HTTP \(http.status) without a Cloudflare error envelope", response: response))
        }
    }

    /// The error a Cloudflare envelope with `success: false` (or a non-2xx status) describes.
    private static func apiFailure<Fields>(_ envelope: Envelope<Fields>, response: APIResponse, _ subject: Subject) -> DeployHookError {
        let first = envelope.errors.first
        let status = response.statusCode
        var detail = "HTTP \(status)"
        if let code = first?.code { detail += ", Cloudflare error \(code)" }
        if let message = first?.message, !message.isEmpty { detail += ": \(message)" }
        let kind: DeployHookError.Kind
        let summary: String
        if first?.code == notFoundCode || status == 404 {
            (kind, summary) = (.notFound, "\(subject.name) not found")
        } else if first?.code == rateLimitedCode || status == 429 {
            (kind, summary) = (.rateLimited, "rate limited \(subject.action)")
        } else {
            (kind, summary) = (.api, "Cloudflare API error \(subject.action)")
        }
        return DeployHookError(kind, "\(summary) (\(detail))", apiCode: first?.code, response: response)
    }
}
