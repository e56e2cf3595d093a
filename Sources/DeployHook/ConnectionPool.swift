import CCurl
import Synchronization

/// Open connections kept between calls: every call through clients that share a pool reuses the
/// connections earlier calls left open (no new TCP or TLS handshake while the server keeps them alive).
/// Thread-safe; concurrent calls each get a connection of their own. Closing happens when the last
/// client holding the pool is gone.
///
/// Under the hood: idle libcurl easy handles (each keeps its connection cache across `curl_easy_reset`)
/// and one idle multi handle for ``DeployHookClient/triggerAllBlocking(_:)``.
public final class ConnectionPool: Sendable {
    /// Idle handles, owned by the pool while they are here.
    private struct Idle: ~Copyable {
        var easy: [CurlHandle] = []
        var multi: CurlHandle?
    }

    /// A libcurl handle that no thread is using: the lock hands it from one owner to the next.
    private struct CurlHandle: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    /// The most easy handles kept idle; more are closed when given back.
    static let maxIdleHandles = 8

    private let idle = Mutex(Idle())

    /// An empty pool: the first call opens its connection.
    public init() {}

    deinit {
        let (easy, multi) = idle.withLock { idle in (idle.easy, idle.multi) }
        easy.forEach { curl_easy_cleanup($0.pointer) }
        if let multi { curl_multi_cleanup(multi.pointer) }
    }

    /// An idle easy handle (options at their defaults, connections kept) or a new one; nil when out of memory.
    func takeEasy() -> UnsafeMutableRawPointer? {
        idle.withLock { $0.easy.popLast() }?.pointer ?? curl_easy_init()
    }

    /// Takes back a handle no transfer uses any more: its options are reset (so nothing points into the
    /// finished exchange) and it is kept, or closed when the pool is full.
    func give(easy handle: UnsafeMutableRawPointer) {
        curl_easy_reset(handle)
        let kept = idle.withLock { idle in
            guard idle.easy.count < Self.maxIdleHandles else { return false }
            idle.easy.append(CurlHandle(pointer: handle))
            return true
        }
        if !kept { curl_easy_cleanup(handle) }
    }

    /// The idle multi handle or a new one; nil when out of memory.
    func takeMulti() -> UnsafeMutableRawPointer? {
        idle.withLock { idle in
            let multi = idle.multi
            idle.multi = nil
            return multi
        }?.pointer ?? curl_multi_init()
    }

    /// Takes back a multi handle with no transfer attached: kept, or closed when one is kept already.
    func give(multi: UnsafeMutableRawPointer) {
        let kept = idle.withLock { idle in
            guard idle.multi == nil else { return false }
            idle.multi = CurlHandle(pointer: multi)
            return true
        }
        if !kept { curl_multi_cleanup(multi) }
    }
}
