package io.gatehouse.core;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.ConfigParser;
import io.gatehouse.conf.ConfigWarning;
import io.gatehouse.conf.Preflight;
import io.gatehouse.conf.ServerConfig;
import io.gatehouse.core.internal.cli.ClassArchiveRun;
import io.gatehouse.core.internal.cli.ControlCommand;
import io.gatehouse.core.internal.cli.LibraryMBeanRefusal;
import io.gatehouse.core.internal.cli.PidFile;
import io.gatehouse.core.internal.cli.StartupOverlap;
import io.gatehouse.core.internal.cli.SystemdNotifier;
import io.gatehouse.core.internal.server.EmbeddedDefault;
import io.gatehouse.core.internal.server.InheritedSockets;
import io.gatehouse.core.internal.server.ListenFdsEnvironment;
import io.gatehouse.core.internal.tls.TlsContexts;
import io.gatehouse.spawn.OpenFileLimit;
import io.gatehouse.spawn.SpawnException;

/**
 * The command line: {@code gatehouse [-f FILE] [-D] [-t | -tt] [-s reload|stop|quit] [-v] [-h]},
 * as lighttpd's, and the signals of a running server: USR1 graceful restart (the same {@code -f}
 * file read again), INT graceful stop (a second INT stops at once), TERM fast stop, HUP reopen
 * the logs. Also the pid file and systemd's notify protocol.
 *
 * <p>Exit codes: 0 ok, 1 runtime failure, 2 usage, 3 config error.
 */
public final class Main {

    static final int EXIT_OK = 0;
    static final int EXIT_RUNTIME = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_CONFIG = 3;

    /** The number of I/O threads, as the README documents it ({@code GATEHOUSE_JAVA_OPTS=-Dgatehouse.io-threads=N}). */
    static final String IO_THREADS_PROPERTY = "gatehouse.io-threads";

    /** Seconds between two looks at the certificate files with {@code ssl.refresh-certs} (default 60). */
    static final String CERTIFICATE_CHECK_PROPERTY = "gatehouse.certificate-check-seconds";

    /** The TLS engine, as the README documents it ({@code GATEHOUSE_JAVA_OPTS=-Dgatehouse.tls-engine=openssl}). */
    static final String TLS_ENGINE_PROPERTY = "gatehouse.tls-engine";

    /** MiB that slow clients' spooled responses hold together at most (default 1024; 0 spools none). */
    static final String RESPONSE_SPOOL_PROPERTY = "gatehouse.response-spool-mib";

    private static final String USAGE = """
            usage: gatehouse [-f FILE] [-D] [-t | -tt] [-s reload|stop|quit] [-v] [-h]

              -f FILE  the lighttpd-syntax config file; without it, the embedded default:
                       127.0.0.1:8080 in front of the built-in Java FastCGI demo backend
              -D       stay in the foreground (gatehouse always does; accepted for lighttpd)
              -t       check the config's syntax, print "Syntax OK" and exit
              -tt      check the config fully without binding or spawning, and exit
              -s ACT   signal the gatehouse named by the config's server.pid-file and exit:
                       reload (checks the config as -tt first, then SIGUSR1: graceful restart),
                       stop (SIGTERM: fast stop), quit (SIGINT: graceful stop); needs -f
              -v       print the version and exit
              -h       print this help and exit

            signals: USR1 graceful restart, INT graceful stop (twice: now), TERM fast stop,
                     HUP reopen the log files
            exit codes: 0 ok, 1 runtime failure, 2 usage, 3 config error
            """;

    private Main() {
    }

    /** Held so the level set on them sticks: JUL keeps loggers only weakly. */
    private static final List<java.util.logging.Logger> QUIETED = List.of(
            java.util.logging.Logger.getLogger("org.xnio"), java.util.logging.Logger.getLogger("org.jboss"),
            java.util.logging.Logger.getLogger("io.undertow"));

    private static final String REJECT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

    /**
     * Which logging back end Undertow's and XNIO's logger uses. Unset, it probes for five others
     * first, by loading classes that the jar does not have (about 50 ms of a start); the JDK's is
     * the one it ends with anyway.
     */
    private static final String LOGGING_PROVIDER = "org.jboss.logging.provider";

    public static void main(String[] args) {
        // XNIO and Undertow announce their versions at INFO; an operator needs only their warnings.
        QUIETED.forEach(logger -> logger.setLevel(java.util.logging.Level.WARNING));
        // lighttpd refuses renegotiation a client starts (ssl.disable-client-renegotiation): a
        // cheap way to make the server do expensive handshakes. The JDK reads this once, JVM-wide.
        if (System.getProperty(REJECT_RENEGOTIATION) == null) {
            System.setProperty(REJECT_RENEGOTIATION, "true");
        }
        if (System.getProperty(LOGGING_PROVIDER) == null) {
            System.setProperty(LOGGING_PROVIDER, "jdk");
        }
        // The MBeans of XNIO and its thread pools would build the platform MBean server before the first accept.
        LibraryMBeanRefusal.installUnlessSet();
        int status = run(args, System.out, System.err);
        ClassArchiveRun.loadWhatLaterStartsMayNeed();
        // Exit explicitly: a stray non-daemon thread of a library must not keep a stopped server alive.
        System.exit(status);
    }

