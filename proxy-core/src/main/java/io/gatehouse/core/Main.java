package io.gatehouse.core;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.ConfigParser;
import io.gatehouse.conf.ConfigWarning;
import io.gatehouse.conf.Preflight;
import io.gatehouse.conf.ServerConfig;
import io.gatehouse.core.internal.server.EmbeddedDefault;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The command line: {@code gatehouse [-f FILE] [-D] [-t | -tt] [-v] [-h]}, as lighttpd's.
 *
 * <p>Exit codes: 0 ok, 1 runtime failure, 2 usage, 3 config error.
 */
public final class Main {

    static final int EXIT_OK = 0;
    static final int EXIT_RUNTIME = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_CONFIG = 3;

    private static final String USAGE = """
            usage: gatehouse [-f FILE] [-D] [-t | -tt] [-v] [-h]

              -f FILE  the lighttpd-syntax config file; without it, the embedded default:
                       127.0.0.1:8080 in front of the built-in Java FastCGI demo backend
              -D       stay in the foreground (gatehouse always does; accepted for lighttpd)
              -t       check the config's syntax, print "Syntax OK" and exit
              -tt      check the config fully without binding or spawning, and exit
              -v       print the version and exit
              -h       print this help and exit

            exit codes: 0 ok, 1 runtime failure, 2 usage, 3 config error
            """;

    private Main() {
    }

    /** Held so the level set on them sticks: JUL keeps loggers only weakly. */
    private static final List<java.util.logging.Logger> QUIETED = List.of(
            java.util.logging.Logger.getLogger("org.xnio"), java.util.logging.Logger.getLogger("org.jboss"),
            java.util.logging.Logger.getLogger("io.undertow"));

    public static void main(String[] args) {
        // XNIO and Undertow announce their versions at INFO; an operator needs only their warnings.
        QUIETED.forEach(logger -> logger.setLevel(java.util.logging.Level.WARNING));
        int status = run(args, System.out, System.err);
        if (status != EXIT_OK) {
            System.exit(status);
        }
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
            if (options.syntaxCheck || options.preflight) {
                err.println("gatehouse: -t and -tt need -f FILE");
                return EXIT_USAGE;
            }
            return serveEmbeddedDefault(err);
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
            List<String> problems = Preflight.check(config);
            problems.forEach(problem -> err.println("gatehouse: " + problem));
            return problems.isEmpty() ? EXIT_OK : EXIT_CONFIG;
        }
        return serve(config, err);
    }

    private static int serveEmbeddedDefault(PrintStream err) {
        err.println("gatehouse: no -f given: serving the embedded default on http://" + EmbeddedDefault.HOST + ":"
                + EmbeddedDefault.PORT + "/ through the built-in demo FastCGI backend");
        return serve(EmbeddedDefault.config(), err);
    }

    private static int serve(ServerConfig config, PrintStream err) {
        Gatehouse server;
        try {
            server = Gatehouse.start(config);
        } catch (IOException | RuntimeException e) {
            err.println("gatehouse: " + e.getMessage());
            return EXIT_RUNTIME;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable stop = () -> {
            server.stop();
            stopped.countDown();
        };
        handle("INT", stop, err);
        handle("TERM", stop, err);
        handle("HUP", () -> server.reopenLogs(), err);
        // Stops cleanly on System.exit or a JVM shutdown too (the signal handlers replace the JDK's).
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "gatehouse-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop.run();
        }
        return EXIT_OK;
    }

    private static void handle(String signal, Runnable action, PrintStream err) {
        try {
            SignalHandler previous = Signal.handle(new Signal(signal), s -> action.run());
            if (previous == SignalHandler.SIG_IGN) {
                // Ignored when we started (nohup, a background job): the JVM installs nothing then.
                err.println("gatehouse: WARNING: SIG" + signal + " was ignored at start; it stays ignored");
            }
        } catch (IllegalArgumentException e) {
            err.println("gatehouse: WARNING: cannot handle SIG" + signal + ": " + e.getMessage());
        }
    }

    /** The parsed command line. */
    static final class Options {
        Path configFile;
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
