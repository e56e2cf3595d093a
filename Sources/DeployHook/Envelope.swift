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
            code = (try? fields.decodeIfPresent(Int.self, forKey: .code))
                ?? (try? fields.decodeIfPresent(Double.self, forKey: .code)).flatMap { Int(exactly: $0) }
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

    /// Decodes `body`; nil when it is not a JSON object, not JSON at all, or not UTF-8 (RFC 8259 §8.1).
    static func decode(_ body: [UInt8]) -> Envelope? {
        guard String(validating: body, as: UTF8.self) != nil else { return nil }
        return try? JSONDecoder().decode(Envelope.self, from: Data(body))
    }

    private enum CodingKeys: String, CodingKey { case success, errors, result }
}

/// A keyed container's value of type `T`, or nil when absent or of another type.
extension KeyedDecodingContainer {
    func lenient<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
        (try? decodeIfPresent(type, forKey: key)) ?? nil
    }
}
