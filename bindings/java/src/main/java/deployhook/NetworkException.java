package deployhook;

/** Could not resolve, connect, send or receive ({@link ErrorCode#NETWORK}). */
public class NetworkException extends DeployHookException {
    private static final long serialVersionUID = 1L;

    NetworkException(String message, int code, int apiCode, int httpStatus, String cfRay) {
        super(message, code, apiCode, httpStatus, cfRay);
    }
}
