package deployhook;

/** Rate limited (HTTP 429, code 12051) after the retries ({@link ErrorCode#RATE_LIMITED}). */
public class RateLimitedException extends DeployHookException {
    private static final long serialVersionUID = 1L;

    RateLimitedException(String message, int code, int apiCode, int httpStatus, String cfRay) {
        super(message, code, apiCode, httpStatus, cfRay);
    }
}
