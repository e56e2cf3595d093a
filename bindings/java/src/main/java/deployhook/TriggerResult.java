package deployhook;

import java.util.Optional;

/** One hook's outcome in {@link DeployHookClient#triggerMany}: its build, or the error (never both). */
public record TriggerResult(Optional<Build> build, Optional<DeployHookException> error) {
    public boolean isSuccess() {
        return build.isPresent();
    }

    /** The build, or throws the error. */
    public Build orThrow() {
        return build.orElseThrow(error::get);
    }
}
