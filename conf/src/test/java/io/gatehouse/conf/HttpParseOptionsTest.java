package io.gatehouse.conf;

import java.util.List;

import org.junit.jupiter.api.Test;

import static io.gatehouse.conf.Configs.parseLines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpParseOptionsTest {

    @Test
    void lighttpdsDefaultsWhenNothingIsSet() throws Exception {
        ServerConfig config = parseLines("server.port = 8080");
        assertEquals(HttpParseOptions.DEFAULTS, config.httpParseOptions());
        assertTrue(config.httpParseOptions().enabled(HttpParseOption.URL_CTRLS_REJECT));
        assertFalse(config.httpParseOptions().enabled(HttpParseOption.METHOD_GET_BODY));
        assertEquals(8192, config.maxRequestFieldSize());
    }

    @Test
    void keysSwitchTheirOptionAndLeaveTheOthers() throws Exception {
        ServerConfig config = parseLines("server.http-parseopts = ( \"url-path-2f-decode\" => \"disable\","
                + " \"url-query-20-plus\" => \"enable\", \"method-get-body\" => \"enable\" )");
        HttpParseOptions options = config.httpParseOptions();
        assertFalse(options.enabled(HttpParseOption.URL_PATH_2F_DECODE));
        assertTrue(options.enabled(HttpParseOption.URL_QUERY_20_PLUS));
        assertTrue(options.enabled(HttpParseOption.METHOD_GET_BODY));
        assertTrue(options.enabled(HttpParseOption.URL_PATH_DOTSEG_REMOVE));
    }

    @Test
    void anUnknownKeyIsAnErrorNamingItsPlace() {
        String error = Configs.error("server.port = 8080\nserver.http-parseopts = ( \"url-ctrl-reject\" => \"enable\" )");
        assertTrue(error.startsWith(Configs.FILE + ":2:"), error);
        assertTrue(error.contains("unknown option \"url-ctrl-reject\""), error);
    }

    @Test
    void switchingOffHeaderStrictIsAWarningAndStaysStrict() throws Exception {
        ServerConfig config = parseLines("server.http-parseopts = ( \"header-strict\" => \"disable\" )");
        List<ConfigWarning> warnings = config.warnings();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).toString().contains("cannot be disabled"), warnings.toString());
    }

    @Test
    void theOlderSingleKeySpellingsAreRead() throws Exception {
        ServerConfig config = parseLines("server.http-parseopt-host-normalize = \"enable\"");
        assertTrue(config.httpParseOptions().enabled(HttpParseOption.HOST_NORMALIZE));
        assertTrue(config.warnings().get(0).toString().contains("not implemented"), config.warnings().toString());
    }

    @Test
    void maxRequestFieldSizeIsReadAndBoundedWithAWarning() throws Exception {
        assertEquals(16384, parseLines("server.max-request-field-size = 16384").maxRequestFieldSize());
        ServerConfig huge = parseLines("server.max-request-field-size = 10000000");
        assertEquals(ServerConfig.MAX_REQUEST_FIELD_SIZE, huge.maxRequestFieldSize());
        assertTrue(huge.warnings().get(0).toString().contains("outside"), huge.warnings().toString());
    }
}
