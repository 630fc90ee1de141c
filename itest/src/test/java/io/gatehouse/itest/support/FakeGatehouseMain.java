package io.gatehouse.itest.support;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Stands in for the product's CLI in {@link GatehouseProcessTest}, so the launcher is tested
 * before the real jar exists: {@code -D -f CONF}, where CONF holds {@code key = value} lines:
 * {@code port} to listen on 127.0.0.1, {@code mode} = {@code serve} (default), {@code fail}
 * (print a config error and exit 3) or {@code orphan} (start a {@code sleep} child and leave it
 * behind on SIGTERM). Logs each USR1 and HUP; exits 0 on INT.
 *
 * <p>Runs as its own process; not used from test threads.
 */
public final class FakeGatehouseMain {

    /** Exit code the product uses for a config error. */
    static final int CONFIG_ERROR = 3;
    /** Exit code for bad command-line usage, as the product's. */
    static final int USAGE = 2;

    private FakeGatehouseMain() {
    }

    public static void main(String[] args) throws IOException, ReflectiveOperationException {
        if (args.length != 3 || !args[0].equals("-D") || !args[1].equals("-f")) {
            System.err.println("usage: -D -f CONF");
            System.exit(USAGE);
        }
        Path conf = Path.of(args[2]);
        Map<String, String> settings = new HashMap<>();
        for (String line : Files.readAllLines(conf)) {
            String[] kv = line.split("=", 2);
            if (kv.length == 2) {
                settings.put(kv[0].trim(), kv[1].trim());
            }
        }
        String mode = settings.getOrDefault("mode", "serve");
        if (mode.equals("fail")) {
            System.err.println(conf + ":1:1: config error: fake failure requested");
            System.exit(CONFIG_ERROR);
        }
        if (mode.equals("orphan")) {
            new ProcessBuilder("sleep", "30").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        }
        onSignal("USR1", () -> System.out.println("got USR1"));
        onSignal("HUP", () -> System.out.println("got HUP"));
        onSignal("INT", () -> {
            System.out.println("got INT, stopping");
            System.exit(0);
        });
        int port = Integer.parseInt(settings.get("port"));
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            System.out.println("listening on 127.0.0.1:" + port);
            while (true) {
                // Accepting is all the launcher waits for.
                server.accept().close();
            }
        }
    }

    /** sun.misc.Signal through reflection: the direct use draws an unsuppressible compiler warning. */
    private static void onSignal(String name, Runnable action) throws ReflectiveOperationException {
        Class<?> signalClass = Class.forName("sun.misc.Signal");
        Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
        Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass},
                (proxy, method, methodArgs) -> {
                    if (method.getName().equals("handle")) {
                        action.run();
                    }
                    return null;
                });
        Object signal = signalClass.getConstructor(String.class).newInstance(name);
        signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
    }
}
