import CDeployHook
import DeployHook
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a `deployhook_options` holds: a ``Configuration`` whose User-Agent names the C binding.
final class OptionsBox {
    var configuration: Configuration

    init() {
        configuration = Configuration()
        configuration.binding = "c"
    }

    /// The configuration behind a handle, or the C defaults for NULL.
    static func configuration(_ handle: UnsafePointer<deployhook_options>?) -> Configuration {
        borrow(handle)?.configuration ?? OptionsBox().configuration
    }

    /// Wraps a new box in a malloc'ed handle owned by the caller; nil when out of memory.
    static func makeHandle() -> UnsafeMutablePointer<deployhook_options>? {
        guard let raw = malloc(MemoryLayout<deployhook_options>.stride) else { return nil }
        let handle = raw.bindMemory(to: deployhook_options.self, capacity: 1)
        handle.initialize(to: deployhook_options(box: Unmanaged.passRetained(OptionsBox()).toOpaque()))
        return handle
    }

    /// The box behind a handle, borrowed; nil for a NULL handle.
    static func borrow(_ handle: UnsafePointer<deployhook_options>?) -> OptionsBox? {
        guard let box = handle?.pointee.box else { return nil }
        return Unmanaged<OptionsBox>.fromOpaque(box).takeUnretainedValue()
    }

    /// Releases the box and frees the handle.
    static func destroy(_ handle: UnsafeMutablePointer<deployhook_options>) {
        if let box = handle.pointee.box { Unmanaged<OptionsBox>.fromOpaque(box).release() }
        free(handle)
    }

    /// Applies `change` to a copy of the configuration and keeps it only if it succeeded.
    static func update(_ handle: UnsafeMutablePointer<deployhook_options>?,
                       _ change: (inout Configuration) throws(DeployHookError) -> Void) -> deployhook_error {
        guard let box = borrow(handle) else { return DEPLOYHOOK_ERR_INVALID_ARGUMENT }
        var candidate = box.configuration
        do throws(DeployHookError) {
            try change(&candidate)
        } catch {
            return DEPLOYHOOK_ERR_INVALID_ARGUMENT
        }
        box.configuration = candidate
        return DEPLOYHOOK_OK
    }
}
