#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs blocking `work` on a new thread and suspends until it ends, so that blocking I/O never occupies
/// one of Swift's few cooperative threads. If no thread can be created, `work` runs in place.
func runOnOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
        let pending = PendingWork(work)
        let job = ThreadJob { continuation.resume(returning: pending.run()) }
        let context = Unmanaged.passRetained(job).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        #if canImport(Darwin)
        var thread: pthread_t?
        #else
        var thread = pthread_t()
        #endif
        let started = pthread_create(&thread, &attributes, { context in
            #if canImport(Darwin)
            let job = Unmanaged<ThreadJob>.fromOpaque(context).takeRetainedValue()
            #else
            guard let context else { return nil }
            let job = Unmanaged<ThreadJob>.fromOpaque(context).takeRetainedValue()
            #endif
            job.body()
            return nil
        }, context)
        if started != 0 {
            Unmanaged<ThreadJob>.fromOpaque(context).release()
            job.body()
        }
    }
}

/// The work handed to a new thread.
private final class ThreadJob: @unchecked Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// Work to run once, let go of before its caller resumes: once resumed, the caller may tear everything
/// down, or exit the process, so the last reference to a client (whose release closes connections through
/// libcurl and OpenSSL) must not be dropped on the worker thread after that.
private final class PendingWork<T: Sendable>: @unchecked Sendable {  // one thread at a time touches `work`
    private var work: (@Sendable () -> T)?

    init(_ work: @escaping @Sendable () -> T) { self.work = work }

    /// Runs the work; it, and all it captured, is released when this returns.
    @inline(never)
    func run() -> T {
        let work = self.work
        self.work = nil
        return work!()
    }
}
