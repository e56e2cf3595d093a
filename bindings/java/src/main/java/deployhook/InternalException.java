package deployhook;

/** A bug or resource failure inside the library ({@link ErrorCode#INTERNAL}). */
public class InternalException extends DeployHookException {
    private static final long serialVersionUID = 1L;

    InternalException(String message, int code, int apiCode, int httpStatus, String cfRay) {
        super(message, code, apiCode, httpStatus, cfRay);
    }
}
