package deployhook;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static deployhook.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** examples/java/Trigger.java against the emulator and the fake, and where the library is loaded from. */
class ExampleAndLoaderTest {
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    static final String JNA = System.getProperty("deployhook.jna", "/usr/share/java/jna.jar");
    static final Path JAR = REPO.resolve("build/java/deployhook.jar");
    static final Path EXAMPLE = REPO.resolve("build/java/example");

    record Run(int status, String out, String err) {}

    static Run java(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(JAVA));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        builder.environment().put("LC_ALL", "C");
        Path out = Files.createTempFile("java-out", ".txt");
        Path err = Files.createTempFile("java-err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        Run run = new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return run;
    }

    static Run example(String base, String hook, String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("-cp", JAR + ":" + JNA + ":" + EXAMPLE, "Trigger"));
        all.addAll(List.of(args));
        Map<String, String> env = new java.util.HashMap<>(Map.of("CLOUDFLARE_BASE_URL", base, "CLOUDFLARE_API_TOKEN", E_TOKEN,
                "CLOUDFLARE_ACCOUNT_ID", E_ACCOUNT));
        if (hook != null) {
            env.put("CLOUDFLARE_DEPLOY_HOOK", hook);
        }
        return java(env, all.toArray(String[]::new));
    }

    @Test
    void theExampleWaitsWithLogs() throws Exception {
        Run run = example(EMULATOR, null, "--logs", E_OK);
        assertEquals(0, run.status, run.err);
        assertTrue(run.out.contains("status stopped\n"), run.out);
        assertTrue(run.out.contains("| " + LOG_LINE + "\n"), run.out); // UTF-8 out, under LC_ALL=C
        assertTrue(run.out.matches("(?s).*\nbuild [0-9a-f-]{36}: stopped, success.*"), run.out);
        assertTrue(run.out.contains("\npreview https://"), run.out);
        assertFalse((run.out + run.err).contains(E_OK));
    }

    @Test
    void theExamplesExitCodes() throws Exception {
        assertEquals(20, example(EMULATOR, E_FAIL, "--wait").status);
        Run queued = example(EMULATOR, E_OK);
        assertEquals(0, queued.status, queued.err);
        assertTrue(queued.out.matches("(?s)build .*: queued.*"), queued.out);
        Run unknown = example(FAKE, null, UNKNOWN);
        assertEquals(2, unknown.status);
        assertTrue(unknown.err.matches("Trigger: .*not found.*\\[cf-ray [0-9a-f]{16}-SJC\\]\n"), unknown.err);
        assertEquals(1, example(EMULATOR, null, "--bogus").status);
        assertEquals(1, example(EMULATOR, null).status);
        assertEquals(0, example(EMULATOR, null, "--help").status);
    }

    @Test
    void lookupOrderAndTheErrorListingWhatWasTried(@TempDir Path dir) throws Exception {
        Path probe = dir.resolve("Probe.java");
        Files.writeString(probe, "public class Probe { public static void main(String[] a) { "
                + "System.out.println(deployhook.DeployHook.libraryPath()); } }");
        Path outside = dir.resolve("deployhook.jar"); // a jar outside the checkout: no source checkout candidate
        Files.copy(JAR, outside);
        String classpath = outside + ":" + JNA;
        Run missing = java(Map.of("DEPLOYHOOK_LIBRARY", "/nonexistent/libdeployhook.so"), "-cp", classpath, probe.toString());
        assertNotEquals(0, missing.status);
        assertTrue(missing.err.matches("(?s).*could not load its C library.*DEPLOYHOOK_LIBRARY: /nonexistent.*"
                + "bundled: .*system: libdeployhook\\.so\\.0.*"), missing.err);

        Path bundledDir = dir.resolve("bundled");
        ProcessBuilder build = new ProcessBuilder("bash", REPO.resolve("bindings/java/build.sh").toString());
        build.environment().put("DEPLOYHOOK_BUNDLE_LIBRARY", REPO.resolve(".build/release/libdeployhook.so").toString());
        build.environment().put("DEPLOYHOOK_JAVA_OUT", bundledDir.toString());
        Process process = build.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), output);
        Run bundled = java(Map.of(), "-cp", bundledDir.resolve("deployhook.jar") + ":" + JNA, probe.toString());
        assertEquals(0, bundled.status, bundled.err);
        assertTrue(bundled.out.contains("jna"), bundled.out); // extracted from the jar by JNA, not the checkout's
        assertFalse(bundled.out.startsWith(REPO.toString()), bundled.out);

        Path soname = REPO.resolve("packaging/build-tree/lib/libdeployhook.so.0");
        Run explicit = java(Map.of("DEPLOYHOOK_LIBRARY", soname.toString()), "-cp", classpath, probe.toString());
        assertEquals(soname.toString(), explicit.out.trim(), explicit.err);
        Run checkout = java(Map.of(), "-cp", JAR + ":" + JNA, probe.toString());
        assertEquals(REPO.resolve(".build/release/libdeployhook.so").toString(), checkout.out.trim(), checkout.err);
    }
}
