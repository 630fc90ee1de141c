package io.gatehouse.core.internal.cgi;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link CgiResponseParser} with what a backend might send as a response head: the
 * outcome is heads or a {@link BadGatewayException}, the same however the input is cut
 * ({@link FuzzInput}), and every head keeps the promises of {@link CgiResponseHead}.
 */
class CgiResponseParserFuzzTest {

    private static final Set<String> NEVER_FORWARDED = Set.of("status", "connection", "keep-alive",
            "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer");

    @FuzzTest(maxDuration = "15s")
    void cgiResponseParser(byte[] input) {
        FuzzInput fuzz = FuzzInput.of(input);
        assertEquals(outcome(fuzz.payload(), fuzz.whole()), outcome(fuzz.payload(), fuzz.layout()),
                fuzz.layout().name());
    }

    private static String outcome(byte[] payload, Feeding.Layout layout) {
        Feeding.Outcome outcome;
        try {
            outcome = Feeding.parse(payload, layout);
        } catch (BadGatewayException e) {
            return "failed: " + e.getMessage();
        }
        assertTrue(outcome.heads().size() <= CgiResponseParser.MAX_INTERIM_HEADS + 1, "heads");
        if (!outcome.heads().isEmpty() && !outcome.last().interim()) {
            assertTrue(payload.length - outcome.rest().length()
                    <= (long) outcome.heads().size() * CgiResponseParser.MAX_HEAD_BYTES, "head bytes past the limit");
        }
        outcome.heads().forEach(CgiResponseParserFuzzTest::checkHead);
        return outcome.heads() + " rest " + outcome.rest() + " partial " + outcome.partialAtEnd();
    }

    private static void checkHead(CgiResponseHead head) {
        List<Map.Entry<String, String>> lengths = head.headers().stream()
                .filter(header -> header.getKey().equalsIgnoreCase("Content-Length")).toList();
        if (head.contentLength() >= 0) {
            assertEquals(1, lengths.size(), "Content-Length headers for " + head.contentLength());
            assertEquals(Long.toString(head.contentLength()), lengths.get(0).getValue().replaceFirst("^0+(?=.)", ""));
            assertFalse(head.chunked(), "chunked with a Content-Length");
        } else {
            assertEquals(List.of(), lengths, "Content-Length forwarded but not parsed");
        }
        for (Map.Entry<String, String> header : head.headers()) {
            assertFalse(NEVER_FORWARDED.contains(header.getKey().toLowerCase(Locale.ROOT)), header.getKey());
        }
    }
}
