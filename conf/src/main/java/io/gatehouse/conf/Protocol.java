package io.gatehouse.conf;

/**
 * The wire protocol spoken to a backend: FastCGI ({@code fastcgi.server}), SCGI
 * ({@code scgi.server}) or uwsgi ({@code scgi.server} with {@code scgi.protocol = "uwsgi"}).
 *
 * <p>Immutable; thread-safe.
 */
public enum Protocol {
    FASTCGI("fastcgi"),
    SCGI("scgi"),
    UWSGI("scgi");

    private final String directivePrefix;

    Protocol(String directivePrefix) {
        this.directivePrefix = directivePrefix;
    }

    /**
     * The prefix of the module directives that configure this protocol: {@code "fastcgi"} for
     * FastCGI, {@code "scgi"} for SCGI and uwsgi (both are lighttpd's mod_scgi).
     */
    public String directivePrefix() {
        return directivePrefix;
    }
}
