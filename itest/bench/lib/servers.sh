# Starting and stopping the servers under test and the PHP-FPM pool. Sourced by run.sh.
#
# Globals set by run.sh: BENCH_DIR, REPO_DIR, RUN_DIR, DOCROOT, JAR, JAVA_BIN, GATEHOUSE_JAVA, GATEHOUSE_JAVA_OPTS,
# LIGHTTPD, NGINX, PHP_FPM, PHP_CGI, UWSGI, SHARED_PORT, NGINX_PORT; for the TLS templates
# (lib/tls.sh) TLS_PORT, NGINX_TLS_PORT, TLS_CERT, TLS_KEY.

# Longest a server may take from exec to its first proxied answer before the run counts it as failed.
readonly READY_TIMEOUT_SECONDS=30
# One readiness probe may take this long (a server accepting but not answering is not ready).
readonly PROBE_TIMEOUT_SECONDS=2

FPM_SOCKET=""
FPM_PID=""
UWSGI_PID=""
# The WSGI app's workers: as many as the PHP pool's, so that the backend is shaped alike.
readonly UWSGI_WORKERS=4

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
        -v user_lines="$user_lines" -v name="$name" -v tls_port="${TLS_PORT:-}" \
        -v nginx_tls_port="${NGINX_TLS_PORT:-}" -v tls_cert="${TLS_CERT:-}" -v tls_key="${TLS_KEY:-}" '
        {
            if (name ~ /^nginx/) gsub(/@PORT@/, nginx_port); else gsub(/@PORT@/, port)
            if (name ~ /^nginx/) gsub(/@TLS_PORT@/, nginx_tls_port); else gsub(/@TLS_PORT@/, tls_port)
            gsub(/@TLS_CERT@/, tls_cert); gsub(/@TLS_KEY@/, tls_key)
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
    cp "$BENCH_DIR/www/hello_wsgi.py" "$RUN_DIR/"
    FPM_SOCKET="$RUN_DIR/php-fpm.sock"
    render_template fpm.conf
    grep -v -e '"keep-alive"' -e '"max-connections"' "$RUN_DIR/fpm.conf" >"$RUN_DIR/fpm-no-keepalive.conf"
    render_template spawned.conf
    render_template scgi.conf
    render_template uwsgi.conf
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

# Starts uWSGI with www/hello_wsgi.py on a unix socket speaking PROTOCOL (scgi | uwsgi),
# RUN_DIR/uwsgi-PROTOCOL.sock, the socket scgi.conf / uwsgi.conf and nginx.conf name. A master
# and UWSGI_WORKERS workers; --die-on-term, since uWSGI 2.0 takes SIGTERM as "reload" otherwise.
# Ready once the socket exists and the workers are forked: uWSGI binds the socket before it loads
# the app, and forks the workers only after the app loaded (--need-app exits instead). Returns 1
# (and shows its log) if that does not happen within 10 s.
start_uwsgi() {
    local protocol=$1 socket="$RUN_DIR/uwsgi-$1.sock" socket_option=--scgi-socket tries=0
    [ "$protocol" = uwsgi ] && socket_option=--uwsgi-socket
    [ -n "$UWSGI" ] || { warn "uwsgi-core is not installed"; return 1; }
    # No per-request log lines (tens of thousands a second would be measured too), no bytecode
    # files next to the app, and --need-app: an app that fails to load is an error, not a 500.
    PYTHONDONTWRITEBYTECODE=1 "$UWSGI" --strict --plugin python3 --master --processes "$UWSGI_WORKERS" \
        --die-on-term --need-app --single-interpreter --disable-logging \
        --wsgi-file "$RUN_DIR/hello_wsgi.py" "$socket_option" "$socket" >"$RUN_DIR/logs/uwsgi-$protocol.out" 2>&1 &
    UWSGI_PID=$!
    track_pid "$UWSGI_PID"
    until [ -S "$socket" ] && pid_alive "$UWSGI_PID" \
            && [ "$(descendants_of "$UWSGI_PID" | wc -l)" -ge "$UWSGI_WORKERS" ]; do
        tries=$((tries + 1))
        if ! pid_alive "$UWSGI_PID" || [ "$tries" -ge 200 ]; then
            tail -n 20 "$RUN_DIR/logs/uwsgi-$protocol.out" >&2 || true
            warn "uWSGI did not serve $socket with $UWSGI_WORKERS workers within 10 s"
            stop_uwsgi
            return 1
        fi
        sleep 0.05
    done
}

stop_uwsgi() {
    if [ -n "$UWSGI_PID" ]; then
        stop_tree "$UWSGI_PID" TERM
        UWSGI_PID=""
    fi
}

# The hello page's path for backend KIND: hello.php, or the WSGI app under its URL prefix.
hello_path() {
    case "$1" in
        scgi | uwsgi) echo "/$1/hello" ;;
        *) echo /hello.php ;;
    esac
}

# The URL of PATH (e.g. /hello.php) on server NAME.
server_url() {
    if [ "$1" = nginx ]; then
        echo "http://127.0.0.1:$NGINX_PORT$2"
    else
        echo "http://127.0.0.1:$SHARED_PORT$2"
    fi
}

