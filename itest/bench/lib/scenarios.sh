# The scenarios. Sourced by run.sh. Each one runs its servers in alternation (gatehouse,
# lighttpd, nginx, then the next round), one server at a time, each started fresh for the round
# and stopped after it, and records one line per server and round (lib/measure.sh).

readonly ALL_SERVERS=(gatehouse lighttpd nginx)
readonly SPAWNING_SERVERS=(gatehouse lighttpd)
readonly HELLO_CONNECTIONS=64
readonly CONCURRENCY_LEVELS=(16 256 1024)
# pages: www/page.php's sizes (KiB of HTML, written in 8 flushed pieces) and client connections.
readonly PAGE_SIZES_KB=(20 60 200)
readonly PAGE_CONNECTIONS=(16 64)
# curl gives up on fetching one page for its byte check after this long.
readonly PAGE_CHECK_TIMEOUT_SECONDS=5
readonly RESTART_CONNECTIONS=64
# restart-gap: clients on a 50 ms page served by 4 PHP workers, restarts this far apart.
readonly RESTART_GAP_CONNECTIONS=32
readonly RESTART_GAP_INTERVAL_MS=2000
readonly RESTART_SOAK_COUNT=100
# Far enough apart that each signal gets a restart of its own (one takes about 0.5 s here: the
# drain of 32 requests on 4 workers, then php-cgi's exit and start); closer ones merge.
readonly RESTART_SOAK_INTERVAL_MS=1000
readonly TRANSFER_MIB=100
# curl gives up on one 100 MiB transfer after this long (about 0.3 MiB/s: something is broken).
readonly TRANSFER_TIMEOUT_SECONDS=300

# Runs "$@" with server NAME started on backend KIND, then stops it. A server that does not
# come up is recorded as a failed round for SCENARIO.
with_server() {
    local scenario=$1 name=$2 kind=$3 round=$4
    shift 4
    if ! start_server "$name" "$kind" "$scenario-$round" || ! wait_ready "$name" "$START_US"; then
        record_failure "$scenario" "$name" "$round" "did not start"
        stop_server
        return 0
    fi
    "$@" || warn "$scenario: measuring $name in round $round failed"
    stop_server
}

# Round after round, starts each of ALL_SERVERS (or ROUND_SERVERS when set) on backend KIND and
# runs "$@" NAME ROUND with it (the server's name and the round appended). DETAIL follows the
# round in the progress line.
each_server_each_round() {
    local scenario=$1 kind=$2 detail=$3 round name servers
    shift 3
    servers=("${ALL_SERVERS[@]}")
    [ -n "${ROUND_SERVERS:-}" ] && read -r -a servers <<<"$ROUND_SERVERS"
    for round in $(seq 1 "$ROUNDS"); do
        log "$scenario: round $round of $ROUNDS$detail"
        for name in "${servers[@]}"; do
            with_server "$scenario" "$name" "$kind" "$round" "$@" "$name" "$round"
        done
    done
}

# HELLO_CONNECTIONS on PATH after a full warm-up, recorded as SCENARIO.
hello_load() {
    local scenario=$1 path=$2 name=$3 round=$4
    measure_load "$scenario" "$name" "$round" "$HELLO_CONNECTIONS" "$WARMUP_SECONDS" "$path"
}

not_applicable() {
    record "$1" "$2" 1 - - - - - - - - - - "$3"
}

scenario_hello() {
    each_server_each_round hello fpm "" hello_load hello /hello.php
}

# hello through gatehouse without its FastCGI keep-alive: what connection reuse is worth, and
# gatehouse on exactly lighttpd's config.
scenario_hello_no_keepalive() {
    local round
    for round in $(seq 1 "$ROUNDS"); do
        log "hello-no-keepalive: round $round of $ROUNDS"
        with_server hello-no-keepalive gatehouse fpm-no-keepalive "$round" \
            measure_load hello-no-keepalive gatehouse "$round" "$HELLO_CONNECTIONS" "$WARMUP_SECONDS"
    done
}

scenario_hello_spawned() {
    local round name
    for round in $(seq 1 "$ROUNDS"); do
        log "hello-spawned: round $round of $ROUNDS"
        for name in "${SPAWNING_SERVERS[@]}"; do
            with_server hello-spawned "$name" spawned "$round" \
                measure_load hello-spawned "$name" "$round" "$HELLO_CONNECTIONS" "$WARMUP_SECONDS"
        done
    done
    not_applicable hello-spawned nginx "n/a: nginx cannot spawn backends"
}

