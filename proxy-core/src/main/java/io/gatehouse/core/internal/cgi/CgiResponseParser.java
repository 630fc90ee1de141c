package io.gatehouse.core.internal.cgi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;

/**
 * Incremental parser for the head of a CGI response, as a FastCGI backend sends it in its
 * STDOUT stream or an SCGI backend on its socket (lighttpd's {@code http_response_parse_headers}):
 *
 * <pre>
 * Status: 404 Not Found          (optional; or an NPH first line "HTTP/1.1 404 Not Found")
 * Content-Type: text/html        (header lines, LF or CRLF, in any mix)
 * Location: /elsewhere           (without Status: the status becomes 302)
 *                                (empty line: end of the head, the body follows)
 * </pre>
 *
 * <p>A Content-Type starting with {@code application/javascript} is sent on as
 * {@code text/javascript} (the rest of the value kept), as lighttpd 1.4.69 rewrites it
 * (RFC 9239 made the former obsolete; measured: case-sensitive prefix, parameters kept).
 *
 * <p>Feed bytes with {@link #parse(ByteBuffer)} as they arrive; a head may be split anywhere.
 * When it returns {@code true} the head is in {@link #head()} and the buffer's position is at the
 * first byte after the empty line. A 1xx head is interim: forward it, call
 * {@link #continueAfterInterim()}, and keep parsing the same stream for the next head.
 *
 * <p>Not thread-safe: one parser per backend response, used by one thread at a time.
 */
public final class CgiResponseParser {

    /** lighttpd's limit; bounds the memory one response head can take. */
    public static final int MAX_HEAD_BYTES = 64 * 1024;
    /** 103 Early Hints may come a few times; an endless run of 1xx heads is a broken backend. */
    public static final int MAX_INTERIM_HEADS = 16;
    /** Most heads fit; the buffer only grows for a head split across reads. */
    private static final int INITIAL_PENDING_CAPACITY = 256;
    private static final String NPH_PREFIX = "HTTP/";
    private static final String OBSOLETE_JAVASCRIPT = "application/javascript";
    private static final String JAVASCRIPT = "text/javascript";

    /** Bytes of the current, not yet complete line when it was split across buffers. */
    private byte[] pending = new byte[0];
    private int pendingLength;
    /** Bytes of the current head seen so far, line ends included. */
    private int headBytes;
    /** Non-empty lines of the current head seen so far; the first one may be an NPH status line. */
    private int headLines;
    private int interimHeads;
    private CgiResponseHead head;

    private final ArrayList<Map.Entry<String, String>> headers = new ArrayList<>();
    private int status;
    private String reason;
    private boolean hasLocation;
    private long contentLength = -1;
    private boolean chunked;
    private boolean closeConnection;
    private int droppedLines;

    /**
     * Consumes bytes from {@code in} (advancing its position) until a head is complete.
     *
     * @return {@code true} when the head is complete (the rest of {@code in} is body, or the next
     *     head after a 1xx); {@code false} when all of {@code in} was consumed and more is needed
     * @throws BadGatewayException the head is malformed or too large
     * @throws IllegalStateException a head is complete and has not been continued
     */
    public boolean parse(ByteBuffer in) throws BadGatewayException {
        if (head != null) {
            throw new IllegalStateException("a response head is complete (status " + head.status()
                    + "); call continueAfterInterim() after a 1xx head before parsing more");
        }
        while (in.hasRemaining()) {
            int start = in.position();
            int allowed = MAX_HEAD_BYTES - headBytes;
            int scanEnd = start + Math.min(in.remaining(), allowed);
            int lineFeed = HeaderBytes.indexOfLineFeed(in, start, scanEnd);
            if (lineFeed < 0) {
                if (in.remaining() > allowed) {
                    throw new BadGatewayException("response header block too large: more than " + MAX_HEAD_BYTES
                            + " bytes (limit MAX_HEAD_BYTES = " + MAX_HEAD_BYTES + ")");
                }
                headBytes += in.remaining();
                appendPending(in, in.remaining());
                return false;
            }
            int segment = lineFeed - start;
            headBytes += segment + 1;
            boolean endOfHead;
            if (pendingLength == 0 && in.hasArray()) {
                int offset = in.arrayOffset() + start;
                endOfHead = line(in.array(), offset, offset + segment);
            } else {
                appendPending(in, segment);
                endOfHead = line(pending, 0, pendingLength);
                pendingLength = 0;
            }
            in.position(lineFeed + 1);
            if (endOfHead) {
                completeHead();
                return true;
            }
        }
        return false;
    }

