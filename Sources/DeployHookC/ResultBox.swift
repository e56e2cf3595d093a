import CDeployHook
import DeployHook
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a `deployhook_result` holds: the outcome of one trigger, with every string already converted
/// to a C string that the box owns, so accessors return stable pointers until the result is freed.
final class ResultBox {
    let error: DeployHookError.Kind?
    let apiCode: Int32
    let httpStatus: Int32
    let status: BuildStatus
    let alreadyExists: Bool?
    let message: OwnedCString
    let buildUUID: OwnedCString
    let createdOn: OwnedCString
    let cfRay: OwnedCString
    let body: OwnedCString

    init(_ outcome: Result<TriggerResult, DeployHookError>) {
        switch outcome {
        case .success(let triggered):
            error = nil
            apiCode = 0
            status = triggered.build.status
            alreadyExists = triggered.build.alreadyExists
            message = OwnedCString(nil)
            buildUUID = OwnedCString(triggered.build.buildUUID)
            createdOn = OwnedCString(triggered.build.createdOn)
            httpStatus = Int32(clamping: triggered.response.statusCode)
            cfRay = OwnedCString(triggered.response.cfRay)
            body = OwnedCString(bytes: triggered.response.body)
        case .failure(let failure):
            error = failure.kind
            apiCode = Int32(clamping: failure.apiCode ?? 0)
            status = .unknown
            alreadyExists = nil
            message = OwnedCString(failure.message)
            buildUUID = OwnedCString(nil)
            createdOn = OwnedCString(nil)
            httpStatus = Int32(clamping: failure.response?.statusCode ?? 0)
            cfRay = OwnedCString(failure.response?.cfRay)
            body = OwnedCString(bytes: failure.response?.body)
        }
    }

    /// Wraps a box in a malloc'ed handle owned by the caller; nil when out of memory.
    static func makeHandle(_ box: ResultBox) -> UnsafeMutablePointer<deployhook_result>? {
        guard let raw = malloc(MemoryLayout<deployhook_result>.stride) else { return nil }
        let handle = raw.bindMemory(to: deployhook_result.self, capacity: 1)
        handle.initialize(to: deployhook_result(box: Unmanaged.passRetained(box).toOpaque()))
        return handle
    }

    /// The box behind a handle, borrowed; nil for a NULL handle.
    static func borrow(_ handle: UnsafePointer<deployhook_result>?) -> ResultBox? {
        guard let box = handle?.pointee.box else { return nil }
        return Unmanaged<ResultBox>.fromOpaque(box).takeUnretainedValue()
    }

    /// Releases the box and frees the handle.
    static func destroy(_ handle: UnsafeMutablePointer<deployhook_result>) {
        if let box = handle.pointee.box { Unmanaged<ResultBox>.fromOpaque(box).release() }
        free(handle)
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
