package io.gatehouse.spawn.internal;

/**
 * A {@code waitpid} status word, decoded by hand as glibc's W* macros do on Linux: low 7 bits zero
 * means a normal exit with the code in bits 8..15; otherwise the low 7 bits are the signal and
 * bit 7 says a core was dumped. Stopped/continued states never reach us (no WUNTRACED).
 *
 * <p>Immutable.
 */
public record WaitStatus(int raw) {

    private static final int SIGNAL_MASK = 0x7f;
    private static final int CORE_FLAG = 0x80;

    public boolean exited() {
        return (raw & SIGNAL_MASK) == 0;
    }

    public int exitCode() {
        return (raw >> 8) & 0xff;
    }

    public int signal() {
        return raw & SIGNAL_MASK;
    }

    /** {@code status 3} or {@code signal 9 (SIGKILL)} or {@code signal 11 (SIGSEGV), core dumped}. */
    public String describe() {
        if (exited()) {
            return "status " + exitCode();
        }
        String text = "signal " + signal() + " (" + NativeLib.signalName(signal()) + ")";
        return (raw & CORE_FLAG) != 0 ? text + ", core dumped" : text;
    }

    @Override
    public String toString() {
        return describe();
    }
}
