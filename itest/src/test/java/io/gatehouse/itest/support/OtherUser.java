package io.gatehouse.itest.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assertions;

/**
 * The hostile neighbour of the local-attack tests: {@value #NAME} (uid {@value #UID}), a real
 * second user whose own processes, started with {@code setpriv}, create the files, links and
 * listening sockets. The tests run gatehouse as root, as the attacks need; run by anyone else
 * they fail (they do not skip), so an attack test never passes without having run.
 *
 * <p>Stateless and thread-safe.
 */
public final class OtherUser {

    public static final String NAME = "nobody";
    public static final int UID = 65534;
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(30);

    private OtherUser() {
    }

    /** Fails the test unless it runs as root: only root can act as another user, and the attacks target root. */
    public static void requireRoot() {
        try {
            if (Files.readAllLines(Path.of("/proc/self/status")).stream().noneMatch(l -> l.matches("Uid:\\s+0\\s.*"))) {
                Assertions.fail("the local-attack tests run gatehouse as root against another user: run them as root"
                        + " (CI does)");
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/self/status", e);
        }
    }

    /** Runs {@code sh -c script sh args...} as the other user and fails unless it exits 0. */
    public static void run(String script, String... args) {
        List<String> command = new ArrayList<>(asOtherUser());
        command.addAll(List.of("sh", "-c", script, "sh"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!GatehouseProcess.waitFor(process, RUN_TIMEOUT)) {
                process.destroyForcibly();
                GatehouseProcess.waitFor(process, RUN_TIMEOUT);
                Assertions.fail(command + " still running after " + RUN_TIMEOUT);
            }
            if (process.exitValue() != 0) {
                Assertions.fail(command + " exited " + process.exitValue() + ": " + output);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command, e);
        }
    }

    /** A listener of the other user's on {@code socket}: the file is theirs. */
    public static UnixListener listen(Path socket) {
        UnixListener listener = UnixListener.start(socket, asOtherUser());
        assertOwns(socket);
        return listener;
    }

    /** Fails unless {@code path} itself (not a link's target) belongs to the other user. */
    public static void assertOwns(Path path) {
        try {
            Assertions.assertEquals(UID, Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                    path + " belongs to " + NAME);
        } catch (IOException e) {
            throw new AssertionError("cannot stat " + path, e);
        }
    }

    /** {@code setpriv} to the other user, with no supplementary groups of ours. */
    static List<String> asOtherUser() {
        requireRoot();
        return List.of("setpriv", "--reuid=" + UID, "--regid=" + UID, "--clear-groups");
    }
}
