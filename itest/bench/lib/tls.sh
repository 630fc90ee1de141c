# The TLS scenarios: https-hello, https-hello-no-keepalive and h2-hello. Sourced by run.sh.
#
# The three servers serve hello.php through the same PHP-FPM pool as `hello`, on one certificate
# and key made for the run (ECDSA P-256, or RSA 2048 with --tls-key rsa). gatehouse and lighttpd
# read RUN_DIR/https.conf (fpm.conf with templates/tls.conf.in appended: an HTTPS listener on
# TLS_PORT beside the plain one), nginx reads RUN_DIR/nginx-https.conf (nginx.conf with
# templates/nginx-tls.conf.in spliced into its server block: HTTPS and HTTP/2 on NGINX_TLS_PORT).
# Readiness is checked on the plain port as for every scenario, then over TLS.
#
# Globals set by run.sh: TLS_PORT, NGINX_TLS_PORT, TLS_KEY_TYPE, H2LOAD, OPENSSL.

# h2-hello: 64 streams in flight as 8 connections × 8 streams, because lighttpd and gatehouse
# allow 8 concurrent streams per connection (nginx 128): more per connection would queue in
# h2load for two of the three servers.
readonly H2_CONNECTIONS=8
readonly H2_STREAMS=8
# A TLS listener may come up a moment after the plain one: probes this many times, 0.1 s apart.
readonly TLS_PROBE_TRIES=20

TLS_CERT=""
TLS_KEY=""
NO_RESUMPTION_SO=""
# "" until prepare_tls ran, then "yes" or why the TLS scenarios cannot run.
TLS_STATE=""

# The URL of PATH on server NAME's HTTPS listener.
tls_url() {
    if [ "$1" = nginx ]; then
        echo "https://127.0.0.1:$NGINX_TLS_PORT$2"
    else
        echo "https://127.0.0.1:$TLS_PORT$2"
    fi
}

# A self-signed certificate and its key for 127.0.0.1 in RUN_DIR: ECDSA P-256 (what certbot
# issues by default since 2.0) or RSA 2048 (TLS_KEY_TYPE rsa).
make_certificate() {
    local key_spec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
    [ "$TLS_KEY_TYPE" = rsa ] && key_spec=(-newkey rsa:2048)
    "$OPENSSL" req -x509 "${key_spec[@]}" -sha256 -nodes -days 30 -subj /CN=localhost \
        -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' -keyout "$TLS_KEY" -out "$TLS_CERT" \
        >"$RUN_DIR/logs/tls-certificate.txt" 2>&1
}

# https.conf and nginx-https.conf from the plain configs and the TLS templates. Returns 1 if the
# splice point (nginx.conf's one plain listen line) is not there exactly once.
write_tls_configs() {
    render_template tls.conf
    cat "$RUN_DIR/fpm.conf" "$RUN_DIR/tls.conf" >"$RUN_DIR/https.conf"
    render_template nginx-tls.conf
    awk -v snippet="$RUN_DIR/nginx-tls.conf" '
        { print }
        /^[ \t]*listen 127\.0\.0\.1:[0-9]+;[ \t]*$/ {
            while ((getline line < snippet) > 0) print line
            spliced++
        }
        END { exit spliced == 1 ? 0 : 1 }' "$RUN_DIR/nginx.conf" >"$RUN_DIR/nginx-https.conf"
}