    /** Parses {@code args} and runs; returns the exit code (serving returns only when stopped). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("gatehouse: " + e.getMessage());
            err.print(USAGE);
            return EXIT_USAGE;
        }
        if (options.help) {
            out.print(USAGE);
            return EXIT_OK;
        }
        if (options.version) {
            out.println("gatehouse " + Version.get() + " (Java " + Runtime.version() + ")");
            return EXIT_OK;
        }
        if (options.configFile == null) {
            if (options.syntaxCheck || options.preflight || options.control != null) {
                err.println("gatehouse: -t, -tt and -s need -f FILE");
                return EXIT_USAGE;
            }
            StartupOverlap.begin();
            return serveEmbeddedDefault(err);
        }
        TlsEngine tlsEngine;
        try {
            tlsEngine = engineOptions(null, null, System.getProperty(TLS_ENGINE_PROPERTY), null).tlsEngine();
        } catch (IllegalArgumentException e) {
            err.println("gatehouse: " + e.getMessage());
            return EXIT_USAGE;
        }
        if (options.control != null) {
            return ControlCommand.run(options.control, options.configFile, tlsEngine, err, EXIT_CONFIG, EXIT_RUNTIME);
        }
        if (!options.syntaxCheck && !options.preflight) {
            StartupOverlap.begin();
        }
        ServerConfig config;
        try {
            config = ConfigParser.parse(options.configFile);
        } catch (ConfigException e) {
            err.println("gatehouse: " + e.getMessage());
            return EXIT_CONFIG;
        }
        for (ConfigWarning warning : config.warnings()) {
            err.println("gatehouse: WARNING: " + warning);
        }
        if (options.syntaxCheck) {
            out.println("Syntax OK");
            return EXIT_OK;
        }
        if (options.preflight) {
            List<String> problems = new ArrayList<>(Preflight.check(config));
            problems.addAll(TlsContexts.preflight(config.listeners(), Instant.now(), tlsEngine,
                    warning -> err.println("gatehouse: WARNING: " + warning)));
            problems.forEach(problem -> err.println("gatehouse: " + problem));
            return problems.isEmpty() ? EXIT_OK : EXIT_CONFIG;
        }
        Path file = options.configFile;
        return serve(config, server -> server.reload(file), err);
    }

    private static int serveEmbeddedDefault(PrintStream err) {
        ServerConfig config;
        try {
            config = EmbeddedDefault.config();
        } catch (SpawnException e) {
            err.println("gatehouse: " + e.getMessage());
            return EXIT_RUNTIME;
        }
        err.println("gatehouse: no -f given: serving the embedded default on http://" + EmbeddedDefault.HOST + ":"
                + EmbeddedDefault.PORT + "/ through the built-in demo FastCGI backend");
        return serve(config, server -> server.restart(config), err);
    }

    /**
     * Serves {@code config} until stopped by a signal.
     *
     * @param reload what SIGUSR1 does: read the config again and restart with it
     */
    private static int serve(ServerConfig config, Predicate<Gatehouse> reload, PrintStream err) {
        EngineOptions engine;
        try {
            engine = engineOptions(System.getProperty(IO_THREADS_PROPERTY), System.getProperty(CERTIFICATE_CHECK_PROPERTY),
                    System.getProperty(TLS_ENGINE_PROPERTY), System.getProperty(RESPONSE_SPOOL_PROPERTY));
        } catch (IllegalArgumentException e) {
            err.println("gatehouse: " + e.getMessage());
            return EXIT_USAGE;
        }
        int maxFds = config.connectionLimits().maxFds();
        if (maxFds > 0) {
            // Process-wide, so set here and not by the embeddable server; before any listener, as lighttpd.
            try {
                OpenFileLimit.apply(maxFds).warning().ifPresent(w -> err.println("gatehouse: WARNING: " + w));
            } catch (IOException e) {
                err.println("gatehouse: " + e.getMessage());
                return EXIT_RUNTIME;
            }
        }
        InheritedSockets inherited;
        try {
            inherited = inheritedSockets(config, err);
        } catch (IOException e) {
            err.println("gatehouse: " + e.getMessage());
            return EXIT_RUNTIME;
        }
        SystemdNotifier systemd = SystemdNotifier.of(System.getenv("NOTIFY_SOCKET"));
        Signals signals = new Signals(reload, systemd, err);
        signals.install();
        PidFile pidFile = null;
        try {
            if (config.pidFile().isPresent()) {
                // Written before the listeners open, so whoever sees the port answer finds the pid file.
                pidFile = PidFile.claim(config.pidFile().get());
                pidFile.write();
            }
        } catch (IOException e) {
            err.println("gatehouse: " + e.getMessage());
            inherited.close();
            return EXIT_RUNTIME;
        }
        Gatehouse server;
        try {
            server = Gatehouse.start(config, engine, inherited);
        } catch (IOException | RuntimeException e) {
            err.println("gatehouse: " + e.getMessage());
            if (pidFile != null) {
                pidFile.remove();
            }
            return EXIT_RUNTIME;
        }
        LibraryMBeanRefusal.lift();
        signals.attach(server);
        systemd.ready("generation 1 serving");
        try {
            server.awaitStopped(java.time.Duration.ofDays(365 * 100L));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.stop();
        }
        if (pidFile != null) {
            pidFile.remove();
        }
        return EXIT_OK;
    }

