package io.gatehouse.core.internal.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

import io.gatehouse.fcgi.Fcgi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The buffers of {@link BackendProtocol#wholeRequest} are sent again after a rewind when a reused
 * connection fails ({@code BackendCall} retries on a new one). A FastCGI body of more than one
 * STDIN record was framed with views whose position was the record's start: rewound to the
 * buffer's start, the second record carried the whole body again after a header saying 1 byte.
 */
class WholeRequestRewindTest {

    @ParameterizedTest(name = "{0} body bytes")
    @ValueSource(ints = {0, 1, Fcgi.MAX_CONTENT_LENGTH, Fcgi.MAX_CONTENT_LENGTH + 1, 3 * Fcgi.MAX_CONTENT_LENGTH + 7})
    void aRewoundFastCgiRequestIsTheSameBytesAgain(int bodyLength) {
        ByteBuffer[] request = FcgiProtocol.INSTANCE.wholeRequest(ByteBuffer.wrap(new byte[] {1, 2, 3}),
                body(bodyLength));
        byte[] first = drain(request);
        for (ByteBuffer buffer : request) {
            buffer.rewind(); // as BackendCall.retryOnNewConnection does
        }
        byte[] again = drain(request);

        int records = (bodyLength + Fcgi.MAX_CONTENT_LENGTH - 1) / Fcgi.MAX_CONTENT_LENGTH;
        assertEquals(3 + bodyLength + (records + 1) * Fcgi.HEADER_LENGTH, first.length);
        assertArrayEquals(first, again);
    }

    @ParameterizedTest(name = "{0} body bytes")
    @ValueSource(ints = {0, 1, Fcgi.MAX_CONTENT_LENGTH + 1})
    void aRewoundScgiRequestIsTheSameBytesAgain(int bodyLength) {
        ByteBuffer[] request = ScgiProtocol.SCGI.wholeRequest(ByteBuffer.wrap(new byte[] {1, 2, 3}), body(bodyLength));
        byte[] first = drain(request);
        for (ByteBuffer buffer : request) {
            buffer.rewind();
        }
        assertEquals(3 + bodyLength, first.length);
        assertArrayEquals(first, drain(request));
    }

    private static ByteBuffer body(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        return ByteBuffer.wrap(bytes);
    }

    private static byte[] drain(ByteBuffer[] buffers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer buffer : buffers) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }
}
