package deployhook;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The servers bindings/java/test.sh started (the test fake, the emulator), their hooks, and helpers. */
final class TestSupport {
    private TestSupport() {}

    static final Path REPO = Path.of(System.getProperty("deployhook.repo", ".")).toAbsolutePath().normalize();
    static final String FAKE = System.getenv("DEPLOYHOOK_TEST_FAKE");         // http://127.0.0.1:<port>/client/v4
    static final String EMULATOR = System.getenv("DEPLOYHOOK_TEST_EMULATOR");

    // The fake's scenarios (Tests/fake_api/SCENARIOS.md).
    static final String OK = "11111111-1111-4111-8111-111111111111";
    static final String ALREADY = "33333333-3333-4333-8333-333333333333";
    static final String UNKNOWN_STATUS = "44444444-4444-4444-8444-444444444444";
    static final String RATE_LIMITED = "55555555-5555-4555-8555-555555555555";
    static final String HTML_502 = "77777777-7777-4777-8777-777777777777";
    static final String API_ERROR = "88888888-8888-4888-8888-888888888888";
    static final String TRUNCATED = "99999999-9999-4999-8999-999999999999";
    static final String SLOW = "cccccccc-cccc-4ccc-8ccc-cccccccccccc";
    static final String UNKNOWN = "12345678-1234-4234-8234-123456789abc";
    static final String FAKE_TOKEN = "fake-api-token-for-builds";
    static final String FAKE_ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353";

    // The emulator's hooks (bindings/java/test.sh writes its configuration).
    static final String E_OK = "5a7e3c1d-2b4f-4c6a-9e8d-0f1a2b3c4d5e";   // success after 3 x 0.2 s
    static final String E_FAIL = "6b8f4d2e-3c5a-4d7b-8f9e-1a2b3c4d5e6f"; // fail after 3 x 0.2 s
    static final String E_LONG = "7c9a5e3f-4d6b-4e8c-9a0f-2b3c4d5e6f70"; // phases of 60 s
    static final String E_TOKEN = "emulator-token-0f1e2d3c4b5a6978";
    static final String E_ACCOUNT = "0123456789abcdef0123456789abcdef";
    static final String COMMIT_MESSAGE = "Fix the café menu ✓\n\nAnd its prices";
    static final String LOG_LINE = "Déployé ✓ 部署";

    static String delayedHook(int serial, int delayMs) {
        return String.format("de1a0000-0000-4000-8000-%08d%04d", serial, delayMs);
    }

    static DeployHookClient.Builder fake() {
        return DeployHookClient.builder().baseUrl(FAKE);
    }

    static DeployHookClient.Builder emulator() {
        return DeployHookClient.builder().baseUrl(EMULATOR).apiToken(E_TOKEN).accountId(E_ACCOUNT);
    }

    /** GET or POST a /_fake control path; the JSON body. */
    static String fakeControl(String path, boolean post) throws IOException, InterruptedException {
        URI uri = URI.create(FAKE.replaceFirst("/client/v4$", "") + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5));
        request = post ? request.POST(HttpRequest.BodyPublishers.noBody()) : request.GET();
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static int jsonInt(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":\\s*(\\d+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError(key + " not in " + json);
        }
        return Integer.parseInt(m.group(1));
    }

    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
