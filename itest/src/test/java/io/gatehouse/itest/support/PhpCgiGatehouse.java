package io.gatehouse.itest.support;

import java.nio.file.Path;

/**
 * gatehouse started by {@code bin/gatehouse} as users start it, in front of one php-cgi child
 * spawned by bin-path ({@link ConfigFiles#spawnedPhpCgi}), in a temp directory of its own, on a
 * free port: the fixture of end-to-end tests that drive the product on raw sockets.
 *
 * <p>Not thread-safe for start and close; the components may be read from any thread.
 *
 * @param dir     its temp directory: config, logs, document root {@code www/}, the php-cgi socket
 * @param port    the port on 127.0.0.1 it listens on
 * @param process the gatehouse process
 */
public record PhpCgiGatehouse(Path dir, int port, GatehouseProcess process) implements AutoCloseable {

    /** Starts it in a new temp directory named {@code <prefix><random>}; fails the test if it does not come up. */
    public static PhpCgiGatehouse start(String prefix) {
        Path dir = TempDirs.create(prefix);
        try {
            int port = FreePort.get();
            return new PhpCgiGatehouse(dir, port,
                    GatehouseProcess.startWithLauncher(ConfigFiles.spawnedPhpCgi(dir, port), port));
        } catch (RuntimeException | Error e) {
            TempDirs.deleteRecursively(dir);
            throw e;
        }
    }

    /** Stops gatehouse ({@link GatehouseProcess#close()}: fails if a child outlives it) and deletes the directory. */
    @Override
    public void close() {
        try {
            process.close();
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }
}
