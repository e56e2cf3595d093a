import CDeployHook
import DeployHook

/// The name of an error code, e.g. "DEPLOYHOOK_ERR_NOT_FOUND"; "DEPLOYHOOK_ERR_UNKNOWN" for any other
/// number. Static: never free it.
@c public func deployhook_error_name(_ code: CInt) -> UnsafePointer<CChar> {
    if code == 0 { return cString("DEPLOYHOOK_OK") }
    return cString(DeployHookError.Kind(rawValue: code)?.abiName ?? "DEPLOYHOOK_ERR_UNKNOWN")
}

/// The API's word for a status, e.g. "queued"; "unknown" for any other number. Static: never free it.
@c public func deployhook_status_name(_ status: CInt) -> UnsafePointer<CChar> {
    let name: StaticString = switch BuildStatus(abiNumber: status) {
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
    let name: StaticString = switch BuildOutcome(abiNumber: outcome) {
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

/// Every enum crosses the ABI as a 32-bit int: the @c functions take and return CInt, never an enum type,
/// and the header's enums only name the numbers.
extension deployhook_error { var int: CInt { CInt(rawValue) } }
extension deployhook_event { var int: CInt { CInt(rawValue) } }

/// A static string's bytes as a C string; they live as long as the library.
private func cString(_ text: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}
