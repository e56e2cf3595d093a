package deployhook;

/** A bad hook, option or argument; nothing was sent ({@link ErrorCode#INVALID_ARGUMENT}). */
public class InvalidArgumentException extends DeployHookException {
    private static final long serialVersionUID = 1L;

    InvalidArgumentException(String message, int code, int apiCode, int httpStatus, String cfRay) {
        super(message, code, apiCode, httpStatus, cfRay);
    }
}
