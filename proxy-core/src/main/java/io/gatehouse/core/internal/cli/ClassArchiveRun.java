package io.gatehouse.core.internal.cli;

import io.gatehouse.spawn.LibcBinding;
import io.gatehouse.spawn.SpawnException;

/**
 * The run of {@code bin/gatehouse} that writes the class-data archive later starts map (the
 * launcher marks it with {@code -Dgatehouse.class-archive=write}). The JVM archives the classes
 * loaded when it exits, so a config without bin-path backends would leave the libc binding out,
 * and every later start of a config with them would load and verify its several hundred classes
 * again: about 200 ms of a 1 s start, measured. The writing run loads it before it exits.
 */
public final class ClassArchiveRun {

    static final String PROPERTY = "gatehouse.class-archive";

    private ClassArchiveRun() {
    }

    /** In the writing run, loads the classes that later starts may need and this run did not. */
    public static void loadWhatLaterStartsMayNeed() {
        if (!"write".equals(System.getProperty(PROPERTY))) {
            return;
        }
        try {
            LibcBinding.load();
        } catch (SpawnException | RuntimeException | LinkageError e) {
            // No binding on this platform: later starts cannot spawn either, nothing to archive.
        }
    }
}
