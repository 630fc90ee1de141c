package io.gatehouse.itest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The markdown table of the CGI variables lighttpd and gatehouse send for each request target,
 * as the README carries it: one row per target, one column per variable that is not the same
 * everywhere (those get a line under the table), a cell with both values where the two differ,
 * numbered to the reason the list of expected differences gives.
 *
 * <p>Stateless and thread-safe.
 */
final class CgiEnvironmentTable {

    /** The pseudo-variable for the HTTP status, first column of the table. */
    static final String STATUS = "status";
    /** What the dump pages print, in their order. */
    static final List<String> VARIABLES = List.of("REQUEST_URI", "SCRIPT_NAME", "PATH_INFO", "PATH_TRANSLATED",
            "SCRIPT_FILENAME", "QUERY_STRING", "DOCUMENT_ROOT", "DOCUMENT_URI");
    /** Stands for the document root, a fresh temp directory each run, in the table. */
    static final String DOCROOT_MARK = "$DOCROOT";

    /** A difference gatehouse makes on purpose: for {@code target}, {@code variable} differs because {@code reason}. */
    record ExpectedDifference(String target, String variable, String reason) {
    }

    private CgiEnvironmentTable() {
    }

    /** The columns: the status, then every variable. */
    static List<String> columns() {
        List<String> columns = new ArrayList<>();
        columns.add(STATUS);
        columns.addAll(VARIABLES);
        return columns;
    }

    /** The expected difference for {@code target} and {@code variable}, or null. */
    static ExpectedDifference expected(List<ExpectedDifference> expected, String target, String variable) {
        return expected.stream().filter(d -> d.target().equals(target) && d.variable().equals(variable))
                .findFirst().orElse(null);
    }

    /** The table, with the uniform variables and the reasons under it. */
    static String render(List<String> targets, Map<String, CgiEnvironmentAnswer> lighttpd,
            Map<String, CgiEnvironmentAnswer> gatehouse, List<ExpectedDifference> expected, String docroot) {
        List<String> varying = new ArrayList<>();
        Map<String, String> uniform = new LinkedHashMap<>();
        for (String column : columns()) {
            List<String> values = new ArrayList<>();
            for (String target : targets) {
                if (lighttpd.get(target).status() == 200 || column.equals(STATUS)) {
                    values.add(lighttpd.get(target).value(column));
                    values.add(gatehouse.get(target).value(column));
                }
            }
            if (values.stream().distinct().count() == 1) {
                uniform.put(column, values.get(0));
            } else {
                varying.add(column);
            }
        }
        List<String> reasons = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        out.append("| target |");
        varying.forEach(column -> out.append(' ').append(column).append(" |"));
        out.append("\n|---|");
        varying.forEach(column -> out.append("---|"));
        out.append('\n');
        for (String target : targets) {
            out.append("| ").append(code(target)).append(" |");
            for (String column : varying) {
                out.append(' ').append(cell(target, column, lighttpd, gatehouse, expected, docroot, reasons))
                        .append(" |");
            }
            out.append('\n');
        }
        out.append('\n');
        uniform.forEach((column, value) -> out.append("- ").append(column).append(": ")
                .append(value == null ? "sent by neither" : display(value, docroot) + " for every target")
                .append('\n'));
        for (int i = 0; i < reasons.size(); i++) {
            out.append("- (").append(i + 1).append(") ").append(reasons.get(i)).append('\n');
        }
        return out.toString();
    }

    private static String cell(String target, String column, Map<String, CgiEnvironmentAnswer> lighttpd,
            Map<String, CgiEnvironmentAnswer> gatehouse, List<ExpectedDifference> expected, String docroot,
            List<String> reasons) {
        CgiEnvironmentAnswer theirs = lighttpd.get(target);
        CgiEnvironmentAnswer ours = gatehouse.get(target);
        if (!column.equals(STATUS) && theirs.status() != 200 && ours.status() != 200) {
            return "";
        }
        String a = theirs.value(column);
        String b = ours.value(column);
        if (Objects.equals(a, b)) {
            return display(a, docroot);
        }
        ExpectedDifference why = expected(expected, target, column);
        String mark;
        if (why == null) {
            mark = " **(not explained)**";
        } else {
            if (!reasons.contains(why.reason())) {
                reasons.add(why.reason());
            }
            mark = " (" + (reasons.indexOf(why.reason()) + 1) + ")";
        }
        return "lighttpd " + display(a, docroot) + ", gatehouse " + display(b, docroot) + mark;
    }

    /** A value as the table shows it: the document root masked, the bytes read as UTF-8. */
    private static String display(String value, String docroot) {
        if (value == null) {
            return "–";
        }
        if (value.isEmpty()) {
            return "*empty*";
        }
        String utf8 = new String(value.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        return code(utf8.replace(docroot, DOCROOT_MARK));
    }

    private static String code(String text) {
        return "`" + text.replace("|", "\\|") + "`";
    }
}
