package io.gatehouse.core.internal.server;

import java.io.File;
import java.nio.file.Path;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Protocol;
import io.gatehouse.conf.Route;
import io.gatehouse.conf.ServerConfig;
import io.gatehouse.spawn.RuntimeDirectory;
import io.gatehouse.spawn.SpawnException;

/**
 * What gatehouse serves when started without {@code -f}: 127.0.0.1:8080 in front of the built-in
 * Java FastCGI demo responder, spawned through {@code bin-path} exactly as php-cgi would be (a
 * real child process on a unix socket it inherits as fd 0), so a newcomer sees the whole path
 * work without PHP. {@code conf/examples/embedded-default.conf} is the same written as a config.
 */
public final class EmbeddedDefault {

    public static final String HOST = "127.0.0.1";
    public static final int PORT = 8080;

    /** A small, quick-starting JVM is plenty for the demo's tiny pages. */
    private static final String DEMO_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx64m -Xss512k";

    private EmbeddedDefault() {
    }

    /** Spawned children run in their binary's directory, so a relative class path would not resolve. */
    private static String absoluteClassPath() {
        StringBuilder classPath = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (classPath.length() > 0) {
                classPath.append(File.pathSeparatorChar);
            }
            classPath.append(Path.of(entry).toAbsolutePath().normalize());
        }
        return classPath.toString();
    }

    /**
     * The embedded default config, its demo backend run by the same java and jar as this process
     * on {@code demo.sock-0} in the {@link RuntimeDirectory}: never a shared name in /tmp, where
     * another user could create the directory first and serve the socket themselves.
     *
     * @throws SpawnException GH-SPAWN-012 when the runtime directory is not private to this user
     */
    public static ServerConfig config() throws SpawnException {
        return config(RuntimeDirectory.resolve(System.getenv(), Path.of(System.getProperty("java.io.tmpdir"))));
    }

    static ServerConfig config(Path runtimeDirectory) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String binPath = java + " " + DEMO_JVM_OPTIONS + " -cp " + absoluteClassPath()
                + " io.gatehouse.fcgi.demo.DemoResponder";
        Path socket = runtimeDirectory.resolve("demo.sock");
        BackendConfig demo = BackendConfig.spawn(binPath).label("demo").socket(socket).maxProcs(1)
                .checkLocal(false).build();
        return ServerConfig.builder()
                .listen(HOST, PORT)
                .route(Route.of("", Protocol.FASTCGI, demo))
                .build();
    }
}
