package io.gatehouse.spawn;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A gatehouse stand-in for {@link StateFileTest}: starts a php-cgi backend with a state file,
 * prints {@code READY pid0 pid1} and waits to be killed with SIGKILL, leaving its children behind.
 * Arguments: state file, socket base path, php-cgi path.
 */
public final class LeftBehindBackend {

    private LeftBehindBackend() {
    }

    public static void main(String[] args) throws Exception {
        StateFile stateFile = StateFile.at(Path.of(args[0]));
        SpawnedBackend backend = SpawnedBackend.start(SpawnSpec.builder("left", List.of(args[2]))
                .socket(Path.of(args[1])).procs(2).killTimeout(Duration.ofSeconds(1)).build(),
                SpawnEvents.none(), stateFile);
        StringBuilder ready = new StringBuilder("READY");
        backend.status().forEach(proc -> ready.append(' ').append(proc.pid()));
        System.out.println(ready);
        System.out.flush();
        Thread.sleep(600_000);
    }
}
