package io.gatehouse.spawn.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The environment of a spawned child, built as lighttpd builds it: when {@code bin-copy-environment}
 * names variables, the child gets only those of ours; otherwise all of ours. {@code bin-environment}
 * is applied on top, and {@code PHP_FCGI_CHILDREN=1} is added unless already set, so php-cgi does
 * not fork its own workers behind the spawner's back by default.
 *
 * <p>systemd's socket activation variables ({@code LISTEN_PID}, {@code LISTEN_FDS},
 * {@code LISTEN_FDNAMES}) are never copied: they describe descriptors of ours that a child does
 * not get (it inherits nothing above fd 2), and a socket-activated gatehouse cannot unset them
 * in its own environment. lighttpd unsets them after reading them, to the same effect.
 *
 * <p>Stateless; thread-safe.
 */
public final class ChildEnvironment {

    static final String PHP_FCGI_CHILDREN = "PHP_FCGI_CHILDREN";

    /** Meant for the process systemd started, never for its children. */
    static final Set<String> NEVER_COPIED = Set.of("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES");

    private ChildEnvironment() {
    }

    /** The child's variables, sorted by name (the order is not significant, only stable). */
    public static Map<String, String> build(Map<String, String> ours, List<String> copyEnvironment,
                                            Map<String, String> environment) {
        Map<String, String> child = new TreeMap<>();
        if (copyEnvironment.isEmpty()) {
            child.putAll(ours);
        } else {
            for (String name : copyEnvironment) {
                String value = ours.get(name);
                if (value != null) {
                    child.put(name, value);
                }
            }
        }
        child.keySet().removeAll(NEVER_COPIED);
        child.putAll(environment);
        child.putIfAbsent(PHP_FCGI_CHILDREN, "1");
        return child;
    }

    /** {@code NAME=value} strings, the form {@code envp} takes. */
    public static List<String> toEnvp(Map<String, String> environment) {
        List<String> envp = new ArrayList<>(environment.size());
        environment.forEach((name, value) -> envp.add(name + "=" + value));
        return envp;
    }
}
