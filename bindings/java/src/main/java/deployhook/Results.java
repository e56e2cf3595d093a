package deployhook;

import com.sun.jna.Pointer;

import java.util.Optional;
import java.util.OptionalInt;

import static deployhook.NativeApi.*;

/** Reading a deployhook_result into a {@link Build} or a {@link DeployHookException}, and freeing it. */
final class Results {
    private Results() {}

    /** The build or the error the result holds (not thrown); frees the result. */
    static TriggerResult read(Pointer result) {
        if (result == null) {
            throw new OutOfMemoryError("libdeployhook returned no result");
        }
        try {
            int code = deployhook_error_code(result);
            if (code != 0) {
                String message = Text.read(deployhook_error_message(result));
                return new TriggerResult(Optional.empty(), Optional.of(DeployHookException.of(code,
                        message != null ? message : Text.read(deployhook_error_name(code)),
                        deployhook_api_error_code(result), deployhook_http_status(result),
                        Text.read(deployhook_cf_ray(result)))));
            }
            return new TriggerResult(Optional.of(build(result)), Optional.empty());
        } finally {
            deployhook_free_result(result);
        }
    }

    /** The build a result holds, or throws its error; frees the result. */
    static Build value(Pointer result) {
        return read(result).orThrow();
    }

    private static Build build(Pointer result) {
        int httpStatus = deployhook_http_status(result);
        return new Build(
                Text.optional(deployhook_build_uuid(result)),
                BuildStatus.of(deployhook_build_status(result)),
                BuildOutcome.of(deployhook_build_outcome(result)),
                flag(deployhook_already_exists(result)),
                flag(deployhook_already_stopped(result)),
                Text.instant(deployhook_created_on(result)),
                Text.instant(deployhook_initializing_on(result)),
                Text.instant(deployhook_running_on(result)),
                Text.instant(deployhook_stopped_on(result)),
                Text.instant(deployhook_modified_on(result)),
                Text.optional(deployhook_preview_url(result)),
                Text.optional(deployhook_branch(result)),
                Text.optional(deployhook_commit_hash(result)),
                Text.optional(deployhook_commit_message(result)),
                Text.optional(deployhook_author(result)),
                Text.optional(deployhook_trigger_source(result)),
                Text.optional(deployhook_deploy_hook_name(result)),
                Text.optional(deployhook_trigger_name(result)),
                Text.optional(deployhook_cf_ray(result)),
                httpStatus == 0 ? OptionalInt.empty() : OptionalInt.of(httpStatus),
                Text.optional(deployhook_response_body(result)));
    }

    /** 1 true, 0 false, -1 (not said) empty. */
    private static Optional<Boolean> flag(int value) {
        return value < 0 ? Optional.empty() : Optional.of(value == 1);
    }
}
