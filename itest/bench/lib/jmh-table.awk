# Turns JMH's CSV result (-rf csv, run with -prof gc) into a markdown table: time per operation
# and bytes allocated per operation (gc.alloc.rate.norm) for each benchmark and parameter set.

BEGIN { FS = "," }

{ sub(/\r$/, "") }

function unquote(s) { gsub(/"/, "", s); return s }

NR == 1 {
    for (i = 1; i <= NF; i++) {
        h = unquote($i)
        if (h ~ /^Param: /) { params[++nparams] = i; pname[i] = substr(h, 8) }
    }
    next
}

{
    name = unquote($1)
    p = ""
    for (k = 1; k <= nparams; k++) {
        v = unquote($(params[k]))
        if (v != "") p = p (p == "" ? "" : ", ") pname[params[k]] "=" v
    }
    split(name, parts, ":")
    bench = parts[1]
    sub(/^.*\.bench\./, "", bench)
    key = bench SUBSEP p
    if (!(key in seen)) { seen[key] = 1; order[++n] = key; bname[key] = bench; bparams[key] = p }
    if (parts[2] == "") {
        score[key] = $5; error[key] = $6; unit[key] = unquote($7)
    } else if (parts[2] == "gc.alloc.rate.norm") {
        alloc[key] = $5
    }
}

END {
    print "| benchmark | parameters | time per op | ± (99.9 %) | allocated B/op |"
    print "|---|---|--:|--:|--:|"
    for (i = 1; i <= n; i++) {
        key = order[i]
        err = error[key] == "NaN" || error[key] == "" ? "–" : sprintf("%.1f", error[key])
        printf "| %s | %s | %.1f %s | %s | %s |\n", bname[key], bparams[key] == "" ? "–" : bparams[key], \
            score[key], unit[key], err, alloc[key] == "" ? "–" : sprintf("%.0f", alloc[key])
    }
}
