import CDeployHook
import DeployHook

/// Triggers a deploy hook with default options and blocks until the outcome is known.
/// hook: the deploy hook UUID (any letter case, surrounding whitespace ignored) or its full trigger URL
/// under the API base. The API base is CLOUDFLARE_BASE_URL when set, else https://api.cloudflare.com/client/v4.
/// Returns a result the caller owns and frees with deployhook_free_result(), whether it holds a build or an
/// error (check deployhook_error_code()). Returns NULL only when memory is exhausted.
@c public func deployhook_trigger(_ hook: UnsafePointer<CChar>?) -> UnsafeMutablePointer<deployhook_result>? {
    deployhook_trigger_with(hook, nil)
}

/// Like deployhook_trigger(), with the settings in options (NULL: defaults). The call blocks the calling
/// thread for at most the options' total timeout (default 60 s), retries and waits included. options is
/// only read, so many threads may trigger with the same options at once.
/// Returns a result owned by the caller (free with deployhook_free_result()); NULL only when out of memory.
@c public func deployhook_trigger_with(_ hook: UnsafePointer<CChar>?,
                                       _ options: UnsafePointer<deployhook_options>?) -> UnsafeMutablePointer<deployhook_result>? {
    return ResultBox.makeHandle(ResultBox(trigger(hook, OptionsBox.configuration(options))))
}

/// Frees a result and every string it owns. NULL is a no-op.
@c public func deployhook_free_result(_ result: UnsafeMutablePointer<deployhook_result>?) {
    guard let result else { return }
    Handle.destroy(result)
}

/// Converts the C arguments, calls the core, and returns its outcome.
private func trigger(_ hook: UnsafePointer<CChar>?, _ configuration: Configuration) -> Result<TriggerResult, DeployHookError> {
    do throws(DeployHookError) {
        return .success(try DeployHookClient(configuration: configuration).triggerBlocking(try CText.required(hook, "deploy hook")))
    } catch {
        return .failure(error)
    }
}
