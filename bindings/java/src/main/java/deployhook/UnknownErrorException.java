package deployhook;

/** A code this binding does not know, from a newer library; see codeNumber() ({@link ErrorCode#UNKNOWN}). */
public class UnknownErrorException extends DeployHookException {
    private static final long serialVersionUID = 1L;

    UnknownErrorException(String message, int code, int apiCode, int httpStatus, String cfRay) {
        super(message, code, apiCode, httpStatus, cfRay);
    }
}
