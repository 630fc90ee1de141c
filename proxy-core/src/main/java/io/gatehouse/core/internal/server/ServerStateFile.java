package io.gatehouse.core.internal.server;

import java.io.IOException;

import io.gatehouse.conf.ServerConfig;
import io.gatehouse.core.internal.log.ErrorLog;
import io.gatehouse.spawn.StateFile;

/**
 * The one state file of a server process, named after the config it started with
 * ({@link BackendProcesses#stateFileFor}) and opened, with the children a previous run left
 * behind stopped, the first time a generation spawns a bin-path backend. Not before: finding
 * its directory asks the kernel for the effective uid through the spawn module's native binding,
 * whose loading costs a cold JVM about half a second, which a server that spawns nothing should
 * not spend before its first request.
 *
 * <p>Thread-safe.
 */
public final class ServerStateFile {

    private final ServerConfig first;
    private final ErrorLog errorLog;
    private StateFile file;

    public ServerStateFile(ServerConfig first, ErrorLog errorLog) {
        this.first = first;
        this.errorLog = errorLog;
    }

    /**
     * The state file, opened on the first call.
     *
     * @throws IOException naming the cause (a GH-SPAWN id); a later call tries again
     */
    public synchronized StateFile get() throws IOException {
        if (file == null) {
            file = BackendProcesses.openStateFile(first, errorLog, System.getenv(), true);
        }
        return file;
    }
}
