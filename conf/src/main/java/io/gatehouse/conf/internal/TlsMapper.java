package io.gatehouse.conf.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import io.gatehouse.conf.ConditionField;
import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.ConfigWarning;
import io.gatehouse.conf.Guard;
import io.gatehouse.conf.TlsSettings;
import io.gatehouse.conf.TlsSettings.ClientVerification;
import io.gatehouse.conf.TlsSettings.HostCertificate;
import io.gatehouse.conf.internal.Value.Entry;

/**
 * Reads the {@code ssl.*} keys that apply to one listener: those of its {@code $SERVER["socket"]}
 * block, or inherited from the top level as lighttpd's config merge does, and the certificates of
 * {@code $HTTP["host"]} blocks chosen by SNI. Settings with a JSSE equivalent are translated; the
 * rest are warnings naming {@code file:line:col}.
 *
 * <p>Stateless; thread-safe.
 */
public final class TlsMapper {

    /** The {@code ssl.*} keys read here (the other {@code ssl.*} keys are ignored with a warning). */
    public static final Set<String> KEYS = Set.of(
            "ssl.engine", "ssl.pemfile", "ssl.privkey", "ssl.ca-file", "ssl.verifyclient.activate",
            "ssl.verifyclient.enforce", "ssl.verifyclient.depth", "ssl.verifyclient.username",
            "ssl.verifyclient.exportcert", "ssl.openssl.ssl-conf-cmd", "ssl.cipher-list", "ssl.honor-cipher-order",
            "ssl.use-sslv2", "ssl.use-sslv3", "ssl.disable-client-renegotiation");

