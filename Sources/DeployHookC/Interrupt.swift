import CDeployHook
import DeployHook

/// Ends every call in flight with options (trigger, trigger_with, trigger_many, wait, trigger_and_wait,
/// cancel_build) within 100 ms with DEPLOYHOOK_ERR_CANCELLED, whatever it is doing: resolving, connecting,
/// sending, receiving, waiting before a retry or between polls, reading log pages. In deployhook_trigger_many()
/// the hooks that already ended keep their results and the rest end CANCELLED. Calls that begin afterwards
/// are not affected, and the options stay usable. Safe from any thread, from inside a wait callback (that is
/// how a callback stops its own wait) and from a signal handler (it takes no lock and allocates nothing; it
/// leaves deployhook_last_error_message() as it was, unless options is NULL).
/// Returns DEPLOYHOOK_OK, or DEPLOYHOOK_ERR_INVALID_ARGUMENT for NULL options.
@c public func deployhook_options_interrupt(_ options: UnsafePointer<deployhook_options>?) -> CInt {
    guard let box = OptionsBox.borrow(options) else {
        return LastError.fail(DeployHookError(.invalidArgument, "the options are NULL"))
    }
    box.interrupter.interrupt()
    return DEPLOYHOOK_OK.int
}

/// Like deployhook_options_interrupt(), and for good: every call made with options from now on also ends
/// DEPLOYHOOK_ERR_CANCELLED at once, without sending anything. For options made for one call (a
/// deployhook_options_dup_linked() copy): a binding that stops that call cannot know whether the call has
/// begun yet, and this stops it either way. Safe from any thread, a callback or a signal handler.
/// Returns DEPLOYHOOK_OK, or DEPLOYHOOK_ERR_INVALID_ARGUMENT for NULL options.
@c public func deployhook_options_shut_down(_ options: UnsafePointer<deployhook_options>?) -> CInt {
    guard let box = OptionsBox.borrow(options) else {
        return LastError.fail(DeployHookError(.invalidArgument, "the options are NULL"))
    }
    box.interrupter.shutDown()
    return DEPLOYHOOK_OK.int
}

/// New options with the same settings as options, sharing its open connections (either may be freed
/// first); an interrupt of one does not touch calls made with the other. This is how a binding stops one
/// call without losing connection reuse: duplicate, call with the copy, interrupt the copy.
/// Owned by the caller: free with deployhook_options_free(). NULL when options is NULL or out of memory.
@c public func deployhook_options_dup(_ options: UnsafePointer<deployhook_options>?) -> UnsafeMutablePointer<deployhook_options>? {
    guard let box = OptionsBox.borrow(options) else { return nil }
    return OptionsBox.makeHandle(box.duplicate())
}

/// Like deployhook_options_dup(), but linked: an interrupt of options (the original) also ends the calls
/// made with the copy, while an interrupt of the copy ends only those. This is how a binding gives each
/// call options of its own (to stop that call alone: a cancelled task, a context, Ctrl-C) and still lets
/// one interrupt of the client's options stop them all. The copy may outlive the original.
/// Owned by the caller: free with deployhook_options_free(). NULL when options is NULL or out of memory.
@c public func deployhook_options_dup_linked(_ options: UnsafePointer<deployhook_options>?) -> UnsafeMutablePointer<deployhook_options>? {
    guard let box = OptionsBox.borrow(options) else { return nil }
    return OptionsBox.makeHandle(box.duplicate(linked: true))
}
