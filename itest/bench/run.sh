#!/usr/bin/env bash
# gatehouse side by side with lighttpd and nginx in front of the same PHP backends, on this
# machine, in one run: builds gatehouse, installs the peers when missing, runs each scenario for
# the three servers in alternation, and prints one markdown table of medians with gatehouse/peer
# ratios, also written to itest/bench/results/. See itest/bench/README.md.
#
#   itest/bench/run.sh [--quick] [--scenario NAME]... [--jmh | --jmh-only] [--no-build] [--tls-key ecdsa|rsa]
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/../.." && pwd)
readonly BENCH_DIR REPO_DIR

# shellcheck source=lib/common.sh
. "$BENCH_DIR/lib/common.sh"
# shellcheck source=lib/procstat.sh
. "$BENCH_DIR/lib/procstat.sh"
# shellcheck source=lib/servers.sh
. "$BENCH_DIR/lib/servers.sh"
# shellcheck source=lib/measure.sh
. "$BENCH_DIR/lib/measure.sh"
# shellcheck source=lib/scenarios.sh
. "$BENCH_DIR/lib/scenarios.sh"
# shellcheck source=lib/tls.sh
. "$BENCH_DIR/lib/tls.sh"

readonly SCENARIOS=(hello hello-no-keepalive hello-spawned scgi-hello uwsgi-hello concurrency pages upload download
    restart restart-gap restart-soak startup
    https-hello https-hello-no-keepalive h2-hello)
# 1024 client connections, each proxied one with a backend connection, plus the servers' own.
readonly MIN_OPEN_FILES=8192
# gatehouse and lighttpd read the same config file, so they share a port (never at the same time).
readonly SHARED_PORT=18080
readonly NGINX_PORT=18081
# The TLS scenarios' HTTPS listeners, beside the plain ones above (lib/tls.sh).
readonly TLS_PORT=18443
readonly NGINX_TLS_PORT=18444
# Debian's uwsgi-plugin-python3 (uwsgi-core alone cannot run a WSGI app).
readonly UWSGI_PYTHON3_PLUGIN=/usr/lib/uwsgi/plugins/python3_plugin.so
# Debian's lighttpd-mod-openssl (lighttpd alone has no TLS there).
readonly LIGHTTPD_MOD_OPENSSL=/usr/lib/lighttpd/mod_openssl.so
# Five benchmarks take about a minute with the full settings; far beyond that, JMH is stuck.
readonly JMH_TIMEOUT_SECONDS=900

usage() {
    cat <<EOF
usage: itest/bench/run.sh [options]

  --quick            1 round, 2 s warm-up, 3 s loads, 1 transfer, 3 starts (checks the harness)
  --scenario NAME    run only NAME (repeatable): ${SCENARIOS[*]}
  --jmh              also build and run the JMH codec microbenchmarks and append their table
  --jmh-only         only the JMH microbenchmarks
  --no-build         use the gatehouse.jar already built
  --keep-logs DIR    copy the servers' and wrk's logs to DIR before the temp files go
  --rounds N         rounds per scenario (default 3; median reported)
  --duration S       seconds of each measured load (default 10)
  --warmup S         seconds of load before each measurement (default 15; the JIT needs longer
                     for TLS and HTTP/2 on a busy machine)
  --transfer-warmups N
                     unmeasured transfers before the measured ones of upload and download: at
                     least N (default 10), and more until --warmup's seconds have passed (the
                     first one's time is recorded beside the measured ones)
  --tls-key TYPE     the TLS scenarios' certificate key: ecdsa (P-256, the default) or rsa (2048 bits)
  --tls-engines      the TLS scenarios also run gatehouse-openssl (gatehouse with
                     -Dgatehouse.tls-engine=openssl) in the same rounds, as a fourth server
  --client-nice N    run wrk and h2load at niceness N (default 0), e.g. -5 to put them ahead of
                     the servers and backends they share the cores with
  -h, --help         this help

Environment: GATEHOUSE_JAVA_OPTS  more JVM options for gatehouse, after bin/gatehouse's own (so they win)
             GATEHOUSE_JAVA       the java gatehouse runs on (default: java on the PATH, which runs the harness)
EOF
}

