import CCurl
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Open connections kept between calls: every call through clients that share a pool reuses the
/// connections earlier calls left open (no new TCP or TLS handshake while the server keeps them alive).
/// Thread-safe; concurrent calls each get a connection of their own. Closing happens when the last
/// client holding the pool is gone.
///
/// Under the hood: idle libcurl easy handles (each keeps its connection cache across `curl_easy_reset`)
/// and one idle multi handle for ``DeployHookClient/triggerAllBlocking(_:)``.
public final class ConnectionPool: @unchecked Sendable {  // every mutable property is guarded by `mutex`
    /// The most easy handles kept idle; more are closed when given back.
    static let maxIdleHandles = 8

    /// A pthread mutex (not Synchronization.Mutex, whose futexes ThreadSanitizer cannot see).
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var idleEasy: [UnsafeMutableRawPointer] = []
    private var idleMulti: UnsafeMutableRawPointer?

    /// An empty pool: the first call opens its connection.
    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        idleEasy.forEach { curl_easy_cleanup($0) }
        if let idleMulti { curl_multi_cleanup(idleMulti) }
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// An idle easy handle (options at their defaults, connections kept) or a new one; nil when out of memory.
    func takeEasy() -> UnsafeMutableRawPointer? {
        locked { idleEasy.popLast() } ?? curl_easy_init()
    }

    /// Takes back a handle no transfer uses any more: its options are reset (so nothing points into the
    /// finished exchange) and it is kept, or closed when the pool is full.
    func give(easy handle: UnsafeMutableRawPointer) {
        curl_easy_reset(handle)
        let kept = locked {
            guard idleEasy.count < Self.maxIdleHandles else { return false }
            idleEasy.append(handle)
            return true
        }
        if !kept { curl_easy_cleanup(handle) }
    }

    /// The idle multi handle or a new one; nil when out of memory.
    func takeMulti() -> UnsafeMutableRawPointer? {
        locked {
            defer { idleMulti = nil }
            return idleMulti
        } ?? curl_multi_init()
    }

    /// Takes back a multi handle with no transfer attached: kept, or closed when one is kept already.
    func give(multi: UnsafeMutableRawPointer) {
        let kept = locked {
            guard idleMulti == nil else { return false }
            idleMulti = multi
            return true
        }
        if !kept { curl_multi_cleanup(multi) }
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }
}
