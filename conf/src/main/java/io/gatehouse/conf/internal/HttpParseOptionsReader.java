package io.gatehouse.conf.internal;

import java.util.List;

import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.ConfigWarning;
import io.gatehouse.conf.HttpParseOption;
import io.gatehouse.conf.HttpParseOptions;
import io.gatehouse.conf.internal.Value.Entry;

/**
 * Reads {@code server.http-parseopts = ( "url-ctrls-reject" => "enable", … )}. An unknown key is
 * an error, as in lighttpd: a misspelt safety option must not pass unnoticed. Switching off a
 * check gatehouse always makes, or on one it does not implement, is a warning.
 *
 * <p>Stateless; thread-safe.
 */
final class HttpParseOptionsReader {

    private HttpParseOptionsReader() {
    }

    static HttpParseOptions read(HttpParseOptions base, Value value, String key, List<ConfigWarning> warnings)
            throws ConfigException {
        HttpParseOptions options = base;
        for (Entry entry : ValueReader.array(value, key).entries()) {
            if (entry.key() == null) {
                throw new ConfigException(entry.location(), key + " entries need a key, expected"
                        + " ( \"url-ctrls-reject\" => \"enable\" ), got " + entry.value().describe());
            }
            options = readOne(options, entry.key(), entry.value(), key, warnings);
        }
        return options;
    }

    static HttpParseOptions readOne(HttpParseOptions base, String name, Value value, String key,
            List<ConfigWarning> warnings) throws ConfigException {
        HttpParseOption option = HttpParseOption.forKey(name).orElseThrow(() -> new ConfigException(value.location(),
                key + ": unknown option " + Token.quote(name) + ", expected one of " + knownKeys()));
        boolean on = ValueReader.bool(value, key + " " + Token.quote(name));
        if (!on && (option == HttpParseOption.HEADER_STRICT || option == HttpParseOption.HOST_STRICT)) {
            warnings.add(new ConfigWarning(value.location(), key + " " + Token.quote(name)
                    + " cannot be disabled: gatehouse always rejects malformed header lines and Host values"));
        }
        if (on && option == HttpParseOption.HOST_NORMALIZE) {
            warnings.add(new ConfigWarning(value.location(), key + " " + Token.quote(name)
                    + " is not implemented: the Host value is passed on as sent"));
        }
        return base.with(option, on);
    }

    private static String knownKeys() {
        StringBuilder keys = new StringBuilder();
        for (HttpParseOption option : HttpParseOption.values()) {
            keys.append(keys.length() == 0 ? "" : ", ").append(option.key());
        }
        return keys.toString();
    }
}
