package deployhook;

/** A malformed, unreadable or oversized answer ({@link ErrorCode#RESPONSE}). */
public class ResponseException extends DeployHookException {
    private static final long serialVersionUID = 1L;

    ResponseException(String message, int code, int apiCode, int httpStatus, String cfRay) {
        super(message, code, apiCode, httpStatus, cfRay);
    }
}
