/// The stable numbers and names of the C ABI's enums, written once, each table a switch over every case:
/// a new kind, status or outcome does not compile until it has its number and name. The C boundary, the
/// CLI and (through the C functions) every binding use these.
extension DeployHookError.Kind {
    /// The C name, e.g. `DEPLOYHOOK_ERR_NOT_FOUND`.
    public var abiName: StaticString {
        switch self {
        case .invalidArgument: "DEPLOYHOOK_ERR_INVALID_ARGUMENT"
        case .notFound: "DEPLOYHOOK_ERR_NOT_FOUND"
        case .rateLimited: "DEPLOYHOOK_ERR_RATE_LIMITED"
        case .api: "DEPLOYHOOK_ERR_API"
        case .http: "DEPLOYHOOK_ERR_HTTP"
        case .network: "DEPLOYHOOK_ERR_NETWORK"
        case .timeout: "DEPLOYHOOK_ERR_TIMEOUT"
        case .tls: "DEPLOYHOOK_ERR_TLS"
        case .response: "DEPLOYHOOK_ERR_RESPONSE"
        case .internal: "DEPLOYHOOK_ERR_INTERNAL"
        case .waitTimeout: "DEPLOYHOOK_ERR_WAIT_TIMEOUT"
        case .cancelled: "DEPLOYHOOK_ERR_CANCELLED"
        case .noCredentials: "DEPLOYHOOK_ERR_NO_CREDENTIALS"
        }
    }

    /// The short stable name, e.g. `NOT_FOUND`: the C name without its prefix.
    public var name: String { String(describing: abiName).replacingPrefix("DEPLOYHOOK_ERR_") }
}

extension BuildStatus {
    /// The number of `deployhook_status`.
    public var abiNumber: Int32 {
        switch self {
        case .unknown: 0
        case .queued: 1
        case .initializing: 2
        case .running: 3
        case .stopped: 4
        }
    }

    /// The status of a `deployhook_status` number; ``unknown`` for any other number.
    public init(abiNumber: Int32) {
        self = Self.allCases.first { $0.abiNumber == abiNumber } ?? .unknown
    }
}

extension BuildOutcome {
    /// The number of `deployhook_outcome` (0, NONE, stands for no outcome yet).
    public var abiNumber: Int32 {
        switch self {
        case .success: 1
        case .fail: 2
        case .skipped: 3
        case .cancelled: 4
        case .terminated: 5
        case .unknown: 6
        }
    }

    /// The number of an outcome that may not exist yet: 0 (NONE) for nil.
    public static func abiNumber(of outcome: BuildOutcome?) -> Int32 { outcome?.abiNumber ?? 0 }

    /// The outcome of a `deployhook_outcome` number; nil for 0 (NONE) and any number that names none.
    public init?(abiNumber: Int32) {
        guard let outcome = Self.allCases.first(where: { $0.abiNumber == abiNumber }) else { return nil }
        self = outcome
    }
}

extension String {
    /// This text without `prefix` when it starts with it.
    func replacingPrefix(_ prefix: String) -> String { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self }
}
