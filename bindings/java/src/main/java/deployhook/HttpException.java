package deployhook;

/** A non-2xx answer with no Cloudflare envelope; see httpStatus() ({@link ErrorCode#HTTP}). */
public class HttpException extends DeployHookException {
    private static final long serialVersionUID = 1L;

    HttpException(String message, int code, int apiCode, int httpStatus, String cfRay) {
        super(message, code, apiCode, httpStatus, cfRay);
    }
}
