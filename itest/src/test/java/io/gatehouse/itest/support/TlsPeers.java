package io.gatehouse.itest.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assertions;

/**
 * The real TLS clients and tools of the HTTPS tests, run as processes with a time limit:
 * {@code openssl} to make keys and certificates in a test's directory and as {@code s_client}
 * for handshakes, {@code curl} for requests whose failure is the point, {@code nghttp} for HTTP/2.
 *
 * <p>Stateless; thread-safe.
 */
public final class TlsPeers {

    /** A handshake on loopback takes milliseconds; this bounds a peer that hangs. */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** What a peer printed (stdout and stderr together) and how it exited. */
    public record Run(int exitCode, String output) {
    }

    private TlsPeers() {
    }

    /** Runs {@code command} in {@code dir} with stdin from /dev/null, for at most 30 s. */
    public static Run run(Path dir, List<String> command) {
        return run(dir, command, TIMEOUT);
    }

    /** Runs {@code command} in {@code dir} with stdin from /dev/null, for at most {@code timeout}. */
    public static Run run(Path dir, List<String> command, Duration timeout) {
        Path log = dir.resolve("peer-" + System.nanoTime() + ".log");
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                Assertions.fail(String.join(" ", command) + " still running after " + timeout + " (killed)");
            }
            return new Run(process.exitValue(), Files.readString(log, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command.get(0) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command.get(0), e);
        } finally {
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                // the test's directory is deleted whole afterwards
            }
        }
    }

    /** {@code openssl args...} in {@code dir}; fails the test unless it succeeds. */
    public static String openssl(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of(Peers.require("openssl").toString()));
        command.addAll(List.of(args));
        Run run = run(dir, command);
        Assertions.assertEquals(0, run.exitCode(), () -> String.join(" ", command) + ":\n" + run.output());
        return run.output();
    }

    /** An EC P-256 key ({@code name}) and a self-signed certificate for it ({@code name}.crt), valid {@code days}. */
    public static void selfSigned(Path dir, String name, String subject, int days) {
        openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", name + ".key");
        openssl(dir, "req", "-x509", "-new", "-key", name + ".key", "-subj", subject, "-days", Integer.toString(days),
                "-out", name + ".crt");
    }

    /** A key {@code name}.key and a certificate {@code name}.crt signed by the CA {@code ca}.crt/.key. */
    public static void signedBy(Path dir, String ca, String name, String subject) {
        openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", name + ".key");
        openssl(dir, "req", "-new", "-key", name + ".key", "-subj", subject, "-out", name + ".csr");
        openssl(dir, "x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key",
                "-CAcreateserial", "-days", "30", "-out", name + ".crt");
    }

    /**
     * {@code openssl s_client} to 127.0.0.1:{@code port} with {@code args}, sending nothing: the
     * handshake and the server certificate it received ({@code -showcerts} output). The client
     * asks for the name {@code localhost} (SNI) unless {@code args} name another or none.
     */
    public static Run handshake(Path dir, int port, String... args) {
        List<String> command = new ArrayList<>(List.of(Peers.require("openssl").toString(), "s_client",
                "-connect", "127.0.0.1:" + port));
        if (!List.of(args).contains("-servername") && !List.of(args).contains("-noservername")) {
            command.addAll(List.of("-servername", "localhost"));
        }
        command.addAll(List.of(args));
        return run(dir, command);
    }

    /** The serial number of the certificate 127.0.0.1:{@code port} presents now. */
    public static String servedSerial(Path dir, int port) {
        return served(dir, port, "-serial");
    }

    /**
     * The subject of the certificate 127.0.0.1:{@code port} presents to a client that asks for
     * {@code serverName} (SNI), or for no name when it is null.
     */
    public static String servedSubject(Path dir, int port, String serverName) {
        return serverName == null ? served(dir, port, "-subject", "-noservername")
                : served(dir, port, "-subject", "-servername", serverName);
    }

    /** {@code openssl x509 -noout field} of the certificate a handshake with {@code args} receives. */
    private static String served(Path dir, int port, String field, String... args) {
        Run run = handshake(dir, port, args);
        Path pem = dir.resolve("served.pem");
        try {
            Files.writeString(pem, run.output());
            return openssl(dir, "x509", "-in", pem.toString(), "-noout", field).strip();
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            pem.toFile().delete();
        }
    }
}
