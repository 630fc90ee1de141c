package io.gatehouse.core.internal.staticfile;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import io.gatehouse.conf.Scope;
import io.gatehouse.core.internal.route.PhysicalPath;
import io.gatehouse.spawn.OpenedFile;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import org.xnio.IoUtils;

/**
 * What the file system says about a request for a static file: the file, opened, or what answers
 * instead. Found on a worker thread, where stat and open may block, from values the I/O thread
 * copied out of the request: it never touches the exchange, whose state Undertow changes on the
 * I/O thread without a lock (an HTTP/2 stream reset meanwhile lost the worker's changes, and with
 * them the task that would have sent and closed the file).
 */
sealed interface FileLookup {

    /** The regular file {@code opened}, at {@code file}. */
    record Found(OpenedFile opened, String file) implements FileLookup {
    }

    /** A directory asked for without its trailing slash: lighttpd redirects to the slashed path. */
    record DirectoryWithoutSlash() implements FileLookup {
    }

    /** OPTIONS of anything but such a directory: answered with the methods served, whether a file is there or not. */
    record Options() implements FileLookup {
    }

    /** An error status answers: no such file, not a regular file, an excluded extension, a method not served. */
    record Refused(int status) implements FileLookup {
    }

    /** The file system failed otherwise; answered as any handler's {@link IOException} is. */
    record Failed(IOException cause) implements FileLookup {
    }

    /**
     * Looks up {@code urlPath} (normalised, from {@code /}) in {@code documentRoot} with
     * {@code scope}'s index files and exclusions, and opens what it finds. In lighttpd's order:
     * a directory without its slash is redirected whatever the method, then OPTIONS is answered;
     * a missing file is 404 whatever the method, a method other than GET, HEAD or POST 501 before
     * an excluded extension's 403.
     */
    static FileLookup find(Path documentRoot, String urlPath, Scope scope, HttpString method) {
        try {
            if (!urlPath.endsWith("/") && Files.isDirectory(documentRoot.resolve(urlPath.substring(1)))) {
                return new DirectoryWithoutSlash();
            }
            if (method.equals(Methods.OPTIONS)) {
                return new Options();
            }
            PhysicalPath found = PhysicalPath.resolve(documentRoot, urlPath, scope.indexFiles());
            if (found == null) {
                boolean exists = Files.exists(documentRoot.resolve(urlPath.substring(1)));
                return new Refused(exists ? StatusCodes.FORBIDDEN : StatusCodes.NOT_FOUND);
            }
            if (!method.equals(Methods.GET) && !method.equals(Methods.HEAD) && !method.equals(Methods.POST)) {
                return new Refused(StatusCodes.NOT_IMPLEMENTED);
            }
            String file = found.file().toString();
            if (scope.staticFiles().excludeExtensions().stream().anyMatch(file::endsWith)) {
                return new Refused(StatusCodes.FORBIDDEN);
            }
            // Opened first, described from what was opened: a file renamed over the path meanwhile
            // cannot be served under another file's length, type or validators.
            OpenedFile opened = OpenedFile.openRegular(found.file()).orElse(null);
            return opened == null ? new Refused(StatusCodes.FORBIDDEN) : new Found(opened, file);
        } catch (NoSuchFileException e) {
            return new Refused(StatusCodes.NOT_FOUND);
        } catch (AccessDeniedException e) {
            return new Refused(StatusCodes.FORBIDDEN);
        } catch (IOException e) {
            return new Failed(e);
        } catch (RuntimeException e) {
            return new Failed(new IOException(e.toString(), e)); // the exchange must still be answered
        }
    }

    /** Closes the file found, if any: for a lookup whose answer will not be sent. */
    static void discard(FileLookup lookup) {
        if (lookup instanceof Found found) {
            IoUtils.safeClose(found.opened());
        }
    }
}
