import CDeployHook
import DeployHook

/// Waits for a build to stop, polling it with the API token and account of options (or
/// CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID): every 2 s at first, growing to 15 s, for at most the
/// wait timeout (default 25 min). Blocks the calling thread; callback (may be NULL) hears each status
/// change and, when follow_logs is non-zero, each new log line, on this thread, with user_data.
/// Returns a result owned by the caller (free with deployhook_free_result()): DEPLOYHOOK_OK with the
/// build's final status, outcome, preview URL and stop time, or the error (DEPLOYHOOK_ERR_WAIT_TIMEOUT when
/// the build did not stop in time). NULL only when out of memory.
@c public func deployhook_wait(_ build_uuid: UnsafePointer<CChar>?, _ options: UnsafePointer<deployhook_options>?,
                               _ follow_logs: CInt, _ callback: deployhook_wait_callback?,
                               _ user_data: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<deployhook_result>? {
    let client = OptionsBox.client(options)
    var content = ResultBox.Content()
    do throws(DeployHookError) {
        let text = try CText.required(build_uuid, "build UUID")
        content.build.buildUUID = DeployHookClient.canonicalBuildUUID(text)  // a bad one is never echoed
        content.details = try client.waitBlocking(forBuild: text, followLogs: follow_logs != 0, onEvent: EventRelay(callback, user_data).send)
    } catch {
        content.error = error
    }
    return ResultBox.makeHandle(ResultBox(content))
}

/// Triggers hook, then waits for the build it started (or found pending) as deployhook_wait() does.
/// The result holds both: already_exists from the trigger; the final status, outcome, preview URL and
/// stop time from the wait. When the wait fails the result still names the build (deployhook_build_uuid).
/// Owned by the caller (free with deployhook_free_result()); NULL only when out of memory.
@c public func deployhook_trigger_and_wait(_ hook: UnsafePointer<CChar>?, _ options: UnsafePointer<deployhook_options>?,
                                           _ follow_logs: CInt, _ callback: deployhook_wait_callback?,
                                           _ user_data: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<deployhook_result>? {
    let client = OptionsBox.client(options)
    var content = ResultBox.Content()
    do throws(DeployHookError) {
        let hook = try CText.required(hook, "deploy hook")
        let (triggered, outcome) = client.triggerAndWaitBlocking(hook, followLogs: follow_logs != 0,
                                                                 onEvent: EventRelay(callback, user_data).send)
        if let triggered {
            content.build = triggered.build
            content.trigger = triggered.response
        }
        content.details = try outcome.get()
    } catch {
        content.error = error
    }
    return ResultBox.makeHandle(ResultBox(content))
}

/// Passes build events to a C callback, remembering the last status for log events.
private final class EventRelay {
    let callback: deployhook_wait_callback?
    let userData: UnsafeMutableRawPointer?
    private var lastStatus = BuildStatus.unknown

    init(_ callback: deployhook_wait_callback?, _ user_data: UnsafeMutableRawPointer?) {
        self.callback = callback
        self.userData = user_data
    }

    func send(_ event: BuildEvent) {
        switch event {
        case .status(let details):
            lastStatus = details.status
            guard let callback else { return }
            details.buildUUID.withCString { callback(DEPLOYHOOK_EVENT_STATUS.int, details.status.abiNumber, $0, 0, userData) }
        case .log(let line):
            guard let callback else { return }
            line.message.withCString { callback(DEPLOYHOOK_EVENT_LOG.int, lastStatus.abiNumber, $0, line.timestamp, userData) }
        }
    }
}
