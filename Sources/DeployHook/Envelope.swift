#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Cloudflare's v4 response envelope, decoded tolerantly: every field is optional, and a field of an
/// unexpected type reads as absent rather than failing the whole answer. `Fields` is the `result` object.
struct Envelope<Fields: Decodable>: Decodable {
    /// One entry of `errors`.
    struct APIError: Decodable, Equatable {
        var code: Int?
        var message: String?

        init(from decoder: any Decoder) throws {
            let fields = try decoder.container(keyedBy: CodingKeys.self)
            let number = (try? fields.decodeIfPresent(Int.self, forKey: .code))
                ?? (try? fields.decodeIfPresent(Double.self, forKey: .code)).flatMap { Int(exactly: $0) }
            // A code the C ABI's int cannot hold is no code at all, so every surface tells the same story.
            code = number.flatMap { Int32(exactly: $0) }.map(Int.init)
            message = try? fields.decodeIfPresent(String.self, forKey: .message)
        }

        private enum CodingKeys: String, CodingKey { case code, message }
    }

    var success: Bool?
    var errors: [APIError]
    var result: Fields?
    /// True when the object has `success` or `errors`: what makes an error answer Cloudflare's own.
    var isCloudflareEnvelope: Bool

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        success = try? fields.decodeIfPresent(Bool.self, forKey: .success)
        errors = (try? fields.decodeIfPresent([APIError].self, forKey: .errors)) ?? []
        result = try? fields.decodeIfPresent(Fields.self, forKey: .result)
        isCloudflareEnvelope = fields.contains(.success) || fields.contains(.errors)
    }

    /// Decodes `body`; nil when it is not a JSON object, not JSON at all, not UTF-8 (RFC 8259 §8.1), or
    /// nested deeper than ``maxNesting``.
    static func decode(_ body: [UInt8]) -> Envelope? {
        guard String(validating: body, as: UTF8.self) != nil, !JSONNesting.exceeds(body, maxNesting) else { return nil }
        return try? JSONDecoder().decode(Envelope.self, from: Data(body))
    }

    /// The deepest nesting of arrays and objects accepted. Cloudflare's answers need five levels (the
    /// envelope, `result`, `build_trigger_metadata`, `environment_variables`, a value); the decoder
    /// recurses once a level, so this bound is what keeps a hostile answer from exhausting a small stack.
    static var maxNesting: Int { 16 }

    private enum CodingKeys: String, CodingKey { case success, errors, result }
}

/// A keyed container's value of type `T`, or nil when absent or of another type.
extension KeyedDecodingContainer {
    func lenient<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
        (try? decodeIfPresent(type, forKey: key)) ?? nil
    }
}

/// Measures JSON nesting without recursion, before anything recursive looks at the text.
enum JSONNesting {
    /// True when arrays and objects in `body` nest deeper than `limit` (brackets inside strings do not count).
    static func exceeds(_ body: [UInt8], _ limit: Int) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in body {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit { return true }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return false
    }
}
