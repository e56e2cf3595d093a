package deployhook;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The C ABI of libdeployhook (include/deployhook.h), bound with JNA's direct mapping, one method per
 * function of include/deployhook.json (a test checks every one against include/deployhook.cdef).
 *
 * <p>Types: every {@code const char *} passed in is a NUL-terminated UTF-8 {@code byte[]} (see
 * {@link Text#cString}); every {@code const char *} returned is a {@link Pointer}, borrowed from its result
 * or static, read with {@link Text#read} and never freed by JNA; every enum is an {@code int}; C
 * {@code long} is {@link NativeLong}; {@code size_t} is {@code long} (LP64 Linux).
 *
 * <p>The library, first that loads: the file named by {@code DEPLOYHOOK_LIBRARY}; a copy bundled in the
 * jar ({@code linux-x86-64/libdeployhook.so}); the source checkout's {@code .build/release/libdeployhook.so}
 * or {@code packaging/build-tree/lib/libdeployhook.so.0}; the system's {@code libdeployhook.so.0}. When
 * none loads, an {@link UnsatisfiedLinkError} lists every place tried.
 */
final class NativeApi {
    private NativeApi() {}

    /** deployhook_wait_callback: the text is borrowed, valid during the call only. */
    interface WaitCallback extends Callback {
        void invoke(int event, int status, Pointer text, double timestamp, Pointer userData);
    }

    /** The file the library was loaded from. */
    static final String PATH;

    static {
        NativeLibrary library = load();
        PATH = library.getFile() == null ? library.getName() : library.getFile().getPath();
        Native.register(NativeApi.class, library);
    }

    private static NativeLibrary load() {
        List<String> tried = new ArrayList<>();
        String explicit = System.getenv("DEPLOYHOOK_LIBRARY");
        if (explicit != null && !explicit.isEmpty()) {
            NativeLibrary library = open("DEPLOYHOOK_LIBRARY", explicit, tried);
            if (library != null) {
                return library;
            }
        }
        String resource = "/" + Platform.RESOURCE_PREFIX + "/libdeployhook.so";
        if (NativeApi.class.getResource(resource) == null) {
            tried.add("bundled: " + resource + " (not in the jar)");
        } else {
            try {
                File extracted = Native.extractFromResourcePath(resource, NativeApi.class.getClassLoader());
                NativeLibrary library = open("bundled", extracted.getAbsolutePath(), tried);
                if (library != null) {
                    return library;
                }
            } catch (java.io.IOException e) {
                tried.add("bundled: " + resource + " (" + e.getMessage() + ")");
            }
        }
        Path checkout = checkout();
        if (checkout != null) {
            for (Path file : List.of(checkout.resolve(".build/release/libdeployhook.so"),
                                     checkout.resolve("packaging/build-tree/lib/libdeployhook.so.0"))) {
                if (!Files.exists(file)) {
                    tried.add("source checkout: " + file + " (no such file)");
                    continue;
                }
                NativeLibrary library = open("source checkout", file.toString(), tried);
                if (library != null) {
                    return library;
                }
            }
        }
        NativeLibrary library = open("system", "libdeployhook.so.0", tried);
        if (library != null) {
            return library;
        }
        throw new UnsatisfiedLinkError("deployhook could not load its C library, libdeployhook. Tried, in order:\n  - "
                + String.join("\n  - ", tried)
                + "\nBuild it with `swift build -c release` at the repository root, or set DEPLOYHOOK_LIBRARY.");
    }

    /** The library at path, or null (and why, in tried). */
    private static NativeLibrary open(String where, String path, List<String> tried) {
        try {
            return NativeLibrary.getInstance(path);
        } catch (UnsatisfiedLinkError e) {
            tried.add(where + ": " + path + " (" + e.getMessage().lines().findFirst().orElse("") + ")");
            return null;
        }
    }

    /** The repository this class was loaded from (classes or jar under it), or null. */
    private static Path checkout() {
        try {
            Path here = Path.of(NativeApi.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = here; dir != null; dir = dir.getParent()) {
                if (Files.exists(dir.resolve("Package.swift")) && Files.isDirectory(dir.resolve("bindings/java"))) {
                    return dir;
                }
            }
        } catch (URISyntaxException | SecurityException | NullPointerException | IllegalArgumentException e) {
            return null;
        }
        return null;
    }

    // ---- Triggering a deploy hook
    static native Pointer deployhook_trigger(byte[] hook);
    static native Pointer deployhook_trigger_with(byte[] hook, Pointer options);
    static native int deployhook_trigger_many(Pointer hooks, long n, Pointer options, Pointer results);
    static native void deployhook_free_result(Pointer result);

    // ---- Waiting for and cancelling a build
    static native Pointer deployhook_wait(byte[] buildUuid, Pointer options, int followLogs, WaitCallback callback, Pointer userData);
    static native Pointer deployhook_trigger_and_wait(byte[] hook, Pointer options, int followLogs, WaitCallback callback, Pointer userData);
    static native Pointer deployhook_cancel_build(byte[] buildUuid, Pointer options);

    // ---- Reading a result (strings borrowed from it)
    static native int deployhook_error_code(Pointer result);
    static native Pointer deployhook_error_message(Pointer result);
    static native int deployhook_api_error_code(Pointer result);
    static native int deployhook_http_status(Pointer result);
    static native Pointer deployhook_build_uuid(Pointer result);
    static native int deployhook_build_status(Pointer result);
    static native int deployhook_already_exists(Pointer result);
    static native Pointer deployhook_created_on(Pointer result);
    static native Pointer deployhook_cf_ray(Pointer result);
    static native Pointer deployhook_response_body(Pointer result);
    static native int deployhook_build_outcome(Pointer result);
    static native Pointer deployhook_preview_url(Pointer result);
    static native Pointer deployhook_stopped_on(Pointer result);
    static native Pointer deployhook_branch(Pointer result);
    static native Pointer deployhook_commit_hash(Pointer result);
    static native Pointer deployhook_commit_message(Pointer result);
    static native Pointer deployhook_author(Pointer result);
    static native Pointer deployhook_trigger_source(Pointer result);
    static native Pointer deployhook_deploy_hook_name(Pointer result);
    static native Pointer deployhook_trigger_name(Pointer result);
    static native Pointer deployhook_initializing_on(Pointer result);
    static native Pointer deployhook_running_on(Pointer result);
    static native Pointer deployhook_modified_on(Pointer result);
    static native int deployhook_already_stopped(Pointer result);

    // ---- Options
    static native Pointer deployhook_options_new();
    static native void deployhook_options_free(Pointer options);
    static native int deployhook_options_set_base_url(Pointer options, byte[] url);
    static native int deployhook_options_set_timeout_ms(Pointer options, NativeLong milliseconds);
    static native int deployhook_options_set_connect_timeout_ms(Pointer options, NativeLong milliseconds);
    static native int deployhook_options_set_max_retries(Pointer options, int retries);
    static native int deployhook_options_set_max_concurrency(Pointer options, int n);
    static native int deployhook_options_set_ca_file(Pointer options, byte[] path);
    static native int deployhook_options_set_user_agent(Pointer options, byte[] userAgent);
    static native int deployhook_options_set_api_token(Pointer options, byte[] token);
    static native int deployhook_options_set_account_id(Pointer options, byte[] accountId);
    static native int deployhook_options_set_wait_timeout_ms(Pointer options, NativeLong milliseconds);
    static native int deployhook_options_set_binding_name(Pointer options, byte[] name);
    static native Pointer deployhook_options_dup(Pointer options);
    static native Pointer deployhook_options_dup_linked(Pointer options);

    // ---- Stopping calls and reading why a call failed
    static native int deployhook_options_interrupt(Pointer options);
    static native int deployhook_options_shut_down(Pointer options);
    static native Pointer deployhook_last_error_message();

    // ---- Names and version (static strings)
    static native Pointer deployhook_error_name(int code);
    static native Pointer deployhook_status_name(int status);
    static native Pointer deployhook_outcome_name(int outcome);
    static native Pointer deployhook_version();
    static native int deployhook_version_number();
}
