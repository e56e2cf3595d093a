#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Cloudflare's v4 response envelope, decoded tolerantly: every field is optional, and a field of an
/// unexpected type reads as absent rather than failing the whole answer.
struct Envelope: Decodable, Equatable {
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

    /// The `result` object, in either documented shape.
    struct Result: Decodable, Equatable {
        var alreadyExists: Bool?
        var buildUUID: String?
        var createdOn: String?
        var status: String?
        var branch: String?
        var worker: String?

        init(from decoder: any Decoder) throws {
            let fields = try decoder.container(keyedBy: CodingKeys.self)
            alreadyExists = try? fields.decodeIfPresent(Bool.self, forKey: .alreadyExists)
            buildUUID = try? fields.decodeIfPresent(String.self, forKey: .buildUUID)
            createdOn = try? fields.decodeIfPresent(String.self, forKey: .createdOn)
            status = try? fields.decodeIfPresent(String.self, forKey: .status)
            branch = try? fields.decodeIfPresent(String.self, forKey: .branch)
            worker = try? fields.decodeIfPresent(String.self, forKey: .worker)
        }

        private enum CodingKeys: String, CodingKey {
            case alreadyExists = "already_exists", buildUUID = "build_uuid", createdOn = "created_on", status, branch, worker
        }
    }

    var success: Bool?
    var errors: [APIError]
    var result: Result?
    /// True when the object has `success` or `errors`: what makes an error answer Cloudflare's own.
    var isCloudflareEnvelope: Bool

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        success = try? fields.decodeIfPresent(Bool.self, forKey: .success)
        errors = (try? fields.decodeIfPresent([APIError].self, forKey: .errors)) ?? []
        result = try? fields.decodeIfPresent(Result.self, forKey: .result)
        isCloudflareEnvelope = fields.contains(.success) || fields.contains(.errors)
    }

    /// Decodes `body`; nil when it is not a JSON object (or not JSON at all).
    static func decode(_ body: [UInt8]) -> Envelope? {
        try? JSONDecoder().decode(Envelope.self, from: Data(body))
    }

    /// The build the `result` describes.
    var build: Build {
        Build(buildUUID: result?.buildUUID, status: BuildStatus(apiValue: result?.status),
              alreadyExists: result?.alreadyExists, createdOn: result?.createdOn,
              branch: result?.branch, worker: result?.worker)
    }

    private enum CodingKeys: String, CodingKey { case success, errors, result }
}
