package io.gatehouse.core.internal.cli;

import javax.management.MBeanServer;
import javax.management.MBeanServerBuilder;
import javax.management.MBeanServerDelegate;

/**
 * Keeps the gatehouse command's start from building the JVM's platform MBean server for the MBeans
 * its libraries register whatever their options: XNIO's provider and workers, and the task pool
 * of each worker (jboss-threads). The first registration builds the server with every platform
 * MXBean, about 150 ms of CPU in a fresh JVM before the first accept, which two cores cannot hide
 * (the harness's {@code startup}, in front of PHP-FPM: 307–310 ms with it, 236–244 without).
 *
 * <p>jboss-threads has a switch for it; XNIO has none, so until the server has started this is
 * also the JVM's MBean server builder, one that builds as the JDK's default builder does except
 * for XNIO, which goes without its MBeans (it ignores the failure). Then {@link #lift} hands the
 * JDK's own builder back: a JMX agent attached later (jconsole, {@code jcmd ManagementAgent.*})
 * loads the builder from a thread that cannot see this class, and gets the platform server as
 * before; so does {@code -Dcom.sun.management.jmxremote}, which builds it before main. XNIO is
 * recognised by the class that holds its MBean server, a private detail of XNIO 3.8: should that
 * change, nothing is refused and starts are slower again, which a test notices.
 *
 * <p>Stateless; thread-safe.
 */
public final class LibraryMBeanRefusal extends MBeanServerBuilder {

    /** The JDK reads this each time an MBean server is made, so setting it in main is in time. */
    static final String BUILDER_PROPERTY = "javax.management.builder.initial";
    /** jboss-threads reads this when its executor class is first used. */
    static final String THREAD_POOL_MBEANS_OFF = "jboss.threads.eqe.disable-mbean";
    /** XNIO's holder of its MBean server, whose class initialiser asks for the platform server. */
    static final String XNIO_HOLDER = "org.xnio.Xnio$MBeanHolder";

    /** Turns both off, each unless the user set its property; {@link #lift} must follow XNIO's start. */
    public static void installUnlessSet() {
        if (System.getProperty(THREAD_POOL_MBEANS_OFF) == null) {
            System.setProperty(THREAD_POOL_MBEANS_OFF, "true");
        }
        if (System.getProperty(BUILDER_PROPERTY) == null) {
            System.setProperty(BUILDER_PROPERTY, LibraryMBeanRefusal.class.getName());
        }
    }

    /** The JDK's builder again, for whatever asks after XNIO has started. */
    public static void lift() {
        if (LibraryMBeanRefusal.class.getName().equals(System.getProperty(BUILDER_PROPERTY))) {
            System.clearProperty(BUILDER_PROPERTY);
        }
    }

    @Override
    public MBeanServer newMBeanServer(String defaultDomain, MBeanServer outer, MBeanServerDelegate delegate) {
        if (askedByXnio()) {
            throw new UnsupportedOperationException("gatehouse does not build the platform MBean server for XNIO's"
                    + " MBeans; anything else gets it");
        }
        return super.newMBeanServer(defaultDomain, outer, delegate);
    }

    private static boolean askedByXnio() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(f -> f.getClassName().startsWith(XNIO_HOLDER)));
    }
}
