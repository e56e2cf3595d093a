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
/// thread for at most the options' total timeout (default 60 s), retries and waits included. Many threads
/// may trigger with the same options at once; calls with the same options reuse each other's connections
/// (with NULL, each call opens its own).
/// Returns a result owned by the caller (free with deployhook_free_result()); NULL only when out of memory.
@c public func deployhook_trigger_with(_ hook: UnsafePointer<CChar>?,
                                       _ options: UnsafePointer<deployhook_options>?) -> UnsafeMutablePointer<deployhook_result>? {
    return ResultBox.makeHandle(ResultBox(trigger(hook, OptionsBox.client(options))))
}

/// Frees a result and every string it owns. NULL is a no-op.
@c public func deployhook_free_result(_ result: UnsafeMutablePointer<deployhook_result>?) {
    guard let result else { return }
    Handle.destroy(result)
}

/// Converts the C arguments, calls the core, and returns its outcome.
private func trigger(_ hook: UnsafePointer<CChar>?, _ client: DeployHookClient) -> Result<TriggerResult, DeployHookError> {
    do throws(DeployHookError) {
        return .success(try client.triggerBlocking(try CText.required(hook, "deploy hook")))
    } catch {
        return .failure(error)
    }
}

/// Triggers the n hooks in hooks concurrently (at most the options' max concurrency at once, default 8,
/// over shared connections, kept open in options for the next call), each with the usual retries and
/// deadline, and blocks until all have ended.
/// results (an array of n pointers, provided by the caller) receives one result per hook, in input order,
/// each owned by the caller and freed with deployhook_free_result() (an entry is NULL only when out of
/// memory). A NULL or invalid hook fails alone, in its own result. Returns DEPLOYHOOK_OK, or
/// DEPLOYHOOK_ERR_INVALID_ARGUMENT (and writes nothing) when hooks or results is NULL while n > 0, or n is
/// absurdly large (over 1,000,000).
@c public func deployhook_trigger_many(_ hooks: UnsafePointer<UnsafePointer<CChar>?>?, _ n: UInt,
                                       _ options: UnsafePointer<deployhook_options>?,
                                       _ results: UnsafeMutablePointer<UnsafeMutablePointer<deployhook_result>?>?) -> CInt {
    if n == 0 { return LastError.succeed() }
    guard let hooks, let out = results else {
        return LastError.fail(DeployHookError(.invalidArgument, "hooks or results is NULL while n > 0"))
    }
    guard n <= 1_000_000 else { return LastError.fail(DeployHookError(.invalidArgument, "n is over 1,000,000")) }
    let texts = (0..<Int(n)).map { index in Result { () throws(DeployHookError) in try CText.required(hooks[index], "deploy hook") } }
    let valid = texts.compactMap { try? $0.get() }
    var triggered = OptionsBox.client(options).triggerAllBlocking(valid).makeIterator()
    for (index, text) in texts.enumerated() {
        let outcome = text.flatMap { _ in triggered.next() ?? .failure(DeployHookError(.internal, "a trigger had no outcome")) }
        out[index] = ResultBox.makeHandle(ResultBox(outcome))
    }
    return LastError.succeed()
}
