import CDeployHook
import DeployHook

/// The name of an error code, e.g. "DEPLOYHOOK_ERR_NOT_FOUND"; "DEPLOYHOOK_ERR_UNKNOWN" for any other
/// number. Static: never free it.
@c public func deployhook_error_name(_ code: CInt) -> UnsafePointer<CChar> {
    let name: StaticString = switch code {
    case 0: "DEPLOYHOOK_OK"
    case 1: "DEPLOYHOOK_ERR_INVALID_ARGUMENT"
    case 2: "DEPLOYHOOK_ERR_NOT_FOUND"
    case 3: "DEPLOYHOOK_ERR_RATE_LIMITED"
    case 4: "DEPLOYHOOK_ERR_API"
    case 5: "DEPLOYHOOK_ERR_HTTP"
    case 6: "DEPLOYHOOK_ERR_NETWORK"
    case 7: "DEPLOYHOOK_ERR_TIMEOUT"
    case 8: "DEPLOYHOOK_ERR_TLS"
    case 9: "DEPLOYHOOK_ERR_RESPONSE"
    case 10: "DEPLOYHOOK_ERR_INTERNAL"
    case 11: "DEPLOYHOOK_ERR_WAIT_TIMEOUT"
    default: "DEPLOYHOOK_ERR_UNKNOWN"
    }
    return cString(name)
}

/// The API's word for a status, e.g. "queued"; "unknown" for any other number. Static: never free it.
@c public func deployhook_status_name(_ status: CInt) -> UnsafePointer<CChar> {
    let name: StaticString = switch StatusNumbers.status(of: status) {
    case .queued: "queued"
    case .initializing: "initializing"
    case .running: "running"
    case .stopped: "stopped"
    case .unknown: "unknown"
    }
    return cString(name)
}

/// The API's word for a build outcome, e.g. "success"; "none" for DEPLOYHOOK_OUTCOME_NONE and "unknown"
/// for any other number. Static: never free it.
@c public func deployhook_outcome_name(_ outcome: CInt) -> UnsafePointer<CChar> {
    let name: StaticString = switch OutcomeNumbers.outcome(of: outcome) {
    case nil: outcome == 0 ? "none" : "unknown"
    case .success?: "success"
    case .fail?: "fail"
    case .skipped?: "skipped"
    case .cancelled?: "cancelled"
    case .terminated?: "terminated"
    case .unknown?: "unknown"
    }
    return cString(name)
}

/// The library's version, e.g. "0.1.0", equal to DEPLOYHOOK_VERSION when header and library match.
/// Static: never free it.
@c public func deployhook_version() -> UnsafePointer<CChar> {
    cString(DeployHookVersion.staticString)
}

/// The version as major * 1000000 + minor * 1000 + patch, comparable with DEPLOYHOOK_VERSION_NUMBER.
@c public func deployhook_version_number() -> CInt {
    DeployHookVersion.number
}

/// The numbers of `deployhook_status`.
enum StatusNumbers {
    static func number(of status: BuildStatus) -> CInt {
        switch status {
        case .unknown: 0
        case .queued: 1
        case .initializing: 2
        case .running: 3
        case .stopped: 4
        }
    }

    static func status(of number: CInt) -> BuildStatus {
        BuildStatus.allCases.first { Self.number(of: $0) == number } ?? .unknown
    }
}

/// The numbers of `deployhook_outcome` (0, NONE, is no outcome).
enum OutcomeNumbers {
    static func number(of outcome: BuildOutcome?) -> CInt {
        switch outcome {
        case nil: 0
        case .success?: 1
        case .fail?: 2
        case .skipped?: 3
        case .cancelled?: 4
        case .terminated?: 5
        case .unknown?: 6
        }
    }

    static func outcome(of number: CInt) -> BuildOutcome? {
        BuildOutcome.allCases.first { Self.number(of: $0) == number }
    }
}

/// Every enum crosses the ABI as a 32-bit int: the @c functions take and return CInt, never an enum type,
/// and the header's enums only name the numbers.
extension deployhook_error { var int: CInt { CInt(rawValue) } }
extension deployhook_event { var int: CInt { CInt(rawValue) } }

/// A static string's bytes as a C string; they live as long as the library.
private func cString(_ text: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}
