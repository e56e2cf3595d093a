import CDeployHook
import DeployHook

// Where a build comes from and the times of its phases, from the build answer a wait or a cancel read
// (deployhook_branch also from a trigger answer of the guide's shape). Each returns a string owned by the
// result, valid until deployhook_free_result(), or NULL when the answer did not carry it (and for NULL).

/// The branch built, e.g. "main".
@c public func deployhook_branch(_ result: UnsafePointer<deployhook_result>?) -> UnsafePointer<CChar>? {
    ResultBox.borrow(result)?.text(.branch)
}

/// The commit built (40 hex digits).
@c public func deployhook_commit_hash(_ result: UnsafePointer<deployhook_result>?) -> UnsafePointer<CChar>? {
    ResultBox.borrow(result)?.text(.commitHash)
}

/// The commit's message (may span several lines).
@c public func deployhook_commit_message(_ result: UnsafePointer<deployhook_result>?) -> UnsafePointer<CChar>? {
    ResultBox.borrow(result)?.text(.commitMessage)
}

/// Who made the commit or triggered the build.
@c public func deployhook_author(_ result: UnsafePointer<deployhook_result>?) -> UnsafePointer<CChar>? {
    ResultBox.borrow(result)?.text(.author)
}

/// What triggered the build, as sent: "push", "pull_request", "manual", "api" or "deploy_hook".
@c public func deployhook_trigger_source(_ result: UnsafePointer<deployhook_result>?) -> UnsafePointer<CChar>? {
    ResultBox.borrow(result)?.text(.triggerSource)
}

/// The name of the deploy hook that started the build.
@c public func deployhook_deploy_hook_name(_ result: UnsafePointer<deployhook_result>?) -> UnsafePointer<CChar>? {
    ResultBox.borrow(result)?.text(.deployHookName)
}

/// The name of the build trigger the build ran under.
@c public func deployhook_trigger_name(_ result: UnsafePointer<deployhook_result>?) -> UnsafePointer<CChar>? {
    ResultBox.borrow(result)?.text(.triggerName)
}

/// When the build started initializing (ISO 8601, as sent).
@c public func deployhook_initializing_on(_ result: UnsafePointer<deployhook_result>?) -> UnsafePointer<CChar>? {
    ResultBox.borrow(result)?.text(.initializingOn)
}

/// When the build started running (ISO 8601, as sent).
@c public func deployhook_running_on(_ result: UnsafePointer<deployhook_result>?) -> UnsafePointer<CChar>? {
    ResultBox.borrow(result)?.text(.runningOn)
}

/// When the build's record last changed (ISO 8601, as sent).
@c public func deployhook_modified_on(_ result: UnsafePointer<deployhook_result>?) -> UnsafePointer<CChar>? {
    ResultBox.borrow(result)?.text(.modifiedOn)
}
