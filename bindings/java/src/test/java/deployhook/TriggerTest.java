package deployhook;

import org.junit.jupiter.api.Test;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.function.Supplier;

import static deployhook.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** Triggers against the test fake: builds, every error kind, triggerMany, options, strings and secrets. */
class TriggerTest {

    @Test
    void triggerReturnsTheBuild() {
        try (DeployHookClient client = fake().build()) {
            Build build = client.trigger(OK);
            assertEquals("182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e", build.buildUuid().orElseThrow());
            assertEquals(BuildStatus.QUEUED, build.status());
            assertEquals(false, build.alreadyExists().orElseThrow());
            assertTrue(build.alreadyStopped().isEmpty());
            assertTrue(build.outcome().isEmpty());
            assertEquals(Instant.parse("2019-12-27T18:11:19.117Z"), build.createdOn().orElseThrow());
            assertTrue(build.cfRay().orElseThrow().matches("[0-9a-f]{16}-SJC"));
            assertEquals(OptionalInt.of(200), build.httpStatus());
            assertTrue(build.responseBody().orElseThrow().startsWith("{\"success\":true"));
        }
    }

    @Test
    void alreadyExistsAnUnknownStatusAndHookSpellings() {
        try (DeployHookClient client = fake().build()) {
            Build already = client.trigger(ALREADY);
            assertEquals(true, already.alreadyExists().orElseThrow());
            assertEquals(BuildStatus.RUNNING, already.status());
            assertEquals(BuildStatus.UNKNOWN, client.trigger(UNKNOWN_STATUS).status());
            assertEquals(BuildStatus.QUEUED, client.trigger("  " + OK.toUpperCase(Locale.ROOT) + "\n").status());
            assertEquals(BuildStatus.QUEUED, client.trigger(FAKE + "/workers/builds/deploy_hooks/" + OK).status());
        }
    }

    @Test
    void theSharedClientHonoursTheEnvironment() throws Exception {
        // DeployHook.trigger uses the library's defaults: CLOUDFLARE_BASE_URL, which test.sh sets to the fake.
        assertEquals(FAKE, System.getenv("CLOUDFLARE_BASE_URL"));
        assertEquals(BuildStatus.QUEUED, DeployHook.trigger(OK).status());
    }

    private static <E extends DeployHookException> E assertFailure(Class<E> type, ErrorCode code, Integer apiCode,
                                                                  Integer httpStatus, boolean cfRay, Runnable call) {
        E error = assertThrows(type, call::run);
        assertEquals(code, error.code());
        assertEquals(code.number(), error.codeNumber());
        assertEquals(code.name(), error.codeName());
        assertEquals(apiCode == null ? OptionalInt.empty() : OptionalInt.of(apiCode), error.apiCode());
        assertEquals(httpStatus == null ? OptionalInt.empty() : OptionalInt.of(httpStatus), error.httpStatus());
        assertEquals(cfRay, error.cfRay().isPresent(), "cf-ray");
        assertFalse(error.getMessage().isEmpty());
        return error;
    }

    @Test
    void invalidArgument() {
        try (DeployHookClient client = fake().build()) {
            InvalidArgumentException error = assertFailure(InvalidArgumentException.class, ErrorCode.INVALID_ARGUMENT,
                    null, null, false, () -> client.trigger("not a hook"));
            assertTrue(error.getMessage().contains("deploy hook"), error.getMessage()); // the library's words
            assertFailure(InvalidArgumentException.class, ErrorCode.INVALID_ARGUMENT, null, null, false, () -> client.trigger(null));
            // What UTF-8 cannot carry reaches the library as invalid UTF-8, which it refuses: never cut at a NUL.
            assertFailure(InvalidArgumentException.class, ErrorCode.INVALID_ARGUMENT, null, null, false,
                    () -> client.trigger(OK + "\0junk"));
            assertFailure(InvalidArgumentException.class, ErrorCode.INVALID_ARGUMENT, null, null, false,
                    () -> client.trigger(OK + "\ud800"));
        }
    }

    @Test
    void notFound() {
        try (DeployHookClient client = fake().build()) {
            NotFoundException error = assertFailure(NotFoundException.class, ErrorCode.NOT_FOUND, 12000, 404, true,
                    () -> client.trigger(UNKNOWN));
            assertTrue(error.getMessage().contains("1234..."), error.getMessage());
        }
    }

    @Test
    void rateLimited() {
        try (DeployHookClient client = fake().maxRetries(0).build()) {
            assertFailure(RateLimitedException.class, ErrorCode.RATE_LIMITED, 12051, 429, true, () -> client.trigger(RATE_LIMITED));
        }
    }

    @Test
    void apiError() {
        try (DeployHookClient client = fake().build()) {
            assertFailure(ApiException.class, ErrorCode.API, 10000, 403, true, () -> client.trigger(API_ERROR));
        }
    }

