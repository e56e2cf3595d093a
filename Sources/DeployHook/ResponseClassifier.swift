/// Turns an HTTP answer to a trigger into a build or a typed error.
enum ResponseClassifier {
    /// Cloudflare's code for an unknown deploy hook.
    static let notFoundCode = 12000
    /// Cloudflare's code for a rate-limited trigger.
    static let rateLimitedCode = 12051

    static func classify(_ http: HTTPResponse, hook: DeployHookID) -> Result<TriggerResult, DeployHookError> {
        let response = APIResponse(statusCode: http.status, cfRay: http.headers["cf-ray"], body: http.body)
        let envelope = Envelope.decode(http.body)
        if (200..<300).contains(http.status) {
            guard let envelope else {
                return .failure(DeployHookError(.response, "the API answered HTTP \(http.status) with a body that is not a JSON object", response: response))
            }
            if envelope.success == false {
                return .failure(apiFailure(envelope, response: response, hook: hook))
            }
            return .success(TriggerResult(build: envelope.build, response: response))
        }
        if let envelope, envelope.isCloudflareEnvelope {
            return .failure(apiFailure(envelope, response: response, hook: hook))
        }
        switch http.status {
        case 404:
            return .failure(DeployHookError(.notFound, "deploy hook \(hook) not found (HTTP 404)", response: response))
        case 429:
            return .failure(DeployHookError(.rateLimited, "rate limited (HTTP 429) triggering deploy hook \(hook)", response: response))
        case 300..<400:
            return .failure(DeployHookError(.http, "the API answered with a redirect (HTTP \(http.status)); redirects are never followed", response: response))
        default:
            return .failure(DeployHookError(.http, "the API answered HTTP \(http.status) without a Cloudflare error envelope", response: response))
        }
    }

    /// The error a Cloudflare envelope with `success: false` (or a non-2xx status) describes.
    private static func apiFailure(_ envelope: Envelope, response: APIResponse, hook: DeployHookID) -> DeployHookError {
        let first = envelope.errors.first
        let status = response.statusCode
        var detail = "HTTP \(status)"
        if let code = first?.code { detail += ", Cloudflare error \(code)" }
        if let message = first?.message, !message.isEmpty { detail += ": \(message)" }
        let kind: DeployHookError.Kind
        let summary: String
        if first?.code == notFoundCode || status == 404 {
            (kind, summary) = (.notFound, "deploy hook \(hook) not found")
        } else if first?.code == rateLimitedCode || status == 429 {
            (kind, summary) = (.rateLimited, "rate limited triggering deploy hook \(hook)")
        } else {
            (kind, summary) = (.api, "the API refused to trigger deploy hook \(hook)")
        }
        return DeployHookError(kind, "\(summary) (\(detail))", apiCode: first?.code, response: response).scrubbing(hook)
    }
}
