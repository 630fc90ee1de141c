package io.gatehouse.core.internal.tls;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import io.gatehouse.conf.ListenerConfig;
import io.gatehouse.conf.TlsSettings;
import io.gatehouse.core.TlsEngine;

/**
 * The loaded TLS of every HTTPS listener of one config, by address. Loaded whole before anything
 * uses it: at start, on a reload (where a file that fails makes the reload fail, and the old
 * contexts keep serving) and by {@code -tt}.
 *
 * <p>Immutable; thread-safe.
 */
public final class TlsContexts {

    private static final TlsContexts NONE = new TlsContexts(Map.of());

    private final Map<String, ServerTlsContext> byAddress;

    private TlsContexts(Map<String, ServerTlsContext> byAddress) {
        this.byAddress = byAddress;
    }

    /** For configs without HTTPS listeners. */
    public static TlsContexts none() {
        return NONE;
    }

    /**
     * Reads and checks the files of every listener with TLS, for {@code engine}.
     *
     * @throws TlsFileException for the first listener whose files cannot serve, or whose settings
     *                          {@code engine} cannot honour, naming the file and the setting
     */
    public static TlsContexts load(Collection<ListenerConfig> listeners, Instant now, TlsEngine engine)
            throws TlsFileException {
        Map<String, ServerTlsContext> loaded = new LinkedHashMap<>();
        for (ListenerConfig listener : listeners) {
            Optional<TlsSettings> tls = listener.tls();
            if (tls.isPresent()) {
                loaded.put(listener.normalizedToken(), ServerTlsContext.load(tls.get(), now, engine));
            }
        }
        return loaded.isEmpty() ? NONE : new TlsContexts(Map.copyOf(loaded));
    }

    /**
     * {@code -tt}'s TLS part: every HTTPS listener's files read and checked (readable, PEM, key
     * matching the certificate, within its validity), one problem per listener that fails;
     * certificates that expire within {@link ServerTlsContext#EXPIRY_WARNING} go to {@code warnings}.
     */
    public static List<String> preflight(Collection<ListenerConfig> listeners, Instant now,
            Consumer<String> warnings) {
        return preflight(listeners, now, TlsEngine.JSSE, warnings);
    }

    /** {@link #preflight(Collection, Instant, Consumer)}, checking also what {@code engine} cannot honour. */
    public static List<String> preflight(Collection<ListenerConfig> listeners, Instant now, TlsEngine engine,
            Consumer<String> warnings) {
        List<String> problems = new ArrayList<>();
        for (ListenerConfig listener : listeners) {
            try {
                load(List.of(listener), now, engine).expiryWarnings(now).forEach(warnings);
            } catch (TlsFileException e) {
                problems.add("GH-TLS-001 " + e.getMessage());
            }
        }
        return problems;
    }

    /**
     * Whether {@code engine} can serve here, checked at start even without HTTPS listeners, so
     * that a server asked for BoringSSL on a platform without it fails at once, not at the first
     * reload that adds HTTPS.
     *
     * @throws TlsFileException naming the option and what to do
     */
    public static void requireAvailable(TlsEngine engine) throws TlsFileException {
        if (engine == TlsEngine.OPENSSL) {
            BoringSslSettings.requireAvailable();
        }
    }

    /** The context of {@code listener}, empty when it serves plain HTTP. */
    public Optional<ServerTlsContext> of(ListenerConfig listener) {
        return Optional.ofNullable(byAddress.get(listener.normalizedToken()));
    }

    /** One line per certificate that expires within {@link ServerTlsContext#EXPIRY_WARNING} of {@code now}. */
    public List<String> expiryWarnings(Instant now) {
        List<String> warnings = new ArrayList<>();
        for (ServerTlsContext context : byAddress.values()) {
            for (ServerTlsContext.LoadedCertificate certificate : context.certificates()) {
                Duration left = Duration.between(now, certificate.notAfter());
                if (left.compareTo(ServerTlsContext.EXPIRY_WARNING) < 0) {
                    warnings.add(certificate.location() + ": the certificate in " + certificate.file()
                            + " expires on " + certificate.notAfter() + ", in " + left.toHours() + " hours: renew it");
                }
            }
        }
        return warnings;
    }
}
