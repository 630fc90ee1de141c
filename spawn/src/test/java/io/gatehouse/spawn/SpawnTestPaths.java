package io.gatehouse.spawn;

import java.io.IOException;
import java.nio.file.Path;

/** Test-directory clean-up shared with the internal package's tests. */
public final class SpawnTestPaths {

    private SpawnTestPaths() {
    }

    public static void deleteRecursively(Path root) throws IOException {
        SpawnTestSupport.deleteRecursively(root);
    }
}
