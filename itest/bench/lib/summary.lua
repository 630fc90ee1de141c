-- wrk script: prints one machine-readable line after the run, read by lib/measure.sh.
-- Latencies are in microseconds; "status" counts responses with a status of 400 or more.
done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "WRK_SUMMARY requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d p50_us=%d p99_us=%d max_us=%d\n",
        summary.requests, summary.duration, summary.bytes,
        e.connect, e.read, e.write, e.status, e.timeout,
        latency:percentile(50), latency:percentile(99), latency.max))
end
