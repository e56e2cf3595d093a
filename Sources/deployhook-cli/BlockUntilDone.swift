#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `work` as a task on Swift's global executor and blocks the calling thread until it returns its
/// value. For a synchronous `main` that needs concurrency on one path only; `work` must not need the
/// main actor (this thread is blocked meanwhile).
func blockUntilDone<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
    let box = Handoff<T>()
    Task.detached { box.set(await work()) }
    return box.wait()
}

/// One value, handed from the task that computes it to the thread that waits for it.
private final class Handoff<T: Sendable>: @unchecked Sendable {  // `value` is guarded by `mutex`
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var value: T?

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func set(_ newValue: T) {
        pthread_mutex_lock(mutex)
        value = newValue
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    func wait() -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while true {
            if let value { return value }
            pthread_cond_wait(condition, mutex)
        }
    }
}
