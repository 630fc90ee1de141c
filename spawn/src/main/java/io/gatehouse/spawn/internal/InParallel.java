package io.gatehouse.spawn.internal;

import java.util.ArrayList;
import java.util.List;

import io.gatehouse.spawn.SpawnException;

/**
 * Runs a few blocking tasks at once, one thread each (the first on the caller's thread), and
 * waits for all of them: a restart holds requests while backends are stopped and spawned, so it
 * should wait for the slowest one, not for the sum. A task's failure is kept, never lost: the
 * caller sees every outcome once all tasks have ended, so nothing started by one task is left
 * running unnoticed when another failed.
 *
 * <p>Stateless; thread-safe. Tasks must be bounded in time: the wait cannot be interrupted.
 */
public final class InParallel {

    /** One task: a value, or an exception. */
    @FunctionalInterface
    public interface Task<T> {
        T run() throws Exception;
    }

    /** What one task ended with: its value, or what it threw. */
    public record Outcome<T>(T value, Exception failure) {

        public boolean failed() {
            return failure != null;
        }
    }

    private InParallel() {
    }

    /**
     * Runs every task and returns their outcomes in the order of {@code tasks}.
     *
     * @param threadName the name of the helper threads, for thread dumps
     */
    public static <T> List<Outcome<T>> run(String threadName, List<Task<T>> tasks) {
        List<Outcome<T>> outcomes = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            outcomes.add(null);
        }
        List<Thread> helpers = new ArrayList<>();
        for (int i = 1; i < tasks.size(); i++) {
            int index = i;
            Thread helper = new Thread(() -> outcomes.set(index, outcomeOf(tasks.get(index))), threadName);
            helper.setDaemon(true);
            helper.start();
            helpers.add(helper);
        }
        if (!tasks.isEmpty()) {
            outcomes.set(0, outcomeOf(tasks.get(0)));
        }
        for (Thread helper : helpers) {
            joinUninterruptibly(helper);
        }
        // Thread.join orders each helper's write before these reads.
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) == null) {
                outcomes.set(i, new Outcome<>(null, new IllegalStateException(threadName + " task " + i
                        + " ended with an error (see the thread's uncaught exception)")));
            }
        }
        return outcomes;
    }

    /** The first failure among {@code outcomes}, the others added to it as suppressed; null if none. */
    public static Exception firstFailure(List<? extends Outcome<?>> outcomes) {
        Exception first = null;
        for (Outcome<?> outcome : outcomes) {
            if (!outcome.failed()) {
                continue;
            }
            if (first == null) {
                first = outcome.failure();
            } else {
                first.addSuppressed(outcome.failure());
            }
        }
        return first;
    }

    /**
     * {@code failure} of a task that throws only {@link SpawnException}: returned to be thrown,
     * or, when unchecked, thrown as it is.
     */
    public static SpawnException rethrow(Exception failure) {
        if (failure instanceof SpawnException spawn) {
            return spawn;
        }
        if (failure instanceof RuntimeException unchecked) {
            throw unchecked;
        }
        throw new IllegalStateException("a spawn task threw " + failure, failure);
    }

    private static <T> Outcome<T> outcomeOf(Task<T> task) {
        try {
            return new Outcome<>(task.run(), null);
        } catch (Exception e) {
            return new Outcome<>(null, e);
        }
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
