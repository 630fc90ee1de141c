# Starting and stopping the servers under test and the PHP-FPM pool. Sourced by run.sh.
#
# Globals set by run.sh: BENCH_DIR, REPO_DIR, RUN_DIR, DOCROOT, JAR, JAVA_BIN, GATEHOUSE_JAVA_OPTS,
# LIGHTTPD, NGINX, PHP_FPM, PHP_CGI, SHARED_PORT, NGINX_PORT.

# Longest a server may take from exec to its first proxied answer before the run counts it as failed.
readonly READY_TIMEOUT_SECONDS=30
# One readiness probe may take this long (a server accepting but not answering is not ready).
readonly PROBE_TIMEOUT_SECONDS=2

FPM_SOCKET=""
FPM_PID=""

# Writes templates/NAME.in to RUN_DIR/NAME with the run's paths and ports filled in.
render_template() {
    local name=$1 user_line="" user_lines=""
    if [ "$(id -u)" -eq 0 ]; then
        # As root, nginx workers would run as nobody and PHP-FPM refuses root without a pool user.
        user_line="user root;"
        user_lines=$'user = root\ngroup = root'
    fi
    awk -v port="$SHARED_PORT" -v nginx_port="$NGINX_PORT" -v docroot="$DOCROOT" -v run_dir="$RUN_DIR" \
        -v fpm_socket="$FPM_SOCKET" -v php_cgi="$PHP_CGI" -v user_line="$user_line" \
        -v user_lines="$user_lines" -v name="$name" '
        {
            if (name == "nginx.conf") gsub(/@PORT@/, nginx_port); else gsub(/@PORT@/, port)
            gsub(/@DOCROOT@/, docroot); gsub(/@RUN_DIR@/, run_dir); gsub(/@FPM_SOCKET@/, fpm_socket)
            gsub(/@PHP_CGI@/, php_cgi); gsub(/@USER_LINE@/, user_line); gsub(/@USER_LINES@/, user_lines)
            print
        }' "$BENCH_DIR/templates/$name.in" >"$RUN_DIR/$name"
    if grep -q '@[A-Z_]*@' "$RUN_DIR/$name"; then
        die "template $name.in has a placeholder run.sh does not fill: $(grep -o '@[A-Z_]*@' "$RUN_DIR/$name" | head -n 1)"
    fi
}

