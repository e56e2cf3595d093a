package deployhook;

/** The state of a build as Cloudflare reported it (deployhook_status); the API's words in lower case. */
public enum BuildStatus {
    /** Absent, or a value the library does not know (the raw value stays in the response body). */
    UNKNOWN,
    /** "queued" */
    QUEUED,
    /** "initializing" */
    INITIALIZING,
    /** "running" */
    RUNNING,
    /** "stopped" */
    STOPPED;

    /** The status of a deployhook_status number; {@link #UNKNOWN} for one this binding does not know. */
    static BuildStatus of(int number) {
        BuildStatus[] all = values();
        return number >= 0 && number < all.length ? all[number] : UNKNOWN;
    }
}
