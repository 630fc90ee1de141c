package io.gatehouse.bench;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.gatehouse.fcgi.FcgiException;
import io.gatehouse.fcgi.FcgiRequestGenerator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of framing one request's start: BEGIN_REQUEST plus the PARAMS records of a typical
 * 30-variable CGI environment, as the gateway does once per proxied request.
 *
 * <p>JMH gives each benchmark thread its own instance ({@link Scope#Thread}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ParamsEncodeBenchmark {

    private Map<String, String> environment;

    @Setup
    public void buildEnvironment() {
        environment = TypicalExchange.cgiEnvironment();
    }

    @Benchmark
    public ByteBuffer beginRequest() throws FcgiException {
        return FcgiRequestGenerator.beginRequest(TypicalExchange.REQUEST_ID, false, environment);
    }
}
