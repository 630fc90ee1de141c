package io.gatehouse.scgi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Server side of a uwsgi request header, incremental: feed buffers until {@link #parse} answers
 * {@code true}; what is left in that buffer is the start of the body (exactly
 * {@link #contentLength()} bytes in all).
 *
 * <p>Checks: modifier1 and modifier2 are {@link Uwsgi#MODIFIER1_VARS}/{@link Uwsgi#MODIFIER2_VARS};
 * every length prefix and string fits inside the datasize, which the vars fill exactly; names are
 * non-empty and distinct; CONTENT_LENGTH, if present, is a non-negative integer (absent means no
 * body, as uwsgi servers read it).
 *
 * <p>Not thread-safe: one parser per request.
 */
public final class UwsgiRequestParser implements RequestHeaderParser {

    private enum State { HEADER, VARS, COMPLETE, FAILED }

    /** Bytes of one length prefix: a u16. */
    private static final int LENGTH_PREFIX = 2;

    private State state = State.HEADER;
    private final byte[] header = new byte[Uwsgi.HEADER_LENGTH];
    private int headerFilled;
    private byte[] vars;
    private int varsFilled;
    private Map<String, String> env;
    private long contentLength;
    private ScgiException failure;

    public UwsgiRequestParser() {
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
            while (state != State.COMPLETE && in.hasRemaining()) {
                if (state == State.HEADER) {
                    headerByte(in.get());
                } else {
                    copyVars(in);
                }
            }
            return state == State.COMPLETE;
        } catch (ScgiException e) {
            state = State.FAILED;
            failure = e;
            vars = null;
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
            throw new IllegalStateException("uwsgi header not parsed yet (state " + state + ")");
        }
    }

    private void headerByte(byte b) throws ScgiException {
        header[headerFilled++] = b;
        if (headerFilled < Uwsgi.HEADER_LENGTH) {
            return;
        }
        int modifier1 = header[0] & 0xff;
        int modifier2 = header[3] & 0xff;
        if (modifier1 != Uwsgi.MODIFIER1_VARS) {
            throw new ScgiException("uwsgi modifier1 " + modifier1 + " is not supported; expected "
                    + Uwsgi.MODIFIER1_VARS + " (a request with CGI vars)");
        }
        if (modifier2 != Uwsgi.MODIFIER2_VARS) {
            throw new ScgiException("uwsgi modifier2 " + modifier2 + " is not supported; expected "
                    + Uwsgi.MODIFIER2_VARS);
        }
        vars = new byte[(header[1] & 0xff) | (header[2] & 0xff) << 8];
        if (vars.length == 0) {
            decodeVars();
        } else {
            state = State.VARS;
        }
    }

    private void copyVars(ByteBuffer in) throws ScgiException {
        int n = Math.min(in.remaining(), vars.length - varsFilled);
        in.get(vars, varsFilled, n);
        varsFilled += n;
        if (varsFilled == vars.length) {
            decodeVars();
        }
    }

    private void decodeVars() throws ScgiException {
        Map<String, String> decoded = new LinkedHashMap<>();
        int pos = 0;
        while (pos < vars.length) {
            int nameLength = lengthAt(pos, "name length", null);
            String name = stringAt(pos + LENGTH_PREFIX, nameLength, "name", null);
            if (name.isEmpty()) {
                throw new ScgiException("uwsgi vars: variable #" + (decoded.size() + 1) + " at offset " + pos
                        + " has an empty name (name length 0)");
            }
            pos += LENGTH_PREFIX + nameLength;
            int valueLength = lengthAt(pos, "value length", name);
            String value = stringAt(pos + LENGTH_PREFIX, valueLength, "value", name);
            pos += LENGTH_PREFIX + valueLength;
            if (decoded.put(name, value) != null) {
                throw new ScgiException("uwsgi vars: variable " + Printable.quote(name)
                        + " appears twice; duplicate names are ambiguous");
            }
        }
        String length = decoded.get(Scgi.CONTENT_LENGTH);
        contentLength = length == null ? 0 : EnvValues.parseContentLength("uwsgi", length);
        env = Collections.unmodifiableMap(decoded);
        vars = null;
        state = State.COMPLETE;
    }

    private int lengthAt(int pos, String field, String name) throws ScgiException {
        if (vars.length - pos < LENGTH_PREFIX) {
            throw new ScgiException("uwsgi vars: " + field + describeOwner(name) + " at offset " + pos
                    + " needs " + LENGTH_PREFIX + " bytes but datasize " + vars.length + " leaves "
                    + (vars.length - pos));
        }
        return (vars[pos] & 0xff) | (vars[pos + 1] & 0xff) << 8;
    }

    private String stringAt(int pos, int count, String field, String name) throws ScgiException {
        if (count > vars.length - pos) {
            throw new ScgiException("uwsgi vars: " + field + describeOwner(name) + " of " + count
                    + " bytes at offset " + pos + " runs past datasize " + vars.length);
        }
        return new String(vars, pos, count, StandardCharsets.ISO_8859_1);
    }

    private static String describeOwner(String name) {
        return name == null ? "" : " of " + Printable.quote(name);
    }
}
