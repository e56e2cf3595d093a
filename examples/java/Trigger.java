import deployhook.Build;
import deployhook.BuildOutcome;
import deployhook.DeployHookClient;
import deployhook.DeployHookException;
import deployhook.WaitEvent;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Trigger a Cloudflare Workers Builds deploy hook, and optionally follow the build until it stops: the Java
 * twin of examples/python/trigger.py.
 *
 * <pre>
 * Usage: Trigger [--wait] [--logs] [HOOK]
 * </pre>
 *
 * Run it from the repository, after `swift build -c release` and `bash bindings/java/build.sh`:
 * <pre>
 * java -cp build/java/deployhook.jar:/usr/share/java/jna.jar examples/java/Trigger.java --wait --logs
 * </pre>
 */
public final class Trigger {
    static final String USAGE = """
            Usage: Trigger [--wait] [--logs] [HOOK]

            HOOK is the deploy hook's UUID or its full trigger URL. Without the argument it is read from
            CLOUDFLARE_DEPLOY_HOOK, which is better: an argument shows in `ps` to every user of the machine.
            CLOUDFLARE_BASE_URL, when set, replaces https://api.cloudflare.com/client/v4.

              --wait   wait for the build to stop, printing each status it goes through. Needs an API token with
                       Workers Builds permissions in CLOUDFLARE_API_TOKEN and the account in CLOUDFLARE_ACCOUNT_ID.
              --logs   also print the build's log lines as they come (implies --wait).

            Exit status: 0 when a build was started or one was already pending (with --wait: when it succeeded);
            20 with --wait when the build stopped without succeeding; otherwise the library's error number
            (1 bad hook or usage, 2 no such hook, 3 rate limited, ... 13 no token or account).""";

    static final int BUILD_DID_NOT_SUCCEED = 20;

    public static void main(String[] argv) {
        // The library's strings are UTF-8: print them so, whatever the platform's default charset is.
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
        System.exit(run(argv));
    }

    static int run(String[] argv) {
        List<String> arguments = new ArrayList<>(List.of(argv));
        if (arguments.contains("-h") || arguments.contains("--help")) {
            System.out.println(USAGE);
            return 0;
        }
        boolean logs = arguments.remove("--logs");
        boolean wait = arguments.remove("--wait") || logs;
        if (arguments.size() > 1 || arguments.stream().anyMatch(argument -> argument.startsWith("--"))) {
            System.err.println("usage: Trigger [--wait] [--logs] [HOOK] (see --help)");
            return 1;
        }
        String hook = arguments.isEmpty() ? System.getenv().getOrDefault("CLOUDFLARE_DEPLOY_HOOK", "") : arguments.get(0);
        if (hook.isEmpty()) {
            System.err.println("Trigger: no hook: set CLOUDFLARE_DEPLOY_HOOK or pass it as the argument (see --help)");
            return 1;
        }
        Build build;
        try (DeployHookClient client = DeployHookClient.create()) { // the library reads CLOUDFLARE_* itself
            build = wait
                    ? client.triggerAndWait(hook, event -> System.out.println(event.type() == WaitEvent.Type.LOG
                            ? "| " + event.text() : "status " + event.status().name().toLowerCase()), logs)
                    : client.trigger(hook);
        } catch (DeployHookException e) { // the message already names the HTTP status and API code
            System.err.println("Trigger: " + e.getMessage() + e.cfRay().map(ray -> " [cf-ray " + ray + "]").orElse(""));
            return e.codeNumber();
        }
        String pending = build.alreadyExists().orElse(false) ? " (a build was already pending: no new one was started)" : "";
        System.out.println("build " + build.buildUuid().orElse("(no id given)") + ": " + build.status().name().toLowerCase()
                + build.outcome().map(outcome -> ", " + outcome.name().toLowerCase()).orElse("") + pending);
        build.createdOn().ifPresent(time -> System.out.println("created " + time));
        build.stoppedOn().ifPresent(time -> System.out.println("stopped " + time));
        build.previewUrl().ifPresent(url -> System.out.println("preview " + url));
        build.cfRay().ifPresent(ray -> System.out.println("cf-ray " + ray));
        return wait && build.outcome().orElse(null) != BuildOutcome.SUCCESS ? BUILD_DID_NOT_SUCCEED : 0;
    }
}
