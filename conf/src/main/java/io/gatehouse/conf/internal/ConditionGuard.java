package io.gatehouse.conf.internal;

import java.util.Locale;

import io.gatehouse.conf.ConditionField;
import io.gatehouse.conf.Guard;
import io.gatehouse.conf.RequestFacts;

/**
 * Tests one {@link Condition} against a request. Host comparisons use the authority normalised as
 * lighttpd does (lower case, trailing dot and default port removed); {@code remoteip ==} tests the
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
        return subject.equals(comparand);
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

    /** The Host authority as lighttpd compares it: lower case, no trailing dot, no default port. */
    static String normalizeHost(String host, String scheme) {
        if (host == null || host.isEmpty()) {
            return "";
        }
        String lower = host.toLowerCase(Locale.ROOT);
        String defaultPortSuffix = "https".equals(scheme) ? ":443" : ":80";
        if (lower.endsWith(defaultPortSuffix)) {
            lower = lower.substring(0, lower.length() - defaultPortSuffix.length());
        }
        if (lower.endsWith(".") && lower.length() > 1) {
            lower = lower.substring(0, lower.length() - 1);
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