# hello through the uWSGI app over PROTOCOL (scgi | uwsgi): the SCGI/uwsgi path's cost per
# request next to hello-no-keepalive's. All three servers open one backend connection per
# request. uWSGI runs for this scenario only.
scenario_wsgi_hello() {
    local protocol=$1 scenario="$1-hello" name
    if ! start_uwsgi "$protocol"; then
        for name in "${ALL_SERVERS[@]}"; do
            record_failure "$scenario" "$name" 1 "uWSGI did not start"
        done
        return 0
    fi
    each_server_each_round "$scenario" "$protocol" "" hello_load "$scenario" "$(hello_path "$protocol")"
    stop_uwsgi
}

concurrency_levels() {
    local name=$1 round=$2 connections warmup=$WARMUP_SECONDS
    for connections in "${CONCURRENCY_LEVELS[@]}"; do
        # One warm-up per server start is enough: the levels run back to back on the same process.
        measure_load "concurrency-$connections" "$name" "$round" "$connections" "$warmup" || return 1
        warmup=0
    done
}

scenario_concurrency() {
    each_server_each_round concurrency fpm " (${CONCURRENCY_LEVELS[*]} connections)" concurrency_levels
}

# True when server NAME answers page.php?kb=KB with 200 and exactly KB KiB; else sets
# PAGE_PROBLEM to what came instead. A front end that cut or mangled the flushed pieces would be
# measured on a different page otherwise.
page_intact() {
    local name=$1 kb=$2 reply
    reply=$(curl -s -m "$PAGE_CHECK_TIMEOUT_SECONDS" -o /dev/null -w '%{http_code} %{size_download}' \
        "$(server_url "$name" "/page.php?kb=$kb")" 2>/dev/null) || reply="000 0"
    [ "$reply" = "200 $((kb * 1024))" ] && return 0
    PAGE_PROBLEM="page.php?kb=$kb: status ${reply%% *}, ${reply##* } bytes instead of $((kb * 1024))"
    return 1
}

# Every page size at every connection count, back to back on one server start, after one
# warm-up (as concurrency_levels). A row is named pages-<KiB>k-<connections>.
page_loads() {
    local name=$1 round=$2 kb connections warmup=$WARMUP_SECONDS
    for kb in "${PAGE_SIZES_KB[@]}"; do
        if ! page_intact "$name" "$kb"; then
            warn "pages: $name: $PAGE_PROBLEM"
            for connections in "${PAGE_CONNECTIONS[@]}"; do
                record_failure "pages-${kb}k-$connections" "$name" "$round" "$PAGE_PROBLEM"
            done
            continue
        fi
        for connections in "${PAGE_CONNECTIONS[@]}"; do
            measure_load "pages-${kb}k-$connections" "$name" "$round" "$connections" "$warmup" \
                "/page.php?kb=$kb" || return 1
            warmup=0
        done
    done
}

scenario_pages() {
    each_server_each_round pages fpm " (${PAGE_SIZES_KB[*]} KiB × ${PAGE_CONNECTIONS[*]} connections)" page_loads
}

