package io.gatehouse.conf;

/**
 * What a config condition looks at: the {@code $HTTP["..."]} fields, {@code $REQUEST_HEADER["Name"]}
 * and {@code $SERVER["socket"]}.
 *
 * <p>Immutable; thread-safe.
 */
public enum ConditionField {
    HOST,
    URL,
    QUERY_STRING,
    REMOTE_IP,
    REQUEST_METHOD,
    SCHEME,
    USER_AGENT,
    REFERER,
    COOKIE,
    LANGUAGE,
    REQUEST_HEADER,
    SERVER_SOCKET
}
