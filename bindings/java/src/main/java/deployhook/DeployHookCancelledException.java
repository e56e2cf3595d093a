package deployhook;

/**
 * The call was interrupted ({@link ErrorCode#CANCELLED}): thrown when {@link Thread#interrupt()} reached the
 * calling thread during a call and the library ended it so. The thread's interrupt flag is set again
 * before this is thrown, so the interruption is not lost.
 */
public class DeployHookCancelledException extends DeployHookException {
    private static final long serialVersionUID = 1L;

    DeployHookCancelledException(String message, int code, int apiCode, int httpStatus, String cfRay) {
        super(message, code, apiCode, httpStatus, cfRay);
    }
}
