package deployhook;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A build as the library reported it after a trigger, a wait or a cancel. Times are parsed from the ISO
 * 8601 text the API sent (empty when absent or not ISO 8601). {@code outcome} is empty until the build
 * has stopped; {@code alreadyStopped} is set only by a cancel. {@code responseBody} is the raw body of the
 * last answer: {@link #toString()} leaves it out, as a server may echo a hook in it.
 */
public record Build(
        Optional<String> buildUuid,
        BuildStatus status,
        Optional<BuildOutcome> outcome,
        Optional<Boolean> alreadyExists,
        Optional<Boolean> alreadyStopped,
        Optional<Instant> createdOn,
        Optional<Instant> initializingOn,
        Optional<Instant> runningOn,
        Optional<Instant> stoppedOn,
        Optional<Instant> modifiedOn,
        Optional<String> previewUrl,
        Optional<String> branch,
        Optional<String> commitHash,
        Optional<String> commitMessage,
        Optional<String> author,
        Optional<String> triggerSource,
        Optional<String> deployHookName,
        Optional<String> triggerName,
        Optional<String> cfRay,
        OptionalInt httpStatus,
        Optional<String> responseBody) {

    @Override
    public String toString() {
        return "Build[buildUuid=" + buildUuid + ", status=" + status + ", outcome=" + outcome
                + ", alreadyExists=" + alreadyExists + ", alreadyStopped=" + alreadyStopped
                + ", createdOn=" + createdOn + ", initializingOn=" + initializingOn + ", runningOn=" + runningOn
                + ", stoppedOn=" + stoppedOn + ", modifiedOn=" + modifiedOn + ", previewUrl=" + previewUrl
                + ", branch=" + branch + ", commitHash=" + commitHash + ", commitMessage=" + commitMessage
                + ", author=" + author + ", triggerSource=" + triggerSource + ", deployHookName=" + deployHookName
                + ", triggerName=" + triggerName + ", cfRay=" + cfRay + ", httpStatus=" + httpStatus + "]";
    }
}
