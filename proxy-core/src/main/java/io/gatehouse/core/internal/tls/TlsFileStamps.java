package io.gatehouse.core.internal.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.gatehouse.conf.ListenerConfig;
import io.gatehouse.conf.TlsSettings;

/**
 * What the files of the HTTPS listeners looked like at one moment (modification time, size and
 * file key of each certificate, key and CA file): two stamps differ when a file was rewritten or
 * renamed over. {@code ssl.refresh-certs} compares them to know when to read the files again.
 *
 * <p>Immutable; thread-safe.
 */
public final class TlsFileStamps {

    /** A file that could not be looked at: it differs from any file that can. */
    private static final String UNREADABLE = "unreadable";

    private final Map<Path, String> stamps;

    private TlsFileStamps(Map<Path, String> stamps) {
        this.stamps = stamps;
    }

    /** The files of every listener with TLS, looked at now. */
    public static TlsFileStamps of(Collection<ListenerConfig> listeners) {
        Map<Path, String> stamps = new LinkedHashMap<>();
        for (ListenerConfig listener : listeners) {
            listener.tls().ifPresent(tls -> files(tls).forEach(file -> stamps.put(file, stamp(file))));
        }
        return new TlsFileStamps(Map.copyOf(stamps));
    }

    /** The files whose stamp is not the same in {@code other}, in no particular order. */
    public List<Path> changedSince(TlsFileStamps other) {
        List<Path> changed = new ArrayList<>();
        stamps.forEach((file, stamp) -> {
            if (!stamp.equals(other.stamps.get(file))) {
                changed.add(file);
            }
        });
        return changed;
    }

    private static List<Path> files(TlsSettings tls) {
        List<Path> files = new ArrayList<>();
        files.add(tls.certificateFile());
        tls.privateKeyFile().ifPresent(files::add);
        tls.caFile().ifPresent(files::add);
        for (TlsSettings.HostCertificate host : tls.hostCertificates()) {
            files.add(host.certificateFile());
            host.privateKeyFile().ifPresent(files::add);
        }
        return files;
    }

    private static String stamp(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return attributes.lastModifiedTime().toMillis() + "/" + attributes.size() + "/"
                    + Optional.ofNullable(attributes.fileKey()).map(Object::toString).orElse("");
        } catch (IOException e) {
            return UNREADABLE;
        }
    }
}
