package deployhook;

/** No such deploy hook (HTTP 404, code 12000); while following, no such build or account ({@link ErrorCode#NOT_FOUND}). */
public class NotFoundException extends DeployHookException {
    private static final long serialVersionUID = 1L;

    NotFoundException(String message, int code, int apiCode, int httpStatus, String cfRay) {
        super(message, code, apiCode, httpStatus, cfRay);
    }
}