# Once per run, before the first TLS scenario: the certificate, the configs, and the client shim
# that keeps wrk from resuming sessions (lib/no_tls_resumption.c, built with cc). Sets
# TLS_STATE; returns 1 (with the reason in TLS_STATE) if the TLS scenarios cannot run.
prepare_tls() {
    [ -n "$TLS_STATE" ] && { [ "$TLS_STATE" = yes ]; return; }
    TLS_CERT="$RUN_DIR/tls-cert.pem"
    TLS_KEY="$RUN_DIR/tls-key.pem"
    if [ -z "$OPENSSL" ] || ! make_certificate; then
        TLS_STATE="no certificate: openssl req failed (logs/tls-certificate.txt)"
    elif ! write_tls_configs; then
        TLS_STATE="nginx.conf has no single 'listen 127.0.0.1:PORT;' line to add the TLS listener after"
    else
        TLS_STATE=yes
    fi
    if [ "$TLS_STATE" = yes ]; then
        NO_RESUMPTION_SO="$RUN_DIR/no_tls_resumption.so"
        if ! cc -shared -fPIC -O2 -o "$NO_RESUMPTION_SO" "$BENCH_DIR/lib/no_tls_resumption.c" -ldl \
                >"$RUN_DIR/logs/no-tls-resumption-build.txt" 2>&1; then
            warn "could not build lib/no_tls_resumption.c (logs/no-tls-resumption-build.txt): https-hello-no-keepalive cannot run"
            NO_RESUMPTION_SO=""
        fi
        return 0
    fi
    warn "TLS scenarios: $TLS_STATE"
    return 1
}

# Records a failed round of SCENARIO for each server, for REASON (default: the TLS set-up's).
tls_unavailable() {
    local scenario=$1 reason=${2:-$TLS_STATE} name
    for name in "${TLS_SERVERS[@]}"; do
        record_failure "$scenario" "$name" 1 "$reason"
    done
}

# True when server NAME answers hello.php over TLS with 200 "hello" in HTTP version VERSION
# (1.1 or 2, curl's %{http_version}); else sets TLS_PROBLEM to what came instead.
tls_serving() {
    local name=$1 version=$2 flag=--http1.1 reply="" tries=0
    [ "$version" = 2 ] && flag=--http2
    while [ "$tries" -lt "$TLS_PROBE_TRIES" ]; do
        reply=$(curl -sk "$flag" -m "$PROBE_TIMEOUT_SECONDS" -w '\n%{http_code} HTTP/%{http_version}' \
            "$(tls_url "$name" /hello.php)" 2>/dev/null) || reply=$'\n000 -'
        [ "$reply" = $'hello\n200 HTTP/'"$version" ] && return 0
        tries=$((tries + 1))
        sleep 0.1
    done
    TLS_PROBLEM="over TLS: ${reply//$'\n'/ } instead of hello, 200 HTTP/$version"
    return 1
}

# What server NAME negotiates with an OpenSSL client on its defaults (as wrk's): "TLSv1.3
# TLS_AES_256_GCM_SHA384 X25519".
tls_negotiated() {
    local port=$TLS_PORT
    [ "$1" = nginx ] && port=$NGINX_TLS_PORT
    timeout 5 "$OPENSSL" s_client -connect "127.0.0.1:$port" -brief </dev/null 2>&1 | awk -F': ' '
        $1 == "Protocol version" { protocol = $2 }
        $1 == "Ciphersuite" { cipher = $2 }
        $1 == "Server Temp Key" { split($2, k, ","); group = k[1] }
        END { print (protocol == "" ? "TLS: no handshake" : protocol " " cipher " " group) }'
}

# Runs h2load on URL for at most LIMIT seconds with ARGS after the common ones (2 threads, the
# same 5 s inactivity limit as wrk's timeout), into OUT, with its per-request log in OUT.log.
run_h2load() {
    local limit=$1 out=$2 url=$3
    shift 3
    timeout --foreground -k 5 "$limit" \
        nice -n "$CLIENT_NICE" "$H2LOAD" -t2 -N "${WRK_TIMEOUT_SECONDS}s" --log-file="$out.log" "$@" "$url" >"$out" 2>&1
}

