package io.gatehouse.spawn;

/**
 * A backend could not be spawned (or a leftover could not be handled). The message starts with a
 * stable id ({@code GH-SPAWN-NNN}), names the backend, proc and path concerned, the cause (with the
 * errno name where a system call failed) and what to do about it:
 * <pre>
 * GH-SPAWN-003 backend "php" proc 0 (/run/php.sock-0): child pid 4711 exited during start (status 255):
 * is bin-path a FastCGI/SCGI program that serves the socket on fd 0? See its stderr: /var/log/breakage.log
 * </pre>
 * Ids: 001 bin-path not an executable file; 002 socket path unusable (not a socket, probe failed);
 * 003 child exited during start; 004 posix_spawn failed; 005 socket/bind/listen failed; 006 native
 * binding unavailable (not Linux/glibc 2.34+); 007 socket directory cannot be created; 008 a stop
 * could not be verified; 009 state file unreadable/unwritable or not trusted (a symbolic link, not
 * ours, writable by others); 010 socket file or socket directory owned by another user (never
 * adopted, never unlinked); 011 socket directory writable by others without the sticky bit; 012
 * a directory gatehouse keeps its own files in (state file,
 * runtime directory) is not private to its user.
 *
 * <p>Immutable once thrown.
 */
public final class SpawnException extends Exception {

    private static final long serialVersionUID = 1L;

    public SpawnException(String message) {
        super(message);
    }

    public SpawnException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The {@code GH-SPAWN-NNN} id the message starts with, or an empty string if it has none. */
    public String id() {
        String message = getMessage();
        if (message != null && message.startsWith("GH-SPAWN-") && message.length() >= 12) {
            return message.substring(0, 12);
        }
        return "";
    }
}
