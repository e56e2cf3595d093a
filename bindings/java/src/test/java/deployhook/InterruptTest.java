package deployhook;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static deployhook.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Thread.interrupt() stops a call through the library's interrupt: DeployHookCancelledException (the
 * library's CANCELLED) within ~200 ms, the interrupt flag set again, the client still usable, and other
 * calls on the same client undisturbed.
 */
class InterruptTest {
    static final long LIMIT_MS = 300; // from the interrupt to the exception: 100 ms for the library, the rest for Java

    /** Runs call on a new thread, interrupts it after delayMs; the time from interrupt to end, and what it threw. */
    private static long interruptAfter(long delayMs, Runnable call, AtomicReference<Throwable> thrown,
                                       AtomicReference<Boolean> flag) throws InterruptedException {
        Thread thread = new Thread(() -> {
            try {
                call.run();
            } catch (Throwable e) {
                thrown.set(e);
            }
            flag.set(Thread.currentThread().isInterrupted());
        });
        thread.start();
        Thread.sleep(delayMs);
        long start = System.nanoTime();
        thread.interrupt();
        thread.join(10_000);
        assertFalse(thread.isAlive());
        return millisSince(start);
    }

    @Test
    void interruptStopsATrigger() throws Exception {
        try (DeployHookClient client = fake().build()) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<Boolean> flag = new AtomicReference<>();
            long took = interruptAfter(300, () -> client.trigger(SLOW), thrown, flag);
            assertTrue(took < LIMIT_MS, took + " ms");
            DeployHookCancelledException error = assertInstanceOf(DeployHookCancelledException.class, thrown.get());
            assertEquals(ErrorCode.CANCELLED, error.code());
            assertFalse(error.getMessage().isEmpty()); // the library's message
            assertTrue(flag.get(), "the interrupt flag is set again");
            assertEquals(BuildStatus.QUEUED, client.trigger(OK).status()); // the client is unharmed
        }
    }

    @Test
    void interruptStopsAWait() throws Exception {
        try (DeployHookClient client = emulator().build()) {
            Build build = client.trigger(E_LONG);
            CountDownLatch polled = new CountDownLatch(1);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<Boolean> flag = new AtomicReference<>();
            Thread thread = new Thread(() -> {
                try {
                    client.waitFor(build, event -> polled.countDown());
                } catch (Throwable e) {
                    thrown.set(e);
                }
                flag.set(Thread.currentThread().isInterrupted());
            });
            thread.start();
            assertTrue(polled.await(10, TimeUnit.SECONDS));
            Thread.sleep(200); // between polls
            long start = System.nanoTime();
            thread.interrupt();
            thread.join(10_000);
            assertTrue(millisSince(start) < LIMIT_MS, millisSince(start) + " ms");
            assertInstanceOf(DeployHookCancelledException.class, thrown.get());
            assertTrue(flag.get());
            client.cancel(build);
        }
    }

    @Test
    void anInterruptAfterTheListenerMadeACallOfItsOwnStillStopsTheWait() throws Exception {
        try (DeployHookClient client = emulator().build()) {
            Build build = client.trigger(E_LONG);
            CountDownLatch nested = new CountDownLatch(1);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread thread = new Thread(() -> {
                try {
                    client.waitFor(build, event -> {
                        if (nested.getCount() > 0) {
                            client.trigger(E_FAIL); // a call inside the wait, on the same thread
                            nested.countDown();
                        }
                    });
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            thread.start();
            assertTrue(nested.await(10, TimeUnit.SECONDS));
            Thread.sleep(300);
            long start = System.nanoTime();
            thread.interrupt();
            thread.join(10_000);
            assertTrue(millisSince(start) < LIMIT_MS, millisSince(start) + " ms");
            assertInstanceOf(DeployHookCancelledException.class, thrown.get());
            client.cancel(build);
        }
    }

    @Test
    void interruptStopsTriggerMany() throws Exception {
        try (DeployHookClient client = fake().build()) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<Boolean> flag = new AtomicReference<>();
            long took = interruptAfter(300, () -> client.triggerMany(List.of(SLOW, OK, SLOW)), thrown, flag);
            assertTrue(took < LIMIT_MS, took + " ms");
            assertInstanceOf(DeployHookCancelledException.class, thrown.get());
            assertTrue(flag.get());
        }
    }

    @Test
    void anAlreadyInterruptedThreadStopsAtOnce() {
        try (DeployHookClient client = fake().build()) {
            for (int i = 0; i < 20; i++) { // the call may not have begun when interrupted: it must still stop
                Thread.currentThread().interrupt();
                long start = System.nanoTime();
                assertThrows(DeployHookCancelledException.class, () -> client.trigger(SLOW));
                assertTrue(millisSince(start) < LIMIT_MS, millisSince(start) + " ms");
                assertTrue(Thread.interrupted()); // set again, and cleared here for the next round
            }
        }
    }

    @Test
    void stoppingOneCallLeavesTheOthersAlone() throws Exception {
        try (DeployHookClient client = emulator().build()) {
            Build longBuild = client.trigger(E_LONG);
            CompletableFuture<Build> other = CompletableFuture.supplyAsync(() -> client.triggerAndWait(E_OK, null));
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<Boolean> flag = new AtomicReference<>();
            interruptAfter(300, () -> client.waitFor(longBuild, null), thrown, flag);
            assertInstanceOf(DeployHookCancelledException.class, thrown.get());
            assertEquals(BuildOutcome.SUCCESS, other.get(30, TimeUnit.SECONDS).outcome().orElseThrow());
            client.cancel(longBuild);
        }
    }
}
