package io.gatehouse.scgi;

/**
 * Constants and limits of the SCGI protocol (scgi.server with {@code scgi.protocol = "scgi"}).
 *
 * <p>Wire format of a request (the response is a CGI-style stream of headers, a blank line and
 * the body, ended by EOF):
 * <pre>
 *   &lt;decimal length&gt; ":" ( name NUL value NUL )* "," body
 *   24:CONTENT_LENGTH{NUL}5{NUL}SCGI{NUL}1{NUL},hello
 * </pre>
 * CONTENT_LENGTH must be the first variable and gives the exact body size; {@code SCGI=1} must be
 * present. Names and values are byte strings (ISO-8859-1 in Java) and cannot contain NUL.
 *
 * <p>Holds only constants: thread-safe.
 */
public final class Scgi {

    /**
     * Largest netstring length the server side accepts: bounds what one connection can make the
     * parser hold, 16 times lighttpd's own 64 KiB cap on a request header block.
     */
    public static final int MAX_HEADER_LENGTH = 1 << 20;

    /** The variable that must come first and gives the body size. */
    public static final String CONTENT_LENGTH = "CONTENT_LENGTH";

    /** The variable that marks the protocol version. */
    public static final String SCGI = "SCGI";

    /** The only protocol version there is. */
    public static final String SCGI_VERSION = "1";

    private Scgi() {
    }
}
