import CDeployHook
import DeployHook
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The readable reason of the last failure, on the calling thread, of a function that returns a
/// deployhook_error code (the setters, deployhook_trigger_many(), deployhook_options_interrupt()): NULL
/// after a success. The text is the library's own (plain ASCII, never a hook or token), owned by the
/// library, and valid until the next deployhook call on this thread; never free it.
@c public func deployhook_last_error_message() -> UnsafePointer<CChar>? {
    LastError.message
}

/// The thread-local store behind deployhook_last_error_message(): one malloc'ed C string a thread,
/// freed when replaced or when the thread ends.
enum LastError {
    private static let key: pthread_key_t? = {
        var key = pthread_key_t()
        return pthread_key_create(&key, { free($0) }) == 0 ? key : nil
    }()

    /// The calling thread's message, or nil.
    static var message: UnsafePointer<CChar>? {
        guard let key, let stored = pthread_getspecific(key) else { return nil }
        return UnsafePointer(stored.assumingMemoryBound(to: CChar.self))
    }

    /// Records `error`'s message for this thread and returns its code.
    static func fail(_ error: DeployHookError) -> CInt {
        store(strdup(error.message))
        return error.kind.rawValue
    }

    /// Clears this thread's message and returns DEPLOYHOOK_OK.
    static func succeed() -> CInt {
        store(nil)
        return DEPLOYHOOK_OK.int
    }

    private static func store(_ text: UnsafeMutablePointer<CChar>?) {
        guard let key else { free(text); return }
        let old = pthread_getspecific(key)
        guard old != nil || text != nil else { return }
        pthread_setspecific(key, text)
        free(old)
    }
}
