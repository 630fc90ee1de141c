# Shared helpers of run.sh: logging, the processes the harness owns, and cleanup.
# Sourced, not run. Every process the harness starts is registered with track_pid and stopped
# by its pid (and its descendants, found through /proc parent links), never by name.

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'run.sh: WARNING: %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

# Microseconds since the epoch without forking (bash 5's EPOCHREALTIME).
now_us() {
    local t=$EPOCHREALTIME
    printf '%s\n' "${t/./}"
}

# Longest any process gets between its stop signal and SIGKILL: gatehouse's default
# kill-timeout for its backends is 5 s, so it needs a little longer than that to report back.
readonly STOP_GRACE_SECONDS=10

TRACKED_PIDS=()

track_pid() { TRACKED_PIDS+=("$1"); }

untrack_pid() {
    local kept=() p
    for p in "${TRACKED_PIDS[@]}"; do
        [ "$p" = "$1" ] || kept+=("$p")
    done
    TRACKED_PIDS=("${kept[@]}")
}

# True while PID exists and is not a zombie.
pid_alive() {
    local state
    [ -r "/proc/$1/stat" ] || return 1
    state=$(sed -e 's/^.*) //' -e 's/ .*$//' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}

# Every descendant of PID (children, grandchildren, ...), one per line.
descendants_of() {
    ps -e -o pid=,ppid= | awk -v root="$1" '
        { parent[$1] = $2; pids[++n] = $1 }
        END {
            want[root] = 1
            do {
                added = 0
                for (i = 1; i <= n; i++) {
                    p = pids[i]
                    if (!(p in want) && (parent[p] in want)) { want[p] = 1; added = 1; print p }
                }
            } while (added)
        }'
}

# Waits up to SECONDS for every pid in the list to be gone; returns 1 if some are still alive.
wait_gone() {
    local seconds=$1 deadline p alive
    shift
    deadline=$(( $(now_us) + seconds * 1000000 ))
    while :; do
        alive=0
        for p in "$@"; do
            if pid_alive "$p"; then
                alive=1
                break
            fi
        done
        [ "$alive" -eq 0 ] && return 0
        [ "$(now_us)" -ge "$deadline" ] && return 1
        sleep 0.05
    done
}

# Stops PID with SIGNAL, then its descendants that outlive it (e.g. php-cgi children a server
# leaves behind); SIGKILL for whatever remains after STOP_GRACE_SECONDS. Reaps PID if it is ours.
stop_tree() {
    local pid=$1 signal=$2 family p
    family=$(descendants_of "$pid")
    kill "-$signal" "$pid" 2>/dev/null || true
    if ! wait_gone "$STOP_GRACE_SECONDS" "$pid"; then
        warn "pid $pid ignored SIG$signal for ${STOP_GRACE_SECONDS}s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone 5 "$pid" || warn "pid $pid survived SIGKILL"
    fi
    wait "$pid" 2>/dev/null || true
    # shellcheck disable=SC2086 # one pid per word
    if [ -n "$family" ] && ! wait_gone 5 $family; then
        for p in $family; do
            if pid_alive "$p"; then
                warn "pid $p (child of $pid) still running after its parent stopped: SIGKILL"
                kill -KILL "$p" 2>/dev/null || true
            fi
        done
        # shellcheck disable=SC2086
        wait_gone 5 $family || warn "children of $pid survived SIGKILL: $family"
    fi
    untrack_pid "$pid"
}

# A TCP port on 127.0.0.1 that accepts connections.
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Waits up to 10 s for nothing to listen on PORT, so a leftover server never answers for a new one.
wait_port_free() {
    local tries=0
    while port_open "$1"; do
        tries=$((tries + 1))
        [ "$tries" -ge 200 ] && return 1
        sleep 0.05
    done
}

CLEANED_UP=0
POLICY_RC_CREATED=0
readonly POLICY_RC=/usr/sbin/policy-rc.d

cleanup() {
    [ "$CLEANED_UP" -eq 1 ] && return 0
    CLEANED_UP=1
    local p
    for p in "${TRACKED_PIDS[@]}"; do
        pid_alive "$p" && stop_tree "$p" TERM
    done
    if [ -n "${RUN_DIR:-}" ] && [ -d "$RUN_DIR" ]; then
        rm -rf -- "$RUN_DIR"
    fi
    if [ "$POLICY_RC_CREATED" -eq 1 ]; then
        rm -f "$POLICY_RC"
        POLICY_RC_CREATED=0
    fi
}

on_signal() {
    trap - INT TERM
    warn "interrupted by SIG$1: stopping everything this run started"
    cleanup
    [ "$1" = INT ] && exit 130
    exit 143
}

# Median of the numbers on stdin ("-" and empty lines ignored); "-" when there are none.
median() {
    awk '$1 != "-" && $1 != "" { v[++n] = $1 + 0 }
        END {
            if (n == 0) { print "-"; exit }
            for (i = 2; i <= n; i++) { x = v[i]; j = i - 1; while (j > 0 && v[j] > x) { v[j + 1] = v[j]; j-- } v[j + 1] = x }
            if (n % 2) print v[(n + 1) / 2]; else print (v[n / 2] + v[n / 2 + 1]) / 2
        }'
}
