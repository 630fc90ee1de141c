package io.gatehouse.core.internal.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Files on disk, looked up at most once a second per path; a clock the test turns. */
class ResolvedPathsTest {

    private static final List<String> INDEX_FILES = List.of("index.php");

    private final AtomicLong second = new AtomicLong(1000);
    private final ResolvedPaths resolved = new ResolvedPaths(second::get);
    private Path root;

    @BeforeEach
    void docroot() throws IOException {
        root = Files.createTempDirectory("gh-resolved-");
    }

    @AfterEach
    void clean() throws IOException {
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aDeletedFileIsStillFoundInTheSameSecondAndGoneInTheNext() throws IOException {
        Path script = Files.writeString(root.resolve("app.php"), "<?php");

        PhysicalPath first = resolved.resolve(root, "/app.php/extra", INDEX_FILES);
        assertEquals(new PhysicalPath("/app.php", "/extra", script), first);
        Files.delete(script);

        assertEquals(first, resolved.resolve(root, "/app.php/extra", INDEX_FILES), "kept for this second");
        second.incrementAndGet();
        assertNull(resolved.resolve(root, "/app.php/extra", INDEX_FILES), "looked up again in the next second");
        assertEquals(0, resolved.size());
    }

    @Test
    void aMissingFileIsNotKeptSoOneThatAppearsIsFoundAtOnce() throws IOException {
        assertNull(resolved.resolve(root, "/new.php", INDEX_FILES));
        assertEquals(0, resolved.size());

        Path script = Files.writeString(root.resolve("new.php"), "<?php");

        assertEquals(new PhysicalPath("/new.php", "", script), resolved.resolve(root, "/new.php", INDEX_FILES));
    }

    @Test
    void answersDependOnTheRootAndTheIndexFiles() throws IOException {
        Path other = Files.createDirectories(root.resolve("other"));
        Files.writeString(root.resolve("index.php"), "<?php");
        Files.writeString(other.resolve("index.html"), "<p>");

        assertEquals("/index.php", resolved.resolve(root, "/", INDEX_FILES).urlPath());
        assertNull(resolved.resolve(other, "/", INDEX_FILES));
        assertEquals("/index.html", resolved.resolve(other, "/", List.of("index.php", "index.html")).urlPath());
    }

    @Test
    void beyondTheLimitEverythingHeldIsDroppedAndLookedUpAnew() throws IOException {
        Path script = Files.writeString(root.resolve("app.php"), "<?php");
        for (int i = 0; i < ResolvedPaths.MAX_ENTRIES; i++) {
            assertNotNull(resolved.resolve(root, "/app.php/" + i, INDEX_FILES));
        }
        assertEquals(ResolvedPaths.MAX_ENTRIES, resolved.size());

        assertNotNull(resolved.resolve(root, "/app.php/one-more", INDEX_FILES));
        assertEquals(1, resolved.size());
        Files.delete(script);
        assertNull(resolved.resolve(root, "/app.php/0", INDEX_FILES), "dropped, so looked up on disk again");
        assertTrue(resolved.size() <= 1);
    }
}
