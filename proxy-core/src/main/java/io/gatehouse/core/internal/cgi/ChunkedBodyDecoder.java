package io.gatehouse.core.internal.cgi;

import java.nio.ByteBuffer;

/**
 * Incremental decoder for a body in HTTP/1.1 chunked framing (RFC 9112 §7.1), used when a
 * backend answers with {@code Transfer-Encoding: chunked} and for a client's chunked request body:
 *
 * <pre>
 * 1a;name=value CRLF          chunk size in hex, optional extensions (skipped)
 * ...26 bytes of data... CRLF
 * 0 CRLF                      last chunk
 * Trailer-Name: value CRLF    optional trailer lines (skipped)
 * CRLF
 * </pre>
 *
 * <p>A backend's bare LF line ends are accepted as well, as in its response head. A client's are
 * not ({@link #forRequests}): a proxy in front that reads {@code 1\r\nA\n45\r\n} as a chunk of
 * one byte followed by two it skips would frame the next chunk, and so the next request,
 * differently from gatehouse. Bytes after the final empty line are left in the input buffer.
 *
 * <p>Not thread-safe: one decoder per body, used by one thread at a time.
 */
public final class ChunkedBodyDecoder {

    /** 15 hex digits (2^60 bytes) is far beyond any real chunk and keeps the size arithmetic inside a long. */
    public static final int MAX_CHUNK_SIZE_DIGITS = 15;
    /** Extensions are skipped, never used; the bound stops a backend streaming an endless size line. */
    public static final int MAX_CHUNK_EXTENSION_BYTES = 4096;
    /** Trailers are skipped, never forwarded; same bound as a response head. */
    public static final int MAX_TRAILER_BYTES = 64 * 1024;

    private enum State {
        SIZE_START, SIZE, SIZE_BLANKS, EXTENSION, SIZE_LINE_LF,
        DATA, DATA_END, DATA_END_LF,
        TRAILER_LINE_START, TRAILER_LINE, TRAILER_END_LF,
        DONE
    }

    /** Every line must end in CRLF, a CR must be followed by LF. */
    private final boolean crlfOnly;
    private State state = State.SIZE_START;
    private long chunkSize;
    private int sizeDigits;
    private long dataRemaining;
    private int extensionBytes;
    private int trailerBytes;
    /** In a trailer line: the byte before was a CR. */
    private boolean trailerCr;

    /** A decoder for a backend's response body: bare LF line ends accepted. */
    public ChunkedBodyDecoder() {
        this(false);
    }

    private ChunkedBodyDecoder(boolean crlfOnly) {
        this.crlfOnly = crlfOnly;
    }

    /** A decoder for a client's request body: every line ends in CRLF, as lighttpd requires. */
    public static ChunkedBodyDecoder forRequests() {
        return new ChunkedBodyDecoder(true);
    }

    /**
     * Decodes from {@code in} into {@code out}, advancing both positions.
     *
     * @return {@code true} once the last chunk and its trailers have been read (then and on every
     *     later call, without consuming anything more); {@code false} when {@code in} is exhausted
     *     or {@code out} is full: drain {@code out} or read more input, and call again
     * @throws BadGatewayException the framing is malformed or over a limit
     */
    public boolean decode(ByteBuffer in, ByteBuffer out) throws BadGatewayException {
        while (state != State.DONE) {
            if (state == State.DATA) {
                if (!in.hasRemaining() || !out.hasRemaining()) {
                    return false;
                }
                copyData(in, out);
                continue;
            }
            if (!in.hasRemaining()) {
                return false;
            }
            step(in.get());
        }
        return true;
    }

    private void copyData(ByteBuffer in, ByteBuffer out) {
        int count = (int) Math.min(dataRemaining, Math.min(in.remaining(), out.remaining()));
        int limit = in.limit();
        in.limit(in.position() + count);
        out.put(in);
        in.limit(limit);
        dataRemaining -= count;
        if (dataRemaining == 0) {
            state = State.DATA_END;
        }
    }