ROUNDS=3
# The JVM compiles the hot paths during the first ~10 s under load: measure after that.
WARMUP_SECONDS=15
DURATION_SECONDS=10
TRANSFERS=3
# A 100 MiB transfer is a few thousand reads and writes: the JIT needs several before its code is
# compiled, as a request scenario needs its 15 s of load.
TRANSFER_WARMUPS=10
RESTARTS=2
RESTART_GAP_RESTARTS=4
STARTUP_REPEATS=5
JMH_ARGS=(-f 1 -wi 2 -i 3 -w 2s -r 2s)
QUICK=0
BUILD=1
RUN_JMH=0
RUN_LOAD=1
KEEP_LOGS=""
SELECTED=()
TLS_KEY_TYPE=ecdsa
# The servers of the TLS scenarios (--tls-engines adds gatehouse on BoringSSL).
TLS_SERVERS=(gatehouse lighttpd nginx)
# The load generators' niceness. On a shared machine a wrk thread left waiting for a CPU behind
# PHP's workers (measured: 60-130 ms at a time, at 20 KiB pages and 64 connections) adds its wait
# to every request it has in flight, which is not the server's; a negative niceness avoids that,
# but moves every other figure too (HISTORY.md, 2026-12-06), so it is not the default.
CLIENT_NICE=0

while [ $# -gt 0 ]; do
    case "$1" in
        --quick)
            QUICK=1 ROUNDS=1 WARMUP_SECONDS=2 DURATION_SECONDS=3 TRANSFERS=1 TRANSFER_WARMUPS=1 RESTARTS=1 RESTART_GAP_RESTARTS=2 STARTUP_REPEATS=3
            JMH_ARGS=(-f 1 -wi 1 -i 2 -w 1s -r 1s)
            ;;
        --scenario)
            [ $# -ge 2 ] || die "--scenario needs a name: ${SCENARIOS[*]}"
            [[ " ${SCENARIOS[*]} " == *" $2 "* ]] || die "unknown scenario '$2' (known: ${SCENARIOS[*]})"
            SELECTED+=("$2")
            shift
            ;;
        --jmh) RUN_JMH=1 ;;
        --jmh-only) RUN_JMH=1 RUN_LOAD=0 ;;
        --no-build) BUILD=0 ;;
        --tls-engines) TLS_SERVERS=(gatehouse gatehouse-openssl lighttpd nginx) ;;
        --keep-logs)
            [ -n "${2:-}" ] || die "--keep-logs needs a directory"
            KEEP_LOGS=$2
            shift
            ;;
        --client-nice)
            [[ "${2:-}" =~ ^-?[0-9]{1,2}$ ]] && [ "$2" -ge -20 ] && [ "$2" -le 19 ] \
                || die "--client-nice needs -20..19, got '${2:-}'"
            CLIENT_NICE=$2
            shift
            ;;
        --rounds)
            [[ "${2:-}" =~ ^[1-9][0-9]?$ ]] || die "--rounds needs 1..99, got '${2:-}'"
            ROUNDS=$2
            shift
            ;;
        --duration)
            [[ "${2:-}" =~ ^[1-9][0-9]{0,2}$ ]] || die "--duration needs 1..999 seconds, got '${2:-}'"
            DURATION_SECONDS=$2
            shift
            ;;
        --warmup)
            [[ "${2:-}" =~ ^[1-9][0-9]{0,2}$ ]] || die "--warmup needs 1..999 seconds, got '${2:-}'"
            WARMUP_SECONDS=$2
            shift
            ;;
        --transfer-warmups)
            [[ "${2:-}" =~ ^[1-9][0-9]?$ ]] || die "--transfer-warmups needs 1..99, got '${2:-}'"
            TRANSFER_WARMUPS=$2
            shift
            ;;
        --tls-key)
            [[ "${2:-}" =~ ^(ecdsa|rsa)$ ]] || die "--tls-key needs ecdsa or rsa, got '${2:-}'"
            TLS_KEY_TYPE=$2
            shift
            ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown option '$1'" ;;
    esac
    shift
