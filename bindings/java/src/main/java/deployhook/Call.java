package deployhook;

import com.sun.jna.Pointer;

import java.io.IOException;
import java.nio.channels.spi.AbstractInterruptibleChannel;

/**
 * One native call, stopped by {@link Thread#interrupt()} of the thread that makes it, on that thread (no
 * thread hand-off). While the call runs, the thread is blocked on this object the way Java's interruptible
 * I/O is ({@link AbstractInterruptibleChannel}'s begin and end), so an interrupt of the thread closes it,
 * and closing it calls deployhook_options_shut_down on the call's own copy of the options, which ends the
 * call whether or not the library has begun it.
 */
final class Call extends AbstractInterruptibleChannel {
    interface Body<T> {
        T call(Pointer options);
    }

    private final Pointer options;
    private boolean ended;       // guarded by this: the options may be freed, nothing may touch them
    private boolean interrupted; // guarded by this

    Call(Pointer options) {
        this.options = options;
    }

    /** Runs the native call, interruptible; the interrupt flag is left as it is (set, when interrupted). */
    <T> T run(Body<T> body) {
        begin();
        try {
            return body.call(options);
        } finally {
            try {
                end(true);
            } catch (IOException e) {
                // ClosedByInterruptException: the call was interrupted; the library's answer says how it ended
            }
            synchronized (this) {
                ended = true;
            }
        }
    }

    /** From the wait callback, after the listener: a call the listener made on this thread unhooked this one. */
    void rearm() {
        begin();
    }

    /** From the wait callback: ends the call (the library allows it there), e.g. when the listener threw. */
    void stop() {
        NativeApi.deployhook_options_interrupt(options);
    }

    /** Whether an interrupt of the thread reached this call. */
    synchronized boolean interrupted() {
        return interrupted;
    }

    @Override
    protected void implCloseChannel() { // on the interrupting thread (or this one, when it was interrupted already)
        synchronized (this) {
            if (ended) {
                return;
            }
            interrupted = true;
            NativeApi.deployhook_options_shut_down(options);
        }
    }
}
