package deployhook;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Function;

import static deployhook.NativeApi.*;

/**
 * Triggers deploy hooks, follows and cancels builds, with fixed settings held in a deployhook_options.
 * Safe to share between threads; a call blocks only its own thread. Close it when done (or let the garbage
 * collector free it).
 *
 * <p>Stopping a call: {@link Thread#interrupt()} of the calling thread stops any call at once, waits
 * included. Each call uses a copy of the options made for it (deployhook_options_dup_linked: the same
 * connections, an interrupter of its own); while it runs, an interrupt of the thread calls
 * deployhook_options_shut_down on that copy (see {@code Call}), which ends the call whether or not it has
 * begun; the library ends it within 100 ms, and the call throws what the
 * library answered, {@link DeployHookCancelledException}, with the thread's interrupt flag still set. Other
 * calls on the same client are not disturbed.
 */
public final class DeployHookClient implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    /** This binding's name in the library's default User-Agent: deployhook/VERSION (java; OS). */
    private static final String BINDING_NAME = "java";
    /** The options, freed once: by close() or by the cleaner. */
    private static final class Handle implements Runnable {
        private Pointer options;

        Handle(Pointer options) {
            this.options = options;
        }

        @Override
        public synchronized void run() {
            deployhook_options_free(options);
            options = null;
        }

        synchronized Pointer duplicate() {
            if (options == null) {
                throw new IllegalStateException("closed DeployHookClient");
            }
            Pointer copy = deployhook_options_dup_linked(options);
            if (copy == null) {
                throw new OutOfMemoryError("deployhook_options_dup_linked");
            }
            return copy;
        }
    }

    private final Handle handle;
    private final Cleaner.Cleanable cleanable;
    private final String description;

    private DeployHookClient(Pointer options, String description) {
        this.handle = new Handle(options);
        this.cleanable = CLEANER.register(this, handle);
        this.description = description;
    }

    /** A client of the library's default settings (CLOUDFLARE_BASE_URL and the others honoured). */
    public static DeployHookClient create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The settings of a client; each one not given keeps the library's default. {@link #build()} throws
     * {@link InvalidArgumentException}, with the library's reason, for a value it rejects. The API token is
     * handed to the library and appears in no toString.
     */
    public static final class Builder {
        private String baseUrl;
        private Duration timeout;
        private Duration connectTimeout;
        private Integer maxRetries;
        private Integer maxConcurrency;
        private String caFile;
        private String userAgent;
        private String apiToken;
        private String accountId;
        private Duration waitTimeout;

        private Builder() {}

        /** The API base, e.g. http://127.0.0.1:8787/client/v4 (default: CLOUDFLARE_BASE_URL, else Cloudflare's). */
        public Builder baseUrl(String url) { this.baseUrl = url; return this; }
        /** The deadline of a whole trigger, retries included (default 60 s). */
        public Builder timeout(Duration timeout) { this.timeout = timeout; return this; }
        /** The limit on each connection attempt (default 5 s). */
        public Builder connectTimeout(Duration timeout) { this.connectTimeout = timeout; return this; }
        /** How often a failed attempt is retried, 0 to 100 (default 2). */
        public Builder maxRetries(int retries) { this.maxRetries = retries; return this; }
        /** How many triggers {@link #triggerMany} runs at once, 1 to 256 (default 8). */
        public Builder maxConcurrency(int n) { this.maxConcurrency = n; return this; }
        /** A PEM file of CA certificates to trust instead of the system's. */
        public Builder caFile(Path file) { this.caFile = file.toString(); return this; }
        /** The User-Agent header. */
        public Builder userAgent(String userAgent) { this.userAgent = userAgent; return this; }
        /** The API token to follow builds (default CLOUDFLARE_API_TOKEN). A secret. */
        public Builder apiToken(String token) { this.apiToken = token; return this; }
        /** The account whose builds are followed (default CLOUDFLARE_ACCOUNT_ID). */
        public Builder accountId(String accountId) { this.accountId = accountId; return this; }
        /** How long a wait may take in all (default 25 min). */
        public Builder waitTimeout(Duration timeout) { this.waitTimeout = timeout; return this; }

        public DeployHookClient build() {
            Pointer options = deployhook_options_new();
            if (options == null) {
                throw new OutOfMemoryError("deployhook_options_new");
            }
            Map<String, Object> shown = new LinkedHashMap<>();
            try {
                set(null, null, BINDING_NAME, v -> deployhook_options_set_binding_name(options, Text.cString(v)));
                set(shown, "baseUrl", baseUrl, v -> deployhook_options_set_base_url(options, Text.cString(v)));
                set(shown, "timeout", timeout, v -> deployhook_options_set_timeout_ms(options, new NativeLong(Text.milliseconds(v))));
                set(shown, "connectTimeout", connectTimeout,
                    v -> deployhook_options_set_connect_timeout_ms(options, new NativeLong(Text.milliseconds(v))));
                set(shown, "maxRetries", maxRetries, v -> deployhook_options_set_max_retries(options, v));
                set(shown, "maxConcurrency", maxConcurrency, v -> deployhook_options_set_max_concurrency(options, v));
                set(shown, "caFile", caFile, v -> deployhook_options_set_ca_file(options, Text.cString(v)));
                set(shown, "userAgent", userAgent, v -> deployhook_options_set_user_agent(options, Text.cString(v)));
                set(null, null, apiToken, v -> deployhook_options_set_api_token(options, Text.cString(v)));
                set(shown, "accountId", accountId, v -> deployhook_options_set_account_id(options, Text.cString(v)));
                set(shown, "waitTimeout", waitTimeout,
                    v -> deployhook_options_set_wait_timeout_ms(options, new NativeLong(Text.milliseconds(v))));
            } catch (RuntimeException | Error e) {
                deployhook_options_free(options);
                throw e;
            }
            StringJoiner text = new StringJoiner(", ", "DeployHookClient[", "]");
            shown.forEach((name, value) -> text.add(name + "=" + value));
            return new DeployHookClient(options, text.toString());
        }

        /** Applies a setting (null: the default); throws the library's error when it refuses it. */
        private static <T> void set(Map<String, Object> shown, String name, T value, Function<T, Integer> setter) {
            if (value == null) {
                return;
            }
            int code = setter.apply(value);
            if (code != 0) {
                throw DeployHookException.of(code, Text.read(deployhook_last_error_message()), 0, 0, null);
            }
            if (shown != null) {
                shown.put(name, value);
            }
        }
    }

    /** Triggers the deploy hook (its UUID or trigger URL); returns the build, or throws a DeployHookException. */
    public Build trigger(String hook) {
        byte[] text = Text.cString(hook);
        return run(call -> Results.value(call.run(options -> deployhook_trigger_with(text, options))));
    }

    /**
     * Triggers the hook, then waits for the build as {@link #waitFor(String, WaitListener)} does; returns the
     * final build (its alreadyExists from the trigger).
     */
    public Build triggerAndWait(String hook, WaitListener listener) {
        return triggerAndWait(hook, listener, listener != null);
    }

    /** As {@link #triggerAndWait(String, WaitListener)}; log lines are fetched only when followLogs is true. */
    public Build triggerAndWait(String hook, WaitListener listener, boolean followLogs) {
        byte[] text = Text.cString(hook);
        return follow(listener, (options, callback) ->
                deployhook_trigger_and_wait(text, options, followLogs ? 1 : 0, callback, null));
    }

    /**
     * Triggers every hook concurrently (at most maxConcurrency at once); returns, in input order, each one's
     * build or error (not thrown).
     */
    public List<TriggerResult> triggerMany(List<String> hooks) {
        int count = hooks.size();
        List<byte[]> texts = new ArrayList<>(count);
        hooks.forEach(hook -> texts.add(Text.cString(hook)));
        List<Memory> strings = new ArrayList<>(count);
        Memory array = new Memory((long) Math.max(count, 1) * Native.POINTER_SIZE);
        for (int i = 0; i < count; i++) {
            Memory string = null;
            if (texts.get(i) != null) {
                string = new Memory(texts.get(i).length);
                string.write(0, texts.get(i), 0, texts.get(i).length);
                strings.add(string);
            }
            array.setPointer((long) i * Native.POINTER_SIZE, string);
        }
        Memory results = new Memory((long) Math.max(count, 1) * Native.POINTER_SIZE);
        results.clear();
        List<TriggerResult> list = run(call -> {
            int code = call.run(options -> deployhook_trigger_many(array, count, options, results));
            if (code != 0) {
                throw DeployHookException.of(code, Text.read(deployhook_last_error_message()), 0, 0, null);
            }
            List<TriggerResult> outcomes = new ArrayList<>(count);
            for (Pointer result : results.getPointerArray(0, count)) {
                outcomes.add(Results.read(result));
            }
            if (call.interrupted()) { // stopped: the hooks not done yet ended CANCELLED
                for (TriggerResult outcome : outcomes) {
                    if (outcome.error().orElse(null) instanceof DeployHookCancelledException cancelled) {
                        throw cancelled;
                    }
                }
            }
            return outcomes;
        });
        Reference.reachabilityFence(strings);
        Reference.reachabilityFence(array);
        return list;
    }


    /**
     * Waits for a build to stop; returns the final build, or throws a DeployHookException (e.g.
     * {@link WaitTimeoutException}). The listener (may be null) hears each status change and, when given,
     * each new log line, on this thread; an exception it throws stops the wait and is rethrown.
     */
    public Build waitFor(String buildUuid, WaitListener listener) {
        return waitFor(buildUuid, listener, listener != null);
    }

    /** As {@link #waitFor(String, WaitListener)}; log lines are fetched only when followLogs is true. */
    public Build waitFor(String buildUuid, WaitListener listener, boolean followLogs) {
        byte[] text = Text.cString(buildUuid);
        return follow(listener, (options, callback) ->
                deployhook_wait(text, options, followLogs ? 1 : 0, callback, null));
    }

    /** As {@link #waitFor(String, WaitListener)} for a build a trigger returned (no UUID: the library's error). */
    public Build waitFor(Build build, WaitListener listener) {
        return waitFor(build.buildUuid().orElse(null), listener);
    }

    /**
     * Cancels a build; returns it stopped, its outcome, and alreadyStopped telling whether it had stopped
     * before. Throws a DeployHookException.
     */
    public Build cancel(String buildUuid) {
        byte[] text = Text.cString(buildUuid);
        return run(call -> Results.value(call.run(options -> deployhook_cancel_build(text, options))));
    }

    public Build cancel(Build build) {
        return cancel(build.buildUuid().orElse(null));
    }

    /** Frees the options. Calls in flight go on with their own copy; later calls throw IllegalStateException. */
    @Override
    public void close() {
        cleanable.clean();
    }

    @Override
    public String toString() {
        return description;
    }

    // ---- calls

    private interface FollowCall {
        Pointer call(Pointer options, NativeApi.WaitCallback callback);
    }

    /** body(call) with a copy of the options made for this call, freed afterwards. */
    private <R> R run(Function<Call, R> body) {
        Pointer copy = handle.duplicate();
        try {
            return body.apply(new Call(copy));
        } finally {
            deployhook_options_free(copy);
        }
    }

    /**
     * A wait or trigger-and-wait. The listener runs inside the library's callback, on this thread; what it
     * throws is kept (nothing may unwind through the library's frames), the wait is stopped from the
     * callback, and it is thrown once the call has returned and its result is freed.
     */
    private Build follow(WaitListener listener, FollowCall function) {
        return run(call -> {
            Throwable[] failure = {null};
            NativeApi.WaitCallback callback = listener == null ? null : (event, status, text, timestamp, userData) -> {
                if (failure[0] == null) {
                    try {
                        listener.onEvent(WaitEvent.of(event, status, Text.read(text), timestamp));
                    } catch (Throwable e) {
                        failure[0] = e;
                        call.stop();
                    }
                    call.rearm();
                }
            };
            Pointer result = call.run(options -> function.call(options, callback));
            Reference.reachabilityFence(callback);
            if (failure[0] != null) {
                deployhook_free_result(result);
                throw rethrow(failure[0]);
            }
            return Results.value(result);
        });
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof Error error) {
            throw error;
        }
        return e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e); // no checked ones
    }
}
