package io.gatehouse.itest.apps;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.gatehouse.itest.support.ConfigFiles;
import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.LighttpdProcess;
import io.gatehouse.itest.support.TempDirs;

/**
 * lighttpd and gatehouse started on one and the same config file, each on a free port of
 * 127.0.0.1 and with a site directory of its own (the application's state, the backends' sockets,
 * the logs), so that the same scripted session can run through both without one seeing the
 * other's writes. The config reads both from the environment:
 * {@code server.port = env.}{@value #PORT_VARIABLE} and
 * {@code var.site = env.}{@value #SITE_VARIABLE}.
 *
 * <p>Not thread-safe.
 */
final class SideBySide implements AutoCloseable {

    /** The environment variable holding the port the config listens on. */
    static final String PORT_VARIABLE = "GH_E2E_PORT";
    /** The environment variable holding the side's site directory. */
    static final String SITE_VARIABLE = "GH_E2E_SITE";

    private final Path dir;
    private final Map<Side, Integer> ports = new EnumMap<>(Side.class);
    private final Map<Side, Path> sites = new EnumMap<>(Side.class);
    private LighttpdProcess lighttpd;
    private GatehouseProcess gatehouse;

    private SideBySide(Path dir) {
        this.dir = dir;
    }

    /**
     * Starts both front ends on {@code conf}; {@code siteOf} gives each side's site directory, which
     * must exist and hold what the config expects. {@code dir}, the test's temp directory that
     * holds them, is deleted at {@link #close} (or here, when the start fails).
     */
    static SideBySide start(Path dir, Path conf, Function<Side, Path> siteOf) {
        SideBySide both = new SideBySide(dir);
        try {
            for (Side side : Side.values()) {
                both.ports.put(side, FreePort.get());
                both.sites.put(side, siteOf.apply(side));
            }
            both.lighttpd = LighttpdProcess.start(conf, both.port(Side.LIGHTTPD), both.environment(Side.LIGHTTPD),
                    both.site(Side.LIGHTTPD).resolve("lighttpd.out"));
            both.gatehouse = GatehouseProcess.startWithArgs(List.of(),
                    List.of("-D", "-f", conf.toAbsolutePath().toString()), conf.toAbsolutePath().getParent(),
                    both.port(Side.GATEHOUSE), both.environment(Side.GATEHOUSE));
        } catch (RuntimeException | AssertionError e) {
            both.close();
            throw e;
        }
        return both;
    }

    /**
     * The first lines of a config for both sides: the site from the environment, 127.0.0.1 and the
     * port from the environment, {@code documentRoot}, mod_fastcgi, the error log in the site.
     */
    static List<String> configPreamble(String comment, Path documentRoot) {
        return List.of(
                "# " + comment,
                "var.site = env." + SITE_VARIABLE,
                "server.bind = \"127.0.0.1\"",
                "server.port = env." + PORT_VARIABLE,
                "server.document-root = " + ConfigFiles.quote(documentRoot.toString()),
                "server.modules = ( \"mod_fastcgi\" )",
                "server.errorlog = var.site + \"/error.log\"");
    }

    /** Writes the config {@code file}: {@link #configPreamble} and then {@code lines}. */
    static Path writeConfig(Path file, String comment, Path documentRoot, String... lines) {
        List<String> all = new ArrayList<>(configPreamble(comment, documentRoot));
        all.addAll(List.of(lines));
        return ConfigFiles.write(file, all.toArray(String[]::new));
    }

    private Map<String, String> environment(Side side) {
        return Map.of(PORT_VARIABLE, Integer.toString(port(side)), SITE_VARIABLE, site(side).toString());
    }

    int port(Side side) {
        return ports.get(side);
    }

    Map<Side, Integer> ports() {
        return Map.copyOf(ports);
    }

    Path site(Side side) {
        return sites.get(side);
    }

    /** Both logs' tails, for failure messages. */
    String logTails() {
        return (lighttpd == null ? "" : lighttpd.logTail()) + (gatehouse == null ? "" : gatehouse.logTail());
    }

    /** Closes {@code servers} if they started, else deletes {@code dir} if it was created: for {@code @AfterAll}. */
    static void close(SideBySide servers, Path dir) {
        if (servers != null) {
            servers.close();
        } else if (dir != null) {
            TempDirs.deleteRecursively(dir);
        }
    }

    /** Stops gatehouse (failing if anything it spawned outlives it), then lighttpd; deletes the temp directory. */
    @Override
    public void close() {
        try {
            if (gatehouse != null) {
                gatehouse.close();
            }
        } finally {
            try {
                if (lighttpd != null) {
                    lighttpd.close();
                }
            } finally {
                TempDirs.deleteRecursively(dir);
            }
        }
    }
}
