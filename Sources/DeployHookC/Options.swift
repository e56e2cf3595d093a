import CDeployHook
import DeployHook

/// New options holding every default: API base from CLOUDFLARE_BASE_URL or Cloudflare's, total timeout
/// 60 s, connect timeout 5 s, 2 retries, the system's CA certificates, User-Agent deployhook/VERSION (c; OS).
/// Calls made with the same options share their connections: a trigger reuses the one an earlier call left
/// open (no new TCP or TLS handshake while the server keeps it alive), even across threads.
/// Owned by the caller: free with deployhook_options_free(). NULL only when out of memory.
@c public func deployhook_options_new() -> UnsafeMutablePointer<deployhook_options>? {
    OptionsBox.makeHandle()
}

/// Frees options and closes the connections they kept open. NULL is a no-op. Results made with them stay
/// valid. No call may be using the options any more.
@c public func deployhook_options_free(_ options: UnsafeMutablePointer<deployhook_options>?) {
    guard let options else { return }
    Handle.destroy(options)
}

/// Sets the API base URL (http or https, e.g. http://127.0.0.1:8787/client/v4), which beats
/// CLOUDFLARE_BASE_URL; NULL goes back to it. Hooks given as trigger URLs must lie under this base.
/// Returns DEPLOYHOOK_OK, or DEPLOYHOOK_ERR_INVALID_ARGUMENT (and changes nothing) for a bad URL or NULL options.
@c public func deployhook_options_set_base_url(_ options: UnsafeMutablePointer<deployhook_options>?,
                                               _ url: UnsafePointer<CChar>?) -> CInt {
    OptionsBox.update(options) { (configuration) throws(DeployHookError) in
        try configuration.setBaseURL(try CText.optional(url))
    }
}

/// Sets the total deadline of a trigger in milliseconds, 1 to 86400000, every attempt and retry wait
/// included (default 60000). Returns DEPLOYHOOK_OK, or DEPLOYHOOK_ERR_INVALID_ARGUMENT and changes nothing.
@c public func deployhook_options_set_timeout_ms(_ options: UnsafeMutablePointer<deployhook_options>?, _ milliseconds: CLong) -> CInt {
    OptionsBox.update(options) { (configuration) throws(DeployHookError) in
        try configuration.setTimeout(try duration(milliseconds))
    }
}

/// Sets the limit on each connection attempt in milliseconds, 1 to 86400000 (default 5000).
/// Returns DEPLOYHOOK_OK, or DEPLOYHOOK_ERR_INVALID_ARGUMENT and changes nothing.
@c public func deployhook_options_set_connect_timeout_ms(_ options: UnsafeMutablePointer<deployhook_options>?, _ milliseconds: CLong) -> CInt {
    OptionsBox.update(options) { (configuration) throws(DeployHookError) in
        try configuration.setConnectTimeout(try duration(milliseconds))
    }
}

/// Sets how many times a failed attempt is retried, 0 to 100 (default 2). Connection errors, timeouts and
/// HTTP 408, 409, 429 and 5xx are retried, after the server's Retry-After or an exponential backoff.
/// Retrying is safe: Cloudflare does not start a second build while one is pending for the branch.
/// Returns DEPLOYHOOK_OK, or DEPLOYHOOK_ERR_INVALID_ARGUMENT and changes nothing.
@c public func deployhook_options_set_max_retries(_ options: UnsafeMutablePointer<deployhook_options>?, _ retries: CInt) -> CInt {
    OptionsBox.update(options) { (configuration) throws(DeployHookError) in
        try configuration.setMaxRetries(Int(retries))
    }
}

/// Sets a PEM file of CA certificates to trust instead of the system's: only this file is trusted, libcurl's
/// CA directory is not consulted. It must be readable now and hold a PEM certificate block; it is read
/// again at each connection. NULL goes back to the system's. Certificate verification cannot be turned off.
/// Returns DEPLOYHOOK_OK, or DEPLOYHOOK_ERR_INVALID_ARGUMENT and changes nothing.
@c public func deployhook_options_set_ca_file(_ options: UnsafeMutablePointer<deployhook_options>?,
                                              _ path: UnsafePointer<CChar>?) -> CInt {
    OptionsBox.update(options) { (configuration) throws(DeployHookError) in
        try configuration.setCAFile(try CText.optional(path))
    }
}