    private void step(byte c) throws BadGatewayException {
        switch (state) {
            case SIZE_START:
                if (hexValue(c) < 0) {
                    throw malformed("chunk size line does not start with a hex digit", c);
                }
                chunkSize = 0;
                sizeDigits = 0;
                extensionBytes = 0;
                sizeDigit(c);
                state = State.SIZE;
                break;
            case SIZE:
                if (hexValue(c) >= 0) {
                    sizeDigit(c);
                } else {
                    afterSize(c);
                }
                break;
            case SIZE_BLANKS:
                afterSize(c);
                break;
            case EXTENSION:
                if (c == '\r') {
                    state = State.SIZE_LINE_LF;
                } else if (c == '\n') {
                    bareLf("chunk size line");
                    endOfSizeLine();
                } else if (++extensionBytes > MAX_CHUNK_EXTENSION_BYTES) {
                    throw new BadGatewayException("chunk extension too long: more than " + MAX_CHUNK_EXTENSION_BYTES
                            + " bytes (limit MAX_CHUNK_EXTENSION_BYTES = " + MAX_CHUNK_EXTENSION_BYTES + ")");
                }
                break;
            case SIZE_LINE_LF:
                if (c != '\n') {
                    throw malformed("chunk size line: CR not followed by LF", c);
                }
                endOfSizeLine();
                break;
            case DATA_END:
                if (c == '\r') {
                    state = State.DATA_END_LF;
                } else if (c == '\n') {
                    bareLf("chunk data");
                    state = State.SIZE_START;
                } else {
                    throw malformed("chunk data not followed by CRLF", c);
                }
                break;
            case DATA_END_LF:
                if (c != '\n') {
                    throw malformed("chunk data not followed by CRLF: CR not followed by LF", c);
                }
                state = State.SIZE_START;
                break;
            case TRAILER_LINE_START:
                countTrailerByte();
                if (c == '\n') {
                    bareLf("end of trailers");
                }
                trailerCr = false;
                state = c == '\r' ? State.TRAILER_END_LF : c == '\n' ? State.DONE : State.TRAILER_LINE;
                break;
            case TRAILER_LINE:
                countTrailerByte();
                trailerLineByte(c);
                break;
            case TRAILER_END_LF:
                countTrailerByte();
                if (c != '\n') {
                    throw malformed("end of trailers: CR not followed by LF", c);
                }
                state = State.DONE;
                break;
            default:
                throw new IllegalStateException("no byte expected in state " + state);
        }
    }

    private void sizeDigit(byte c) throws BadGatewayException {
        if (++sizeDigits > MAX_CHUNK_SIZE_DIGITS) {
            throw new BadGatewayException("chunk size too long: more than " + MAX_CHUNK_SIZE_DIGITS
                    + " hex digits (limit MAX_CHUNK_SIZE_DIGITS = " + MAX_CHUNK_SIZE_DIGITS + ")");
        }
        chunkSize = chunkSize << 4 | hexValue(c);
    }

    /** A byte after the size digits: blanks, an extension, or the end of the line. */
    private void afterSize(byte c) throws BadGatewayException {
        if (HeaderBytes.isBlank(c)) {
            state = State.SIZE_BLANKS;
        } else if (c == ';') {
            state = State.EXTENSION;
        } else if (c == '\r') {
            state = State.SIZE_LINE_LF;
        } else if (c == '\n') {
            bareLf("chunk size line");
            endOfSizeLine();
        } else {
            throw malformed("chunk size \"" + Long.toHexString(chunkSize) + "\" followed by an invalid byte", c);
        }
    }

    private void endOfSizeLine() {
        if (chunkSize == 0) {
            trailerBytes = 0;
            state = State.TRAILER_LINE_START;
        } else {
            dataRemaining = chunkSize;
            state = State.DATA;
        }
    }

    /** A byte of a trailer line after its first: only its line end matters, trailers are skipped. */
    private void trailerLineByte(byte c) throws BadGatewayException {
        if (c == '\n') {
            if (!trailerCr) {
                bareLf("trailer line");
            }
            state = State.TRAILER_LINE_START;
        } else if (crlfOnly && trailerCr) {
            throw malformed("trailer line: CR not followed by LF", c);
        }
        trailerCr = c == '\r';
    }

    /** A line ended in LF alone: refused where every line must end in CRLF. */
    private void bareLf(String where) throws BadGatewayException {
        if (crlfOnly) {
            throw new BadGatewayException("malformed chunked body: " + where + " ends in LF without CR");
        }
    }

    private void countTrailerByte() throws BadGatewayException {
        if (++trailerBytes > MAX_TRAILER_BYTES) {
            throw new BadGatewayException("chunked trailer section too large: more than " + MAX_TRAILER_BYTES
                    + " bytes (limit MAX_TRAILER_BYTES = " + MAX_TRAILER_BYTES + ")");
        }
    }

    private static int hexValue(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static BadGatewayException malformed(String problem, byte got) {
        return new BadGatewayException("malformed chunked body: " + problem + ", got "
                + BadGatewayException.describeByte(got));
    }
}
