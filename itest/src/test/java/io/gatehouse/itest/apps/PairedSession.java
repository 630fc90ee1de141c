package io.gatehouse.itest.apps;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assertions;

/**
 * One scripted session of an application run step by step through both front ends: each step
 * sends the same request (built per side, since tokens and cookies are each side's own) through a
 * client per side and hands both answers to the {@link Comparison}.
 *
 * <p>Not thread-safe.
 */
final class PairedSession {

    /** Between the requests of {@link #await}: short, the work waited for takes milliseconds. */
    private static final Duration POLL = Duration.ofMillis(50);

    private final Map<Side, AppClient> clients = new EnumMap<>(Side.class);
    private final SideBySide servers;
    private final Comparison comparison;

    /** A session through {@code servers}, compared with {@code masks} and {@code known} differences. */
    PairedSession(SideBySide servers, Map<Pattern, String> masks, List<KnownDifference> known) {
        for (Side side : Side.values()) {
            clients.put(side, new AppClient(servers.port(side)));
        }
        this.servers = servers;
        this.comparison = new Comparison(masks, known, servers.ports());
    }

    /** Fails listing every difference of the session so far that no known difference explains. */
    void assertNoUnexplainedDifferences() {
        comparison.assertNoUnexplainedDifferences();
    }

    /**
     * Checks that both sides did what the step is for (so that two equally broken answers do not
     * pass the comparison): the status, and {@code text} in the body. Returns the answers.
     */
    Map<Side, Answer> expect(Map<Side, Answer> answers, int status, String text) {
        for (Side side : Side.values()) {
            Answer answer = answers.get(side);
            Assertions.assertEquals(status, answer.status(), side + ": " + answer + "\n" + servers.logTails());
            Assertions.assertTrue(answer.text().contains(text), side + ": no '" + text + "' in\n" + answer.text());
        }
        return answers;
    }

    /** Runs {@code request} through lighttpd, then through gatehouse, compares, returns both answers. */
    Map<Side, Answer> step(String name, BiFunction<Side, AppClient, Answer> request) {
        Map<Side, Answer> answers = new EnumMap<>(Side.class);
        for (Side side : Side.values()) {
            answers.put(side, request.apply(side, clients.get(side)));
        }
        comparison.compare(name, answers);
        return answers;
    }

    /**
     * Repeats {@code request} on each side, uncompared, until {@code done} holds for its answer:
     * for work an application finishes after it answered (DokuWiki indexes after sending its
     * reply). Fails naming {@code what} when a side is not done within {@code timeout}.
     */
    void await(String what, Function<AppClient, Answer> request, Predicate<Answer> done, Duration timeout) {
        for (Side side : Side.values()) {
            long deadline = System.nanoTime() + timeout.toNanos();
            Answer answer = request.apply(clients.get(side));
            while (!done.test(answer)) {
                if (System.nanoTime() > deadline) {
                    Assertions.fail(side + ": " + what + " not done within " + timeout + "; last answer " + answer);
                }
                LockSupport.parkNanos(POLL.toNanos());
                answer = request.apply(clients.get(side));
            }
        }
    }

    /** A step whose request is the same on both sides. */
    Map<Side, Answer> step(String name, Function<AppClient, Answer> request) {
        return step(name, (side, client) -> request.apply(client));
    }
}
