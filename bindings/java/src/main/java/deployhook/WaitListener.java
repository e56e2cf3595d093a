package deployhook;

/**
 * Hears a wait's events, in order, on the thread that called
 * {@link DeployHookClient#waitFor(String, WaitListener)}. An exception it throws stops the wait (through
 * the library's interrupt) and is rethrown by waitFor.
 */
@FunctionalInterface
public interface WaitListener {
    void onEvent(WaitEvent event);
}
