package io.gatehouse.itest.apps;

import java.util.regex.Pattern;

/**
 * A difference between lighttpd's and gatehouse's answer that is known, explained and left out of
 * the comparison until the work named in {@code reason} lands. Immutable and thread-safe.
 *
 * @param steps the scenario steps it concerns (a regular expression over step names)
 * @param aspect what differs: {@code status}, {@code body}, {@code set-cookie} or
 *        {@code header:<lower-case name>}
 * @param gatehouseValue what gatehouse's side must look like for the entry to apply (a regular
 *        expression over the compared value, {@code <none>} for a header not sent), so that an entry
 *        for a missing header never hides a wrong one
 * @param reason why it differs and where it is being fixed
 */
record KnownDifference(Pattern steps, String aspect, Pattern gatehouseValue, String reason) {

    /** A difference whatever gatehouse's value. */
    static KnownDifference of(String stepsRegex, String aspect, String reason) {
        return new KnownDifference(Pattern.compile(stepsRegex), aspect, Pattern.compile("(?s).*"), reason);
    }

    /** A difference where gatehouse's value matches {@code gatehouseRegex}. */
    static KnownDifference where(String stepsRegex, String aspect, String gatehouseRegex, String reason) {
        return new KnownDifference(Pattern.compile(stepsRegex), aspect, Pattern.compile(gatehouseRegex), reason);
    }

    /** A header gatehouse does not send where lighttpd does. */
    static KnownDifference missingHeader(String stepsRegex, String header, String reason) {
        return new KnownDifference(Pattern.compile(stepsRegex), "header:" + header,
                Pattern.compile(Pattern.quote(Comparison.NONE)), reason);
    }

    boolean covers(String step, String differingAspect, String gatehouse) {
        return aspect.equals(differingAspect) && steps.matcher(step).matches()
                && gatehouseValue.matcher(gatehouse).matches();
    }
}