/// Sets the User-Agent header, 1 to 1024 bytes without control characters; NULL goes back to the default.
/// Returns DEPLOYHOOK_OK, or DEPLOYHOOK_ERR_INVALID_ARGUMENT and changes nothing.
@c public func deployhook_options_set_user_agent(_ options: UnsafeMutablePointer<deployhook_options>?,
                                                 _ user_agent: UnsafePointer<CChar>?) -> CInt {
    OptionsBox.update(options) { (configuration) throws(DeployHookError) in
        try configuration.setUserAgent(try CText.optional(user_agent))
    }
}

/// Sets how many triggers deployhook_trigger_many() runs at once, 1 to 256 (default 8).
/// Returns DEPLOYHOOK_OK, or DEPLOYHOOK_ERR_INVALID_ARGUMENT and changes nothing.
@c public func deployhook_options_set_max_concurrency(_ options: UnsafeMutablePointer<deployhook_options>?, _ n: CInt) -> CInt {
    OptionsBox.update(options) { (configuration) throws(DeployHookError) in
        try configuration.setMaxConcurrency(Int(n))
    }
}

/// Sets the API token used to follow builds (never sent to the trigger endpoint, never printed);
/// NULL goes back to CLOUDFLARE_API_TOKEN. 1 to 1024 visible ASCII characters.
/// Returns DEPLOYHOOK_OK, or DEPLOYHOOK_ERR_INVALID_ARGUMENT and changes nothing.
@c public func deployhook_options_set_api_token(_ options: UnsafeMutablePointer<deployhook_options>?,
                                                _ token: UnsafePointer<CChar>?) -> CInt {
    OptionsBox.update(options) { (configuration) throws(DeployHookError) in
        try configuration.setAPIToken(try CText.optional(token))
    }
}

/// Sets the account whose builds are followed; NULL goes back to CLOUDFLARE_ACCOUNT_ID.
/// 1 to 64 letters, digits, '-' or '_'. Returns DEPLOYHOOK_OK, or DEPLOYHOOK_ERR_INVALID_ARGUMENT and changes nothing.
@c public func deployhook_options_set_account_id(_ options: UnsafeMutablePointer<deployhook_options>?,
                                                 _ account_id: UnsafePointer<CChar>?) -> CInt {
    OptionsBox.update(options) { (configuration) throws(DeployHookError) in
        try configuration.setAccountID(try CText.optional(account_id))
    }
}

/// Sets how long waiting for a build may take in all, in milliseconds, 1 to 86400000 (default 1500000,
/// 25 min: builds time out after 20). Returns DEPLOYHOOK_OK, or DEPLOYHOOK_ERR_INVALID_ARGUMENT and changes nothing.
@c public func deployhook_options_set_wait_timeout_ms(_ options: UnsafeMutablePointer<deployhook_options>?, _ milliseconds: CLong) -> CInt {
    OptionsBox.update(options) { (configuration) throws(DeployHookError) in
        try configuration.setWaitTimeout(try duration(milliseconds))
    }
}

/// Sets the name of the binding making the calls, shown in the default User-Agent
/// (deployhook/VERSION (NAME; OS); "c" by default): 1 to 32 lower-case letters, digits, '.', '_' or '-',
/// e.g. "rust", "node", "go". NULL goes back to "c".
/// Returns DEPLOYHOOK_OK, or DEPLOYHOOK_ERR_INVALID_ARGUMENT and changes nothing.
@c public func deployhook_options_set_binding_name(_ options: UnsafeMutablePointer<deployhook_options>?,
                                                   _ name: UnsafePointer<CChar>?) -> CInt {
    OptionsBox.update(options) { (configuration) throws(DeployHookError) in
        try configuration.setBinding(try CText.optional(name) ?? "c")
    }
}

/// Milliseconds as a duration, range-checked before any arithmetic so no value can overflow.
private func duration(_ milliseconds: CLong) throws(DeployHookError) -> Duration {
    guard milliseconds >= 1, milliseconds <= 86_400_000 else {
        throw DeployHookError(.invalidArgument, "a timeout must be between 1 and 86400000 ms")
    }
    return .milliseconds(Int64(milliseconds))
}