done
[ "${#SELECTED[@]}" -gt 0 ] || SELECTED=("${SCENARIOS[@]}")

trap cleanup EXIT
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM

install_peers() {
    local missing=()
    command -v lighttpd >/dev/null || [ -x /usr/sbin/lighttpd ] || missing+=(lighttpd)
    command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
    compgen -G '/usr/sbin/php-fpm*' >/dev/null || missing+=(php-fpm)
    command -v php-cgi >/dev/null || missing+=(php-cgi)
    command -v wrk >/dev/null || missing+=(wrk)
    command -v curl >/dev/null || missing+=(curl)
    command -v uwsgi-core >/dev/null || missing+=(uwsgi-core)
    [ -f "$UWSGI_PYTHON3_PLUGIN" ] || missing+=(uwsgi-plugin-python3)
    # Building the readiness probe and the TLS client shim.
    command -v cc >/dev/null || missing+=(gcc)
    [ -f /usr/include/dlfcn.h ] || missing+=(libc6-dev)
    # The TLS scenarios: lighttpd's TLS module, h2load, the certificate.
    [ -f "$LIGHTTPD_MOD_OPENSSL" ] || missing+=(lighttpd-mod-openssl)
    command -v h2load >/dev/null || missing+=(nghttp2-client)
    command -v openssl >/dev/null || missing+=(openssl)
    [ "${#missing[@]}" -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}: run as root to install them, or install: apt-get install ${missing[*]}"
    log "installing ${missing[*]}"
    # Package scripts must not start lighttpd, nginx or php-fpm services on their default ports.
    if [ ! -e "$POLICY_RC" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$POLICY_RC"
        chmod 755 "$POLICY_RC"
        POLICY_RC_CREATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null
    if [ "$POLICY_RC_CREATED" -eq 1 ]; then
        rm -f "$POLICY_RC"
        POLICY_RC_CREATED=0
    fi
}

# What bin/gatehouse runs the JVM with, for the report's header.
launcher_settings() {
    echo "Serial GC, heap ${GATEHOUSE_HEAP:-96m}, half of it young, libc binding through reflection"
}

find_tools() {
    JAVA_BIN=$(command -v java) || die "java not found on PATH"
    GATEHOUSE_JAVA=${GATEHOUSE_JAVA:-$JAVA_BIN}
    LIGHTTPD=$(command -v lighttpd || echo /usr/sbin/lighttpd)
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
    PHP_FPM=$(compgen -G '/usr/sbin/php-fpm*' | sort -V | tail -n 1)
    PHP_CGI=$(command -v php-cgi)
    UWSGI=$(command -v uwsgi-core || true)
    H2LOAD=$(command -v h2load || true)
    OPENSSL=$(command -v openssl || true)
    JAR="$REPO_DIR/proxy-core/target/gatehouse.jar"
}

build_gatehouse() {
    local build_log="$RUN_DIR/logs/build.txt"
    log "building gatehouse (mvn install, tests skipped)"
    # Offline first (a warm local repository needs nothing else); online if something is missing.
    if ! (cd "$REPO_DIR" && { mvn -B -q -o install -DskipTests || mvn -B -q install -DskipTests; }) \
            >"$build_log" 2>&1; then
        tail -n 40 "$build_log" >&2
        die "the gatehouse build failed (its output is above)"
    fi
}

raise_open_files() {
    local hard
    hard=$(ulimit -Hn)
    if [ "$(ulimit -Sn)" != unlimited ] && [ "$(ulimit -Sn)" -lt "$MIN_OPEN_FILES" ]; then
        if [ "$hard" = unlimited ] || [ "$hard" -ge "$MIN_OPEN_FILES" ]; then
            ulimit -Sn "$MIN_OPEN_FILES"
        else
            ulimit -Sn "$hard"
            warn "open files limited to $hard (want $MIN_OPEN_FILES): 1024 connections may fail for that reason"
        fi
    fi
}

first_line() { "$@" 2>&1 | head -n 1 || true; }

describe_run() {
    local mem_kb cpu uwsgi_version="not installed"
    mem_kb=$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)
    [ -n "$UWSGI" ] && uwsgi_version=$(first_line "$UWSGI" --version)
    cpu=$(awk -F': ' '$1 ~ /^model name/ { print $2; exit }' /proc/cpuinfo)
    cat <<EOF
- date: $(date -u '+%Y-%m-%d %H:%M UTC')
- machine: $(hostname), $(nproc) cores (${cpu:-unknown CPU}), $((mem_kb / 1024)) MiB memory, kernel $(uname -r)
- load average at start: $LOAD_AT_START; at end: $(cut -d' ' -f1-3 /proc/loadavg)
- java: $(first_line "$GATEHOUSE_JAVA" -version); gatehouse started by bin/gatehouse ($(launcher_settings))${GATEHOUSE_JAVA_OPTS:+, plus $GATEHOUSE_JAVA_OPTS}
- gatehouse: $(first_line "$GATEHOUSE_JAVA" -jar "$JAR" -v) ($(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo "no git")$(GIT_OPTIONAL_LOCKS=0 git -C "$REPO_DIR" diff --quiet HEAD 2>/dev/null || echo ", uncommitted changes"))
- lighttpd: $(first_line "$LIGHTTPD" -v); nginx: $(first_line "$NGINX" -v | sed 's/^nginx version: //'), worker_processes auto
- php: $(first_line "$PHP_FPM" -v), $(first_line "$PHP_CGI" -v); 4 PHP workers (PHP-FPM pm = static; php-cgi PHP_FCGI_CHILDREN=4)
- uWSGI: $uwsgi_version, python3 plugin, $UWSGI_WORKERS workers, for scgi-hello and uwsgi-hello; $(first_line python3 --version)
- wrk: $(first_line wrk -v | awk '{ print $2 }'), -t2; curl: $(first_line curl --version | awk '{ print $2 }')
- settings: $ROUNDS round(s), ${WARMUP_SECONDS}s warm-up + ${DURATION_SECONDS}s measured per load, hello at $HELLO_CONNECTIONS connections, pages of ${PAGE_SIZES_KB[*]} KiB at ${PAGE_CONNECTIONS[*]} connections, $TRANSFERS × $TRANSFER_MIB MiB per transfer round after at least $TRANSFER_WARMUPS unmeasured and ${WARMUP_SECONDS}s of them, $RESTARTS restart(s) per restart run, $STARTUP_REPEATS starts per server, wrk and h2load at niceness $CLIENT_NICE$([ "$QUICK" -eq 1 ] && echo " (--quick: checks the harness, not a measurement)")
EOF
}

