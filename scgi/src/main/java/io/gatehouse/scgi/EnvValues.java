package io.gatehouse.scgi;

/**
 * The checks of CGI variables shared by both protocols. Variables are byte strings: one char
 * per octet, so ISO-8859-1 in both directions.
 */
final class EnvValues {

    /** Highest char that is one octet in a byte string. */
    static final char MAX_OCTET = 0xff;

    private EnvValues() {
    }

    /** Checks that {@code name} is not empty and {@code value} not null; the chars are checked apart. */
    static void checkPair(String protocol, String name, String value) throws ScgiException {
        if (name == null || name.isEmpty()) {
            throw new ScgiException(protocol + " variable name is empty (value " + quoteOrNull(value)
                    + "): a name needs at least one byte");
        }
        if (value == null) {
            throw new ScgiException(protocol + " variable " + Printable.quote(name)
                    + " has a null value: use \"\" for an empty value");
        }
    }

    /** What is wrong with char {@code i} of {@code s}, the {@code part} (name or value) of variable {@code name}. */
    static ScgiException badOctet(String protocol, String name, String part, String s, int i) {
        char c = s.charAt(i);
        if (c > MAX_OCTET) {
            return new ScgiException(String.format(
                    "%s variable %s: %s has char U+%04X at index %d, above the byte limit U+00FF;"
                            + " CGI variables are byte strings (encode text as UTF-8 octets first)",
                    protocol, Printable.quote(name), part, (int) c, i));
        }
        return new ScgiException(String.format(
                "%s variable %s: %s has a NUL byte at index %d; %s terminates names and values with NUL",
                protocol, Printable.quote(name), part, i, protocol));
    }

    /**
     * CONTENT_LENGTH as a number: decimal digits only (no sign, no blanks), fitting a long.
     *
     * @throws ScgiException naming the value when it is not such a number
     */
    static long parseContentLength(String protocol, String value) throws ScgiException {
        if (value.isEmpty()) {
            throw new ScgiException(protocol + " " + Scgi.CONTENT_LENGTH
                    + " is empty; expected a non-negative decimal integer");
        }
        long result = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new ScgiException(protocol + " " + Scgi.CONTENT_LENGTH + " " + Printable.quote(value)
                        + " is not a non-negative decimal integer (char at index " + i + ")");
            }
            int digit = c - '0';
            if (result > (Long.MAX_VALUE - digit) / 10) {
                throw new ScgiException(protocol + " " + Scgi.CONTENT_LENGTH + " " + Printable.quote(value)
                        + " exceeds the limit " + Long.MAX_VALUE);
            }
            result = result * 10 + digit;
        }
        return result;
    }

    private static String quoteOrNull(String s) {
        return s == null ? "null" : Printable.quote(s);
    }
}
