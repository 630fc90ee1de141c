package io.gatehouse.core.internal.server;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What systemd's socket activation variables ask of this process: {@code LISTEN_FDS} listening
 * sockets, at fds 3 and up, meant for the process whose pid is {@code LISTEN_PID}. lighttpd's
 * rules: the sockets are used only with {@code server.systemd-socket-activation = "enable"},
 * only when {@code LISTEN_PID} is our pid (or lighttpd's {@code parent:<ppid>}, for a server run
 * under a wrapper such as strace that exec's it as a child), and only for 1..4999 descriptors.
 * Anything else is ignored; unlike lighttpd, the reason is reported, so an operator learns why
 * gatehouse bound the addresses itself.
 *
 * <p>Stateless; thread-safe.
 */
public final class ListenFdsEnvironment {

    /** The first inherited descriptor ({@code SD_LISTEN_FDS_START}). */
    public static final int FIRST_FD = 3;

    /** lighttpd's bound on {@code LISTEN_FDS}; more would be a corrupt variable, not a real unit. */
    static final int MAX_FDS = 4999;

    /** The variables of the protocol; they describe our descriptors, so children must not see them. */
    public static final List<String> VARIABLES = List.of("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES");

    private static final String PARENT_PREFIX = "parent:";

    private ListenFdsEnvironment() {
    }

    /**
     * What to do with the variables.
     *
     * @param fdCount the sockets to take over (fds 3..3+fdCount-1); 0 = bind the configured addresses
     * @param note    why nothing is taken over although activation was asked for (by the config or
     *                the environment); empty when there is nothing to say
     */
    public record Verdict(int fdCount, Optional<String> note) {

        public boolean activates() {
            return fdCount > 0;
        }
    }

    /**
     * Applies the rules.
     *
     * @param environment the process environment ({@code System.getenv()})
     * @param enabled     {@code server.systemd-socket-activation}
     * @param pid         our pid
     * @param parentPid   our parent's pid, -1 if unknown
     */
    public static Verdict read(Map<String, String> environment, boolean enabled, long pid, long parentPid) {
        String fds = environment.get("LISTEN_FDS");
        String listenPid = environment.get("LISTEN_PID");
        if (fds == null) {
            return new Verdict(0, enabled ? Optional.of("server.systemd-socket-activation is enabled but no sockets"
                    + " were passed (LISTEN_FDS is not set: not started through a .socket unit?)") : Optional.empty());
        }
        if (!enabled) {
            return ignored("server.systemd-socket-activation is not enabled in the config");
        }
        int count = count(fds);
        if (count < 1) {
            return ignored("LISTEN_FDS=\"" + fds + "\" is not a count of 1.." + MAX_FDS);
        }
        if (listenPid == null) {
            return ignored("LISTEN_PID is not set");
        }
        if (!isUs(listenPid, pid, parentPid)) {
            return ignored("LISTEN_PID=\"" + listenPid + "\" names another process (this is pid " + pid
                    + "): the sockets were meant for it");
        }
        return new Verdict(count, Optional.empty());
    }

    private static Verdict ignored(String reason) {
        return new Verdict(0, Optional.of("the sockets systemd passed (LISTEN_FDS) are ignored: " + reason));
    }

    /** The count, or -1 when it is not a decimal count within bounds. */
    private static int count(String text) {
        if (!text.matches("[0-9]{1,4}")) {
            return -1;
        }
        int count = Integer.parseInt(text);
        return count >= 1 && count <= MAX_FDS ? count : -1;
    }

    private static boolean isUs(String listenPid, long pid, long parentPid) {
        if (listenPid.startsWith(PARENT_PREFIX)) {
            String parent = listenPid.substring(PARENT_PREFIX.length());
            return parentPid > 0 && isNumber(parent) && Long.parseLong(parent) == parentPid;
        }
        return isNumber(listenPid) && Long.parseLong(listenPid) == pid;
    }

    private static boolean isNumber(String text) {
        return text.matches("[0-9]{1,18}");
    }
}
