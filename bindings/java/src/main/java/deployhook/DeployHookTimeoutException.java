package deployhook;

/** The connect timeout or the total deadline passed ({@link ErrorCode#TIMEOUT}). */
public class DeployHookTimeoutException extends DeployHookException {
    private static final long serialVersionUID = 1L;

    DeployHookTimeoutException(String message, int code, int apiCode, int httpStatus, String cfRay) {
        super(message, code, apiCode, httpStatus, cfRay);
    }
}
