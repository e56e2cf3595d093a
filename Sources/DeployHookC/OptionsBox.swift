import CDeployHook
import DeployHook

/// What a `deployhook_options` holds: a ``Configuration`` whose User-Agent names the C binding, and the
/// connections that calls with these options keep open for each other.
final class OptionsBox {
    var configuration: Configuration
    let connections = ConnectionPool()

    init() {
        configuration = Configuration()
        configuration.binding = "c"
    }

    /// A client with the settings and connections behind a handle; for NULL, the C defaults and no reuse.
    static func client(_ handle: UnsafePointer<deployhook_options>?) -> DeployHookClient {
        let box = borrow(handle) ?? OptionsBox()
        return DeployHookClient(configuration: box.configuration, connections: box.connections)
    }

    /// Wraps a new box in a handle owned by the caller; nil when out of memory.
    static func makeHandle() -> UnsafeMutablePointer<deployhook_options>? {
        Handle.make(OptionsBox(), as: deployhook_options.self)
    }

    /// The box behind a handle, borrowed; nil for a NULL handle.
    static func borrow(_ handle: UnsafePointer<deployhook_options>?) -> OptionsBox? {
        Handle.borrow(handle, as: OptionsBox.self)
    }

    /// Applies `change` to a copy of the configuration and keeps it only if it succeeded.
    static func update(_ handle: UnsafeMutablePointer<deployhook_options>?,
                       _ change: (inout Configuration) throws(DeployHookError) -> Void) -> CInt {
        guard let box = borrow(handle) else { return DEPLOYHOOK_ERR_INVALID_ARGUMENT.int }
        var candidate = box.configuration
        do throws(DeployHookError) {
            try change(&candidate)
        } catch {
            return DEPLOYHOOK_ERR_INVALID_ARGUMENT.int
        }
        box.configuration = candidate
        return DEPLOYHOOK_OK.int
    }
}
