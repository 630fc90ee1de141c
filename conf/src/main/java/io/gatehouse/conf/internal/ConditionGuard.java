package io.gatehouse.conf.internal;

import java.util.Locale;

import io.gatehouse.conf.ConditionField;
import io.gatehouse.conf.Guard;
import io.gatehouse.conf.RequestFacts;

/**
 * Tests one {@link Condition} against a request. Host comparisons use the authority normalised as
 * lighttpd does (lower case, trailing dot and default port removed), and compare ports only when
 * both sides name one; {@code remoteip ==} tests the
 * CIDR range; {@code $SERVER["socket"] ==} compares canonical listen addresses, so {@code ":80"}
 * matches the listener written {@code "0.0.0.0:80"}.
 *
 * <p>Immutable; thread-safe.
 */
public final class ConditionGuard implements Guard {

    private final Condition condition;
    private final int defaultPort;
    private final String comparand;

    /**
     * @param defaultPort {@code server.port}, for socket tokens written without a port
     */
    public ConditionGuard(Condition condition, int defaultPort) {
        this.condition = condition;
        this.defaultPort = defaultPort;
        this.comparand = switch (condition.field()) {
            case HOST -> condition.pattern().toLowerCase(Locale.ROOT);
            case SERVER_SOCKET -> SocketToken.normalize(condition.pattern(), defaultPort);
            default -> condition.pattern();
        };
    }

    /** The condition this guard tests. */
    public Condition condition() {
        return condition;
    }

    @Override
    public boolean test(RequestFacts facts) {
        String subject = subject(facts);
        return switch (condition.operator()) {
            case EQ -> isEqual(subject);
            case NE -> !isEqual(subject);
            case MATCH -> condition.regex().matcher(subject).find();
            case NO_MATCH -> !condition.regex().matcher(subject).find();
            case PREFIX -> subject.startsWith(comparand);
            case SUFFIX -> subject.endsWith(comparand);
            default -> throw new IllegalStateException("not a comparison: " + condition.operator());
        };
    }

    private boolean isEqual(String subject) {
        if (condition.ipRange() != null) {
            return condition.ipRange().contains(subject);
        }
        if (condition.field() == ConditionField.SERVER_SOCKET) {
            return subject.equals(condition.pattern()) || SocketToken.normalize(subject, defaultPort).equals(comparand);
        }
        if (condition.field() == ConditionField.HOST) {
            return hostsEqual(subject, comparand);
        }
        return subject.equals(comparand);
    }

    /**
     * Host equality as lighttpd 1.4.69 tests it (compared side by side): the names must be equal,
     * the ports only when both name one. A condition without a port holds for its host on any port,
     * so that a port added to the Host header cannot take a request out of its host's block; a
     * Host without a port meets a condition with one.
     */
    static boolean hostsEqual(String host, String condition) {
        int hostPort = portSeparator(host);
        int conditionPort = portSeparator(condition);
        if (!name(host, hostPort).equals(name(condition, conditionPort))) {
            return false;
        }
        return hostPort < 0 || conditionPort < 0 || host.substring(hostPort).equals(condition.substring(conditionPort));
    }

    /** The index of the {@code :} before an authority's port, or -1 (an IPv6 literal's colons are in brackets). */
    private static int portSeparator(String authority) {
        int colon = authority.lastIndexOf(':');
        return colon > authority.lastIndexOf(']') ? colon : -1;
    }

    private static String name(String authority, int portSeparator) {
        return portSeparator < 0 ? authority : authority.substring(0, portSeparator);
    }

    private String subject(RequestFacts facts) {
        String value = switch (condition.field()) {
            case HOST -> normalizeHost(facts.host(), facts.scheme());
            case URL -> facts.urlPath();
            case QUERY_STRING -> facts.queryString();
            case REMOTE_IP -> facts.remoteIp();
            case REQUEST_METHOD -> facts.method();
            case SCHEME -> facts.scheme();
            case SERVER_SOCKET -> facts.serverSocket();
            case USER_AGENT, REFERER, COOKIE, LANGUAGE, REQUEST_HEADER -> facts.header(condition.headerName());
        };
        return value == null ? "" : value;
    }

    /**
     * The Host authority as lighttpd compares it: lower case, no default port, no trailing dot on
     * the name (also before a port: {@code admin.test.:8080} is {@code admin.test:8080}).
     */
    static String normalizeHost(String host, String scheme) {
        if (host == null || host.isEmpty()) {
            return "";
        }
        String lower = host.toLowerCase(Locale.ROOT);
        String defaultPortSuffix = "https".equals(scheme) ? ":443" : ":80";
        if (lower.endsWith(defaultPortSuffix)) {
            lower = lower.substring(0, lower.length() - defaultPortSuffix.length());
        }
        int portSeparator = portSeparator(lower);
        String name = name(lower, portSeparator);
        if (name.endsWith(".") && name.length() > 1) {
            lower = name.substring(0, name.length() - 1) + (portSeparator < 0 ? "" : lower.substring(portSeparator));
        }
        return lower;
    }

    @Override
    public String describe() {
        return condition.text();
    }

    @Override
    public String toString() {
        return describe();
    }
}
