package deployhook;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static deployhook.TestSupport.REPO;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The JNA declarations of {@link NativeApi} against include/deployhook.cdef (the generated declarations):
 * every function declared, each parameter and return of the type its C type maps to, and every enum's
 * numbers; the library's names against the enums'.
 */
class AbiTest {
    private static final Pattern FUNCTION = Pattern.compile("^(.+?)\\b(\\w+)\\((.*)\\);$");
    private static final Pattern CONSTANT = Pattern.compile("^\\s+(\\w+) = (-?\\d+),?$");

    private static List<String> cdef() throws IOException {
        return Files.readAllLines(REPO.resolve("include/deployhook.cdef"));
    }

    /** The Java type a C type crosses as. */
    private static Class<?> javaType(String cType, boolean returned) {
        String type = cType.replace("const ", "").replaceAll("\\s+", " ").trim();
        switch (type) {
            case "void": return void.class;
            case "int": return int.class;
            case "long": return NativeLong.class;
            case "size_t": return long.class;
            case "double": return double.class;
            case "char *": return returned ? Pointer.class : byte[].class; // returned: borrowed, never freed
            case "deployhook_wait_callback": return NativeApi.WaitCallback.class;
            default:
                if (type.endsWith("*")) {
                    return Pointer.class; // opaque handles, arrays and void *
                }
                throw new AssertionError("a C type this test does not know: " + cType);
        }
    }

    @Test
    void everyFunctionIsDeclaredWithItsTypes() throws IOException {
        Map<String, Method> methods = new HashMap<>();
        for (Method method : NativeApi.class.getDeclaredMethods()) {
            if (Modifier.isNative(method.getModifiers())) {
                methods.put(method.getName(), method);
            }
        }
        TreeSet<String> declared = new TreeSet<>();
        for (String line : cdef()) {
            Matcher m = FUNCTION.matcher(line);
            if (!Character.isLetter(line.isEmpty() ? ' ' : line.charAt(0)) || line.startsWith("typedef") || !m.matches()) {
                continue;
            }
            String name = m.group(2);
            declared.add(name);
            Method method = methods.get(name);
            assertNotNull(method, name + " is not declared");
            assertEquals(javaType(m.group(1), true), method.getReturnType(), name + " returns");
            List<Class<?>> parameters = new ArrayList<>();
            if (!m.group(3).trim().equals("void")) {
                for (String parameter : m.group(3).split(",")) {
                    parameters.add(javaType(parameter.trim().replaceAll("\\w+$", ""), false));
                }
            }
            assertEquals(parameters, List.of(method.getParameterTypes()), name + " parameters");
        }
        assertEquals(declared, new TreeSet<>(methods.keySet()), "exactly the functions of deployhook.cdef");
        assertEquals(54, declared.size()); // 51, then set_binding_name, dup_linked and shut_down
    }

    @Test
    void enumsHaveTheLibrarysNumbersAndNames() throws IOException {
        Map<String, Integer> constants = new HashMap<>();
        for (String line : cdef()) {
            Matcher m = CONSTANT.matcher(line);
            if (m.matches()) {
                constants.put(m.group(1), Integer.parseInt(m.group(2)));
            }
        }
        for (ErrorCode code : ErrorCode.values()) {
            if (code != ErrorCode.UNKNOWN) {
                assertEquals(constants.get("DEPLOYHOOK_ERR_" + code.name()), code.number(), code.name());
                assertEquals("DEPLOYHOOK_ERR_" + code.name(), Text.read(NativeApi.deployhook_error_name(code.number())));
            }
        }
        assertEquals(constants.keySet().stream().filter(k -> k.startsWith("DEPLOYHOOK_ERR_")).count(), ErrorCode.values().length - 1);
        for (BuildStatus status : BuildStatus.values()) {
            assertEquals(constants.get("DEPLOYHOOK_STATUS_" + status.name()), status.ordinal());
            assertEquals(status.name().toLowerCase(Locale.ROOT), Text.read(NativeApi.deployhook_status_name(status.ordinal())));
            assertEquals(status, BuildStatus.of(status.ordinal()));
        }
        assertEquals(BuildStatus.UNKNOWN, BuildStatus.of(99));
        for (BuildOutcome outcome : BuildOutcome.values()) {
            int number = constants.get("DEPLOYHOOK_OUTCOME_" + outcome.name());
            assertEquals(outcome, BuildOutcome.of(number).orElseThrow());
            assertEquals(outcome.name().toLowerCase(Locale.ROOT), Text.read(NativeApi.deployhook_outcome_name(number)));
        }
        assertTrue(BuildOutcome.of(constants.get("DEPLOYHOOK_OUTCOME_NONE")).isEmpty());
        assertEquals(BuildOutcome.UNKNOWN, BuildOutcome.of(99).orElseThrow());
        assertEquals(1, constants.get("DEPLOYHOOK_EVENT_STATUS"));
        assertEquals(2, constants.get("DEPLOYHOOK_EVENT_LOG"));
        assertEquals(WaitEvent.Type.UNKNOWN, WaitEvent.of(99, 0, "x", 0).type());
        assertEquals(constants.get("DEPLOYHOOK_VERSION_NUMBER"), NativeApi.deployhook_version_number());
    }

    @Test
    void textConversions() {
        assertArrayEquals(new byte[] {'a', (byte) 0xC3, (byte) 0xA9, (byte) 0xF0, (byte) 0x9F, (byte) 0x9A, (byte) 0x80, 0},
                          Text.cString("aé\uD83D\uDE80"));
        assertArrayEquals(new byte[] {'a', (byte) 0xC0, (byte) 0x80, 'b', 0}, Text.cString("a\0b")); // refused by the library
        assertArrayEquals(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80, 0}, Text.cString("\uD800"));
        assertNull(Text.cString(null));
        assertEquals(java.time.Instant.parse("2019-12-27T18:11:23.500Z"), Text.seconds(1577470283.5));
    }

    @Test
    void theLibraryWasFound() {
        assertTrue(DeployHook.libraryVersion().matches("\\d+\\.\\d+\\.\\d+"));
        assertTrue(DeployHook.libraryPath().endsWith("libdeployhook.so") || DeployHook.libraryPath().endsWith("libdeployhook.so.0"));
    }
}
