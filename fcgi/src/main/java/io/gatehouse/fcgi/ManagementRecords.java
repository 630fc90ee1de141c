package io.gatehouse.fcgi;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Encodes the name-value records that travel on the null request id (GET_VALUES,
 * GET_VALUES_RESULT); the specification gives them one record each, so they are capped at
 * {@link Fcgi#MAX_CONTENT_LENGTH}.
 *
 * <p>Stateless; safe to use from any thread.
 */
final class ManagementRecords {

    private ManagementRecords() {
    }

    /** One record of {@code type} on request id 0 holding {@code pairs} (flipped, ready to write). */
    static ByteBuffer record(RecordType type, Map<String, String> pairs) throws FcgiException {
        long length = 0;
        for (Map.Entry<String, String> pair : pairs.entrySet()) {
            String name = pair.getKey();
            String value = pair.getValue();
            if (name == null || value == null) {
                throw new FcgiException(type + " entry \"" + name + "\" has a null "
                        + (name == null ? "name" : "value"));
            }
            String problem = NameValuePairs.latin1Problem(name, value);
            if (problem != null) {
                throw new FcgiException(type + ": " + problem);
            }
            length += NameValuePairs.encodedLength(name, value);
            if (length > Fcgi.MAX_CONTENT_LENGTH) {
                throw new FcgiException(type + " content length " + length + " at \"" + name
                        + "\" exceeds limit " + Fcgi.MAX_CONTENT_LENGTH + " (the record must be a single one)");
            }
        }
        ByteBuffer out = ByteBuffer.allocate(Fcgi.HEADER_LENGTH + (int) length);
        RecordHeader.write(out, type, Fcgi.NULL_REQUEST_ID, (int) length, 0);
        pairs.forEach((name, value) -> NameValuePairs.encode(out, name, value));
        return out.flip();
    }
}