    /** The complete head; valid after {@link #parse(ByteBuffer)} returned {@code true}. */
    public CgiResponseHead head() {
        if (head == null) {
            throw new IllegalStateException("no complete response head yet");
        }
        return head;
    }

    /** After a 1xx head was returned: forget it, so that {@link #parse(ByteBuffer)} reads the next head. */
    public void continueAfterInterim() {
        if (head == null || !head.interim()) {
            throw new IllegalStateException(head == null ? "no complete response head to continue after"
                    : "status " + head.status() + " is final, not interim; nothing follows it");
        }
        head = null;
        headBytes = 0;
        headLines = 0;
        status = 0;
        reason = null;
        hasLocation = false;
        contentLength = -1;
        chunked = false;
        closeConnection = false;
        droppedLines = 0;
    }

    /** Some bytes of a head arrived but the head is not complete (EOF now means a malformed response). */
    public boolean hasPartialHead() {
        return head == null && headBytes > 0;
    }

    private void appendPending(ByteBuffer in, int length) {
        if (pendingLength + length > pending.length) {
            int capacity = Math.max(INITIAL_PENDING_CAPACITY, pending.length * 2);
            pending = Arrays.copyOf(pending, Math.max(capacity, pendingLength + length));
        }
        in.get(pending, pendingLength, length);
        pendingLength += length;
    }

    /** Handles one line without its LF; returns {@code true} for the empty line that ends the head. */
    private boolean line(byte[] b, int from, int to) throws BadGatewayException {
        int end = to > from && b[to - 1] == '\r' ? to - 1 : to;
        if (end == from) {
            return true;
        }
        boolean firstLine = headLines++ == 0;
        int colon = HeaderBytes.indexOf(b, from, end, (byte) ':');
        if (firstLine && HeaderBytes.startsWith(b, from, end, NPH_PREFIX)) {
            statusLine(b, from, end);
        } else if (colon < 0) {
            if (firstLine) {
                throw BadGatewayException.withValue(
                        "first response line is neither a header nor an HTTP status line", b, from, end);
            }
            droppedLines++;
        } else {
            header(b, from, colon, end);
        }
        return false;
    }

    private void statusLine(byte[] b, int from, int end) throws BadGatewayException {
        // "HTTP/1.x" SP status [SP reason]
        int version = from + NPH_PREFIX.length();
        boolean validVersion = end - version >= 4 && b[version] == '1' && b[version + 1] == '.'
                && HeaderBytes.isDigit(b[version + 2]) && b[version + 3] == ' ';
        if (!validVersion || !statusValue(b, HeaderBytes.skipBlanks(b, version + 4, end), end)) {
            throw BadGatewayException.withValue("invalid NPH status line", b, from, end);
        }
    }

