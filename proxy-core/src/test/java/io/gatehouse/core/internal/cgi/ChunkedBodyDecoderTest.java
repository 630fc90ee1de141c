package io.gatehouse.core.internal.cgi;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.gatehouse.core.internal.cgi.Feeding.bytes;
import static io.gatehouse.core.internal.cgi.Feeding.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Chunked framing fed at every split offset and byte by byte, into output buffers of several sizes. */
class ChunkedBodyDecoderTest {

    /** Output capacities: one byte forces a stop after every data byte; 64 fits whole chunks. */
    private static final int[] OUT_CAPACITIES = {1, 3, 64};

    private record Decoded(String body, String rest, boolean done) {
    }

    private static Decoded decode(byte[] input, Feeding.Layout layout, int outCapacity) throws BadGatewayException {
        return decode(ChunkedBodyDecoder::new, input, layout, outCapacity);
    }

    private static Decoded decode(Supplier<ChunkedBodyDecoder> decoders, byte[] input, Feeding.Layout layout,
            int outCapacity) throws BadGatewayException {
        ChunkedBodyDecoder decoder = decoders.get();
        ByteBuffer out = ByteBuffer.allocate(outCapacity);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        boolean done = false;
        for (ByteBuffer segment : layout.segments(input)) {
            for (int rounds = 0; !done; rounds++) {
                if (rounds > input.length + 2) {
                    throw new AssertionError("decoder made no progress on " + layout);
                }
                done = decoder.decode(segment, out);
                out.flip();
                while (out.hasRemaining()) {
                    body.write(out.get());
                }
                out.clear();
                if (!segment.hasRemaining()) {
                    break;
                }
            }
            while (done && segment.hasRemaining()) {
                rest.write(segment.get());
            }
        }
        return new Decoded(text(body.toByteArray()), text(rest.toByteArray()), done);
    }

    static Stream<Arguments> validBodies() {
        return Stream.of(
                Arguments.of("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nNEXT", "hello world", "NEXT"),
                Arguments.of("5;name=value;q=\"a b\"\r\nhello\r\n6 ; ext\r\n world\r\n0;last\r\n"
                        + "Expires: never\r\nX-Sum: abc\r\n\r\nREST", "hello world", "REST"),
                Arguments.of("5\nhello\n0\nX-T: 1\n\n", "hello", ""),
                Arguments.of("A\r\n0123456789\r\na\r\nabcdefghij\r\n000\r\n\r\n", "0123456789abcdefghij", ""),
                Arguments.of("1F\r\n" + "z".repeat(31) + "\r\n0\r\n\r\n", "z".repeat(31), ""),
                Arguments.of("00000000000000a\r\n0123456789\r\n0\r\n\r\n", "0123456789", ""),
                Arguments.of("4\r\n\r\n\r\n\r\n0\r\n\r\n\r\n", "\r\n\r\n", "\r\n"),
                Arguments.of("0\r\n\r\n", "", ""));
    }

    @ParameterizedTest(name = "#{index} decodes to \"{1}\"")
    @MethodSource("validBodies")
    void decodesAtEveryLayoutAndOutputSize(String input, String body, String rest) throws Exception {
        byte[] data = bytes(input);
        for (Feeding.Layout layout : Feeding.allLayouts(data.length)) {
            for (int capacity : OUT_CAPACITIES) {
                Decoded decoded = decode(data, layout, capacity);
                String where = layout + ", out capacity " + capacity;
                assertTrue(decoded.done(), where);
                assertEquals(body, decoded.body(), where);
                assertEquals(rest, decoded.rest(), where);
            }
        }
    }

    @ParameterizedTest(name = "#{index} decodes to \"{1}\"")
    @MethodSource("validBodies")
    void aRequestBodyInCrlfLinesDecodesAsABackendsDoes(String input, String body, String rest) throws Exception {
        byte[] data = bytes(input);
        if (input.replace("\r\n", "").contains("\n")) {
            assertThrows(BadGatewayException.class, () -> decode(ChunkedBodyDecoder::forRequests, data,
                    Feeding.byteByByte(data.length, false), 64), "bare LF in " + input);
            return;
        }
        for (Feeding.Layout layout : Feeding.allLayouts(data.length)) {
            Decoded decoded = decode(ChunkedBodyDecoder::forRequests, data, layout, 3);
            assertTrue(decoded.done(), layout.toString());
            assertEquals(body, decoded.body(), layout.toString());
            assertEquals(rest, decoded.rest(), layout.toString());
        }
    }

