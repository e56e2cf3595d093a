import CCurl
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Open connections kept between calls: every call through clients that share a pool reuses the
/// connections earlier calls left open (no new TCP or TLS handshake while the server keeps them alive).
/// Thread-safe; concurrent calls each get connections of their own. Closing happens when the last
/// client holding the pool is gone.
///
/// Under the hood: idle libcurl multi handles, each with the connection cache of the calls that used it,
/// and idle easy handles (options reset) for the transfers.
///
/// After `fork()`, the child starts with an empty pool: the handles it inherited share their sockets with
/// the parent, so the child drops them without closing them (no TLS close on a socket the parent still
/// uses, no answer meant for the parent read by the child).
public final class ConnectionPool: @unchecked Sendable {  // every mutable property is guarded by `mutex`
    /// The most idle handles of each kind kept; more are closed when given back.
    static let maxIdleHandles = 8

    /// A pthread mutex (not Synchronization.Mutex, whose futexes ThreadSanitizer cannot see).
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var idleEasy: [UnsafeMutableRawPointer] = []
    private var idleMulti: [UnsafeMutableRawPointer] = []
    /// The process the idle handles belong to (``ForkWatch/generation`` when they were kept).
    private var generation: Int

    /// An empty pool: the first call opens its connection.
    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        generation = ForkWatch.generation
    }

    deinit {
        if generation == ForkWatch.generation {
            idleEasy.forEach { curl_easy_cleanup($0) }
            idleMulti.forEach { curl_multi_cleanup($0) }
        } else {
            ForkWatch.keepInherited(idleEasy + idleMulti)
        }
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// An idle easy handle (options at their defaults) or a new one; nil when out of memory.
    func takeEasy() -> UnsafeMutableRawPointer? {
        locked { idleEasy.popLast() } ?? curl_easy_init()
    }

    /// Takes back a handle no transfer uses any more: its options are reset (so nothing points into the
    /// finished exchange) and it is kept, or closed when the pool is full.
    func give(easy handle: UnsafeMutableRawPointer) {
        curl_easy_reset(handle)
        if !locked({ keep(handle, in: &idleEasy) }) { curl_easy_cleanup(handle) }
    }

    /// An idle multi handle, with the connections it keeps open, or a new one; nil when out of memory.
    func takeMulti() -> UnsafeMutableRawPointer? {
        locked { idleMulti.popLast() } ?? curl_multi_init()
    }

    /// Takes back a multi handle with no transfer attached: kept, or closed when the pool is full.
    func give(multi: UnsafeMutableRawPointer) {
        if !locked({ keep(multi, in: &idleMulti) }) { curl_multi_cleanup(multi) }
    }

    private func keep(_ handle: UnsafeMutableRawPointer, in idle: inout [UnsafeMutableRawPointer]) -> Bool {
        guard idle.count < Self.maxIdleHandles else { return false }
        idle.append(handle)
        return true
    }

    /// Runs `body` under the mutex, first dropping (never closing) handles inherited across a fork.
    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let now = ForkWatch.generation
        if generation != now {
            ForkWatch.keepInherited(idleEasy + idleMulti)
            idleEasy = []
            idleMulti = []
            generation = now
        }
        return body()
    }
}

/// Counts the forks this process came out of, as a child: a pool compares it with the count when it kept
/// its handles.
enum ForkWatch {
    private static let forks = Atomic<Int>(0)
    private static let installed: Bool = pthread_atfork(nil, nil, { ForkWatch.forks.add(1, ordering: .relaxed) }) == 0

    /// How many times this process has been the child of a fork since the first pool was made.
    static var generation: Int {
        _ = installed
        return forks.load(ordering: .relaxed)
    }

    /// Handles inherited across a fork, never closed (their sockets are the parent's) and kept here so that
    /// they stay reachable, not leaked, for as long as the process lives.
    /// (Their addresses: a leak checker sees an address held anywhere as a reference.)
    private static let inherited = Mutex<[UInt]>([])

    /// Keeps `handles` for the life of the process.
    static func keepInherited(_ handles: [UnsafeMutableRawPointer]) {
        guard !handles.isEmpty else { return }
        let addresses = handles.map { UInt(bitPattern: $0) }
        inherited.withLock { $0 += addresses }
    }
}
