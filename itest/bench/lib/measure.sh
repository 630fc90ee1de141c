# Load runs and the raw results file. Sourced by run.sh.
#
# Each measurement appends one tab-separated line to RESULTS_TSV:
#   scenario server round throughput unit p50_ms p99_ms max_ms errors refused cpu_us rss_kb hwm_kb note
# "-" marks a figure that does not apply. lib/report.awk turns the lines into the table.

# wrk's own per-request timeout; a slower answer counts as an error ("timeout").
readonly WRK_TIMEOUT_SECONDS=5
# wrk is stopped by `timeout` if it overruns its -d by this much (a hung server).
readonly WRK_OVERRUN_SECONDS=30

record() {
    local IFS=$'\t'
    printf '%s\n' "$*" >>"$RESULTS_TSV"
}

record_failure() {
    local scenario=$1 server=$2 round=$3 why=$4
    record "$scenario" "$server" "$round" - - - - - - - - - - "failed: $why"
}

# Runs wrk with CONNECTIONS for SECONDS against URL, writing its output to OUT_FILE.
run_wrk() {
    local url=$1 connections=$2 seconds=$3 out=$4
    timeout --foreground -k 5 $((seconds + WRK_OVERRUN_SECONDS)) \
        wrk -t2 -c"$connections" -d"${seconds}s" --timeout "${WRK_TIMEOUT_SECONDS}s" \
        -s "$BENCH_DIR/lib/summary.lua" "$url" >"$out" 2>&1
}

# Reads the WRK_SUMMARY line of wrk output FILE into WRK_* variables. Returns 1 if there is none.
parse_wrk() {
    local line key value
    line=$(grep -m 1 '^WRK_SUMMARY ' "$1") || return 1
    for key in requests duration_us bytes connect read write status timeout p50_us p99_us max_us; do
        value=$(printf '%s\n' "$line" | tr ' ' '\n' | awk -F= -v k="$key" '$1 == k { print $2 }')
        [ -n "$value" ] || return 1
        printf -v "WRK_$key" '%s' "$value"
    done
}

# Derived figures of the last parse_wrk.
wrk_rate() { awk -v n="$WRK_requests" -v us="$WRK_duration_us" 'BEGIN { printf "%.0f\n", (us > 0 ? n * 1000000 / us : 0) }'; }
wrk_ms() { awk -v us="$1" 'BEGIN { printf "%.2f\n", us / 1000 }'; }
wrk_errors() { echo $((WRK_read + WRK_write + WRK_timeout + WRK_status)); }

# One measured wrk run against the running server NAME (pid SERVER_PID) on PATH (default
# /hello.php): a warm-up of WARMUP seconds (0: none), then the measured run with the front end's
# CPU taken right before and right after it. Records one line.
measure_load() {
    local scenario=$1 name=$2 round=$3 connections=$4 warmup=$5 path=${6:-/hello.php} note=${7:-}
    local url out ticks_before ticks_after
    url=$(server_url "$name" "$path")
    out="$RUN_DIR/logs/wrk-$scenario-$name-$round.txt"
    if [ "$warmup" -gt 0 ]; then
        run_wrk "$url" "$connections" "$warmup" "$out.warmup" || true
    fi
    ticks_before=$(front_end_cpu_ticks "$name" "$SERVER_PID")
    if ! run_wrk "$url" "$connections" "$DURATION_SECONDS" "$out"; then
        warn "wrk failed against $name ($scenario):"
        tail -n 5 "$out" >&2 || true
    fi
    ticks_after=$(front_end_cpu_ticks "$name" "$SERVER_PID")
    if ! parse_wrk "$out"; then
        record_failure "$scenario" "$name" "$round" "no wrk summary"
        return 1
    fi
    record "$scenario" "$name" "$round" "$(wrk_rate)" "req/s" "$(wrk_ms "$WRK_p50_us")" \
        "$(wrk_ms "$WRK_p99_us")" "$(wrk_ms "$WRK_max_us")" "$(wrk_errors)" "$WRK_connect" \
        "$(cpu_us_per_request $((ticks_after - ticks_before)) "$WRK_requests")" \
        "$(front_end_memory_kb "$name" "$SERVER_PID" VmRSS)" \
        "$(front_end_memory_kb "$name" "$SERVER_PID" VmHWM)" "$note"
    printf '    %-9s %-18s %8s req/s  p99 %6s ms  errors %s  refused %s\n' "$name" "$scenario" \
        "$(wrk_rate)" "$(wrk_ms "$WRK_p99_us")" "$(wrk_errors)" "$WRK_connect" >&2
}
