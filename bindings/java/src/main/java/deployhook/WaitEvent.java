package deployhook;

import java.time.Instant;
import java.util.Optional;

/**
 * What a wait reports. {@link Type#STATUS}: {@code status} is the new status and {@code text} the build's
 * UUID (the first poll always reports). {@link Type#LOG}: {@code text} is a new line of the build's log,
 * {@code time} when it was logged, {@code status} the last one reported.
 */
public record WaitEvent(Type type, BuildStatus status, String text, Optional<Instant> time) {
    /** The kind of event (deployhook_event); UNKNOWN for a number a newer library may add. */
    public enum Type { STATUS, LOG, UNKNOWN }

    static WaitEvent of(int event, int status, String text, double timestamp) {
        Type type = event == 1 ? Type.STATUS : event == 2 ? Type.LOG : Type.UNKNOWN;
        return new WaitEvent(type, BuildStatus.of(status), text,
                type == Type.LOG ? Optional.of(Text.seconds(timestamp)) : Optional.empty());
    }
}
