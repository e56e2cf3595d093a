import CDeployHook
import DeployHook
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a `deployhook_options` holds: a ``Configuration`` whose User-Agent names the C binding, the
/// connections that calls with these options keep open for each other, and the interrupter that stops
/// those calls. Setters may run at any time on any thread: each call takes a consistent snapshot of the
/// settings when it begins.
final class OptionsBox: @unchecked Sendable {  // `configuration` is guarded by `mutex`
    private var configuration: Configuration
    let connections: ConnectionPool
    let interrupter: Interrupter
    /// A pthread mutex (not Synchronization.Mutex, whose futexes ThreadSanitizer cannot see).
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init(configuration: Configuration? = nil, connections: ConnectionPool = ConnectionPool(), interrupter: Interrupter = Interrupter()) {
        self.interrupter = interrupter
        self.configuration = configuration ?? {
            var defaults = Configuration()
            try? defaults.setBinding("c")
            return defaults
        }()
        self.connections = connections
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// The settings as they are now.
    var snapshot: Configuration {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return configuration
    }

    /// A box with the same settings sharing these connections, with an interrupter of its own; `linked`:
    /// below this box's, so that this box's interrupts reach the copy's calls too.
    func duplicate(linked: Bool = false) -> OptionsBox {
        OptionsBox(configuration: snapshot, connections: connections, interrupter: Interrupter(parent: linked ? interrupter : nil))
    }

    /// A client with the settings (a snapshot), connections and interrupter behind a handle; for NULL,
    /// the C defaults, no reuse, and an interrupter nobody can reach.
    static func client(_ handle: UnsafePointer<deployhook_options>?) -> DeployHookClient {
        let box = borrow(handle) ?? OptionsBox()
        var client = DeployHookClient(configuration: box.snapshot, connections: box.connections)
        client.interrupter = box.interrupter
        return client
    }

    /// Wraps a box in a handle owned by the caller; nil when out of memory.
    static func makeHandle(_ box: OptionsBox = OptionsBox()) -> UnsafeMutablePointer<deployhook_options>? {
        Handle.make(box, as: deployhook_options.self)
    }

    /// The box behind a handle, borrowed; nil for a NULL handle.
    static func borrow(_ handle: UnsafePointer<deployhook_options>?) -> OptionsBox? {
        Handle.borrow(handle, as: OptionsBox.self)
    }

    /// Applies `change` to the settings only if it succeeds, atomically with respect to other setters and
    /// to calls taking their snapshot; records the reason of a failure for deployhook_last_error_message().
    static func update(_ handle: UnsafeMutablePointer<deployhook_options>?,
                       _ change: (inout Configuration) throws(DeployHookError) -> Void) -> CInt {
        guard let box = borrow(handle) else {
            return LastError.fail(DeployHookError(.invalidArgument, "the options are NULL"))
        }
        pthread_mutex_lock(box.mutex)
        defer { pthread_mutex_unlock(box.mutex) }
        var candidate = box.configuration
        do throws(DeployHookError) {
            try change(&candidate)
        } catch {
            return LastError.fail(error)
        }
        box.configuration = candidate
        return LastError.succeed()
    }
}
