/// The `result` of an answer, read from the JSON value Cloudflare sent: nil when it is not what the fields
/// come in (an object), as a field of the wrong type reads as absent.
protocol EnvelopeResult {
    init?(json: JSONValue)
}

/// Cloudflare's v4 response envelope, read tolerantly: every field is optional, and a field of an
/// unexpected type reads as absent rather than failing the whole answer. `Fields` is the `result` object.
struct Envelope<Fields: EnvelopeResult> {
    /// One entry of `errors`.
    struct APIError: Equatable {
        var code: Int?
        var message: String?

        /// An entry from its object. `code` is an integer or a whole number written as a fraction
        /// (`10013.0`); a code the C ABI's int cannot hold is no code at all, so every surface tells the
        /// same story.
        init(json: JSONValue) {
            code = json["code"]?.number.flatMap { Int32(exactly: $0) }.map(Int.init)
            message = json["message"]?.string
        }
    }

    var success: Bool?
    var errors: [APIError]
    var result: Fields?
    /// True when the object has `success` or `errors`: what makes an error answer Cloudflare's own.
    var isCloudflareEnvelope: Bool

    /// The envelope an object holds; nil for any other value.
    init?(json: JSONValue) {
        guard json.isObject else { return nil }
        success = json["success"]?.bool
        // A list of objects; anything else, even one entry of another type, reads as no errors.
        let entries = json["errors"]?.elements ?? []
        errors = entries.allSatisfy(\.isObject) ? entries.map { APIError(json: $0) } : []
        result = json["result"].flatMap { Fields(json: $0) }
        isCloudflareEnvelope = json.contains("success") || json.contains("errors")
    }

    /// Reads `body`; nil when it is not a JSON object, not JSON at all (RFC 8259, strictly: see
    /// ``JSONReader``), not UTF-8 (§8.1), or nested deeper than ``maxNesting``.
    static func decode(_ body: [UInt8]) -> Envelope? {
        JSONReader.read(body, maxDepth: maxNesting).flatMap { Envelope(json: $0.root) }
    }

    /// The deepest nesting of arrays and objects accepted. Cloudflare's answers need five levels (the
    /// envelope, `result`, `build_trigger_metadata`, `environment_variables`, a value). The reader does not
    /// recurse; the bound keeps what a hostile answer makes us read and hold small.
    static var maxNesting: Int { 16 }
}
