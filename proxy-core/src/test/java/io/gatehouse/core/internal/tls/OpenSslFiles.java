package io.gatehouse.core.internal.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Keys and certificates made by the real {@code openssl} command in a test's temp directory, in
 * the forms lighttpd users have them: PKCS#8, PKCS#1, SEC1, encrypted, chains.
 */
final class OpenSslFiles {

    private static final long TIMEOUT_SECONDS = 30;

    private final Path dir;

    OpenSslFiles(Path dir) {
        this.dir = dir;
    }

    /** Runs {@code openssl args...} in the directory; fails the test on a non-zero exit. */
    void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            fail("openssl " + String.join(" ", args) + " did not finish in " + TIMEOUT_SECONDS + " s");
        }
        assertEquals(0, process.exitValue(), () -> "openssl " + String.join(" ", args) + ":\n" + log());
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("openssl.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    Path path(String name) {
        return dir.resolve(name);
    }

    /** An RSA key as PKCS#8 ({@code BEGIN PRIVATE KEY}). */
    Path rsaKey(String name) throws IOException, InterruptedException {
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", name);
        return path(name);
    }

    /** An EC P-256 key as SEC1 ({@code BEGIN EC PRIVATE KEY}). */
    Path ecKey(String name) throws IOException, InterruptedException {
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", name);
        return path(name);
    }

    /** A self-signed certificate for {@code key}, valid for {@code days}. */
    Path selfSigned(Path key, String subject, int days, String name) throws IOException, InterruptedException {
        openssl("req", "-x509", "-new", "-key", key.toString(), "-subj", subject, "-days", Integer.toString(days),
                "-out", name);
        return path(name);
    }

    /** A certificate for {@code key} signed by {@code caCert}/{@code caKey}. */
    Path signed(Path key, String subject, Path caCert, Path caKey, String name)
            throws IOException, InterruptedException {
        openssl("req", "-new", "-key", key.toString(), "-subj", subject, "-out", name + ".csr");
        openssl("x509", "-req", "-in", name + ".csr", "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-days", "30", "-out", name);
        return path(name);
    }

    /** The files concatenated into {@code name}, as a chain or a combined pemfile is made. */
    Path concat(String name, Path... parts) throws IOException {
        StringBuilder text = new StringBuilder();
        for (Path part : parts) {
            text.append(Files.readString(part));
        }
        return Files.writeString(path(name), text.toString());
    }
}
