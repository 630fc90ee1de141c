package io.gatehouse.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import io.gatehouse.fcgi.FcgiException;
import io.gatehouse.fcgi.FcgiResponseParser;
import io.gatehouse.fcgi.ProtocolStatus;
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
 * Cost of reading one PHP response off a FastCGI connection: a new {@link FcgiResponseParser}
 * per request (as the gateway creates one) fed the whole answer in reads of {@code readBytes}
 * (what one socket read returns), until END_REQUEST. The listener only counts STDOUT bytes, so
 * the figure is the parser's own cost.
 *
 * <p>JMH gives each benchmark thread its own instance ({@link Scope#Thread}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StdoutParseBenchmark {

    /** Body size in bytes: 5 is hello.php, 16384 a typical HTML page. */
    @Param({"5", "16384"})
    public int bodyBytes;

    /** Bytes one socket read hands the parser. */
    @Param({"16384"})
    public int readBytes;

    private ByteBuffer response;
    private final StdoutCounter counter = new StdoutCounter();

    @Setup(Level.Trial)
    public void frameResponse() throws FcgiException {
        response = TypicalExchange.fcgiResponse(bodyBytes);
        long expected = TypicalExchange.phpResponseHead().length + (long) bodyBytes;
        long parsed = parse();
        if (parsed != expected) {
            throw new IllegalStateException("parser delivered " + parsed + " STDOUT bytes, expected " + expected);
        }
    }

    @Benchmark
    public long parse() throws FcgiException {
        counter.stdoutBytes = 0;
        FcgiResponseParser parser = new FcgiResponseParser(TypicalExchange.REQUEST_ID, counter);
        ByteBuffer all = response.duplicate();
        boolean complete = false;
        while (!complete && all.hasRemaining()) {
            int length = Math.min(readBytes, all.remaining());
            ByteBuffer read = all.slice(all.position(), length);
            all.position(all.position() + length);
            complete = parser.parse(read);
        }
        if (!complete) {
            throw new IllegalStateException("response ended without END_REQUEST");
        }
        return counter.stdoutBytes;
    }

    /** Counts STDOUT bytes, standing in for the relay that copies them to the client. */
    private static final class StdoutCounter implements FcgiResponseParser.Listener {
        long stdoutBytes;

        @Override
        public void onStdout(ByteBuffer content) {
            stdoutBytes += content.remaining();
        }

        @Override
        public void onEndRequest(long appStatus, ProtocolStatus status) {
            if (appStatus != 0 || status != ProtocolStatus.REQUEST_COMPLETE) {
                throw new IllegalStateException("END_REQUEST " + appStatus + " " + status);
            }
        }
    }
}
