package deployhook;

import com.sun.jna.Pointer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Conversions between Java values and the C ABI's, whatever the platform's default charset is. */
final class Text {
    private Text() {}

    /**
     * A borrowed or static C string, copied and decoded as UTF-8 (malformed bytes, which only the raw
     * response body may hold, become U+FFFD); null for NULL. Never JNA's own String mapping.
     */
    static String read(Pointer pointer) {
        if (pointer == null) {
            return null;
        }
        long length = pointer.indexOf(0, (byte) 0);
        return new String(pointer.getByteArray(0, (int) length), StandardCharsets.UTF_8);
    }

    static Optional<String> optional(Pointer pointer) {
        return Optional.ofNullable(read(pointer));
    }

    /**
     * A string as a NUL-terminated UTF-8 C string; null stays NULL. What UTF-8 cannot say reaches the
     * library as bytes it rejects (INVALID_ARGUMENT, with its message), rather than being cut or replaced:
     * a NUL char is sent as C0 80 and an unpaired surrogate as its three-byte form, both invalid UTF-8.
     */
    static byte[] cString(String value) {
        if (value == null) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length() + 1);
        for (int i = 0; i < value.length(); ) {
            int c = value.codePointAt(i);
            i += Character.charCount(c);
            if (c == 0) {
                out.write(0xC0);
                out.write(0x80);
            } else if (c < 0x80) {
                out.write(c);
            } else if (c < 0x800) {
                out.write(0xC0 | c >> 6);
                out.write(0x80 | c & 0x3F);
            } else if (c < 0x10000) { // an unpaired surrogate too: ED A0..BF xx, which UTF-8 forbids
                out.write(0xE0 | c >> 12);
                out.write(0x80 | c >> 6 & 0x3F);
                out.write(0x80 | c & 0x3F);
            } else {
                out.write(0xF0 | c >> 18);
                out.write(0x80 | c >> 12 & 0x3F);
                out.write(0x80 | c >> 6 & 0x3F);
                out.write(0x80 | c & 0x3F);
            }
        }
        out.write(0);
        return out.toByteArray();
    }

    /** An ISO 8601 timestamp as sent, as an Instant; empty when absent or not one. */
    static Optional<Instant> instant(Pointer pointer) {
        String text = read(pointer);
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** A log line's time, seconds since 1970 as a double, as an Instant. */
    static Instant seconds(double seconds) {
        double whole = Math.floor(seconds);
        return Instant.ofEpochSecond((long) whole, Math.round((seconds - whole) * 1e9));
    }

    /** A duration as whole milliseconds for a C long, clamped (the library judges the range). */
    static long milliseconds(Duration duration) {
        try {
            return duration.toMillis();
        } catch (ArithmeticException e) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
