package io.gatehouse.conf.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.SourceLocation;

/**
 * Reads one config file, the main file or an include, as UTF-8. Only regular files are read:
 * {@code /dev/zero} or {@code /dev/urandom} would be read until the heap runs out, a FIFO would
 * block a reload forever and a directory has no text. Symlinks are followed and the file they end
 * at must be regular. The read stops one byte past {@link #MAX_FILE_BYTES}, so a file that grows
 * while it is read, or is swapped for a device between the check and the open, cannot exceed it.
 *
 * <p>Stateless; thread-safe.
 */
public final class ConfigFileReader {

    /**
     * lighttpd configs are a few hundred lines; with a generated {@code mimetype.assign} the largest
     * are tens of KiB. A file 20 times that is not a config, and its tokens must fit a small heap.
     */
    public static final int MAX_FILE_BYTES = 1024 * 1024;

    private static final int S_IFMT = 0170000;

    private ConfigFileReader() {
    }

    /** The text of {@code file}; problems are errors at {@code at}, naming the file. */
    public static String read(Path file, SourceLocation at) throws ConfigException {
        BasicFileAttributes checked = regularFile(file, at);
        if (checked.size() > MAX_FILE_BYTES) {
            throw tooLarge(file, checked.size() + " bytes", at);
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            if (!Objects.equals(checked.fileKey(), regularFile(file, at).fileKey())) {
                throw new ConfigException(at, "cannot read config file " + file + ": it was replaced while it was"
                        + " opened, expected a file that stays put during a reload");
            }
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (IOException e) {
            throw new ConfigException(at, "cannot read config file " + file + ": " + e, e);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw tooLarge(file, "more than " + MAX_FILE_BYTES + " bytes (it grew while it was read)", at);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The attributes of the file {@code path} ends at, if it is a regular file. */
    private static BasicFileAttributes regularFile(Path path, SourceLocation at) throws ConfigException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new ConfigException(at, "cannot read config file " + path + ": no such file,"
                    + " expected an existing file", e);
        } catch (IOException e) {
            throw new ConfigException(at, "cannot read config file " + path + ": " + e, e);
        }
        if (!attributes.isRegularFile()) {
            throw new ConfigException(at, "cannot read config file " + path + ": it is " + kind(path, attributes)
                    + ", expected a regular file");
        }
        return attributes;
    }

    private static ConfigException tooLarge(Path file, String size, SourceLocation at) {
        return new ConfigException(at, "config file " + file + " is " + size + ", more than the limit of "
                + MAX_FILE_BYTES + " bytes, expected a config file (they are a few KiB)");
    }

    /** "a directory", "a character device", …: what the operator pointed the config at. */
    private static String kind(Path path, BasicFileAttributes attributes) {
        if (attributes.isDirectory()) {
            return "a directory";
        }
        try {
            int type = (Integer) Files.getAttribute(path, "unix:mode") & S_IFMT;
            return switch (type) {
                case 0010000 -> "a FIFO (named pipe)";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                case 0140000 -> "a socket";
                default -> "not a regular file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "not a regular file";
        }
    }
}
