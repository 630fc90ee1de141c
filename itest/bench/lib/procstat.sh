# Front-end CPU and memory from /proc. Sourced by run.sh.
#
# The "front end" is the HTTP server's own processes, never its PHP backends: the gatehouse JVM,
# the lighttpd process, nginx's master and workers. CPU is utime + stime (fields 14 and 15 of
# /proc/PID/stat, in clock ticks). For nginx the master's cutime + cstime (fields 16, 17) are
# added: they hold the CPU of workers it reaped, e.g. the old workers of a reload. For gatehouse
# and lighttpd they are not, because their reaped children are php-cgi backends.

CLK_TCK=$(getconf CLK_TCK)
readonly CLK_TCK

# The front end's pids for server NAME whose main process is PID, one per line.
front_end_pids() {
    local name=$1 pid=$2
    echo "$pid"
    if [ "$name" = nginx ]; then
        ps -o pid= --ppid "$pid" | tr -d ' '
    fi
}

# CPU clock ticks used so far by the front end of server NAME with main process PID.
front_end_cpu_ticks() {
    local name=$1 pid=$2 p total=0 ticks with_reaped
    for p in $(front_end_pids "$name" "$pid"); do
        with_reaped=0
        [ "$name" = nginx ] && [ "$p" = "$pid" ] && with_reaped=1
        # Fields after the ")" that ends the command name: utime is the 12th, cutime the 14th.
        ticks=$(sed -e 's/^.*) //' "/proc/$p/stat" 2>/dev/null \
            | awk -v reaped="$with_reaped" '{ print $12 + $13 + (reaped ? $14 + $15 : 0) }') || ticks=0
        total=$((total + ${ticks:-0}))
    done
    echo "$total"
}

# Sum of FIELD (VmRSS or VmHWM, in kB) over the front end's processes.
front_end_memory_kb() {
    local name=$1 pid=$2 field=$3 p total=0 kb
    for p in $(front_end_pids "$name" "$pid"); do
        kb=$(awk -v f="$field:" '$1 == f { print $2 }' "/proc/$p/status" 2>/dev/null) || kb=0
        total=$((total + ${kb:-0}))
    done
    echo "$total"
}

# Microseconds of CPU per request for a tick delta over N requests ("-" when N is 0).
cpu_us_per_request() {
    local ticks=$1 requests=$2
    awk -v t="$ticks" -v n="$requests" -v hz="$CLK_TCK" \
        'BEGIN { if (n > 0) printf "%.1f\n", t * 1000000 / hz / n; else print "-" }'
}

# True when PID has a handler installed for SIGUSR1 (bit 9 of SigCgt in /proc/PID/status).
# An unhandled SIGUSR1 terminates a JVM, so this is checked before signalling gatehouse.
catches_sigusr1() {
    local mask
    mask=$(awk '$1 == "SigCgt:" { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
    [ -n "$mask" ] || return 1
    (( (16#$mask >> 9) & 1 ))
}