# One 100 MiB transfer through server NAME (upload or download), checked for its status and
# size. Sets TRANSFER_US to its duration; returns 1 if it failed.
one_transfer() {
    local scenario=$1 name=$2 url reply code start_us expected=$((TRANSFER_MIB * 1048576))
    start_us=$(now_us)
    if [ "$scenario" = upload ]; then
        url=$(server_url "$name" /upload.php)
        # No "Expect: 100-continue": the time curl would wait for a 100 is not the proxy's.
        reply=$(curl -s -m "$TRANSFER_TIMEOUT_SECONDS" -X POST -T "$UPLOAD_FILE" -H 'Expect:' \
            -H 'Content-Type: application/octet-stream' -w ' %{http_code}' "$url" 2>/dev/null) || reply="- 000"
        code=${reply##* }
        reply=${reply%% *}
    else
        url=$(server_url "$name" "/download.php?mb=$TRANSFER_MIB")
        reply=$(curl -s -m "$TRANSFER_TIMEOUT_SECONDS" -o /dev/null -w '%{http_code} %{size_download}' \
            "$url" 2>/dev/null) || reply="000 0"
        code=${reply%% *}
        reply=${reply##* }
    fi
    TRANSFER_US=$(($(now_us) - start_us))
    if [ "$code" != 200 ] || [ "$reply" != "$expected" ]; then
        warn "$scenario through $name: status $code, $reply bytes instead of $expected"
        return 1
    fi
}

# TRANSFERS sequential 100 MiB transfers through server NAME after unmeasured ones: at least
# TRANSFER_WARMUPS, and more until WARMUP_SECONDS have passed since the first, as a load gets its
# warm-up in seconds (ten transfers are three seconds, and the JIT was measured still compiling
# the upload path then, with a fifth of the front end's CPU). Records throughput, time per
# transfer, CPU per transfer and the front end's peak RSS (VmHWM: the most it held at any moment
# since it started, warm-up included), and the time of the first transfer after the start (a cold
# JVM's).
measure_transfers() {
    local scenario=$1 name=$2 round=$3 i failures=0 ticks_before ticks_after times=() moved_bytes=0 busy_us=0
    local first_ms=- warmups=1 warm_until_us
    warm_until_us=$(($(now_us) + WARMUP_SECONDS * 1000000))
    one_transfer "$scenario" "$name" && first_ms=$(awk -v us="$TRANSFER_US" 'BEGIN { printf "%.0f\n", us / 1000 }')
    while [ "$warmups" -lt "$TRANSFER_WARMUPS" ] || [ "$(now_us)" -lt "$warm_until_us" ]; do
        one_transfer "$scenario" "$name" || true
        warmups=$((warmups + 1))
    done
    ticks_before=$(front_end_cpu_ticks "$name" "$SERVER_PID")
    for i in $(seq 1 "$TRANSFERS"); do
        if one_transfer "$scenario" "$name"; then
            times+=("$(awk -v us="$TRANSFER_US" 'BEGIN { printf "%.1f\n", us / 1000 }')")
            moved_bytes=$((moved_bytes + TRANSFER_MIB * 1048576))
            busy_us=$((busy_us + TRANSFER_US))
        else
            failures=$((failures + 1))
        fi
    done
    ticks_after=$(front_end_cpu_ticks "$name" "$SERVER_PID")
    local rate="-" p50="-" max="-"
    if [ "${#times[@]}" -gt 0 ]; then
        rate=$(awk -v b="$moved_bytes" -v us="$busy_us" 'BEGIN { printf "%.1f\n", b / 1048576 / (us / 1000000) }')
        p50=$(printf '%s\n' "${times[@]}" | median)
        max=$(printf '%s\n' "${times[@]}" | sort -n | tail -n 1)
    fi
    record "$scenario" "$name" "$round" "$rate" "MiB/s" "$p50" - "$max" "$failures" 0 \
        "$(cpu_us_per_request $((ticks_after - ticks_before)) "${#times[@]}")" \
        "$(front_end_memory_kb "$name" "$SERVER_PID" VmRSS)" \
        "$(front_end_memory_kb "$name" "$SERVER_PID" VmHWM)" "$TRANSFERS × $TRANSFER_MIB MiB after $warmups unmeasured (the first: $first_ms ms); p50/max = ms per transfer"
    printf '    %-9s %-18s %8s MiB/s  peak RSS %s kB  failed %s\n' "$name" "$scenario" "$rate" \
        "$(front_end_memory_kb "$name" "$SERVER_PID" VmHWM)" "$failures" >&2
}

scenario_transfer() {
    local scenario=$1
    if [ "$scenario" = upload ] && [ ! -f "$UPLOAD_FILE" ]; then
        head -c $((TRANSFER_MIB * 1048576)) /dev/urandom >"$UPLOAD_FILE"
    fi
    each_server_each_round "$scenario" fpm " ($TRANSFERS × $TRANSFER_MIB MiB per server)" measure_transfers "$scenario"
}

# Sends server NAME its restart signal (lighttpd and gatehouse: SIGUSR1; nginx: -s reload).
restart_signal() {
    if [ "$1" = nginx ]; then
        "$NGINX" -p "$RUN_DIR/" -e "$RUN_DIR/nginx-error.log" -c "$RUN_DIR/nginx.conf" -s reload \
            >>"$SERVER_LOG" 2>&1
    else
        kill -USR1 "$SERVER_PID"
    fi
}

# Load for DURATION_SECONDS with RESTARTS restarts spread evenly over it. The figures that
# matter: errors, refused connections, the longest client wait (max), and that the server
# still answers afterwards.
measure_restart() {
    local name=$1 round=$2 url out wrk_pid ticks_before ticks_after start_us k at_us signalled=0
    local how=SIGUSR1 still_serving=no
    [ "$name" = nginx ] && how="nginx -s reload"
    if [ "$name" = gatehouse ] && ! catches_sigusr1 "$SERVER_PID"; then
        # An unhandled SIGUSR1 would terminate the JVM: there is nothing to measure yet.
        record restart gatehouse "$round" - - - - - - - - - - "n/a (not implemented): SIGUSR1 is not handled yet"
        return 0
    fi
    url=$(server_url "$name" /hello.php)
    out="$RUN_DIR/logs/wrk-restart-$name-$round.txt"
    run_wrk "$url" "$RESTART_CONNECTIONS" "$WARMUP_SECONDS" "$out.warmup" || true
    ticks_before=$(front_end_cpu_ticks "$name" "$SERVER_PID")
    start_us=$(now_us)
    run_wrk "$url" "$RESTART_CONNECTIONS" "$DURATION_SECONDS" "$out" &
    wrk_pid=$!
    track_pid "$wrk_pid"
    for k in $(seq 1 "$RESTARTS"); do
        at_us=$((start_us + DURATION_SECONDS * 1000000 * k / (RESTARTS + 1)))
        while [ "$(now_us)" -lt "$at_us" ] && pid_alive "$wrk_pid"; do
            sleep 0.05
        done
        pid_alive "$SERVER_PID" || break
        restart_signal "$name" && signalled=$((signalled + 1))
    done
    wait "$wrk_pid" || true
    untrack_pid "$wrk_pid"
    if pid_alive "$SERVER_PID" && [ "$(curl -s -m "$PROBE_TIMEOUT_SECONDS" "$url" 2>/dev/null)" = hello ]; then
        still_serving=yes
    fi
    ticks_after=$(front_end_cpu_ticks "$name" "$SERVER_PID")
    if ! parse_wrk "$out"; then
        record_failure restart "$name" "$round" "no wrk summary"
        return 1
    fi
    record restart "$name" "$round" "$(wrk_rate)" "req/s" "$(wrk_ms "$WRK_p50_us")" "$(wrk_ms "$WRK_p99_us")" \
        "$(wrk_ms "$WRK_max_us")" "$(wrk_errors)" "$WRK_connect" \
        "$(cpu_us_per_request $((ticks_after - ticks_before)) "$WRK_requests")" \
        "$(front_end_memory_kb "$name" "$SERVER_PID" VmRSS)" "$(front_end_memory_kb "$name" "$SERVER_PID" VmHWM)" \
        "$signalled × $how in ${DURATION_SECONDS}s; serving after: $still_serving"
    printf '    %-9s %-18s %8s req/s  max wait %s ms  errors %s  refused %s  serving after: %s\n' "$name" restart \
        "$(wrk_rate)" "$(wrk_ms "$WRK_max_us")" "$(wrk_errors)" "$WRK_connect" "$still_serving" >&2
}

scenario_restart() {
    local round name kind
    for round in $(seq 1 "$ROUNDS"); do
        log "restart: round $round of $ROUNDS ($RESTARTS restarts under load per server)"
        for name in "${ALL_SERVERS[@]}"; do
            # The lifecycle case: spawned php-cgi backends are stopped and respawned by the restart.
            # nginx cannot spawn, so its reload runs in front of the PHP-FPM pool, for reference.
            kind=spawned
            [ "$name" = nginx ] && kind=fpm
            with_server restart "$name" "$kind" "$round" measure_restart "$name" "$round"
        done
    done
}

# What each restart costs the clients, measured by lib/RestartProbe.java: one line per restart in
# RESTART_TSV (longest completion gap, extra latency, failures, closed keep-alive connections,
# old children exited, first answer from a new child).
run_restart_probe() {
    local name=$1 kind=$2 round=$3 restarts=$4 interval_ms=$5
    timeout --foreground -k 5 $((WARMUP_SECONDS + restarts * interval_ms / 1000 + 30)) \
        "$JAVA_BIN" "$BENCH_DIR/lib/RestartProbe.java" run "$(server_url "$name" /restart.php)" "$SERVER_PID" \
        "$RESTART_GAP_CONNECTIONS" $((WARMUP_SECONDS * 1000)) "$restarts" "$interval_ms" "$name ($kind)" "$round" \
        >>"$RESTART_TSV" 2>>"$RUN_DIR/logs/restart-probe.txt"
    [ "$name" = gatehouse ] && gatehouse_restart_steps "$name ($kind)" "$round"
    return 0
}

# gatehouse's own account of each restart of the server just measured, from its error log (the
# server's stderr): drain and stop step durations, and when the last old child was reaped, the
# new children were spawned and the gate opened, in ms from the restart's request. One line per
# restart in RESTART_STEPS_TSV: LABEL ROUND K DRAIN STOP REAPED SPAWNED GATE TOOK.
gatehouse_restart_steps() {
    local label=$1 round=$2
    awk -v label="$label" -v round="$round" '
        BEGIN { drain = "-"; stop = "-" }
        # "... (384 ms)" at the end of a step line
        function step_ms(line) { sub(/ ms\)$/, "", line); sub(/.*\(/, "", line); return line }
        # "WHAT at 455 ms" inside the last line of a restart
        function at(line, what,   from) {
            from = index(line, what " at ")
            if (from == 0) return "-"
            line = substr(line, from + length(what) + 4)
            sub(/ ms.*/, "", line)
            return line
        }
        / step 3\/7 drain: / { drain = step_ms($0) }
        / step 4\/7 stop the old backends: / { stop = step_ms($0) }
        /\(restart\) generation [0-9]+ serving; restart took / {
            took = substr($0, index($0, "restart took ") + 13)
            sub(/ ms.*/, "", took)
            printf "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", label, round, ++k, drain, stop,
                at($0, "old children reaped"), at($0, "new children spawned"), at($0, "gate opened"), took
            drain = "-"; stop = "-"
        }
    ' "$SERVER_LOG" >>"$RESTART_STEPS_TSV"
}

# RESTART_GAP_KINDS (environment) narrows the backends restarted: "spawned", "fpm" or both (default).
scenario_restart_gap() {
    local round name kind
    for round in $(seq 1 "$ROUNDS"); do
        for kind in ${RESTART_GAP_KINDS:-spawned fpm}; do
            log "restart-gap: round $round of $ROUNDS, $kind backends ($RESTART_GAP_RESTARTS restarts per server)"
            for name in "${SPAWNING_SERVERS[@]}"; do
                with_server restart-gap "$name" "$kind" "$round" \
                    run_restart_probe "$name" "$kind" "$round" "$RESTART_GAP_RESTARTS" "$RESTART_GAP_INTERVAL_MS"
            done
        done
    done
}

# Descriptors, threads, RSS (kB) of PID and the socket files in RUN_DIR, as "fds threads rss sockets".
soak_figures() {
    local pid=$1
    printf '%s %s %s %s\n' "$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)" \
        "$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")" \
        "$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")" \
        "$(find "$RUN_DIR" -maxdepth 1 -type s | wc -l)"
}

# gatehouse only: RESTART_SOAK_COUNT restarts in a row under load; nothing may grow.
measure_restart_soak() {
    local before after
    before=$(soak_figures "$SERVER_PID")
    run_restart_probe gatehouse "spawned, soak" 1 "$RESTART_SOAK_COUNT" "$RESTART_SOAK_INTERVAL_MS"
    sleep 2
    after=$(soak_figures "$SERVER_PID")
    printf '%s\t%s\n' "$before" "$after" >>"$SOAK_TSV"
}

scenario_restart_soak() {
    log "restart-soak: $RESTART_SOAK_COUNT restarts of gatehouse under load"
    with_server restart-soak gatehouse spawned 1 measure_restart_soak
}

# Exec to the first proxied 200, STARTUP_REPEATS times per server, alternating.
scenario_startup() {
    local rep name kind scenario servers ticks ms
    for kind in fpm spawned; do
        scenario=startup
        servers=("${ALL_SERVERS[@]}")
        if [ "$kind" = spawned ]; then
            scenario=startup-spawned
            servers=("${SPAWNING_SERVERS[@]}")
        fi
        log "$scenario: $STARTUP_REPEATS starts per server"
        for rep in $(seq 1 "$STARTUP_REPEATS"); do
            for name in "${servers[@]}"; do
                if ! start_server "$name" "$kind" "$scenario-$rep" || ! wait_ready "$name" "$START_US"; then
                    record_failure "$scenario" "$name" "$rep" "did not start"
                else
                    ticks=$(front_end_cpu_ticks "$name" "$SERVER_PID")
                    ms=$(awk -v us="$READY_US" 'BEGIN { printf "%.1f\n", us / 1000 }')
                    record "$scenario" "$name" "$rep" - - "$ms" - "$ms" 0 0 \
                        "$(awk -v t="$ticks" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f\n", t * 1000000 / hz }')" \
                        "$(front_end_memory_kb "$name" "$SERVER_PID" VmRSS)" \
                        "$(front_end_memory_kb "$name" "$SERVER_PID" VmHWM)" \
                        "p50/max = ms from exec to first 200; CPU = µs until then ($((1000 / CLK_TCK)) ms ticks)"
                    printf '    %-9s %-18s %8s ms to first 200\n' "$name" "$scenario" "$ms" >&2
                fi
                stop_server
            done
        done
    done
    not_applicable startup-spawned nginx "n/a: nginx cannot spawn backends"
}
