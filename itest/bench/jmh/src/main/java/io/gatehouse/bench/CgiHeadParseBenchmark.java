package io.gatehouse.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import io.gatehouse.core.internal.cgi.BadGatewayException;
import io.gatehouse.core.internal.cgi.CgiResponseHead;
import io.gatehouse.core.internal.cgi.CgiResponseParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of turning a typical PHP response head (six header lines, a session cookie) into the
 * status and headers the client gets, with a new {@link CgiResponseParser} per response as the
 * gateway uses it. {@code split} cuts the head in two reads in the middle of a line, the path a
 * head takes when it straddles two STDOUT records or socket reads.
 *
 * <p>JMH gives each benchmark thread its own instance ({@link Scope#Thread}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CgiHeadParseBenchmark {

    /** The number of header lines PHP sent in the sample head; checked once before measuring. */
    private static final int SAMPLE_HEADERS = 6;

    @Param({"false", "true"})
    public boolean split;

    private ByteBuffer head;
    private int splitAt;

    @Setup(Level.Trial)
    public void prepareHead() throws BadGatewayException {
        head = ByteBuffer.wrap(TypicalExchange.phpResponseHead());
        splitAt = split ? head.remaining() / 2 : head.remaining();
        CgiResponseHead parsed = parse();
        if (parsed.status() != 200 || parsed.headers().size() != SAMPLE_HEADERS) {
            throw new IllegalStateException("unexpected head: status " + parsed.status() + ", headers "
                    + parsed.headers());
        }
    }

    @Benchmark
    public CgiResponseHead parse() throws BadGatewayException {
        CgiResponseParser parser = new CgiResponseParser();
        ByteBuffer first = head.slice(0, splitAt);
        if (!parser.parse(first)) {
            ByteBuffer rest = head.slice(splitAt, head.remaining() - splitAt);
            if (!parser.parse(rest)) {
                throw new IllegalStateException("head incomplete after all its bytes");
            }
        }
        return parser.head();
    }
}