# Starts server NAME (gatehouse | gatehouse-openssl | lighttpd | nginx) with backend KIND (fpm | spawned | scgi |
# uwsgi, https, or fpm-no-keepalive for gatehouse only); sets SERVER_PID, SERVER_LOG,
# SERVER_HELLO_PATH and START_US (the moment just before the exec). gatehouse and lighttpd read the
# same file, RUN_DIR/KIND.conf; nginx's one config has a location for each backend but spawned,
# and nginx-https.conf adds the TLS listener (lib/tls.sh).
start_server() {
    local name=$1 kind=$2 label=$3 port
    port=$SHARED_PORT
    [ "$name" = nginx ] && port=$NGINX_PORT
    wait_port_free "$port" || { warn "port $port is still taken by something else"; return 1; }
    SERVER_LOG="$RUN_DIR/logs/$name-$label.log"
    SERVER_HELLO_PATH=$(hello_path "$kind")
    START_US=$(now_us)
    case "$name" in
        gatehouse)
            # The launcher users run (bin/gatehouse: its heap and GC settings, GATEHOUSE_JAVA_OPTS
            # after them); it execs java, so the background pid is gatehouse's.
            GATEHOUSE_JAVA="$GATEHOUSE_JAVA" GATEHOUSE_JAR="$JAR" GATEHOUSE_JAVA_OPTS="$GATEHOUSE_JAVA_OPTS" \
                "$REPO_DIR/bin/gatehouse" -D -f "$RUN_DIR/$kind.conf" >"$SERVER_LOG" 2>&1 &
            ;;
        gatehouse-openssl)
            # gatehouse on BoringSSL (--tls-engines), the option placed after the user's.
            GATEHOUSE_JAVA="$JAVA_BIN" GATEHOUSE_JAR="$JAR" \
                GATEHOUSE_JAVA_OPTS="$GATEHOUSE_JAVA_OPTS -Dgatehouse.tls-engine=openssl" \
                "$REPO_DIR/bin/gatehouse" -D -f "$RUN_DIR/$kind.conf" >"$SERVER_LOG" 2>&1 &
            ;;
        lighttpd)
            "$LIGHTTPD" -D -f "$RUN_DIR/$kind.conf" >"$SERVER_LOG" 2>&1 &
            ;;
        nginx)
            local nginx_conf=nginx.conf
            case "$kind" in
                fpm | scgi | uwsgi) ;;
                https) nginx_conf=nginx-https.conf ;;
                spawned) warn "nginx cannot spawn backends"; return 1 ;;
                *) warn "nginx has no config for backend kind '$kind'"; return 1 ;;
            esac
            "$NGINX" -p "$RUN_DIR/" -e "$RUN_DIR/nginx-error.log" -c "$RUN_DIR/$nginx_conf" >"$SERVER_LOG" 2>&1 &
            ;;
        *)
            die "unknown server '$name' (expected gatehouse, lighttpd or nginx)"
            ;;
    esac
    SERVER_PID=$!
    track_pid "$SERVER_PID"
}

# Builds lib/ready_probe.c, what wait_ready times a start with, into RUN_DIR.
build_ready_probe() {
    READY_PROBE="$RUN_DIR/ready_probe"
    cc -O2 -o "$READY_PROBE" "$BENCH_DIR/lib/ready_probe.c" >"$RUN_DIR/logs/ready-probe-build.txt" 2>&1 ||
        die "could not build lib/ready_probe.c: $(cat "$RUN_DIR/logs/ready-probe-build.txt")"
}

# Waits until server NAME answers GET SERVER_HELLO_PATH with 200 and "hello". Sets READY_US to
# the microseconds since START_US. Returns 1 (and shows the server's log) if it does not in time.
# One probe process waits, connecting every millisecond (lib/ready_probe.c), so that the wait
# takes next to no CPU from the server starting.
wait_ready() {
    local name=$1 start_us=$2 port=$SHARED_PORT ready_us
    [ "$name" = nginx ] && port=$NGINX_PORT
    if ready_us=$("$READY_PROBE" "$port" "$SERVER_HELLO_PATH" hello \
            $((start_us + READY_TIMEOUT_SECONDS * 1000000)) "$PROBE_TIMEOUT_SECONDS" "$SERVER_PID" 2>"$RUN_DIR/logs/ready-probe.txt"); then
        READY_US=$((ready_us - start_us))
        return 0
    fi
    warn "$name did not answer $(server_url "$name" "$SERVER_HELLO_PATH") with 200 \"hello\" within ${READY_TIMEOUT_SECONDS}s ($(cat "$RUN_DIR/logs/ready-probe.txt")); its log:"
    tail -n 20 "$SERVER_LOG" >&2 || true
    return 1
}

# Stops the current server (SIGTERM: all three stop at once and stop their backends).
stop_server() {
    if [ -n "${SERVER_PID:-}" ]; then
        stop_tree "$SERVER_PID" TERM
        SERVER_PID=""
    fi
}