    static Stream<Arguments> bareLfInRequestBodies() {
        return Stream.of(
                Arguments.of("5\nhello\r\n0\r\n\r\n", "chunk size line ends in LF without CR"),
                Arguments.of("5 \nhello\r\n0\r\n\r\n", "chunk size line ends in LF without CR"),
                Arguments.of("5;x\nhello\r\n0\r\n\r\n", "chunk size line ends in LF without CR"),
                Arguments.of("5\r\nhello\n0\r\n\r\n", "chunk data ends in LF without CR"),
                Arguments.of("1\r\nA\n45\r\n" + "B".repeat(0x45) + "\r\n0\r\n\r\n", "chunk data ends in LF without CR"),
                Arguments.of("0\n\r\n", "chunk size line ends in LF without CR"),
                Arguments.of("0\r\n\n", "end of trailers ends in LF without CR"),
                Arguments.of("0\r\nX-T: 1\n\r\n", "trailer line ends in LF without CR"));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("bareLfInRequestBodies")
    void aBareLfInAChunkedRequestBodyIsRefusedAtEveryLayout(String input, String problem) {
        byte[] data = bytes(input);
        for (Feeding.Layout layout : Feeding.allLayouts(data.length)) {
            BadGatewayException e = assertThrows(BadGatewayException.class,
                    () -> decode(ChunkedBodyDecoder::forRequests, data, layout, 3), layout::toString);
            assertEquals("malformed chunked body: " + problem, e.getMessage(), layout.toString());
        }
        assertDoesNotFail(data); // a backend's bare LF stays accepted
    }

    @Test
    void aCrInsideARequestTrailerLineMustEndIt() {
        byte[] data = bytes("0\r\nX-T: 1\rX\r\n\r\n");
        BadGatewayException e = assertThrows(BadGatewayException.class,
                () -> decode(ChunkedBodyDecoder::forRequests, data, Feeding.byteByByte(data.length, false), 3));
        assertEquals("malformed chunked body: trailer line: CR not followed by LF, got 0x58 ('X')", e.getMessage());
    }

    @Test
    void incompleteBodyIsNotDoneAndEndIsSticky() throws Exception {
        ChunkedBodyDecoder decoder = new ChunkedBodyDecoder();
        ByteBuffer out = ByteBuffer.allocate(16);
        assertFalse(decoder.decode(ByteBuffer.wrap(bytes("5\r\nhel")), out));
        assertEquals(3, out.position());
        assertFalse(decoder.decode(ByteBuffer.wrap(bytes("lo\r\n0\r\n")), out));
        assertEquals(5, out.position());
        ByteBuffer last = ByteBuffer.wrap(bytes("\r\nafter"));
        assertTrue(decoder.decode(last, out));
        assertEquals(5, last.remaining());
        assertTrue(decoder.decode(last, out), "still done");
        assertEquals(5, last.remaining(), "nothing consumed after the end");
    }

    @Test
    void fullOutputStopsWithoutLosingInput() throws Exception {
        ChunkedBodyDecoder decoder = new ChunkedBodyDecoder();
        ByteBuffer in = ByteBuffer.wrap(bytes("5\r\nhello\r\n0\r\n\r\n"));
        ByteBuffer out = ByteBuffer.allocate(0);
        assertFalse(decoder.decode(in, out));
        assertEquals(3, in.position(), "stopped at the data");
        ByteBuffer room = ByteBuffer.allocate(5);
        assertTrue(decoder.decode(in, room));
        assertEquals("hello", text(room.array()));
    }

    static Stream<Arguments> malformedBodies() {
        return Stream.of(
                Arguments.of("\r\n", "malformed chunked body: chunk size line does not start with a hex digit, got 0x0d"),
                Arguments.of("g\r\n",
                        "malformed chunked body: chunk size line does not start with a hex digit, got 0x67 ('g')"),
                Arguments.of("-5\r\n",
                        "malformed chunked body: chunk size line does not start with a hex digit, got 0x2d ('-')"),
                Arguments.of("5x\r\n",
                        "malformed chunked body: chunk size \"5\" followed by an invalid byte, got 0x78 ('x')"),
                Arguments.of("1f x\r\n",
                        "malformed chunked body: chunk size \"1f\" followed by an invalid byte, got 0x78 ('x')"),
                Arguments.of("5\rx", "malformed chunked body: chunk size line: CR not followed by LF, got 0x78 ('x')"),
                Arguments.of("5\r\nhelloX",
                        "malformed chunked body: chunk data not followed by CRLF, got 0x58 ('X')"),
                Arguments.of("5\r\nhello\rX",
                        "malformed chunked body: chunk data not followed by CRLF: CR not followed by LF, got 0x58 ('X')"),
                Arguments.of("0\r\n\rX", "malformed chunked body: end of trailers: CR not followed by LF, got 0x58 ('X')"),
                Arguments.of("0000000000000001\r\n",
                        "chunk size too long: more than 15 hex digits (limit MAX_CHUNK_SIZE_DIGITS = 15)"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("malformedBodies")
    void malformedIsBadGatewayAtEveryLayout(String input, String message) {
        byte[] data = bytes(input);
        for (Feeding.Layout layout : Feeding.allLayouts(data.length)) {
            BadGatewayException e = assertThrows(BadGatewayException.class, () -> decode(data, layout, 3),
                    layout::toString);
            assertEquals(message, e.getMessage(), layout.toString());
        }
    }

    @Test
    void overlongExtensionAndTrailersAreBadGateway() {
        byte[] extension = bytes("5;" + "e".repeat(ChunkedBodyDecoder.MAX_CHUNK_EXTENSION_BYTES) + "x\r\nhello\r\n");
        byte[] extensionAtLimit = bytes("5;" + "e".repeat(ChunkedBodyDecoder.MAX_CHUNK_EXTENSION_BYTES - 1)
                + "\r\nhello\r\n0\r\n\r\n");
        byte[] trailers = bytes("0\r\n" + "X-T: " + "t".repeat(ChunkedBodyDecoder.MAX_TRAILER_BYTES) + "\r\n\r\n");
        for (Feeding.Layout layout : List.of(Feeding.byteByByte(extension.length, false),
                new Feeding.Layout("whole", new int[0], false), new Feeding.Layout("split", new int[] {100}, true))) {
            BadGatewayException e = assertThrows(BadGatewayException.class, () -> decode(extension, layout, 64));
            assertEquals("chunk extension too long: more than 4096 bytes (limit MAX_CHUNK_EXTENSION_BYTES = 4096)",
                    e.getMessage());
        }
        assertTrue(assertDoesNotFail(extensionAtLimit).done());
        for (Feeding.Layout layout : List.of(Feeding.byteByByte(trailers.length, false),
                new Feeding.Layout("whole", new int[0], true))) {
            BadGatewayException e = assertThrows(BadGatewayException.class, () -> decode(trailers, layout, 64));
            assertEquals("chunked trailer section too large: more than 65536 bytes (limit MAX_TRAILER_BYTES = 65536)",
                    e.getMessage());
        }
    }

    private static Decoded assertDoesNotFail(byte[] input) {
        try {
            return decode(input, Feeding.byteByByte(input.length, false), 64);
        } catch (BadGatewayException e) {
            throw new AssertionError("unexpected: " + e.getMessage(), e);
        }
    }

    @Test
    void largeChunkStreamsThroughSmallBuffers() throws Exception {
        byte[] data = new byte[100_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        ByteArrayOutputStream framed = new ByteArrayOutputStream();
        framed.write(bytes(Integer.toHexString(data.length) + "\r\n"));
        framed.write(data);
        framed.write(bytes("\r\n0\r\n\r\n"));
        ByteBuffer in = ByteBuffer.wrap(framed.toByteArray());
        ChunkedBodyDecoder decoder = new ChunkedBodyDecoder();
        ByteBuffer out = ByteBuffer.allocate(4096);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean done = false;
        for (int rounds = 0; !done && rounds < 1_000; rounds++) {
            done = decoder.decode(in, out);
            body.write(out.array(), 0, out.position());
            out.clear();
        }
        assertTrue(done);
        assertEquals(0, in.remaining());
        assertArrayEquals(data, body.toByteArray());
    }
}