# Builds and runs the JMH microbenchmarks into JMH_TABLE. A failure here is reported in the
# results file instead of ending the run: the load figures taken before it are kept.
run_jmh() {
    local pom="$BENCH_DIR/jmh/pom.xml" csv="$RUN_DIR/jmh.csv"
    log "building the JMH microbenchmarks"
    if ! { mvn -B -q -o -f "$pom" package || mvn -B -q -f "$pom" package; } >"$RUN_DIR/logs/jmh-build.txt" 2>&1; then
        tail -n 40 "$RUN_DIR/logs/jmh-build.txt" >&2
        warn "the JMH build failed (its output is above)"
        JMH_TABLE="JMH build failed: $(grep -m 1 -E 'ERROR|FATAL' "$RUN_DIR/logs/jmh-build.txt" | cut -c1-200)"
        return 0
    fi
    log "running the JMH microbenchmarks (${JMH_ARGS[*]} -prof gc)"
    if ! timeout --foreground -k 10 "$JMH_TIMEOUT_SECONDS" \
            "$JAVA_BIN" -jar "$BENCH_DIR/jmh/target/benchmarks.jar" "${JMH_ARGS[@]}" -prof gc -rf csv -rff "$csv" \
            >"$RUN_DIR/logs/jmh.txt" 2>&1; then
        tail -n 30 "$RUN_DIR/logs/jmh.txt" >&2
        warn "JMH failed (its output is above)"
        JMH_TABLE="JMH failed: $(grep -m 1 -E 'Exception|Error' "$RUN_DIR/logs/jmh.txt" | cut -c1-200)"
        return 0
    fi
    JMH_TABLE=$(awk -f "$BENCH_DIR/lib/jmh-table.awk" "$csv")
}

