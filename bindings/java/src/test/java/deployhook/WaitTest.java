package deployhook;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static deployhook.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** Following and cancelling builds, against the emulator (and the fake's build scenarios). */
class WaitTest {

    @Test
    void waitForWithAListenerHearsEveryEventInOrder() {
        try (DeployHookClient client = emulator().build()) {
            Build build = client.trigger(E_OK);
            List<WaitEvent> events = new ArrayList<>();
            Thread caller = Thread.currentThread();
            List<Thread> threads = new ArrayList<>();
            Build done = client.waitFor(build, event -> {
                events.add(event);
                threads.add(Thread.currentThread());
            });
            assertEquals(BuildStatus.STOPPED, done.status());
            assertEquals(BuildOutcome.SUCCESS, done.outcome().orElseThrow());
            assertTrue(threads.stream().allMatch(t -> t == caller), "the listener runs on the calling thread");
            List<WaitEvent> statuses = events.stream().filter(e -> e.type() == WaitEvent.Type.STATUS).collect(Collectors.toList());
            assertEquals(BuildStatus.STOPPED, statuses.get(statuses.size() - 1).status());
            assertTrue(statuses.stream().allMatch(e -> e.text().equals(build.buildUuid().orElseThrow())));
            List<String> lines = events.stream().filter(e -> e.type() == WaitEvent.Type.LOG).map(WaitEvent::text)
                    .collect(Collectors.toList());
            assertEquals(List.of("Cloning repository...", LOG_LINE), lines); // UTF-8, whatever the default charset
            events.stream().filter(e -> e.type() == WaitEvent.Type.LOG)
                    .forEach(e -> assertTrue(e.time().orElseThrow().isAfter(Instant.parse("2020-01-01T00:00:00Z"))));
            assertEquals(WaitEvent.Type.STATUS, events.get(events.size() - 1).type()); // nothing after STOPPED
        }
    }

    @Test
    void buildDetails() {
        try (DeployHookClient client = emulator().build()) {
            Build done = client.triggerAndWait(E_OK, null);
            assertEquals("main", done.branch().orElseThrow());
            assertTrue(done.commitHash().orElseThrow().matches("[0-9a-f]{40}"));
            assertEquals(COMMIT_MESSAGE, done.commitMessage().orElseThrow());
            assertEquals("dev@example.com", done.author().orElseThrow());
            assertEquals("deploy_hook", done.triggerSource().orElseThrow());
            assertEquals("Java test hook", done.deployHookName().orElseThrow());
            assertEquals("Deploy default branch", done.triggerName().orElseThrow());
            assertTrue(done.previewUrl().orElseThrow().matches("https://[0-9a-f]{8}-my-worker\\.my-subdomain\\.workers\\.dev"));
            for (var time : List.of(done.createdOn(), done.initializingOn(), done.runningOn(), done.stoppedOn(), done.modifiedOn())) {
                assertTrue(time.isPresent());
            }
            assertTrue(done.createdOn().orElseThrow().isBefore(done.stoppedOn().orElseThrow()));
            assertTrue(done.alreadyExists().isPresent()); // the trigger's (true when another test's build is pending)
        }
    }

    @Test
    void aFailedBuildAndStatusesWithoutLogs() {
        try (DeployHookClient client = emulator().build()) {
            List<WaitEvent.Type> types = new ArrayList<>();
            Build done = client.triggerAndWait(E_FAIL, event -> types.add(event.type()), false);
            assertEquals(BuildOutcome.FAIL, done.outcome().orElseThrow());
            assertEquals(List.of(WaitEvent.Type.STATUS), types.stream().distinct().collect(Collectors.toList()));
        }
    }

    @Test
    void theFakesFullBuild() {
        try (DeployHookClient client = fake().apiToken(FAKE_TOKEN).accountId(FAKE_ACCOUNT).build()) {
            Build done = client.waitFor("bd000003-0000-4000-8000-000000000003", null);
            assertEquals("Fix the café menu\n\nAnd its prices", done.commitMessage().orElseThrow());
            assertEquals(Instant.parse("2019-12-27T18:11:51.117Z"), done.stoppedOn().orElseThrow());
        }
    }

    @Test
    void waitErrors() {
        try (DeployHookClient client = emulator().waitTimeout(Duration.ofMillis(500)).build()) {
            Build build = client.trigger(E_LONG);
            assertEquals(ErrorCode.WAIT_TIMEOUT, assertThrows(WaitTimeoutException.class, () -> client.waitFor(build, null)).code());
            assertThrows(NotFoundException.class, () -> client.waitFor("00000000-0000-4000-8000-00000000dead", null));
            try (DeployHookClient wrong = DeployHookClient.builder().baseUrl(EMULATOR).apiToken(E_TOKEN + "x")
                    .accountId(E_ACCOUNT).build()) {
                ApiException error = assertThrows(ApiException.class, () -> wrong.waitFor(build, null));
                assertEquals(10000, error.apiCode().getAsInt());
                assertEquals(403, error.httpStatus().getAsInt());
                assertFalse(error.getMessage().contains(E_TOKEN));
            }
            assertThrows(InvalidArgumentException.class, () -> client.waitFor((String) null, null));
        }
    }

    @Test
    void cancel() {
        try (DeployHookClient client = emulator().build()) {
            Build build = client.trigger(E_LONG);
            Build cancelled = client.cancel(build);
            assertEquals(build.buildUuid(), cancelled.buildUuid());
            assertEquals(BuildStatus.STOPPED, cancelled.status());
            assertEquals(BuildOutcome.CANCELLED, cancelled.outcome().orElseThrow());
            assertEquals(false, cancelled.alreadyStopped().orElseThrow());
            assertTrue(cancelled.stoppedOn().isPresent());
            assertEquals(BuildOutcome.CANCELLED, client.waitFor(build, null).outcome().orElseThrow());
            Build done = client.triggerAndWait(E_OK, null);
            Build late = client.cancel(done);
            assertEquals(BuildOutcome.SUCCESS, late.outcome().orElseThrow());
            assertEquals(true, late.alreadyStopped().orElseThrow());
            assertEquals(done.stoppedOn(), late.stoppedOn());
            assertThrows(NotFoundException.class, () -> client.cancel("00000000-0000-4000-8000-00000000dead"));
        }
    }

    @Test
    void aListenerThatThrowsStopsTheWait() {
        try (DeployHookClient client = emulator().build()) {
            Build build = client.trigger(E_LONG);
            long start = System.nanoTime();
            IllegalStateException error = assertThrows(IllegalStateException.class,
                    () -> client.waitFor(build, event -> { throw new IllegalStateException("from the listener"); }));
            assertEquals("from the listener", error.getMessage());
            assertTrue(millisSince(start) < 1000, "the build runs for minutes: the wait was stopped");
            assertFalse(Thread.currentThread().isInterrupted());
            client.cancel(build);
        }
    }

    @Test
    void aListenerMayCallTheClient() {
        try (DeployHookClient client = emulator().build()) {
            Build build = client.trigger(E_LONG);
            Build done = client.waitFor(build, event -> {
                if (event.type() == WaitEvent.Type.STATUS && event.status() == BuildStatus.QUEUED) {
                    client.cancel(build);
                }
            });
            assertEquals(BuildOutcome.CANCELLED, done.outcome().orElseThrow());
        }
    }
}
