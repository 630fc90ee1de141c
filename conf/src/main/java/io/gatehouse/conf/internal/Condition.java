package io.gatehouse.conf.internal;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import io.gatehouse.conf.ConditionField;
import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.SourceLocation;

/**
 * One validated condition, {@code $HTTP["host"] =~ "pattern"}: its field, operator and right-hand
 * side, with the regular expression or IP range compiled at parse time so a bad one is reported
 * with its position.
 *
 * @param headerName the request header a header-based field reads (null for the others)
 * @param regex the compiled pattern for {@code =~} and {@code !~}, else null
 * @param ipRange the range for {@code remoteip ==/!=}, else null
 * <p>Immutable; thread-safe.
 */
public record Condition(ConditionField field, String headerName, TokenKind operator, String pattern,
        Pattern regex, IpRange ipRange, String text, SourceLocation location) {

    private static final Map<String, ConditionField> HTTP_FIELDS = Map.ofEntries(
            Map.entry("host", ConditionField.HOST),
            Map.entry("url", ConditionField.URL),
            Map.entry("querystring", ConditionField.QUERY_STRING),
            Map.entry("query-string", ConditionField.QUERY_STRING),
            Map.entry("remoteip", ConditionField.REMOTE_IP),
            Map.entry("remote-ip", ConditionField.REMOTE_IP),
            Map.entry("request-method", ConditionField.REQUEST_METHOD),
            Map.entry("scheme", ConditionField.SCHEME),
            Map.entry("useragent", ConditionField.USER_AGENT),
            Map.entry("user-agent", ConditionField.USER_AGENT),
            Map.entry("referer", ConditionField.REFERER),
            Map.entry("cookie", ConditionField.COOKIE),
            Map.entry("language", ConditionField.LANGUAGE));

    private static final Map<ConditionField, String> FIELD_HEADERS = Map.of(
            ConditionField.USER_AGENT, "User-Agent",
            ConditionField.REFERER, "Referer",
            ConditionField.COOKIE, "Cookie",
            ConditionField.LANGUAGE, "Accept-Language");

    /**
     * Validates a parsed condition whose right-hand side evaluated to {@code pattern}.
     *
     * @throws ConfigException at the field, operator or pattern that is wrong
     */
    public static Condition create(Statement.ConditionSpec spec, String pattern, SourceLocation patternLocation)
            throws ConfigException {
        ConditionField field;
        String headerName = null;
        String fieldName = spec.field();
        switch (spec.variable()) {
            case "HTTP" -> {
                field = HTTP_FIELDS.get(fieldName.toLowerCase(Locale.ROOT));
                if (field == null) {
                    throw new ConfigException(spec.fieldLocation(), "unknown field $HTTP[\"" + fieldName
                            + "\"], expected one of host, url, querystring, remoteip, request-method, scheme,"
                            + " useragent, referer, cookie, language");
                }
                headerName = FIELD_HEADERS.get(field);
            }
            case "REQUEST_HEADER" -> {
                if (!fieldName.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                    throw new ConfigException(spec.fieldLocation(), "\"" + fieldName
                            + "\" is not a header name, expected e.g. $REQUEST_HEADER[\"X-Forwarded-Proto\"]");
                }
                field = ConditionField.REQUEST_HEADER;
                headerName = fieldName;
            }
            case "SERVER" -> {
                if (!fieldName.equals("socket")) {
                    throw new ConfigException(spec.fieldLocation(), "unknown field $SERVER[\"" + fieldName
                            + "\"], expected $SERVER[\"socket\"]");
                }
                field = ConditionField.SERVER_SOCKET;
            }
            default -> throw new ConfigException(spec.location(), "unknown condition '$" + spec.variable()
                    + "', expected $HTTP, $REQUEST_HEADER or $SERVER");
        }
        TokenKind operator = spec.operator();
        String text = "$" + spec.variable() + "[\"" + fieldName + "\"] " + operatorText(operator) + " "
                + Token.quote(pattern);
        Pattern regex = null;
        IpRange ipRange = null;
        if (operator == TokenKind.MATCH || operator == TokenKind.NO_MATCH) {
            try {
                regex = Pattern.compile(pattern);
            } catch (PatternSyntaxException e) {
                throw new ConfigException(patternLocation, "invalid regular expression " + Token.quote(pattern)
                        + " (" + e.getDescription() + " near index " + e.getIndex() + "), expected a valid regex");
            }
        } else if (field == ConditionField.REMOTE_IP) {
            if (operator != TokenKind.EQ && operator != TokenKind.NE) {
                throw new ConfigException(spec.operatorLocation(), "unexpected " + operator.description()
                        + " for $HTTP[\"" + fieldName + "\"], expected ==, !=, =~ or !~");
            }
            try {
                ipRange = IpRange.parse(pattern);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(patternLocation, e.getMessage());
            }
        } else if (field == ConditionField.SERVER_SOCKET && (operator == TokenKind.EQ || operator == TokenKind.NE)) {
            try {
                SocketToken.parse(pattern, 80);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(patternLocation, "$SERVER[\"socket\"] " + e.getMessage());
            }
        }
        return new Condition(field, headerName, operator, pattern, regex, ipRange, text, spec.location());
    }

    /** Whether this condition opens a listener, as {@code $SERVER["socket"] == "…"} does. */
    public boolean opensListener() {
        return field == ConditionField.SERVER_SOCKET && operator == TokenKind.EQ;
    }

    private static String operatorText(TokenKind operator) {
        return operator.description().substring(1, operator.description().length() - 1);
    }
}
