package deployhook;

/**
 * Trigger Cloudflare Workers Builds deploy hooks through libdeployhook: the shortcuts of a shared client
 * with default settings, and the library's version. See {@link DeployHookClient} for everything else.
 *
 * <pre>{@code
 * Build build = DeployHook.trigger(System.getenv("CLOUDFLARE_DEPLOY_HOOK"));
 * }</pre>
 */
public final class DeployHook {
    private DeployHook() {}

    private static final class Default {
        static final DeployHookClient CLIENT = DeployHookClient.create();
    }

    /**
     * Triggers a deploy hook with one shared client of default settings (CLOUDFLARE_BASE_URL honoured by
     * the library); see {@link DeployHookClient#trigger(String)}.
     */
    public static Build trigger(String hook) {
        return Default.CLIENT.trigger(hook);
    }

    /** The library's version, e.g. "0.2.0". */
    public static String libraryVersion() {
        return Text.read(NativeApi.deployhook_version());
    }

    /** The file the library was loaded from. */
    public static String libraryPath() {
        return NativeApi.PATH;
    }

    /** The library's name of an error number without its prefix, e.g. "NOT_FOUND"; "UNKNOWN" for others. */
    static String errorName(int code) {
        return Text.read(NativeApi.deployhook_error_name(code)).replaceFirst("^DEPLOYHOOK_ERR_", "");
    }
}