    private void header(byte[] b, int from, int colon, int end) throws BadGatewayException {
        int valueFrom = HeaderBytes.skipBlanks(b, colon + 1, end);
        int valueTo = HeaderBytes.trimEnd(b, valueFrom, end);
        if (!HeaderBytes.isToken(b, from, colon) || HeaderBytes.hasControlBytes(b, valueFrom, valueTo)) {
            droppedLines++;
            return;
        }
        switch (colon - from) {
            case 2:
                if (HeaderBytes.equalsIgnoreCase(b, from, colon, "te")) {
                    return;
                }
                break;
            case 6:
                if (HeaderBytes.equalsIgnoreCase(b, from, colon, "status")) {
                    if (!statusValue(b, valueFrom, valueTo)) {
                        throw BadGatewayException.withValue("invalid Status header", b, valueFrom, valueTo);
                    }
                    return;
                }
                break;
            case 7:
                if (HeaderBytes.equalsIgnoreCase(b, from, colon, "upgrade")
                        || HeaderBytes.equalsIgnoreCase(b, from, colon, "trailer")) {
                    return;
                }
                break;
            case 8:
                if (HeaderBytes.equalsIgnoreCase(b, from, colon, "location")) {
                    hasLocation = true;
                }
                break;
            case 10:
                if (HeaderBytes.equalsIgnoreCase(b, from, colon, "connection")) {
                    closeConnection |= HeaderBytes.listContains(b, valueFrom, valueTo, "close");
                    return;
                }
                if (HeaderBytes.equalsIgnoreCase(b, from, colon, "keep-alive")) {
                    return;
                }
                break;
            case 12:
                if (HeaderBytes.equalsIgnoreCase(b, from, colon, "content-type")
                        && HeaderBytes.startsWith(b, valueFrom, valueTo, OBSOLETE_JAVASCRIPT)) {
                    headers.add(Map.entry(HeaderBytes.latin1(b, from, colon), JAVASCRIPT
                            + HeaderBytes.latin1(b, valueFrom + OBSOLETE_JAVASCRIPT.length(), valueTo)));
                    return;
                }
                break;
            case 14:
                if (HeaderBytes.equalsIgnoreCase(b, from, colon, "content-length")
                        && !contentLength(b, valueFrom, valueTo)) {
                    return;
                }
                break;
            case 16:
                if (HeaderBytes.equalsIgnoreCase(b, from, colon, "proxy-connection")) {
                    return;
                }
                break;
            case 17:
                if (HeaderBytes.equalsIgnoreCase(b, from, colon, "transfer-encoding")) {
                    transferEncoding(b, valueFrom, valueTo);
                    return;
                }
                break;
            default:
                break;
        }
        headers.add(Map.entry(HeaderBytes.latin1(b, from, colon), HeaderBytes.latin1(b, valueFrom, valueTo)));
    }

    /** Three digits 100..999, then the end or blanks and a reason phrase; sets status and reason. */
    private boolean statusValue(byte[] b, int from, int to) {
        if (to - from < 3 || b[from] < '1' || b[from] > '9'
                || !HeaderBytes.isDigit(b[from + 1]) || !HeaderBytes.isDigit(b[from + 2])
                || (to - from > 3 && !HeaderBytes.isBlank(b[from + 3]))) {
            return false;
        }
        status = (b[from] - '0') * 100 + (b[from + 1] - '0') * 10 + (b[from + 2] - '0');
        int reasonFrom = HeaderBytes.skipBlanks(b, from + 3, to);
        reason = reasonFrom < to ? HeaderBytes.latin1(b, reasonFrom, to) : null;
        return true;
    }

    /** Validates and records a Content-Length; returns {@code true} if the header is to be forwarded. */
    private boolean contentLength(byte[] b, int from, int to) throws BadGatewayException {
        long value = 0;
        for (int i = from; i < to; i++) {
            if (!HeaderBytes.isDigit(b[i]) || value > (Long.MAX_VALUE - (b[i] - '0')) / 10) {
                throw BadGatewayException.withValue("invalid Content-Length", b, from, to);
            }
            value = value * 10 + (b[i] - '0');
        }
        if (from == to) {
            throw BadGatewayException.withValue("invalid Content-Length", b, from, to);
        }
        if (contentLength >= 0) {
            if (contentLength != value) {
                throw new BadGatewayException("conflicting Content-Length headers: \"" + contentLength
                        + "\" and " + BadGatewayException.quote(b, from, to));
            }
            return false;
        }
        contentLength = value;
        return true;
    }

    private void transferEncoding(byte[] b, int from, int to) throws BadGatewayException {
        if (!HeaderBytes.equalsIgnoreCase(b, from, to, "chunked")) {
            throw BadGatewayException.withValue("unsupported Transfer-Encoding (only \"chunked\" is accepted)",
                    b, from, to);
        }
        if (chunked) {
            throw BadGatewayException.withValue("Transfer-Encoding repeated (chunked applied twice)", b, from, to);
        }
        chunked = true;
    }

    private void completeHead() throws BadGatewayException {
        int finalStatus = status != 0 ? status : hasLocation ? 302 : 200;
        if (finalStatus < 200 && ++interimHeads > MAX_INTERIM_HEADS) {
            throw new BadGatewayException("too many interim (1xx) response heads: " + interimHeads
                    + " (limit MAX_INTERIM_HEADS = " + MAX_INTERIM_HEADS + ")");
        }
        if (chunked && contentLength >= 0) {
            headers.removeIf(header -> header.getKey().equalsIgnoreCase("Content-Length"));
            contentLength = -1;
        }
        head = new CgiResponseHead(finalStatus, reason, headers, contentLength, chunked, closeConnection,
                droppedLines);
        headers.clear();
    }
}
