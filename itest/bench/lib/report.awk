# Turns run.sh's raw results (one tab-separated line per server, scenario and round; see
# lib/measure.sh) into one markdown table: medians over the rounds, errors summed, and
# gatehouse ÷ peer ratios on the peers' rows. "max ms" is the longest over all rounds.
#
# Ratios: throughput above 1 means gatehouse is faster; latency, CPU and RSS above 1 mean
# gatehouse is slower or bigger. Latency is p99 (p50 where there is no p99: startup, transfers);
# RSS is peak RSS for upload and download, RSS at the end of the load otherwise.

BEGIN {
    FS = "\t"
    C_THR = 4; C_UNIT = 5; C_P50 = 6; C_P99 = 7; C_MAX = 8; C_ERR = 9; C_REF = 10
    C_CPU = 11; C_RSS = 12; C_HWM = 13; C_NOTE = 14
}

{
    key = $1 SUBSEP $2
    if (!(key in seen)) {
        seen[key] = 1
        if (!($1 in scenario_seen)) { scenario_seen[$1] = 1; scenarios[++nscenarios] = $1 }
        servers[$1, ++nservers[$1]] = $2
    }
    if ($C_NOTE ~ /^failed: /) {
        add_note(key, $C_NOTE " (round " $3 ")")
        next
    }
    rounds[key]++
    for (c = C_THR; c <= C_HWM; c++) {
        if (c == C_UNIT) continue
        if ($c != "-" && $c != "") values[key, c, ++count[key, c]] = $c + 0
    }
    if ($C_UNIT != "-") unit[key] = $C_UNIT
    if ($C_NOTE != "") add_note(key, $C_NOTE)
}

function add_note(key, note) {
    if (index(SUBSEP notes[key] SUBSEP, SUBSEP note SUBSEP)) return
    notes[key] = notes[key] == "" ? note : notes[key] SUBSEP note
}

# Median of column c for key, or "" when no round has a value.
function med(key, c,    n, i, j, x, v) {
    n = count[key, c]
    if (n == 0) return ""
    for (i = 1; i <= n; i++) v[i] = values[key, c, i]
    for (i = 2; i <= n; i++) { x = v[i]; j = i - 1; while (j > 0 && v[j] > x) { v[j + 1] = v[j]; j-- } v[j + 1] = x }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}

function maximum(key, c,    n, i, m) {
    n = count[key, c]
    if (n == 0) return ""
    m = values[key, c, 1]
    for (i = 2; i <= n; i++) if (values[key, c, i] > m) m = values[key, c, i]
    return m
}

function total(key, c,    n, i, s) {
    n = count[key, c]
    if (n == 0) return ""
    for (i = 1; i <= n; i++) s += values[key, c, i]
    return s
}

function fmt(x, decimals) {
    if (x == "") return "–"
    return sprintf("%." decimals "f", x)
}

function fmt_cpu(x) {
    if (x == "") return "–"
    return x >= 1000 ? sprintf("%.0f", x) : sprintf("%.1f", x)
}

function fmt_mb(kb) {
    if (kb == "") return "–"
    return sprintf("%.1f", kb / 1024)
}

function ratio(g, p) {
    if (g == "" || p == "" || p == 0) return "–"
    return sprintf("%.2f×", g / p)
}

function latency(key) {
    return med(key, C_P99) != "" ? med(key, C_P99) : med(key, C_P50)
}

function memory(scenario, key) {
    return scenario ~ /^(upload|download)$/ ? med(key, C_HWM) : med(key, C_RSS)
}

END {
    print "| scenario | server | throughput | p50 ms | p99 ms | max ms | errors | refused | CPU µs/req | RSS MB | peak RSS MB | g÷peer throughput | g÷peer latency | g÷peer CPU | g÷peer RSS | notes |"
    print "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"
    for (s = 1; s <= nscenarios; s++) {
        scenario = scenarios[s]
        gkey = scenario SUBSEP "gatehouse"
        for (i = 1; i <= nservers[scenario]; i++) {
            server = servers[scenario, i]
            key = scenario SUBSEP server
            thr = med(key, C_THR)
            thr_text = thr == "" ? "–" : (unit[key] ~ /^(req|handshakes)\/s$/ ? sprintf("%.0f", thr) : sprintf("%.1f", thr)) " " unit[key]
            if (server == "gatehouse" || !(gkey in seen)) {
                r_thr = r_lat = r_cpu = r_rss = ""
            } else {
                r_thr = ratio(med(gkey, C_THR), thr)
                r_lat = ratio(latency(gkey), latency(key))
                r_cpu = ratio(med(gkey, C_CPU), med(key, C_CPU))
                r_rss = ratio(memory(scenario, gkey), memory(scenario, key))
            }
            errors = total(key, C_ERR)
            refused = total(key, C_REF)
            note = notes[key]
            gsub(SUBSEP, "; ", note)
            if (rounds[key] > 1) note = (note == "" ? "" : note "; ") "median of " rounds[key]
            printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", \
                scenario, server, thr_text, fmt(med(key, C_P50), 2), fmt(med(key, C_P99), 2), \
                fmt(maximum(key, C_MAX), 1), errors == "" ? "–" : errors, refused == "" ? "–" : refused, \
                fmt_cpu(med(key, C_CPU)), fmt_mb(med(key, C_RSS)), fmt_mb(med(key, C_HWM)), \
                r_thr, r_lat, r_cpu, r_rss, note
        }
    }
}
