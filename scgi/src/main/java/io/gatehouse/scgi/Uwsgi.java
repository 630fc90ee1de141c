package io.gatehouse.scgi;

/**
 * Constants and limits of the uwsgi protocol as lighttpd speaks it
 * ({@code scgi.protocol = "uwsgi"}).
 *
 * <p>Wire format of a request (the response is a CGI-style stream ended by EOF, as for SCGI):
 * <pre>
 *   modifier1 (u8 = 0) | datasize (u16 little-endian) | modifier2 (u8 = 0)
 *   datasize bytes of: ( name length (u16 LE) | name | value length (u16 LE) | value )*
 *   body (CONTENT_LENGTH bytes)
 * </pre>
 *
 * <p>Holds only constants: thread-safe.
 */
public final class Uwsgi {

    /** Largest datasize: it is a u16 on the wire. Larger vars make lighttpd answer 431. */
    public static final int MAX_PACKET_SIZE = 65535;

    /** Bytes before the vars: modifier1, the u16 datasize, modifier2. */
    public static final int HEADER_LENGTH = 4;

    /** modifier1 of a request carrying CGI vars (uwsgi's "WSGI request"), the only one lighttpd sends. */
    public static final int MODIFIER1_VARS = 0;

    /** modifier2 of such a request. */
    public static final int MODIFIER2_VARS = 0;

    private Uwsgi() {
    }
}
