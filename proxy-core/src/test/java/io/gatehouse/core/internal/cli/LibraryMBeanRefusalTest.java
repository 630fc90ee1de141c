package io.gatehouse.core.internal.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import com.sun.tools.attach.VirtualMachine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xnio.OptionMap;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the gatehouse command refuses its libraries' MBeans and what JMX still gets, each in a JVM
 * of its own that starts XNIO and a worker as the command does (the platform MBean server is made
 * once per JVM, and this one's may exist already). The control run, without the refusal, pins the
 * cost it removes: should XNIO or jboss-threads stop building the platform server, or XNIO hold
 * it under another class, one of the two fails.
 */
class LibraryMBeanRefusalTest {

    @TempDir
    Path dir;

    @Test
    void xnioAndAWorkerStartWithoutBuildingAnMBeanServer() throws Exception {
        try (Probe probe = new Probe(true)) {
            assertEquals("MBean servers after XNIO started: 0", probe.line);
        }
    }

    /**
     * The agent's attach thread loads the builder the property names without the application's
     * class loader: had the refusal stayed in place, this would fail with ClassNotFoundException.
     */
    @Test
    void aJmxAgentAttachedAfterTheStartGetsThePlatformMBeanServerWithoutXnioMBeans() throws Exception {
        try (Probe probe = new Probe(true)) {
            assertEquals(List.of(0, 0), probe.attachAndCount());
        }
    }

    @Test
    void withoutTheRefusalXnioAndItsWorkerBuildThePlatformMBeanServer() throws Exception {
        try (Probe probe = new Probe(false)) {
            assertEquals("MBean servers after XNIO started: 1", probe.line);
            List<Integer> counts = probe.attachAndCount();
            assertTrue(counts.get(0) > 0 && counts.get(1) > 0, "XNIO and thread pool MBeans: " + counts);
        }
    }

    /** A JVM running {@link XnioStart}: its line read, it runs until closed. */
    private final class Probe implements AutoCloseable {

        final Process process;
        final String line;
        private final Path errors;

        Probe(boolean refusal) throws IOException {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            errors = dir.resolve("stderr-" + refusal);
            process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                    XnioStart.class.getName(), Boolean.toString(refusal))
                    .redirectError(errors.toFile())
                    .start();
            line = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (line == null) {
                fail("the probe JVM ended early: " + readQuietly(errors));
            }
        }

        /**
         * Attaches as jconsole does, starting the JVM's local JMX agent, and counts XNIO's MBeans
         * and its thread pools' after checking the platform MXBeans are there.
         */
        List<Integer> attachAndCount() throws Exception {
            VirtualMachine vm = VirtualMachine.attach(Long.toString(process.pid()));
            try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()))) {
                MBeanServerConnection jmx = connector.getMBeanServerConnection();
                long uptime = (Long) jmx.getAttribute(new ObjectName("java.lang:type=Runtime"), "Uptime");
                assertTrue(uptime > 0, "uptime " + uptime);
                return List.of(jmx.queryNames(new ObjectName("org.xnio:*"), null).size(),
                        jmx.queryNames(new ObjectName("jboss.threads:*"), null).size());
            } finally {
                vm.detach();
            }
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                fail("the probe JVM still ran 60 s after its input closed");
            }
            assertEquals(0, process.exitValue(), () -> readQuietly(errors));
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The probe: XNIO and a worker started as the command starts them; JMX is left to the test. */
    public static final class XnioStart {

        public static void main(String[] args) throws Exception {
            boolean refusal = Boolean.parseBoolean(args[0]);
            if (refusal) {
                LibraryMBeanRefusal.installUnlessSet();
            }
            XnioWorker worker = Xnio.getInstance(XnioStart.class.getClassLoader()).createWorker(OptionMap.EMPTY);
            if (refusal) {
                LibraryMBeanRefusal.lift();
            }
            System.out.println("MBean servers after XNIO started: " + MBeanServerFactory.findMBeanServer(null).size());
            System.out.flush();
            // until the test closes our input: it may attach meanwhile
            while (System.in.read() >= 0) {
                // nothing is sent
            }
            worker.shutdownNow();
        }
    }
}
