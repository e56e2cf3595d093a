import CDeployHook
import DeployHook
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a `deployhook_result` holds: the outcome of a trigger and/or a wait, with every string already
/// converted to a C string that the box owns, so accessors return stable pointers until the result is freed.
final class ResultBox {
    /// The Swift values a result is made of.
    struct Content {
        var error: DeployHookError?
        var build = Build()
        var trigger: APIResponse?
        var details: BuildDetails?
        /// Set by a cancel: whether the build had already stopped.
        var alreadyStopped: Bool?

        /// The last answer: the error's, else the wait's last poll, else the trigger's.
        var response: APIResponse? { error?.response ?? details?.response ?? trigger }
    }

    let error: DeployHookError.Kind?
    let apiCode: Int32
    let httpStatus: Int32
    let status: BuildStatus
    let outcome: BuildOutcome?
    let alreadyExists: Bool?
    let message: OwnedCString
    let buildUUID: OwnedCString
    let createdOn: OwnedCString
    let cfRay: OwnedCString
    let body: OwnedCString
    let previewURL: OwnedCString
    let stoppedOn: OwnedCString
    /// The build's source and the times of its phases, by field (absent ones are not stored).
    let buildTexts: [BuildText: OwnedCString]
    /// After a cancel: whether the build had already stopped (nil for other calls).
    let alreadyStopped: Bool?

    /// The texts a build answer may carry beyond the trigger's.
    enum BuildText: CaseIterable {
        case branch, commitHash, commitMessage, author, triggerSource, deployHookName, triggerName
        case initializingOn, runningOn, modifiedOn

        /// This field of `details`.
        func value(in details: BuildDetails) -> String? {
            switch self {
            case .branch: details.source.branch
            case .commitHash: details.source.commitHash
            case .commitMessage: details.source.commitMessage
            case .author: details.source.author
            case .triggerSource: details.source.triggerSource
            case .deployHookName: details.source.deployHookName
            case .triggerName: details.source.triggerName
            case .initializingOn: details.initializingOn
            case .runningOn: details.runningOn
            case .modifiedOn: details.modifiedOn
            }
        }
    }

    init(_ content: Content) {
        error = content.error?.kind
        apiCode = Int32(clamping: content.error?.apiCode ?? 0)
        httpStatus = Int32(clamping: content.response?.statusCode ?? 0)
        status = content.details?.status ?? content.build.status
        outcome = content.details?.outcome
        alreadyExists = content.build.alreadyExists
        message = OwnedCString(content.error?.message)
        buildUUID = OwnedCString(content.details?.buildUUID ?? content.build.buildUUID)
        createdOn = OwnedCString(content.details?.createdOn ?? content.build.createdOn)
        cfRay = OwnedCString(content.response?.cfRay)
        body = OwnedCString(bytes: content.response?.body)
        previewURL = OwnedCString(content.details?.previewURL)
        stoppedOn = OwnedCString(content.details?.stoppedOn)
        var texts: [BuildText: OwnedCString] = [:]
        if let details = content.details {
            for field in BuildText.allCases { if let text = field.value(in: details) { texts[field] = OwnedCString(text) } }
        }
        if texts[.branch] == nil, let branch = content.build.branch { texts[.branch] = OwnedCString(branch) }  // the guide's shape
        buildTexts = texts
        alreadyStopped = content.alreadyStopped
    }

    /// One of the build's texts as C sees it; NULL when absent.
    func text(_ field: BuildText) -> UnsafePointer<CChar>? { buildTexts[field]?.cString }

    /// A trigger's outcome.
    convenience init(_ outcome: Result<TriggerResult, DeployHookError>) {
        switch outcome {
        case .success(let triggered): self.init(Content(build: triggered.build, trigger: triggered.response))
        case .failure(let error): self.init(Content(error: error))
        }
    }

    /// Wraps a box in a handle owned by the caller; nil when out of memory.
    static func makeHandle(_ box: ResultBox) -> UnsafeMutablePointer<deployhook_result>? {
        Handle.make(box, as: deployhook_result.self)
    }

    /// The box behind a handle, borrowed; nil for a NULL handle.
    static func borrow(_ handle: UnsafePointer<deployhook_result>?) -> ResultBox? {
        Handle.borrow(handle, as: ResultBox.self)
    }
}

/// A NUL-terminated copy of a string (or of bytes), malloc'ed and freed with its owner.
final class OwnedCString {
    let pointer: UnsafeMutablePointer<CChar>?

    /// A copy of `text`; nil stays nil.
    convenience init(_ text: String?) {
        self.init(bytes: text.map { Array($0.utf8) })
    }

    /// A copy of `bytes` plus a terminating NUL; nil stays nil.
    init(bytes: [UInt8]?) {
        guard let bytes, let raw = malloc(bytes.count + 1) else { pointer = nil; return }
        let buffer = raw.bindMemory(to: CChar.self, capacity: bytes.count + 1)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { memcpy(buffer, base, bytes.count) }
        }
        buffer[bytes.count] = 0
        pointer = buffer
    }

    deinit { free(pointer) }

    /// The pointer as C sees it.
    var cString: UnsafePointer<CChar>? { UnsafePointer(pointer) }
}
