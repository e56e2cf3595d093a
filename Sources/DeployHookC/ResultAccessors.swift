import CDeployHook
import DeployHook

/// The result's outcome: DEPLOYHOOK_OK, or the kind of error. DEPLOYHOOK_ERR_INVALID_ARGUMENT for NULL.
@c public func deployhook_error_code(_ result: UnsafePointer<deployhook_result>?) -> CInt {
    guard let box = ResultBox.borrow(result) else { return DEPLOYHOOK_ERR_INVALID_ARGUMENT.int }
    return CInt(box.error?.rawValue ?? 0)
}

/// A readable explanation of the error; NULL on success and for NULL. It never contains the hook.
/// Owned by the result: valid until deployhook_free_result().
@c public func deployhook_error_message(_ result: UnsafePointer<deployhook_result>?) -> UnsafePointer<CChar>? {
    ResultBox.borrow(result)?.message.cString
}

/// Cloudflare's first error code from the answer (e.g. 12000 not found, 12051 rate limited); 0 if none.
@c public func deployhook_api_error_code(_ result: UnsafePointer<deployhook_result>?) -> CInt {
    ResultBox.borrow(result)?.apiCode ?? 0
}

/// The HTTP status of the last answer (e.g. 200, 404; after a wait, its last poll's); 0 when none arrived.
@c public func deployhook_http_status(_ result: UnsafePointer<deployhook_result>?) -> CInt {
    ResultBox.borrow(result)?.httpStatus ?? 0
}

/// The UUID of the build triggered or waited for (also when the wait itself failed); NULL when absent,
/// when the trigger failed, or for an invalid build UUID. Owned by the result: valid until deployhook_free_result().
@c public func deployhook_build_uuid(_ result: UnsafePointer<deployhook_result>?) -> UnsafePointer<CChar>? {
    ResultBox.borrow(result)?.buildUUID.cString
}

/// The build's status; DEPLOYHOOK_STATUS_UNKNOWN when absent, unrecognised, on error, or for NULL.
@c public func deployhook_build_status(_ result: UnsafePointer<deployhook_result>?) -> CInt {
    (ResultBox.borrow(result)?.status ?? .unknown).abiNumber
}

/// 1 if a build for the branch was already pending (so no second build was started), 0 if not,
/// -1 when the answer did not say (or on error, or for NULL).
@c public func deployhook_already_exists(_ result: UnsafePointer<deployhook_result>?) -> CInt {
    switch ResultBox.borrow(result)?.alreadyExists {
    case true?: 1
    case false?: 0
    case nil: -1
    }
}

/// When the build was created, as sent (ISO 8601, e.g. 2019-12-27T18:11:19.117Z); NULL when absent.
/// Owned by the result: valid until deployhook_free_result().
@c public func deployhook_created_on(_ result: UnsafePointer<deployhook_result>?) -> UnsafePointer<CChar>? {
    ResultBox.borrow(result)?.createdOn.cString
}

/// The cf-ray header of the last answer (Cloudflare's request id, for support; after a wait, its last
/// poll's); NULL when absent.
/// Owned by the result: valid until deployhook_free_result().
@c public func deployhook_cf_ray(_ result: UnsafePointer<deployhook_result>?) -> UnsafePointer<CChar>? {
    ResultBox.borrow(result)?.cfRay.cString
}

/// The raw body of the last answer (at most 1 MiB; after a wait, its last poll's), NUL-terminated, also on
/// errors; NULL when no answer arrived. Owned by the result: valid until deployhook_free_result().
@c public func deployhook_response_body(_ result: UnsafePointer<deployhook_result>?) -> UnsafePointer<CChar>? {
    ResultBox.borrow(result)?.body.cString
}

/// How the build ended (after a wait); DEPLOYHOOK_OUTCOME_NONE before it stopped, on error, or for NULL.
@c public func deployhook_build_outcome(_ result: UnsafePointer<deployhook_result>?) -> CInt {
    BuildOutcome.abiNumber(of: ResultBox.borrow(result)?.outcome)
}

/// The build's preview URL (after a wait), owned by the result; NULL when absent.
@c public func deployhook_preview_url(_ result: UnsafePointer<deployhook_result>?) -> UnsafePointer<CChar>? {
    ResultBox.borrow(result)?.previewURL.cString
}

/// When the build stopped (after a wait), as sent (ISO 8601), owned by the result; NULL when absent.
@c public func deployhook_stopped_on(_ result: UnsafePointer<deployhook_result>?) -> UnsafePointer<CChar>? {
    ResultBox.borrow(result)?.stoppedOn.cString
}
