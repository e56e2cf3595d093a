package deployhook;

/** Following a build needs an API token and an account ID: one is missing or malformed ({@link ErrorCode#NO_CREDENTIALS}). */
public class NoCredentialsException extends DeployHookException {
    private static final long serialVersionUID = 1L;

    NoCredentialsException(String message, int code, int apiCode, int httpStatus, String cfRay) {
        super(message, code, apiCode, httpStatus, cfRay);
    }
}
