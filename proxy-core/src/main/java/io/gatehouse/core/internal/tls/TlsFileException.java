package io.gatehouse.core.internal.tls;

import java.nio.file.Path;

/**
 * A certificate, key or CA file that cannot serve: unreadable, not PEM, the wrong content, a key
 * that does not match its certificate. The message names the file and what is wrong with it.
 */
public final class TlsFileException extends Exception {

    private static final long serialVersionUID = 1L;

    public TlsFileException(Path file, String problem) {
        super(file + " " + problem);
    }

    public TlsFileException(String message) {
        super(message);
    }
}
