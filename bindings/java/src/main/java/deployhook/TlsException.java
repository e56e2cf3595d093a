package deployhook;

/** TLS handshake or certificate verification failed ({@link ErrorCode#TLS}). */
public class TlsException extends DeployHookException {
    private static final long serialVersionUID = 1L;

    TlsException(String message, int code, int apiCode, int httpStatus, String cfRay) {
        super(message, code, apiCode, httpStatus, cfRay);
    }
}