main() {
    local started_us name results_file suffix=""
    started_us=$(now_us)
    LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
    install_peers
    find_tools
    raise_open_files

    RUN_DIR=$(mktemp -d /tmp/ghb.XXXXXX)
    DOCROOT="$RUN_DIR/www"
    RESULTS_TSV="$RUN_DIR/results.tsv"
    RESTART_TSV="$RUN_DIR/restarts.tsv"
    SOAK_TSV="$RUN_DIR/soak.tsv"
    RESTART_STEPS_TSV="$RUN_DIR/restart-steps.tsv"
    UPLOAD_FILE="$RUN_DIR/upload.bin"
    GATEHOUSE_JAVA_OPTS=${GATEHOUSE_JAVA_OPTS:-}
    : >"$RESULTS_TSV"
    : >"$RESTART_TSV"
    : >"$SOAK_TSV"
    : >"$RESTART_STEPS_TSV"
    prepare_run_dir
    build_ready_probe

    [ "$BUILD" -eq 1 ] && build_gatehouse
    [ -f "$JAR" ] || die "$JAR not found: build gatehouse first (or drop --no-build)"

    if [ "$RUN_LOAD" -eq 1 ]; then
        ensure_php_fpm
        for name in "${SELECTED[@]}"; do
            case "$name" in
                hello) scenario_hello ;;
                hello-no-keepalive) scenario_hello_no_keepalive ;;
                hello-spawned) scenario_hello_spawned ;;
                scgi-hello) scenario_wsgi_hello scgi ;;
                uwsgi-hello) scenario_wsgi_hello uwsgi ;;
                concurrency) scenario_concurrency ;;
                pages) scenario_pages ;;
                upload | download) scenario_transfer "$name" ;;
                restart) scenario_restart ;;
                restart-gap) scenario_restart_gap ;;
                restart-soak) scenario_restart_soak ;;
                startup) scenario_startup ;;
                https-hello) scenario_https_hello ;;
                https-hello-no-keepalive) scenario_https_hello_no_keepalive ;;
                h2-hello) scenario_h2_hello ;;
            esac
        done
        stop_php_fpm
    fi
    JMH_TABLE=""
    [ "$RUN_JMH" -eq 1 ] && run_jmh

    [ "$QUICK" -eq 1 ] && suffix="$suffix-quick"
    if [ "${#SELECTED[@]}" -lt "${#SCENARIOS[@]}" ]; then
        suffix="$suffix-$(IFS=+; echo "${SELECTED[*]}")"
    fi
    [ "$RUN_LOAD" -eq 0 ] && suffix="$suffix-jmh"
    # gatehouse on another JDK than the harness: its directory's name (temurin-25-jdk-amd64) in the file name
    if [ "$(readlink -f "$GATEHOUSE_JAVA")" != "$(readlink -f "$JAVA_BIN")" ]; then
        suffix="$suffix-$(basename "$(dirname "$(dirname "$(readlink -f "$GATEHOUSE_JAVA")")")")"
    fi
    mkdir -p "$BENCH_DIR/results"
    results_file="$BENCH_DIR/results/$(date '+%Y-%m-%d')-$(hostname -s)$suffix.md"
    # A second run of the same scenarios the same day gets a file of its own: -2, -3, ...
    local results_n=2 results_base=${results_file%.md}
    while [ -e "$results_file" ]; do
        results_file="$results_base-$results_n.md"
        results_n=$((results_n + 1))
    done
    {
        echo "# gatehouse vs lighttpd vs nginx — $(date '+%Y-%m-%d') on $(hostname -s)"
        echo
        describe_run
        describe_tls
        echo "- harness run time: $((($(now_us) - started_us) / 1000000)) s"
        if [ "$RUN_LOAD" -eq 1 ] && [ -s "$RESULTS_TSV" ]; then
            echo
            echo "Medians over the rounds; errors and refused connections summed over all rounds. The"
            echo "g÷peer columns are gatehouse's figure divided by that peer's: throughput above 1 means"
            echo "gatehouse is faster; latency, CPU and RSS above 1 mean gatehouse is slower or bigger."
            echo "Load generator, front end and PHP share the cores: compare within one run only."
            echo
            awk -f "$BENCH_DIR/lib/report.awk" "$RESULTS_TSV"
        fi
        if [ -s "$RESTART_TSV" ]; then
            echo
            echo "Restarts (lib/RestartProbe.java; $RESTART_GAP_CONNECTIONS connections on a 50 ms page, 4 PHP"
            echo "workers; per restart, then median / max over the restarts): the longest interval without a"
            echo "completed request, the extra latency of the slowest request over the median before the first"
            echo "restart (each with the same figure before the first restart, for scale; for the extra latency,"
            echo "the worst of the windows there as long as the time between restarts), failed requests,"
            echo "keep-alive connections the server closed, and from the signal to the last old PHP process"
            echo "exited and to the first answer from a new one."
            echo
            "$JAVA_BIN" "$BENCH_DIR/lib/RestartProbe.java" report "$RESTART_TSV"
        fi
        if [ -s "$RESTART_STEPS_TSV" ]; then
            echo
            echo "The same restarts in gatehouse's error log (median / max, ms): how long the drain and the"
            echo "stop of the old backends took, and when the last old child was reaped, the new children"
            echo "were spawned and the gate opened, counted from the restart's request (the signal's config"
            echo "read included)."
            echo
            "$JAVA_BIN" "$BENCH_DIR/lib/RestartProbe.java" steps "$RESTART_STEPS_TSV"
        fi
        if [ -s "$SOAK_TSV" ]; then
            echo
            echo "restart-soak: $RESTART_SOAK_COUNT restarts of gatehouse under load (descriptors, threads, RSS kB,"
            echo "socket files in the run directory), before and 2 s after:"
            echo
            echo "| | fds | threads | RSS kB | socket files |"
            echo "|---|---|---|---|---|"
            awk -F'\t' '{ split($1, b, " "); split($2, a, " ");
                printf "| before | %s | %s | %s | %s |\n| after | %s | %s | %s | %s |\n", b[1], b[2], b[3], b[4], a[1], a[2], a[3], a[4] }' "$SOAK_TSV"
        fi
        if [ -n "$JMH_TABLE" ]; then
            echo
            echo "JMH codec microbenchmarks (${JMH_ARGS[*]} -prof gc):"
            echo
            echo "$JMH_TABLE"
        fi
    } >"$results_file.tmp"
    mv "$results_file.tmp" "$results_file"
    if [ -n "$KEEP_LOGS" ]; then
        mkdir -p "$KEEP_LOGS"
        cp -r "$RUN_DIR/logs/." "$RUN_DIR"/*.conf "$RUN_DIR/results.tsv" "$RESTART_TSV" "$SOAK_TSV" \
            "$RESTART_STEPS_TSV" "$KEEP_LOGS/"
    fi
    echo
    cat "$results_file"
    echo
    log "written to ${results_file#"$REPO_DIR"/}"
}

main
