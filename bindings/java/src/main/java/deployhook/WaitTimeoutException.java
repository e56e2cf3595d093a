package deployhook;

/** Waiting for a build: it did not stop before the wait timeout ({@link ErrorCode#WAIT_TIMEOUT}). */
public class WaitTimeoutException extends DeployHookException {
    private static final long serialVersionUID = 1L;

    WaitTimeoutException(String message, int code, int apiCode, int httpStatus, String cfRay) {
        super(message, code, apiCode, httpStatus, cfRay);
    }
}
