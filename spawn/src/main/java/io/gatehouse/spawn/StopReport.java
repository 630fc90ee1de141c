package io.gatehouse.spawn;

import java.time.Duration;
import java.util.List;

/**
 * What {@link SpawnedBackend#stop()} had to do and whether it verified the result: no child
 * process (nor anything left in its process group) alive, no socket path we created left.
 *
 * @param label      the backend label
 * @param signalled  children sent the kill-signal
 * @param escalated  pids of children whose group needed SIGKILL after kill-timeout
 * @param problems   what could not be verified ({@code GH-SPAWN-008 ...}); empty when clean
 * @param elapsed    how long the stop took
 *
 * <p>Immutable.
 */
public record StopReport(String label, int signalled, List<Long> escalated, List<String> problems, Duration elapsed) {

    public StopReport {
        escalated = List.copyOf(escalated);
        problems = List.copyOf(problems);
    }

    /** True when every child is gone and every socket path we created is unlinked. */
    public boolean verified() {
        return problems.isEmpty();
    }

    /** One line for the log. */
    public String summary() {
        StringBuilder line = new StringBuilder("backend \"").append(label).append("\" stopped in ")
                .append(elapsed.toMillis()).append(" ms: ").append(signalled).append(" signalled");
        if (!escalated.isEmpty()) {
            line.append(", SIGKILL after kill-timeout for pids ").append(escalated);
        }
        if (!problems.isEmpty()) {
            line.append("; NOT verified: ").append(String.join("; ", problems));
        }
        return line.toString();
    }
}
