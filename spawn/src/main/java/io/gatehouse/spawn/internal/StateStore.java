package io.gatehouse.spawn.internal;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The state file's content and its reading and writing. The file is rewritten whole (a new temp
 * file with an unpredictable name, then an atomic rename) on every change, so a reader never sees
 * half a file, and deleted when no child is left. It is read only when it is our own regular
 * file that nobody else may write, checked on the descriptor it is read from ({@link OwnFiles}).
 * Format, one record per line, text fields URL-encoded so no field holds a space:
 * <pre>
 * # gatehouse spawn state ...
 * owner PID STARTTIME
 * child PID STARTTIME KILLSIGNAL KILLTIMEOUTMILLIS SOCKETINODE PROC LABEL SOCKETPATH|-
 * </pre>
 *
 * <p>Thread-safe: every method synchronizes on the instance.
 */
public final class StateStore implements ChildRegistry {

    private static final String HEADER = "# gatehouse spawn state: live backend children of the owner process;"
            + " a later start kills those still alive (see io.gatehouse.spawn.StateFile)";
    /** A state file is a few lines per child; anything bigger is not ours. */
    private static final long MAX_FILE_BYTES = 4L * 1024 * 1024;
    /** A directory created for the state file: nobody else may add or replace files in it. */
    private static final Set<PosixFilePermission> PRIVATE_DIRECTORY = PosixFilePermissions.fromString("rwx------");

    /**
     * What was read from the file.
     *
     * @param exists false when there was no file (everything else is empty then)
     */
    public record Contents(boolean exists, long ownerPid, long ownerStartTime, List<ChildRecord> children,
                           List<String> badLines) {
    }

    private final Path path;
    private final long ownPid;
    private final long ownStartTime;
    private final Map<Long, ChildRecord> live = new LinkedHashMap<>();

    public StateStore(Path path) {
        this.path = path.toAbsolutePath();
        this.ownPid = ProcessHandle.current().pid();
        this.ownStartTime = ProcFs.stat(ownPid).map(ProcFs.Stat::startTime).orElse(0L);
    }

    public Path path() {
        return path;
    }

    public long ownPid() {
        return ownPid;
    }

    public long ownStartTime() {
        return ownStartTime;
    }

    @Override
    public synchronized void recorded(ChildRecord child) throws IOException {
        live.put(child.pid(), child);
        write();
    }

    @Override
    public synchronized void forgotten(long pid) throws IOException {
        if (live.remove(pid) != null) {
            write();
        }
    }

    /** True when {@code pid} is a child this process recorded and has not reaped. */
    public synchronized boolean isOwnLive(long pid) {
        return live.containsKey(pid);
    }

    /**
     * Reads the file through {@link OwnFiles#readIfOwn}: only a regular file of our own that
     * nobody else may write is read; an absent file reads as empty.
     *
     * @throws IOException naming why the file is not trusted or cannot be read
     */
    public synchronized Contents read(NativeLib lib) throws IOException {
        Optional<byte[]> bytes = OwnFiles.readIfOwn(lib, path, MAX_FILE_BYTES);
        if (bytes.isEmpty()) {
            return new Contents(false, 0, 0, List.of(), List.of());
        }
        String text = new String(bytes.get(), StandardCharsets.UTF_8);
        long ownerPid = 0;
        long ownerStart = 0;
        List<ChildRecord> children = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.trim().split(" ");
            try {
                if (f[0].equals("owner") && f.length == 3) {
                    ownerPid = Long.parseLong(f[1]);
                    ownerStart = Long.parseLong(f[2]);
                } else if (f[0].equals("child") && f.length == 9) {
                    children.add(new ChildRecord(decode(f[7]), Integer.parseInt(f[6]), Long.parseLong(f[1]),
                            Long.parseLong(f[2]), Integer.parseInt(f[3]), Long.parseLong(f[4]),
                            f[8].equals("-") ? "" : decode(f[8]), Long.parseLong(f[5])));
                } else {
                    bad.add(line);
                }
            } catch (IllegalArgumentException e) {
                bad.add(line);
            }
        }
        return new Contents(true, ownerPid, ownerStart, children, bad);
    }

    /** Rewrites the file from what this process has recorded (deletes it when nothing is). */
    public synchronized void rewrite() throws IOException {
        write();
    }

    private void write() throws IOException {
        if (live.isEmpty()) {
            Files.deleteIfExists(path);
            return;
        }
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        text.append("owner ").append(ownPid).append(' ').append(ownStartTime).append('\n');
        for (ChildRecord c : inProcOrder(live.values())) {
            text.append("child ").append(c.pid()).append(' ').append(c.startTime()).append(' ')
                    .append(c.killSignal()).append(' ').append(c.killTimeoutMillis()).append(' ')
                    .append(c.socketInode()).append(' ').append(c.proc()).append(' ').append(encode(c.label()))
                    .append(' ').append(c.socketPath().isEmpty() ? "-" : encode(c.socketPath())).append('\n');
        }
        Path parent = path.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PRIVATE_DIRECTORY));
        }
        OwnFiles.replace(path, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The backends in the order they were first recorded, each one's children by proc number,
     * whatever order their spawns ended in (a backend's procs spawn at once): the file reads the
     * same for the same children, and a later start reaps them in that order.
     */
    private static List<ChildRecord> inProcOrder(Collection<ChildRecord> records) {
        Map<String, List<ChildRecord>> byBackend = new LinkedHashMap<>();
        for (ChildRecord record : records) {
            byBackend.computeIfAbsent(record.label(), label -> new ArrayList<>()).add(record);
        }
        List<ChildRecord> ordered = new ArrayList<>();
        for (List<ChildRecord> backend : byBackend.values()) {
            backend.sort(Comparator.comparingInt(ChildRecord::proc));
            ordered.addAll(backend);
        }
        return ordered;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String decode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }
}
