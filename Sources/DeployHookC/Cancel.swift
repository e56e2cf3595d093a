import CDeployHook
import DeployHook

/// Cancels a build (PUT .../builds/{build_uuid}/cancel) with the API token and account of options (or
/// CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID), with the usual retries and deadline. Blocks the calling
/// thread. Returns a result owned by the caller (free with deployhook_free_result()): DEPLOYHOOK_OK with the
/// build stopped, its outcome (DEPLOYHOOK_OUTCOME_CANCELLED when this call cancelled it) and stop time, and
/// deployhook_already_stopped() telling whether it had stopped before; or the error
/// (DEPLOYHOOK_ERR_NO_CREDENTIALS, DEPLOYHOOK_ERR_NOT_FOUND, DEPLOYHOOK_ERR_API with Cloudflare's code, ...).
/// NULL only when out of memory.
@c public func deployhook_cancel_build(_ build_uuid: UnsafePointer<CChar>?,
                                       _ options: UnsafePointer<deployhook_options>?) -> UnsafeMutablePointer<deployhook_result>? {
    var content = ResultBox.Content()
    do throws(DeployHookError) {
        let text = try CText.required(build_uuid, "build UUID")
        content.build.buildUUID = DeployHookClient.canonicalBuildUUID(text)  // a bad one is never echoed
        let details = try OptionsBox.client(options).cancelBuildBlocking(text)
        content.details = details
        content.alreadyStopped = details.outcome != .cancelled
    } catch {
        content.error = error
    }
    return ResultBox.makeHandle(ResultBox(content))
}

/// After deployhook_cancel_build(): 1 when the build had already stopped (its outcome is how it ended), 0
/// when this call cancelled it; -1 for any other result, an error, or NULL.
@c public func deployhook_already_stopped(_ result: UnsafePointer<deployhook_result>?) -> CInt {
    switch ResultBox.borrow(result)?.alreadyStopped {
    case true?: 1
    case false?: 0
    case nil: -1
    }
}