prepare_run_dir() {
    mkdir -p "$DOCROOT" "$RUN_DIR/logs" "$RUN_DIR/nginx-client-body" "$RUN_DIR/nginx-fastcgi" \
        "$RUN_DIR/nginx-proxy" "$RUN_DIR/nginx-scgi" "$RUN_DIR/nginx-uwsgi"
    cp "$BENCH_DIR"/www/*.php "$DOCROOT/"
    FPM_SOCKET="$RUN_DIR/php-fpm.sock"
    render_template fpm.conf
    grep -v -e '"keep-alive"' -e '"max-connections"' "$RUN_DIR/fpm.conf" >"$RUN_DIR/fpm-no-keepalive.conf"
    render_template spawned.conf
    render_template nginx.conf
    render_template php-fpm.conf
}

ensure_php_fpm() {
    if [ -n "$FPM_PID" ] && pid_alive "$FPM_PID"; then
        return 0
    fi
    local as_root=() tries=0
    [ "$(id -u)" -eq 0 ] && as_root=(-R)
    "$PHP_FPM" -F "${as_root[@]}" -y "$RUN_DIR/php-fpm.conf" >"$RUN_DIR/logs/php-fpm.out" 2>&1 &
    FPM_PID=$!
    track_pid "$FPM_PID"
    while [ ! -S "$FPM_SOCKET" ]; do
        tries=$((tries + 1))
        if ! pid_alive "$FPM_PID" || [ "$tries" -ge 200 ]; then
            tail -n 20 "$RUN_DIR/logs/php-fpm.out" "$RUN_DIR/php-fpm.log" >&2 2>/dev/null || true
            die "PHP-FPM did not open $FPM_SOCKET within 10 s"
        fi
        sleep 0.05
    done
}

stop_php_fpm() {
    if [ -n "$FPM_PID" ]; then
        stop_tree "$FPM_PID" QUIT
        FPM_PID=""
    fi
}

# The URL of PATH (e.g. /hello.php) on server NAME.
server_url() {
    if [ "$1" = nginx ]; then
        echo "http://127.0.0.1:$NGINX_PORT$2"
    else
        echo "http://127.0.0.1:$SHARED_PORT$2"
    fi
}

# Starts server NAME (gatehouse | lighttpd | nginx) with backend KIND (fpm | spawned |
# fpm-no-keepalive, the last for gatehouse only); sets
# SERVER_PID, SERVER_LOG and START_US (the moment just before the exec). gatehouse and lighttpd read the same file, RUN_DIR/KIND.conf.
start_server() {
    local name=$1 kind=$2 label=$3 port
    port=$SHARED_PORT
    [ "$name" = nginx ] && port=$NGINX_PORT
    wait_port_free "$port" || { warn "port $port is still taken by something else"; return 1; }
    SERVER_LOG="$RUN_DIR/logs/$name-$label.log"
    START_US=$(now_us)
    case "$name" in
        gatehouse)
            # The launcher users run (bin/gatehouse: its heap and GC settings, GATEHOUSE_JAVA_OPTS
            # after them); it execs java, so the background pid is gatehouse's.
            GATEHOUSE_JAVA="$JAVA_BIN" GATEHOUSE_JAR="$JAR" GATEHOUSE_JAVA_OPTS="$GATEHOUSE_JAVA_OPTS" \
                "$REPO_DIR/bin/gatehouse" -D -f "$RUN_DIR/$kind.conf" >"$SERVER_LOG" 2>&1 &
            ;;
        lighttpd)
            "$LIGHTTPD" -D -f "$RUN_DIR/$kind.conf" >"$SERVER_LOG" 2>&1 &
            ;;
        nginx)
            [ "$kind" = fpm ] || { warn "nginx cannot spawn backends"; return 1; }
            "$NGINX" -p "$RUN_DIR/" -e "$RUN_DIR/nginx-error.log" -c "$RUN_DIR/nginx.conf" >"$SERVER_LOG" 2>&1 &
            ;;
        *)
            die "unknown server '$name' (expected gatehouse, lighttpd or nginx)"
            ;;
    esac
    SERVER_PID=$!
    track_pid "$SERVER_PID"
}

# Waits until server NAME answers GET /hello.php with 200 and "hello". Sets READY_US to the
# microseconds since START_US. Returns 1 (and shows the server's log) if it does not in time.
wait_ready() {
    local name=$1 start_us=$2 url deadline body code tries=0
    url=$(server_url "$name" /hello.php)
    deadline=$((start_us + READY_TIMEOUT_SECONDS * 1000000))
    while :; do
        body=$(curl -s -m "$PROBE_TIMEOUT_SECONDS" -w '\n%{http_code}' "$url" 2>/dev/null) || body=$'\n000'
        code=${body##*$'\n'}
        if [ "$code" = 200 ] && [ "${body%$'\n'*}" = hello ]; then
            READY_US=$(($(now_us) - start_us))
            return 0
        fi
        tries=$((tries + 1))
        if ! pid_alive "$SERVER_PID" || [ "$(now_us)" -ge "$deadline" ] || [ "$tries" -ge 20000 ]; then
            warn "$name did not answer $url with 200 \"hello\" within ${READY_TIMEOUT_SECONDS}s (last status $code); its log:"
            tail -n 20 "$SERVER_LOG" >&2 || true
            return 1
        fi
        # The probe is what a startup time is measured with: poll often, but do not spin.
        sleep 0.002
    done
}

# Stops the current server (SIGTERM: all three stop at once and stop their backends).
stop_server() {
    if [ -n "${SERVER_PID:-}" ]; then
        stop_tree "$SERVER_PID" TERM
        SERVER_PID=""
    fi
}