    /** Protocol names as OpenSSL's MinProtocol/MaxProtocol spell them, lowest first. */
    private static final List<String> PROTOCOLS = List.of("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    /** The JDK disables everything below this (jdk.tls.disabledAlgorithms). */
    private static final int LOWEST_SERVED = PROTOCOLS.indexOf("TLSv1.2");

    private TlsMapper() {
    }

    /** The keys a {@code $HTTP["host"]} block may set: its certificate, chosen by SNI. */
    public static final Set<String> HOST_KEYS = Set.of("ssl.pemfile", "ssl.privkey");

    /**
     * The TLS settings of the listener opened by {@code block}, or null when it serves plain HTTP.
     *
     * @param port {@code server.port}, for conditions that compare socket tokens
     */
    public static TlsSettings read(Block block, int port, List<ConfigWarning> warnings) throws ConfigException {
        TlsSettings settings = readListener(block, warnings);
        return settings == null ? null : settings.withHostCertificates(hostCertificates(block, port));
    }

    /**
     * Whether {@code block} gives a certificate for SNI: a {@code $HTTP["host"]} block right inside
     * the top level or a {@code $SERVER["socket"]} block, with an {@code ssl.pemfile} of its own.
     */
    public static boolean isHostCertificateBlock(Block block) {
        Block parent = block.parent();
        return block.condition() != null && block.condition().field() == ConditionField.HOST && parent != null
                && (parent.isRoot() || parent.condition() != null && parent.condition().opensListener())
                && block.own("ssl.pemfile") != null;
    }

    /**
     * The host certificates a listener opened by {@code block} serves: those of the top level's
     * {@code $HTTP["host"]} blocks, then those inside {@code block} (the more specific, so later).
     */
    private static List<HostCertificate> hostCertificates(Block block, int port) throws ConfigException {
        Block root = block;
        while (!root.isRoot()) {
            root = root.parent();
        }
        List<HostCertificate> certificates = new ArrayList<>();
        addHostCertificates(root, port, certificates);
        if (block != root) {
            addHostCertificates(block, port, certificates);
        }
        return certificates;
    }

    private static void addHostCertificates(Block parent, int port, List<HostCertificate> out)
            throws ConfigException {
        for (Block child : parent.children()) {
            if (!isHostCertificateBlock(child)) {
                continue;
            }
            // An else branch applies only where the earlier branches of its chain do not.
            List<Guard> guards = new ArrayList<>();
            for (Condition earlier : child.earlierBranches()) {
                guards.add(Guards.not(new ConditionGuard(earlier, port)));
            }
            guards.add(new ConditionGuard(child.condition(), port));
            Binding pemfile = child.own("ssl.pemfile");
            Binding privkey = child.own("ssl.privkey");
            // lighttpd pairs ssl.privkey with the ssl.pemfile of its own block, never an outer one.
            out.add(new HostCertificate(Guards.allOf(guards), ValueReader.path(pemfile.value(), "ssl.pemfile"),
                    privkey == null ? Optional.empty() : Optional.of(ValueReader.path(privkey.value(), "ssl.privkey")),
                    pemfile.value().location()));
        }
    }

    private static TlsSettings readListener(Block block, List<ConfigWarning> warnings) throws ConfigException {
        Binding engine = block.lookup("ssl.engine");
        if (engine == null || !ValueReader.bool(engine.value(), "ssl.engine")) {
            return null;
        }
        Binding pemfile = block.lookup("ssl.pemfile");
        if (pemfile == null) {
            throw new ConfigException(engine.keyLocation(), "ssl.engine is enabled but ssl.pemfile is not set:"
                    + " name the PEM file with the certificate chain (and the key, or set ssl.privkey)");
        }
        Path certificate = ValueReader.path(pemfile.value(), "ssl.pemfile");
        Optional<Path> key = optionalPath(block, "ssl.privkey");
        Optional<Path> ca = optionalPath(block, "ssl.ca-file");
        ClientVerification verification = verification(block, ca.isPresent());

        int min = LOWEST_SERVED;
        int max = PROTOCOLS.size() - 1;
        boolean honorOrder = bool(block, "ssl.honor-cipher-order", true);
        List<String> tls12 = TlsSettings.DEFAULT_CIPHER_SUITES.stream()
                .filter(name -> !CipherSuiteTable.TLS13.contains(name)).toList();
        List<String> tls13 = CipherSuiteTable.TLS13;
        Binding cipherList = block.lookup("ssl.cipher-list");
        if (cipherList != null) {
            tls12 = cipherString(cipherList.value(), "ssl.cipher-list", warnings);
        }
        for (String old : List.of("ssl.use-sslv2", "ssl.use-sslv3")) {
            Binding binding = block.lookup(old);
            if (binding != null && ValueReader.bool(binding.value(), old)) {
                warnings.add(new ConfigWarning(binding.keyLocation(), "'" + old + "' is not supported: the JDK"
                        + " disables SSL 2 and 3 (ignored)"));
            }
        }
        Binding renegotiation = block.lookup("ssl.disable-client-renegotiation");
        if (renegotiation != null && !ValueReader.bool(renegotiation.value(), "ssl.disable-client-renegotiation")) {
            warnings.add(new ConfigWarning(renegotiation.keyLocation(), "'ssl.disable-client-renegotiation'"
                    + " \"disable\" is not supported: gatehouse always refuses renegotiation a client starts (ignored)"));
        }
        Binding confCmd = block.lookup("ssl.openssl.ssl-conf-cmd");
        if (confCmd != null) {
            for (Entry entry : ValueReader.array(confCmd.value(), "ssl.openssl.ssl-conf-cmd").entries()) {
                String name = entry.key();
                if (name == null) {
                    throw new ConfigException(entry.location(), "ssl.openssl.ssl-conf-cmd entries need a key,"
                            + " expected ( \"MinProtocol\" => \"TLSv1.2\" )");
                }
                String what = "ssl.openssl.ssl-conf-cmd " + Token.quote(name);
                switch (name.toLowerCase(Locale.ROOT)) {
                    case "minprotocol" -> min = protocol(entry.value(), what, 0, warnings);
                    case "maxprotocol" -> max = protocol(entry.value(), what, PROTOCOLS.size() - 1, warnings);
                    case "cipherstring" -> tls12 = cipherString(entry.value(), what, warnings);
                    case "ciphersuites" -> tls13 = tls13Suites(entry.value(), what, warnings);
                    case "options" -> honorOrder = options(entry.value(), what, honorOrder, warnings);
                    default -> warnings.add(new ConfigWarning(entry.location(), what + " has no JSSE equivalent"
                            + " in gatehouse (ignored)"));
                }
            }
        }
        if (min < LOWEST_SERVED) {
            warnings.add(new ConfigWarning(confCmd != null ? confCmd.keyLocation() : engine.keyLocation(),
                    "the JDK disables SSLv3, TLS 1.0 and 1.1 (jdk.tls.disabledAlgorithms): TLSv1.2 is the lowest"
                            + " protocol served"));
            min = LOWEST_SERVED;
        }
        if (max < min) {
            throw new ConfigException(confCmd != null ? confCmd.value().location() : engine.keyLocation(),
                    "ssl.openssl.ssl-conf-cmd leaves no protocol: MaxProtocol " + PROTOCOLS.get(max)
                            + " is below the lowest served, " + PROTOCOLS.get(min));
        }
        List<String> protocols = PROTOCOLS.subList(min, max + 1);
        List<String> suites = new ArrayList<>();
        if (protocols.contains("TLSv1.3")) {
            suites.addAll(tls13);
        }
        if (protocols.contains("TLSv1.2")) {
            suites.addAll(tls12);
        }
        try {
            return new TlsSettings(certificate, key, ca, verification, protocols, suites, honorOrder,
                    engine.keyLocation(), pemfile.value().location(), List.of());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(engine.keyLocation(), e.getMessage());
        }
    }

    private static ClientVerification verification(Block block, boolean haveCa) throws ConfigException {
        boolean activate = bool(block, "ssl.verifyclient.activate", false);
        if (!activate) {
            return ClientVerification.NONE;
        }
        if (!haveCa) {
            throw new ConfigException(block.lookup("ssl.verifyclient.activate").keyLocation(),
                    "ssl.verifyclient.activate needs ssl.ca-file: name the CA certificates clients are verified against");
        }
        Binding depth = block.lookup("ssl.verifyclient.depth");
        Binding username = block.lookup("ssl.verifyclient.username");
        return new ClientVerification(true, bool(block, "ssl.verifyclient.enforce", true),
                depth == null ? ClientVerification.DEFAULT_DEPTH
                        : ValueReader.count(depth.value(), "ssl.verifyclient.depth"),
                username == null ? Optional.empty()
                        : Optional.of(ValueReader.string(username.value(), "ssl.verifyclient.username")),
                bool(block, "ssl.verifyclient.exportcert", false));
    }

    private static int protocol(Value value, String what, int none, List<ConfigWarning> warnings)
            throws ConfigException {
        String name = ValueReader.string(value, what);
        if (name.equalsIgnoreCase("None")) {
            return none;
        }
        for (int i = 0; i < PROTOCOLS.size(); i++) {
            if (PROTOCOLS.get(i).equalsIgnoreCase(name)) {
                return i;
            }
        }
        if (name.toUpperCase(Locale.ROOT).startsWith("DTLS")) {
            warnings.add(new ConfigWarning(value.location(), what + " " + Token.quote(name)
                    + " is a DTLS protocol, which gatehouse does not serve (ignored)"));
            return none;
        }
        throw new ConfigException(value.location(), what + " " + Token.quote(name)
                + " is not a protocol, expected one of TLSv1.2, TLSv1.3, None");
    }

    private static List<String> cipherString(Value value, String what, List<ConfigWarning> warnings)
            throws ConfigException {
        OpenSslCipherString.Result result = OpenSslCipherString.evaluate(ValueReader.string(value, what));
        for (String unknown : result.unknown()) {
            warnings.add(new ConfigWarning(value.location(), what + ": " + Token.quote(unknown)
                    + " is not a cipher or keyword gatehouse can map onto the JDK's suites (ignored)"));
        }
        return result.jsseNames();
    }

    private static List<String> tls13Suites(Value value, String what, List<ConfigWarning> warnings)
            throws ConfigException {
        List<String> suites = new ArrayList<>();
        for (String name : ValueReader.string(value, what).split(":")) {
            if (CipherSuiteTable.TLS13.contains(name)) {
                suites.add(name);
            } else if (!name.isBlank()) {
                warnings.add(new ConfigWarning(value.location(), what + ": " + Token.quote(name)
                        + " is not a TLS 1.3 suite the JDK implements (ignored)"));
            }
        }
        return suites;
    }

    /** Reads OpenSSL's Options list; returns whether the server's cipher order wins. */
    private static boolean options(Value value, String what, boolean honorOrder, List<ConfigWarning> warnings)
            throws ConfigException {
        boolean result = honorOrder;
        for (String option : ValueReader.string(value, what).split("[, ]+")) {
            boolean off = option.startsWith("-");
            String name = off ? option.substring(1) : option;
            switch (name.toLowerCase(Locale.ROOT)) {
                case "" -> {
                }
                case "serverpreference" -> result = !off;
                // JSSE never compresses and refuses a renegotiation the client starts: already so.
                case "compression" -> warnIf(!off, option, value, what, warnings);
                case "norenegotiation", "noresumptiononrenegotiation" -> warnIf(off, option, value, what, warnings);
                default -> warnings.add(new ConfigWarning(value.location(), what + ": option " + Token.quote(option)
                        + " has no per-listener JSSE equivalent (ignored)"));
            }
        }
        return result;
    }

    private static void warnIf(boolean condition, String option, Value value, String what,
            List<ConfigWarning> warnings) {
        if (condition) {
            warnings.add(new ConfigWarning(value.location(), what + ": option " + Token.quote(option)
                    + " is not supported by the JDK (ignored)"));
        }
    }

    private static Optional<Path> optionalPath(Block block, String key) throws ConfigException {
        Binding binding = block.lookup(key);
        return binding == null ? Optional.empty() : Optional.of(ValueReader.path(binding.value(), key));
    }

    private static boolean bool(Block block, String key, boolean otherwise) throws ConfigException {
        Binding binding = block.lookup(key);
        return binding == null ? otherwise : ValueReader.bool(binding.value(), key);
    }
}
