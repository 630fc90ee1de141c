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

# Runs wrk with CONNECTIONS for SECONDS against URL, writing its output to OUT_FILE. Optional,
# set for one call (VAR=value run_wrk ...): WRK_HEADER, one more request header; WRK_PRELOAD, a
# library for wrk's LD_PRELOAD (wrk's only, not timeout's).
run_wrk() {
    local url=$1 connections=$2 seconds=$3 out=$4 environment=() header=()
    [ -n "${WRK_PRELOAD:-}" ] && environment=(LD_PRELOAD="$WRK_PRELOAD")
    [ -n "${WRK_HEADER:-}" ] && header=(-H "$WRK_HEADER")
    timeout --foreground -k 5 $((seconds + WRK_OVERRUN_SECONDS)) \
        nice -n "$CLIENT_NICE" env "${environment[@]}" wrk -t2 -c"$connections" -d"${seconds}s" --timeout "${WRK_TIMEOUT_SECONDS}s" \
        "${header[@]}" -s "$BENCH_DIR/lib/summary.lua" "$url" >"$out" 2>&1
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

# Runs the load client command "$@" (CLIENT names it in a warning, OUT is where it writes) against
# the running server NAME with the front end's CPU ticks taken right before and right after;
# sets LOAD_TICKS to their difference. A failing client is warned about with OUT's tail.
ticks_around_load() {
    local scenario=$1 name=$2 client=$3 out=$4 ticks_before
    shift 4
    ticks_before=$(front_end_cpu_ticks "$name" "$SERVER_PID")
    if ! "$@"; then
        warn "$client failed against $name ($scenario):"
        tail -n 5 "$out" >&2 || true
    fi
    LOAD_TICKS=$(($(front_end_cpu_ticks "$name" "$SERVER_PID") - ticks_before))
}

# One measured wrk run against the running server NAME (pid SERVER_PID) on PATH (default
# /hello.php; or a whole URL, e.g. the server's HTTPS one): a warm-up of WARMUP seconds (0: none),
# then the measured run with the front end's CPU taken right before and right after it. Records
# one line, its throughput in WRK_UNIT if set for the call (default req/s: e.g. handshakes/s).
measure_load() {
    local scenario=$1 name=$2 round=$3 connections=$4 warmup=$5 path=${6:-/hello.php} note=${7:-}
    local url out
    case "$path" in
        http://* | https://*) url=$path ;;
        *) url=$(server_url "$name" "$path") ;;
    esac
    out="$RUN_DIR/logs/wrk-$scenario-$name-$round.txt"
    if [ "$warmup" -gt 0 ]; then
        run_wrk "$url" "$connections" "$warmup" "$out.warmup" || true
    fi
    ticks_around_load "$scenario" "$name" wrk "$out" run_wrk "$url" "$connections" "$DURATION_SECONDS" "$out"
    if ! parse_wrk "$out"; then
        record_failure "$scenario" "$name" "$round" "no wrk summary"
        return 1
    fi
    record "$scenario" "$name" "$round" "$(wrk_rate)" "${WRK_UNIT:-req/s}" "$(wrk_ms "$WRK_p50_us")" \
        "$(wrk_ms "$WRK_p99_us")" "$(wrk_ms "$WRK_max_us")" "$(wrk_errors)" "$WRK_connect" \
        "$(cpu_us_per_request "$LOAD_TICKS" "$WRK_requests")" \
        "$(front_end_memory_kb "$name" "$SERVER_PID" VmRSS)" \
        "$(front_end_memory_kb "$name" "$SERVER_PID" VmHWM)" "$note"
    printf '    %-9s %-18s %8s %s  p99 %6s ms  errors %s  refused %s\n' "$name" "$scenario" \
        "$(wrk_rate)" "${WRK_UNIT:-req/s}" "$(wrk_ms "$WRK_p99_us")" "$(wrk_errors)" "$WRK_connect" >&2
}
