package deployhook;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * A failure the library reported: the subclass names its kind ({@link #code()}), the message is the
 * library's (it never holds a hook or a token). Unchecked.
 */
public class DeployHookException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int codeNumber;
    private final int apiCode;
    private final int httpStatus;
    private final String cfRay;

    DeployHookException(String message, int codeNumber, int apiCode, int httpStatus, String cfRay) {
        super(message);
        this.codeNumber = codeNumber;
        this.apiCode = apiCode;
        this.httpStatus = httpStatus;
        this.cfRay = cfRay;
    }

    /** The kind of failure; {@link ErrorCode#UNKNOWN} for a number this binding does not know. */
    public ErrorCode code() {
        return ErrorCode.of(codeNumber);
    }

    /** The library's number for it, e.g. 2 (also for a code this binding does not know). */
    public int codeNumber() {
        return codeNumber;
    }

    /** The library's stable name of the code without its prefix, e.g. "NOT_FOUND"; "UNKNOWN" for others. */
    public String codeName() {
        return DeployHook.errorName(codeNumber);
    }

    /** Cloudflare's error code from the answer (e.g. 12000), if it carried one. */
    public OptionalInt apiCode() {
        return apiCode == 0 ? OptionalInt.empty() : OptionalInt.of(apiCode);
    }

    /** The HTTP status of the last answer, if one arrived. */
    public OptionalInt httpStatus() {
        return httpStatus == 0 ? OptionalInt.empty() : OptionalInt.of(httpStatus);
    }

    /** Cloudflare's request id (the cf-ray header of the last answer), if any. */
    public Optional<String> cfRay() {
        return Optional.ofNullable(cfRay);
    }

    /** The exception of a code's class. */
    static DeployHookException of(int code, String message, int apiCode, int httpStatus, String cfRay) {
        switch (ErrorCode.of(code)) {
            case INVALID_ARGUMENT: return new InvalidArgumentException(message, code, apiCode, httpStatus, cfRay);
            case NOT_FOUND: return new NotFoundException(message, code, apiCode, httpStatus, cfRay);
            case RATE_LIMITED: return new RateLimitedException(message, code, apiCode, httpStatus, cfRay);
            case API: return new ApiException(message, code, apiCode, httpStatus, cfRay);
            case HTTP: return new HttpException(message, code, apiCode, httpStatus, cfRay);
            case NETWORK: return new NetworkException(message, code, apiCode, httpStatus, cfRay);
            case TIMEOUT: return new DeployHookTimeoutException(message, code, apiCode, httpStatus, cfRay);
            case TLS: return new TlsException(message, code, apiCode, httpStatus, cfRay);
            case RESPONSE: return new ResponseException(message, code, apiCode, httpStatus, cfRay);
            case INTERNAL: return new InternalException(message, code, apiCode, httpStatus, cfRay);
            case WAIT_TIMEOUT: return new WaitTimeoutException(message, code, apiCode, httpStatus, cfRay);
            case CANCELLED: return new DeployHookCancelledException(message, code, apiCode, httpStatus, cfRay);
            case NO_CREDENTIALS: return new NoCredentialsException(message, code, apiCode, httpStatus, cfRay);
            default: return new UnknownErrorException(message, code, apiCode, httpStatus, cfRay);
        }
    }
}
