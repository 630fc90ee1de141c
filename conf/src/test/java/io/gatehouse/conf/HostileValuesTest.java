package io.gatehouse.conf;

import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.gatehouse.conf.internal.Evaluator;
import io.gatehouse.conf.internal.ParseBudget;
import io.gatehouse.conf.internal.Parser;
import io.gatehouse.conf.internal.ValueLimits;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Config text that multiplies itself: values appended to themselves, arrays holding themselves,
 * deep nesting, endless else chains and conditions. Each is a {@link ConfigException} naming
 * {@code file:line:col}, the value and the limit, found quickly within the launcher's 96 MiB heap
 * (this module's tests run with it), never an OutOfMemoryError or a StackOverflowError.
 */
class HostileValuesTest {

    private static final Duration QUICKLY = Duration.ofSeconds(20);

    private static String error(String text) {
        return assertTimeoutPreemptively(QUICKLY, () -> Configs.error(text));
    }

    private static String lines(int count, String line) {
        return (line + "\n").repeat(count);
    }

    @Test
    void aStringDoubledFortyTimesIsAConfigErrorNotAnOutOfMemory() {
        // 2^16 characters fit the limit; the 17th doubling, on line 18, does not.
        assertEquals("test.conf:18:10: string of 131072 characters is longer than the limit of 65536,"
                + " expected a shorter value (is a value appended to itself?)",
                error("var.a = \"x\"\n" + lines(40, "var.a += var.a")));
    }

    @Test
    void aStringDoubledByConcatenationIsStoppedToo() {
        assertEquals("test.conf:18:18: string of 131072 characters is longer than the limit of 65536,"
                + " expected a shorter value (is a value appended to itself?)",
                error("var.a = \"x\"\n" + lines(40, "var.a := var.a + var.a")));
    }

    @Test
    void anArrayDoubledFortyTimesIsAConfigError() {
        // 2^14 entries fit the limit; the 15th doubling, on line 16, does not.
        assertEquals("test.conf:16:10: array of 32768 entries is longer than the limit of 16384,"
                + " expected a shorter array (is an array appended to itself?)",
                error("var.a = ( \"x\" )\n" + lines(40, "var.a += var.a")));
    }

    @Test
    void anArrayHoldingItselfTwiceFortyTimesIsAConfigError() {
        // Two entries each time, but written out in full it doubles: printing it would never end.
        assertEquals("test.conf:19:10: array holding 1572861 characters and entries in all is larger than the"
                + " limit of 1048576, expected a smaller value (does it contain itself?)",
                error("var.a = ( \"x\" )\n" + lines(40, "var.a := ( var.a, var.a )")));
    }

    @Test
    void anArrayHoldingItselfAThousandTimesIsTooDeepNotAStackOverflow() {
        assertEquals("test.conf:65:10: array nested 65 deep is deeper than the limit of " + ValueLimits.MAX_DEPTH
                + ", expected a flatter value (does it contain itself?)",
                error("var.a = ( \"x\" )\n" + lines(1000, "var.a := ( var.a )")));
    }

    @Test
    void deeplyNestedParenthesesAreAConfigErrorNotAStackOverflow() {
        int depth = 100_000;
        assertEquals("test.conf:1:69: nesting deeper than the limit of " + Parser.MAX_NESTING_DEPTH
                + " blocks and parentheses, expected a flatter config",
                error("x = " + "(".repeat(depth) + ")".repeat(depth) + "\n"));
    }

    @Test
    void deeplyNestedBlocksAreAConfigErrorNotAStackOverflow() {
        int depth = 10_000;
        assertEquals("test.conf:65:21: nesting deeper than the limit of " + Parser.MAX_NESTING_DEPTH
                + " blocks and parentheses, expected a flatter config",
                error(lines(depth, "$HTTP[\"url\"] =^ \"/\" {") + lines(depth, "}")));
    }

    @Test
    void aTwentyThousandBranchElseChainIsAConfigErrorNotAnOutOfMemory() {
        String chain = IntStream.rangeClosed(1, 20_000).mapToObj(i -> "$HTTP[\"url\"] == \"/" + i + "\" {}")
                .collect(Collectors.joining(" else "));
        String message = error("server.tag = \"x\"\n" + chain + "\n");
        int column = chain.indexOf("$HTTP[\"url\"] == \"/257\"") - "else ".length() + 1;
        assertEquals("test.conf:2:" + column + ": 'else' starts branch 257 of the chain begun at test.conf:2:1,"
                + " more than the limit of " + Parser.MAX_CHAIN_BRANCHES
                + " branches, expected a shorter chain (separate conditions)", message);
    }

    @Test
    void aChainAtTheBranchLimitIsFine() throws ConfigException {
        String chain = IntStream.rangeClosed(1, Parser.MAX_CHAIN_BRANCHES)
                .mapToObj(i -> "$HTTP[\"url\"] == \"/" + i + "\" { server.document-root = \"/srv/" + i + "\" }")
                .collect(Collectors.joining(" else "));
        ServerConfig config = Configs.parse(chain + "\n");
        assertEquals("/srv/256", config.resolve(Request.get("a", "/256")).documentRoot().get().toString());
    }

    @Test
    void tooManyConditionsAreAConfigError() {
        int count = ParseBudget.MAX_CONDITIONALS + 1;
        String text = IntStream.rangeClosed(1, count).mapToObj(i -> "$HTTP[\"url\"] == \"/" + i + "\" {}")
                .collect(Collectors.joining("\n"));
        assertEquals("test.conf:" + count + ":1: condition number " + count + " is more than the limit of "
                + ParseBudget.MAX_CONDITIONALS + " conditions in all config files, expected fewer conditions",
                error(text + "\n"));
    }

    @Test
    void longPatternsAddUpToTheirLimit() {
        String doubled = "var.p = \"x\"\n" + lines(15, "var.p += var.p");
        assertEquals("test.conf:21:1: condition patterns add up to 327680 characters here, more than the limit of "
                + ParseBudget.MAX_PATTERN_CHARS + ", expected shorter patterns",
                error(doubled + lines(10, "$HTTP[\"url\"] =^ var.p + var.p {}")));
    }

    @Test
    void conditionsNestedThroughIncludesAreBounded() {
        // Seventeen levels, each written in its own line: under the parser's nesting limit, over this one.
        int levels = Evaluator.MAX_CONDITION_DEPTH + 1;
        assertEquals("test.conf:" + levels + ":1: condition nested " + levels + " deep (includes counted),"
                + " deeper than the limit of " + Evaluator.MAX_CONDITION_DEPTH + ", expected a flatter config",
                error(lines(levels, "$HTTP[\"url\"] =^ \"/\" {") + lines(levels, "}")));
    }

    @Test
    void copiesOfALongValueInManyKeysAddUpToTheirLimit() {
        String doubled = "var.s = \"x\"\n" + lines(16, "var.s += var.s");
        String copies = IntStream.rangeClosed(1, 70).mapToObj(i -> "var.k" + i + " = var.s + \"\"")
                .collect(Collectors.joining("\n"));
        assertEquals("test.conf:33:1: assigning 'var.k16' brings the characters and array entries held by all keys"
                + " to 1114112, more than the limit of " + ParseBudget.MAX_BOUND_CELLS
                + ", expected a smaller config (are values copied into many blocks?)",
                error(doubled + copies + "\n"));
    }
}
