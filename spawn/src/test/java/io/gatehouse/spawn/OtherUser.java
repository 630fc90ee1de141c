package io.gatehouse.spawn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The hostile neighbour of the attack tests: an unprivileged system user, {@value #NAME}, created
 * when missing. Creating it needs root, as in CI; elsewhere the test fails (it does not skip), so
 * an attack test never passes without having run.
 */
public final class OtherUser {

    public static final String NAME = "gh-attacker";

    private OtherUser() {
    }

    /** The user's uid, creating the user first if needed. */
    public static synchronized int uid() throws IOException, InterruptedException {
        String id = run("id", "-u", NAME);
        if (id == null) {
            // another build may create it at the same moment: ask again before failing
            run("useradd", "-r", "-M", "-s", "/usr/sbin/nologin", NAME);
            id = run("id", "-u", NAME);
        }
        if (id == null) {
            fail("cannot create the test user " + NAME + ": the attack tests need root (CI runs them as root)");
        }
        return Integer.parseInt(id.trim());
    }

    /** Hands {@code path} itself (not a symbolic link's target) to the other user. */
    public static void owns(Path path) throws IOException, InterruptedException {
        int uid = uid();
        if (run("chown", "-h", Integer.toString(uid), path.toString()) == null) {
            fail("cannot chown " + path + " to " + NAME);
        }
        if ((Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS) != uid) {
            fail(path + " is not owned by " + NAME + " after chown");
        }
    }

    /** The command's standard output, or null when it failed. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return null;
        }
        return process.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
    }
}