# Reads h2load's summary in FILE into H2_* variables: rate (its req/s), succeeded, failed (every
# request without a 2xx/3xx answer, errored and timed out included), the TLS parameters and the
# application protocol. Returns 1 if the summary is missing.
parse_h2load() {
    local line
    line=$(grep -m 1 '^finished in ' "$1") || return 1
    H2_rate=$(printf '%s\n' "$line" | awk '{ printf "%.0f\n", $4 }')
    line=$(grep -m 1 '^requests: ' "$1") || return 1
    H2_succeeded=$(printf '%s\n' "$line" | awk '{ print $8 }')
    H2_failed=$(printf '%s\n' "$line" | awk '{ print $10 }')
    H2_tls=$(awk -F': ' '$1 == "TLS Protocol" { p = $2 } $1 == "Cipher" { c = $2 }
        $1 == "Server Temp Key" { split($2, k, " "); g = k[1] } END { print p " " c " " g }' "$1")
    H2_alpn=$(awk -F': ' '$1 == "Application protocol" { print $2; exit }' "$1")
}

# p50, p99 and max in ms of the answered requests in h2load's per-request log FILE (its third
# column: µs from sending the request to the end of the response), as "p50 p99 max"; "- - -" if none.
h2load_latencies() {
    awk -F'\t' '$2 != -1 { print $3 }' "$1" 2>/dev/null | sort -n | awk '
        { v[NR] = $1 }
        END {
            if (NR == 0) { print "- - -"; exit }
            printf "%.2f %.2f %.2f\n", v[int((NR * 50 + 99) / 100)] / 1000, v[int((NR * 99 + 99) / 100)] / 1000, v[NR] / 1000
        }'
}

# One measured h2load run against the running server NAME: the front end's CPU right before
# and after, then one line in RESULTS_TSV with NOTE after the TLS parameters. Returns 1 if h2load
# left no summary.
measure_h2load() {
    local scenario=$1 name=$2 round=$3 note=$4 limit=$5 out=$6 url=$7 latencies
    shift 7
    ticks_around_load "$scenario" "$name" h2load "$out" run_h2load "$limit" "$out" "$url" "$@"
    if ! parse_h2load "$out"; then
        record_failure "$scenario" "$name" "$round" "no h2load summary"
        return 1
    fi
    read -r -a latencies <<<"$(h2load_latencies "$out.log")"
    record "$scenario" "$name" "$round" "$H2_rate" req/s "${latencies[0]}" "${latencies[1]}" "${latencies[2]}" \
        "$H2_failed" - "$(cpu_us_per_request "$LOAD_TICKS" "$H2_succeeded")" \
        "$(front_end_memory_kb "$name" "$SERVER_PID" VmRSS)" \
        "$(front_end_memory_kb "$name" "$SERVER_PID" VmHWM)" "$H2_tls, $H2_alpn; $note"
    printf '    %-9s %-24s %8s req/s  p99 %6s ms  errors %s\n' "$name" "$scenario" "$H2_rate" \
        "${latencies[1]}" "$H2_failed" >&2
}

# https-hello: hello's wrk load (keep-alive, HELLO_CONNECTIONS) over HTTPS.
https_hello_load() {
    local name=$1 round=$2
    if ! tls_serving "$name" 1.1; then
        record_failure https-hello "$name" "$round" "$TLS_PROBLEM"
        return 0
    fi
    measure_load https-hello "$name" "$round" "$HELLO_CONNECTIONS" "$WARMUP_SECONDS" \
        "$(tls_url "$name" /hello.php)" "$(tls_negotiated "$name"); wrk, keep-alive"
}

scenario_https_hello() {
    prepare_tls || { tls_unavailable https-hello; return 0; }
    ROUND_SERVERS="${TLS_SERVERS[*]}" each_server_each_round https-hello https "" https_hello_load
}

# Whether the server at URL offers sessions to resume, from a 2 s wrk run with the no-resumption
# shim (2 connections, a new one per request): "full handshakes (resumption offered, not used)"
# or "full handshakes (no resumption offered in a 2 s check)". Returns 1 if the shim did not
# report: it was not loaded, and wrk's handshakes would be resumed ones.
resumption_offered() {
    local url=$1 out=$2 dropped
    WRK_PRELOAD=$NO_RESUMPTION_SO WRK_HEADER="Connection: close" run_wrk "$url" 2 2 "$out" || true
    dropped=$(awk '$1 == "no_tls_resumption:" { print $3; exit }' "$out")
    [ -n "$dropped" ] || return 1
    if [ "$dropped" -gt 0 ]; then
        echo "full handshakes (resumption offered, not used)"
    else
        echo "full handshakes (no resumption offered in a 2 s check)"
    fi
}

# https-hello-no-keepalive: hello's wrk load with "Connection: close", so one request per TLS
# connection, and every handshake a full one: wrk resumes its last session on reconnecting,
# lib/no_tls_resumption.c (preloaded) drops it.
handshake_load() {
    local name=$1 round=$2 scenario=https-hello-no-keepalive url note
    if ! tls_serving "$name" 1.1; then
        record_failure "$scenario" "$name" "$round" "$TLS_PROBLEM"
        return 0
    fi
    url=$(tls_url "$name" /hello.php)
    if ! note=$(resumption_offered "$url" "$RUN_DIR/logs/wrk-$scenario-$name-$round.txt.shim"); then
        record_failure "$scenario" "$name" "$round" "the no-resumption shim did not report: handshakes would be resumed"
        return 0
    fi
    WRK_PRELOAD=$NO_RESUMPTION_SO WRK_HEADER="Connection: close" WRK_UNIT=handshakes/s \
        measure_load "$scenario" "$name" "$round" "$HELLO_CONNECTIONS" "$WARMUP_SECONDS" "$url" \
        "$(tls_negotiated "$name"); wrk, Connection: close, $note"
}

scenario_https_hello_no_keepalive() {
    prepare_tls || { tls_unavailable https-hello-no-keepalive; return 0; }
    if [ -z "$NO_RESUMPTION_SO" ]; then
        tls_unavailable https-hello-no-keepalive "lib/no_tls_resumption.c did not build"
        return 0
    fi
    ROUND_SERVERS="${TLS_SERVERS[*]}" each_server_each_round https-hello-no-keepalive https " (a full handshake per request)" handshake_load
}

# h2-hello: HTTP/2 over TLS (ALPN h2), H2_CONNECTIONS × H2_STREAMS streams, after a warm-up of
# the same shape.
h2_load() {
    local name=$1 round=$2 scenario=h2-hello url out shape
    if ! tls_serving "$name" 2; then
        record_failure "$scenario" "$name" "$round" "$TLS_PROBLEM"
        return 0
    fi
    url=$(tls_url "$name" /hello.php)
    out="$RUN_DIR/logs/h2load-$scenario-$name-$round.txt"
    shape=(-c "$H2_CONNECTIONS" -m "$H2_STREAMS")
    run_h2load $((WARMUP_SECONDS + WRK_OVERRUN_SECONDS)) "$out.warmup" "$url" "${shape[@]}" -D "$WARMUP_SECONDS" || true
    measure_h2load "$scenario" "$name" "$round" "h2load -c$H2_CONNECTIONS -m$H2_STREAMS" \
        $((DURATION_SECONDS + WRK_OVERRUN_SECONDS)) "$out" "$url" "${shape[@]}" -D "$DURATION_SECONDS" || return 1
    if [ "$H2_alpn" != h2 ]; then
        warn "$scenario: h2load spoke '$H2_alpn' with $name, not h2"
    fi
}

scenario_h2_hello() {
    prepare_tls || { tls_unavailable h2-hello; return 0; }
    if [ -z "$H2LOAD" ]; then
        tls_unavailable h2-hello "h2load (nghttp2-client) is not installed"
        return 0
    fi
    ROUND_SERVERS="${TLS_SERVERS[*]}" each_server_each_round h2-hello https " ($H2_CONNECTIONS connections × $H2_STREAMS streams)" h2_load
}

# The results file's line about the TLS scenarios, when one of them ran.
describe_tls() {
    [ -n "$TLS_STATE" ] || return 0
    local key="ECDSA P-256"
    [ "$TLS_KEY_TYPE" = rsa ] && key="RSA 2048"
    echo "- TLS: one self-signed $key certificate for all three servers; $("$OPENSSL" version | awk '{ print $1, $2 }'); h2load: $(first_line "${H2LOAD:-h2load}" --version | awk '{ print $2 }'), -t2"
}
