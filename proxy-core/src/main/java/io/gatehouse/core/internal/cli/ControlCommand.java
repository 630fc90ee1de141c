package io.gatehouse.core.internal.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.ConfigParser;
import io.gatehouse.conf.Preflight;
import io.gatehouse.conf.ServerConfig;
import io.gatehouse.core.TlsEngine;
import io.gatehouse.core.internal.tls.TlsContexts;
import io.gatehouse.spawn.ProcessSignal;
import jnr.constants.platform.Signal;

/**
 * {@code gatehouse -s reload|stop|quit -f FILE}: checks the config as {@code -tt} does, then
 * signals the gatehouse named by the config's {@code server.pid-file}: reload = SIGUSR1 (the
 * graceful restart), stop = SIGTERM (fast stop), quit = SIGINT (graceful stop). A second way to
 * restart where SIGUSR1 cannot be sent by hand, and the {@code ExecReload} of the systemd unit.
 *
 * <p>Stateless; thread-safe.
 */
public final class ControlCommand {

    /** The actions and the signal each sends. */
    public enum Action {
        RELOAD(Signal.SIGUSR1), STOP(Signal.SIGTERM), QUIT(Signal.SIGINT);

        private final Signal signal;

        Action(Signal signal) {
            this.signal = signal;
        }

        /** The action named {@code name}; fails naming the value and the choices. */
        public static Action of(String name) {
            for (Action action : values()) {
                if (action.name().equalsIgnoreCase(name)) {
                    return action;
                }
            }
            throw new IllegalArgumentException("-s takes reload, stop or quit, not \"" + name + "\"");
        }
    }

    private ControlCommand() {
    }

    /**
     * Runs {@code action} for the gatehouse of {@code configFile}.
     *
     * @param tlsEngine   the engine the running gatehouse serves TLS with: the preflight of a
     *                    reload checks what it cannot honour
     * @param configError exit code for a config that does not parse or fails the preflight
     * @param failure     exit code for a gatehouse that cannot be signalled
     */
    public static int run(Action action, Path configFile, TlsEngine tlsEngine, PrintStream err, int configError,
            int failure) {
        ServerConfig config;
        try {
            config = ConfigParser.parse(configFile);
        } catch (ConfigException e) {
            err.println("gatehouse: " + action.name().toLowerCase() + " not sent: " + e.getMessage());
            return configError;
        }
        if (action == Action.RELOAD) {
            List<String> problems = new ArrayList<>(Preflight.check(config));
            problems.addAll(TlsContexts.preflight(config.listeners(), Instant.now(), tlsEngine,
                    warning -> err.println("gatehouse: WARNING: " + warning)));
            if (!problems.isEmpty()) {
                problems.forEach(problem -> err.println("gatehouse: " + problem));
                err.println("gatehouse: reload not sent: the config fails the preflight");
                return configError;
            }
        }
        if (config.pidFile().isEmpty()) {
            err.println("gatehouse: " + action.name().toLowerCase() + " not sent: " + configFile
                    + " sets no server.pid-file, so the running gatehouse cannot be found");
            return failure;
        }
        Path pidFile = config.pidFile().get();
        OptionalLong pid;
        try {
            pid = PidFile.read(pidFile);
        } catch (IOException e) {
            err.println("gatehouse: " + action.name().toLowerCase() + " not sent: " + e.getMessage());
            return failure;
        }
        if (pid.isEmpty()) {
            err.println("gatehouse: " + action.name().toLowerCase() + " not sent: pid file " + pidFile
                    + " does not exist: is gatehouse running with this config?");
            return failure;
        }
        if (!PidFile.isGatehouse(pid.getAsLong())) {
            err.println("gatehouse: " + action.name().toLowerCase() + " not sent: pid " + pid.getAsLong() + " from "
                    + pidFile + " is not a running gatehouse (a stale pid file?)");
            return failure;
        }
        try {
            ProcessSignal.send(pid.getAsLong(), action.signal);
        } catch (IOException e) {
            err.println("gatehouse: " + e.getMessage());
            return failure;
        }
        err.println("gatehouse: sent " + action.signal.name() + " to gatehouse pid " + pid.getAsLong());
        return 0;
    }
}