    @Test
    void httpError() {
        try (DeployHookClient client = fake().maxRetries(0).build()) {
            assertFailure(HttpException.class, ErrorCode.HTTP, null, 502, true, () -> client.trigger(HTML_502));
        }
    }

    @Test
    void networkError() throws Exception {
        try (DeployHookClient client = DeployHookClient.builder()
                .baseUrl("http://127.0.0.1:" + closedPort() + "/client/v4").maxRetries(0).build()) {
            assertFailure(NetworkException.class, ErrorCode.NETWORK, null, null, false, () -> client.trigger(OK));
        }
    }

    @Test
    void timeout() {
        try (DeployHookClient client = fake().timeout(Duration.ofMillis(300)).maxRetries(0).build()) {
            assertFailure(DeployHookTimeoutException.class, ErrorCode.TIMEOUT, null, null, false, () -> client.trigger(SLOW));
        }
    }

    @Test
    void tlsError() {
        try (DeployHookClient client = DeployHookClient.builder().baseUrl(FAKE.replace("http:", "https:")).maxRetries(0).build()) {
            assertFailure(TlsException.class, ErrorCode.TLS, null, null, false, () -> client.trigger(OK));
        }
    }

    @Test
    void responseError() {
        try (DeployHookClient client = fake().build()) {
            assertFailure(ResponseException.class, ErrorCode.RESPONSE, null, 200, true, () -> client.trigger(TRUNCATED));
        }
    }

    @Test
    void noCredentials() {
        try (DeployHookClient client = fake().build()) { // neither token nor account, none in the environment
            assertFailure(NoCredentialsException.class, ErrorCode.NO_CREDENTIALS, null, null, false,
                    () -> client.waitFor("bd000003-0000-4000-8000-000000000003", null));
        }
    }

    @Test
    void everyCodeHasItsClassAndTheLibraryNamesIt() {
        for (ErrorCode code : ErrorCode.values()) {
            DeployHookException error = DeployHookException.of(code.number(), "m", 0, 0, null);
            assertEquals(code, error.code());
            assertEquals(code.name(), DeployHook.errorName(code.number()));
            String expected = code == ErrorCode.UNKNOWN ? "UnknownErrorException" : code == ErrorCode.TIMEOUT
                    ? "DeployHookTimeoutException" : code == ErrorCode.CANCELLED ? "DeployHookCancelledException" : null;
            if (expected != null) {
                assertEquals(expected, error.getClass().getSimpleName());
            }
        }
        DeployHookException future = DeployHookException.of(99, "m", 0, 0, null); // a newer library's code
        assertEquals(ErrorCode.UNKNOWN, future.code());
        assertEquals(99, future.codeNumber());
        assertInstanceOf(UnknownErrorException.class, future);
        assertEquals(ErrorCode.NOT_FOUND, ErrorCode.of(2));
    }

    @Test
    void triggerManyKeepsInputOrder() {
        List<String> hooks = new ArrayList<>();
        for (int i = 3; i >= 0; i--) {
            hooks.add(delayedHook(i, 100 * i)); // the first answers last
        }
        hooks.add(2, "not a hook");
        hooks.add(UNKNOWN);
        try (DeployHookClient client = fake().build()) {
            List<TriggerResult> results = client.triggerMany(hooks);
            assertEquals(6, results.size());
            assertEquals("b11d0000-0000-4000-8000-000000030300", results.get(0).orThrow().buildUuid().orElseThrow());
            assertEquals("b11d0000-0000-4000-8000-000000020200", results.get(1).orThrow().buildUuid().orElseThrow());
            assertInstanceOf(InvalidArgumentException.class, results.get(2).error().orElseThrow());
            assertEquals("b11d0000-0000-4000-8000-000000010100", results.get(3).orThrow().buildUuid().orElseThrow());
            assertEquals("b11d0000-0000-4000-8000-000000000000", results.get(4).orThrow().buildUuid().orElseThrow());
            assertInstanceOf(NotFoundException.class, results.get(5).error().orElseThrow());
            assertThrows(NotFoundException.class, results.get(5)::orThrow);
            assertEquals(List.of(), client.triggerMany(List.of()));
        }
    }