    /**
     * The engine options of the command line: the defaults, with {@code ioThreads} (the value of
     * {@code -Dgatehouse.io-threads}), {@code certificateCheckSeconds} ({@code
     * -Dgatehouse.certificate-check-seconds}), {@code tlsEngine} ({@code -Dgatehouse.tls-engine}) and
     * {@code responseSpoolMib} ({@code -Dgatehouse.response-spool-mib}) where set. System properties are read here, at the edge, and passed in as a value: the engine
     * reads none.
     *
     * @throws IllegalArgumentException when a number is not a whole number of at least 1 (at least 0
     *                                  for the spool), or {@code tlsEngine} names no engine
     */
    static EngineOptions engineOptions(String ioThreads, String certificateCheckSeconds, String tlsEngine,
            String responseSpoolMib) {
        EngineOptions options = EngineOptions.defaults();
        if (tlsEngine != null) {
            try {
                options = options.withTlsEngine(TlsEngine.of(tlsEngine));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("-D" + TLS_ENGINE_PROPERTY + "=" + tlsEngine + ": " + e.getMessage(), e);
            }
        }
        if (ioThreads != null) {
            options = options.withIoThreads(atLeastOne(IO_THREADS_PROPERTY, ioThreads, "number of I/O threads"));
        }
        if (certificateCheckSeconds != null) {
            options = options.withCertificateCheckInterval(Duration.ofSeconds(
                    atLeastOne(CERTIFICATE_CHECK_PROPERTY, certificateCheckSeconds, "number of seconds")));
        }
        if (responseSpoolMib != null) {
            options = options.withResponseSpoolBytes(
                    wholeNumber(RESPONSE_SPOOL_PROPERTY, responseSpoolMib, "number of MiB", 0) * 1024L * 1024);
        }
        return options;
    }

    private static int atLeastOne(String property, String value, String what) {
        return wholeNumber(property, value, what, 1);
    }

    private static int wholeNumber(String property, String value, String what, int least) {
        int number;
        try {
            number = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            number = least - 1;
        }
        if (number < least) {
            throw new IllegalArgumentException("-D" + property + "=" + value + " is not a " + what
                    + " (a whole number, at least " + least + ")");
        }
        return number;
    }

    /**
     * The listening sockets systemd passed, when the config enables socket activation and
     * {@code LISTEN_PID}/{@code LISTEN_FDS} are meant for this process (lighttpd's rules, see
     * {@link ListenFdsEnvironment}); otherwise none, with the reason on {@code err} when sockets
     * were passed or expected. Our own environment keeps the variables (Java cannot unset them);
     * the spawner leaves them out of every child's.
     *
     * @throws IOException when a passed fd is not a listening TCP socket or cannot be wrapped
     */
    private static InheritedSockets inheritedSockets(ServerConfig config, PrintStream err) throws IOException {
        ProcessHandle self = ProcessHandle.current();
        ListenFdsEnvironment.Verdict verdict = ListenFdsEnvironment.read(System.getenv(),
                config.systemdSocketActivation(), self.pid(), self.parent().map(ProcessHandle::pid).orElse(-1L));
        verdict.note().ifPresent(note -> err.println("gatehouse: WARNING: " + note
                + "; gatehouse binds the configured addresses itself"));
        return verdict.activates() ? InheritedSockets.adopt(verdict.fdCount()) : InheritedSockets.none();
    }

    /** The parsed command line. */
    static final class Options {
        Path configFile;
        ControlCommand.Action control;
        boolean syntaxCheck;
        boolean preflight;
        boolean version;
        boolean help;

        static Options parse(String[] args) {
            Options options = new Options();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-f" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("-f needs a file name");
                        }
                        if (options.configFile != null) {
                            throw new IllegalArgumentException("-f given twice");
                        }
                        options.configFile = Path.of(args[++i]);
                    }
                    case "-s" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("-s needs reload, stop or quit");
                        }
                        options.control = ControlCommand.Action.of(args[++i]);
                    }
                    case "-D" -> {
                        // gatehouse never daemonizes: run it under systemd or a supervisor
                    }
                    case "-t" -> {
                        if (options.syntaxCheck) {
                            options.preflight = true; // "-t -t" is lighttpd's spelling of -tt
                        }
                        options.syntaxCheck = true;
                    }
                    case "-tt" -> options.preflight = true;
                    case "-v", "-V" -> options.version = true;
                    case "-h", "--help" -> options.help = true;
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                }
            }
            if (options.preflight) {
                options.syntaxCheck = false;
            }
            return options;
        }
    }
}
