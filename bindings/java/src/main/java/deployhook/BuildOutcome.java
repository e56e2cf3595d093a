package deployhook;

import java.util.Optional;

/** How a stopped build ended (deployhook_outcome); the API's words in lower case. */
public enum BuildOutcome {
    /** "success": built and deployed. */
    SUCCESS,
    /** "fail" */
    FAIL,
    /** "skipped" */
    SKIPPED,
    /** "cancelled" */
    CANCELLED,
    /** "terminated" (e.g. the 20-minute build timeout) */
    TERMINATED,
    /** A value the library or this binding does not know. */
    UNKNOWN;

    /** The outcome of a deployhook_outcome number: empty for NONE (0, not stopped), UNKNOWN for others. */
    static Optional<BuildOutcome> of(int number) {
        BuildOutcome[] all = values();
        if (number == 0) {
            return Optional.empty();
        }
        return Optional.of(number >= 1 && number <= all.length ? all[number - 1] : UNKNOWN);
    }
}
