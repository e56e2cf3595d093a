package deployhook;

/**
 * The library's error codes (deployhook_error), with its numbers. {@link #UNKNOWN} stands for a number
 * this binding does not know (a newer library may append some); {@link DeployHookException#codeNumber()}
 * keeps the number itself.
 */
public enum ErrorCode {
    /** A bad hook, option or argument; nothing was sent. */
    INVALID_ARGUMENT(1),
    /** No such deploy hook (HTTP 404, Cloudflare code 12000); while following, no such build or account. */
    NOT_FOUND(2),
    /** Rate limited (HTTP 429, code 12051), after the retries. */
    RATE_LIMITED(3),
    /** Any other Cloudflare error envelope (success: false). */
    API(4),
    /** A non-2xx answer with no Cloudflare envelope, after the retries. */
    HTTP(5),
    /** Could not resolve, connect, send or receive. */
    NETWORK(6),
    /** The connect timeout or the total deadline passed. */
    TIMEOUT(7),
    /** TLS handshake or certificate verification failed. */
    TLS(8),
    /** A malformed, unreadable or oversized (over 1 MiB) response. */
    RESPONSE(9),
    /** A bug or resource failure inside the library. */
    INTERNAL(10),
    /** Waiting for a build: it did not stop before the wait timeout. */
    WAIT_TIMEOUT(11),
    /** The call was interrupted ({@link Thread#interrupt()}). */
    CANCELLED(12),
    /** Following a build needs an API token and an account ID: one is missing or malformed; nothing was sent. */
    NO_CREDENTIALS(13),
    /** A number this binding does not know. */
    UNKNOWN(-1);

    private final int number;

    ErrorCode(int number) {
        this.number = number;
    }

    /** The library's number for the code; -1 for {@link #UNKNOWN}. */
    public int number() {
        return number;
    }

    /** The code of a number; {@link #UNKNOWN} for one this binding does not know. */
    public static ErrorCode of(int number) {
        for (ErrorCode code : values()) {
            if (code.number == number && number > 0) {
                return code;
            }
        }
        return UNKNOWN;
    }
}