    @Test
    void triggerManyRunsMaxConcurrencyAtOnce() throws Exception {
        fakeControl("/_fake/reset", true);
        List<String> hooks = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            hooks.add(delayedHook(200 + i, 300));
        }
        long start = System.nanoTime();
        try (DeployHookClient client = fake().maxConcurrency(4).build()) {
            assertTrue(client.triggerMany(hooks).stream().allMatch(TriggerResult::isSuccess));
        }
        assertTrue(millisSince(start) >= 550);
        assertEquals(4, jsonInt(fakeControl("/_fake/stats", false), "max_in_flight"));
    }

    @Test
    void theDefaultUserAgentNamesJavaAndASetOneReplacesIt() throws Exception {
        fakeControl("/_fake/reset", true);
        try (DeployHookClient client = fake().build(); DeployHookClient custom = fake().userAgent("my-deployer/2.0").build()) {
            client.trigger(OK);
            custom.trigger(OK);
        }
        List<String> agents = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"user-agent\":\\s*\"([^\"]*)\"")
            .matcher(fakeControl("/_fake/requests", false));
        while (m.find()) {
            agents.add(m.group(1));
        }
        assertEquals(List.of("deployhook/" + DeployHook.libraryVersion() + " (java; linux)", "my-deployer/2.0"), agents);
    }

    @Test
    void optionsAreTheLibrarysToJudge() {
        InvalidArgumentException error = assertThrows(InvalidArgumentException.class,
                () -> DeployHookClient.builder().timeout(Duration.ZERO).build());
        assertTrue(error.getMessage().contains("timeout"), error.getMessage());
        assertThrows(InvalidArgumentException.class, () -> DeployHookClient.builder().timeout(Duration.ofDays(365 * 1000)).build());
        assertThrows(InvalidArgumentException.class, () -> DeployHookClient.builder().maxRetries(-1).build());
        assertThrows(InvalidArgumentException.class, () -> DeployHookClient.builder().maxConcurrency(1000).build());
        assertThrows(InvalidArgumentException.class, () -> DeployHookClient.builder().baseUrl("ftp://example.com").build());
        assertThrows(InvalidArgumentException.class, () -> DeployHookClient.builder().caFile(Path.of("/nonexistent.pem")).build());
        assertThrows(InvalidArgumentException.class, () -> DeployHookClient.builder().accountId("no spaces").build());
        try (DeployHookClient client = fake().timeout(Duration.ofMillis(2500)).connectTimeout(Duration.ofSeconds(1))
                .maxRetries(0).maxConcurrency(2).userAgent("java-test/1 ✓").accountId(FAKE_ACCOUNT)
                .waitTimeout(Duration.ofMinutes(1)).build()) {
            assertEquals(BuildStatus.QUEUED, client.trigger(OK).status());
        }
    }

    @Test
    void stringsAreUtf8WhateverTheDefaultCharset() {
        if ("C".equals(System.getenv("LC_ALL"))) { // test.sh runs the suite so: make sure it took
            assertEquals(StandardCharsets.US_ASCII, Charset.defaultCharset());
        }
        try (DeployHookClient client = fake().userAgent("ua ✓ 部署").build()) {
            assertTrue(client.toString().contains("ua ✓ 部署"));
            assertEquals(BuildStatus.QUEUED, client.trigger(OK).status());
        }
    }

    @Test
    void aClosedClient() {
        DeployHookClient client = fake().build();
        client.close();
        client.close();
        assertThrows(IllegalStateException.class, () -> client.trigger(OK));
    }

    @Test
    void noSecretInAnyStringOrMessage() throws Exception {
        String token = "sweep-token-0f1e2d3c4b5a69788796a5b4";
        List<String> hooks = List.of(OK, ALREADY, RATE_LIMITED, HTML_502, API_ERROR, TRUNCATED, UNKNOWN);
        List<String> texts = new ArrayList<>();
        for (String base : List.of(FAKE, FAKE.replace("http:", "https:"), "http://127.0.0.1:" + closedPort() + "/client/v4")) {
            DeployHookClient.Builder builder = DeployHookClient.builder().baseUrl(base).timeout(Duration.ofMillis(600))
                    .maxRetries(0).apiToken(token).accountId(FAKE_ACCOUNT);
            texts.add(builder.toString());
            try (DeployHookClient client = builder.build()) {
                texts.add(client.toString());
                for (String hook : hooks) {
                    for (String spelled : List.of(hook, hook.toUpperCase(Locale.ROOT), " " + hook + "\n",
                                                  base + "/workers/builds/deploy_hooks/" + hook)) {
                        try {
                            texts.add(client.trigger(spelled).toString());
                        } catch (DeployHookException e) {
                            texts.add(e.toString());
                            java.io.StringWriter trace = new java.io.StringWriter();
                            e.printStackTrace(new java.io.PrintWriter(trace));
                            texts.add(trace.toString());
                        }
                    }
                }
                client.triggerMany(hooks).forEach(result -> texts.add(result.toString()));
            }
        }
        Supplier<DeployHookClient> bad = () -> DeployHookClient.builder().apiToken("bad token " + token).build();
        texts.add(assertThrows(InvalidArgumentException.class, bad::get).toString());
        String all = String.join("\n", texts).toLowerCase(Locale.ROOT);
        List<String> leaks = new ArrayList<>();
        for (String secret : concat(hooks, token)) {
            if (all.contains(secret.toLowerCase(Locale.ROOT))) {
                leaks.add(secret);
            }
        }
        assertEquals(List.of(), leaks);
    }

    private static List<String> concat(List<String> list, String one) {
        List<String> all = new ArrayList<>(list);
        all.add(one);
        return all;
    }
}
