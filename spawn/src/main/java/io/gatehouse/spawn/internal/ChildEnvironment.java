package io.gatehouse.spawn.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The environment of a spawned child, built as lighttpd builds it: when {@code bin-copy-environment}
 * names variables, the child gets only those of ours; otherwise all of ours. {@code bin-environment}
 * is applied on top, and {@code PHP_FCGI_CHILDREN=1} is added unless already set, so php-cgi does
 * not fork its own workers behind the spawner's back by default.
 *
 * <p>Stateless; thread-safe.
 */
public final class ChildEnvironment {

    static final String PHP_FCGI_CHILDREN = "PHP_FCGI_CHILDREN";

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
