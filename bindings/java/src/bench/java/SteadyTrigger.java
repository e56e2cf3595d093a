import deployhook.BuildStatus;
import deployhook.DeployHookClient;

/**
 * Steady state through the Java binding, as benchmarks/steady_deployhook.c does through C: one client
 * (the API base set), 2,000 warm-up triggers (class loading, the JIT), then COUNT sequential triggers, each checked (a queued
 * build). Prints the seconds the COUNT triggers took.
 * Usage: java -cp build/java/deployhook.jar:/usr/share/java/jna.jar SteadyTrigger.java BASE_URL HOOK COUNT
 */
public class SteadyTrigger {
    public static void main(String[] args) {
        int count = Integer.parseInt(args[2]);
        try (DeployHookClient client = DeployHookClient.builder().baseUrl(args[0]).build()) {
            for (int i = 0; i < 2000; i++) { // warm-up: class loading and the JIT
                client.trigger(args[1]);
            }
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                if (client.trigger(args[1]).status() != BuildStatus.QUEUED) {
                    throw new IllegalStateException("not queued");
                }
            }
            System.out.printf("%.6f%n", (System.nanoTime() - start) / 1e9);
        }
    }
}
