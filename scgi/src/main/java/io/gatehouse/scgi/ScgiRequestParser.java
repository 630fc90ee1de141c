package io.gatehouse.scgi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Server side of an SCGI request header, incremental: feed buffers until {@link #parse} answers
 * {@code true}; what is left in that buffer is the start of the body (exactly
 * {@link #contentLength()} bytes in all).
 *
 * <p>Checks: the netstring length is decimal digits without leading zeros and at most
 * {@link Scgi#MAX_HEADER_LENGTH}; the netstring ends with {@code ','}; the content is
 * NUL-terminated strings, even in number, forming non-empty, distinct names; CONTENT_LENGTH comes
 * first and is a non-negative integer; {@code SCGI=1} is present.
 *
 * <p>Not thread-safe: one parser per request.
 */
public final class ScgiRequestParser implements RequestHeaderParser {

    private enum State { LENGTH, CONTENT, COMMA, COMPLETE, FAILED }

    /** First allocation for the netstring content: most headers fit, and a client that merely
     *  announces a large length does not get that much memory before sending it. */
    private static final int INITIAL_CONTENT_CAPACITY = 4096;

    private State state = State.LENGTH;
    private long offset;
    private int lengthDigits;
    private int length;
    private byte[] content;
    private int filled;
    private Map<String, String> env;
    private long contentLength;
    private ScgiException failure;

    public ScgiRequestParser() {
    }

    @Override
    public boolean parse(ByteBuffer in) throws ScgiException {
        if (state == State.COMPLETE) {
            return true;
        }
        if (state == State.FAILED) {
            throw failure;
        }
        try {
            while (in.hasRemaining()) {
                switch (state) {
                    case LENGTH -> lengthByte(in.get());
                    case CONTENT -> copyContent(in);
                    case COMMA -> {
                        comma(in.get());
                        decodeContent();
                        state = State.COMPLETE;
                        return true;
                    }
                    default -> throw new IllegalStateException("SCGI parser in state " + state);
                }
            }
            return false;
        } catch (ScgiException e) {
            state = State.FAILED;
            failure = e;
            content = null;
            throw e;
        }
    }

    @Override
    public Map<String, String> env() {
        requireComplete();
        return env;
    }

    @Override
    public long contentLength() {
        requireComplete();
        return contentLength;
    }

    private void requireComplete() {
        if (state != State.COMPLETE) {
            throw new IllegalStateException("SCGI header not parsed yet (state " + state + ")");
        }
    }

    private void lengthByte(byte b) throws ScgiException {
        offset++;
        if (b == ':') {
            if (lengthDigits == 0) {
                throw new ScgiException("SCGI netstring length is empty: a request starts with"
                        + " <decimal length>: but the first byte is ':'");
            }
            content = new byte[Math.min(length, INITIAL_CONTENT_CAPACITY)];
            state = length == 0 ? State.COMMA : State.CONTENT;
            return;
        }
        if (b < '0' || b > '9') {
            throw new ScgiException("SCGI netstring length: byte " + Printable.describeByte(b) + " at offset "
                    + (offset - 1) + " is not a digit or ':'; a request starts with <decimal length>:");
        }
        if (lengthDigits == 1 && length == 0) {
            throw new ScgiException("SCGI netstring length \"0" + (char) b
                    + "...\" has a leading zero; only \"0\" itself may start with 0");
        }
        lengthDigits++;
        length = length * 10 + (b - '0');
        if (length > Scgi.MAX_HEADER_LENGTH) {
            throw new ScgiException("SCGI netstring length " + length + " exceeds the limit "
                    + Scgi.MAX_HEADER_LENGTH + " (Scgi.MAX_HEADER_LENGTH)");
        }
    }

    private void copyContent(ByteBuffer in) {
        int n = Math.min(in.remaining(), length - filled);
        if (filled + n > content.length) {
            content = Arrays.copyOf(content, (int) Math.min(length, Math.max(filled + n, 2L * content.length)));
        }
        in.get(content, filled, n);
        filled += n;
        offset += n;
        if (filled == length) {
            state = State.COMMA;
        }
    }

    private void comma(byte b) throws ScgiException {
        offset++;
        if (b != ',') {
            throw new ScgiException("SCGI netstring of length " + length + " does not end with ',': found byte "
                    + Printable.describeByte(b) + " at offset " + (offset - 1));
        }
    }

    private void decodeContent() throws ScgiException {
        if (length == 0) {
            throw new ScgiException("SCGI header is empty (netstring length 0); expected "
                    + Scgi.CONTENT_LENGTH + " as the first variable");
        }
        if (content[length - 1] != 0) {
            int start = lastIndexOfNul(length - 1) + 1;
            throw new ScgiException("SCGI header: last string "
                    + Printable.quote(string(start, length - start)) + " is not NUL-terminated");
        }
        Map<String, String> vars = new LinkedHashMap<>();
        int pos = 0;
        while (pos < length) {
            int nameEnd = indexOfNul(pos);
            String name = string(pos, nameEnd - pos);
            if (name.isEmpty()) {
                throw new ScgiException("SCGI header: variable #" + (vars.size() + 1) + " at offset " + pos
                        + " has an empty name");
            }
            if (nameEnd + 1 == length) {
                throw new ScgiException("SCGI header: variable " + Printable.quote(name)
                        + " has no value (odd number of NUL-terminated strings)");
            }
            int valueEnd = indexOfNul(nameEnd + 1);
            String value = string(nameEnd + 1, valueEnd - nameEnd - 1);
            if (vars.isEmpty() && !name.equals(Scgi.CONTENT_LENGTH)) {
                throw new ScgiException("SCGI header: first variable is " + Printable.quote(name)
                        + ", expected " + Scgi.CONTENT_LENGTH + " (SCGI requires it first)");
            }
            if (vars.put(name, value) != null) {
                throw new ScgiException("SCGI header: variable " + Printable.quote(name)
                        + " appears twice; SCGI forbids duplicate names");
            }
            pos = valueEnd + 1;
        }
        contentLength = EnvValues.parseContentLength("SCGI", vars.get(Scgi.CONTENT_LENGTH));
        String version = vars.get(Scgi.SCGI);
        if (version == null) {
            throw new ScgiException("SCGI header has no " + Scgi.SCGI + " variable; expected " + Scgi.SCGI
                    + "=\"" + Scgi.SCGI_VERSION + "\"");
        }
        if (!version.equals(Scgi.SCGI_VERSION)) {
            throw new ScgiException("SCGI header: " + Scgi.SCGI + " is " + Printable.quote(version)
                    + ", expected \"" + Scgi.SCGI_VERSION + "\"");
        }
        env = Collections.unmodifiableMap(vars);
        content = null;
    }

    /** Index of the next NUL at or after {@code from}; the content is known to end with one. */
    private int indexOfNul(int from) {
        int i = from;
        while (content[i] != 0) {
            i++;
        }
        return i;
    }

    private int lastIndexOfNul(int before) {
        int i = before - 1;
        while (i >= 0 && content[i] != 0) {
            i--;
        }
        return i;
    }

    private String string(int from, int count) {
        return new String(content, from, count, StandardCharsets.ISO_8859_1);
    }
}
