package deployhook;

/** Any other Cloudflare error envelope; see apiCode() ({@link ErrorCode#API}). */
public class ApiException extends DeployHookException {
    private static final long serialVersionUID = 1L;

    ApiException(String message, int code, int apiCode, int httpStatus, String cfRay) {
        super(message, code, apiCode, httpStatus, cfRay);
    }
}
