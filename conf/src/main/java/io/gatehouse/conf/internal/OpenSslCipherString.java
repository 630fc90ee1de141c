package io.gatehouse.conf.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

import io.gatehouse.conf.internal.CipherSuiteTable.Suite;

/**
 * Evaluates an OpenSSL cipher string ({@code ssl.cipher-list}, {@code CipherString}) over
 * {@link CipherSuiteTable}, as {@code ciphers(1)} describes it: {@code A:B} adds, {@code A+B}
 * intersects, {@code !A} removes for good, {@code -A} removes, {@code +A} moves to the end,
 * {@code @STRENGTH} sorts by key size. Keywords for suites the JDK lacks ({@code RC4},
 * {@code aNULL}, {@code 3DES}, ...) select nothing, so excluding them changes nothing; a keyword
 * this class does not know is reported rather than guessed.
 *
 * <p>Stateless; thread-safe.
 */
public final class OpenSslCipherString {

    /** OpenSSL keywords that name only suites the JDK does not offer (or offers nowhere in HIGH). */
    private static final Set<String> SELECT_NOTHING = Set.of(
            "ANULL", "ENULL", "NULL", "MD5", "RC4", "DES", "3DES", "EXPORT", "EXP", "LOW", "MEDIUM", "PSK", "KPSK",
            "APSK", "SRP", "KSRP", "DSS", "ADSS", "ADH", "AECDH", "KDH", "KECDH", "IDEA", "SEED", "CAMELLIA",
            "ARIA", "RC2", "GOST", "ECDHEPSK", "DHEPSK", "RSAPSK", "KRSAPSK", "KECDHEPSK", "KDHEPSK", "CCM",
            "CCM8", "AESCCM", "AESCCM8", "SSLV3", "TLSV1", "COMPLEMENTOFDEFAULT");

    /** The result: JSSE names in order, and the parts that could not be read. */
    public record Result(List<String> jsseNames, List<String> unknown) {
    }

    private OpenSslCipherString() {
    }

    public static Result evaluate(String cipherString) {
        List<Suite> chosen = new ArrayList<>();
        Set<Suite> banned = new HashSet<>();
        List<String> unknown = new ArrayList<>();
        for (String part : cipherString.split("[:, ]+")) {
            if (part.isEmpty() || part.toUpperCase(Locale.ROOT).startsWith("@SECLEVEL=")) {
                continue; // the JDK's own constraints stand in for OpenSSL's security levels
            }
            if (part.equalsIgnoreCase("@STRENGTH")) {
                chosen.sort(Comparator.comparingInt(Suite::bits).reversed());
                continue;
            }
            char op = part.charAt(0);
            String expression = op == '!' || op == '-' || op == '+' ? part.substring(1) : part;
            Predicate<Suite> selector = selector(expression);
            if (selector == null) {
                unknown.add(part);
                continue;
            }
            List<Suite> matching = CipherSuiteTable.TLS12.stream().filter(selector).toList();
            switch (op) {
                case '!' -> {
                    banned.addAll(matching);
                    chosen.removeAll(matching);
                }
                case '-' -> chosen.removeAll(matching);
                case '+' -> {
                    List<Suite> moved = chosen.stream().filter(matching::contains).toList();
                    chosen.removeAll(moved);
                    chosen.addAll(moved);
                }
                default -> matching.stream().filter(s -> !chosen.contains(s) && !banned.contains(s))
                        .forEach(chosen::add);
            }
        }
        return new Result(chosen.stream().map(Suite::jsse).toList(), List.copyOf(unknown));
    }

    /** What {@code A+B+C} selects, or null when a part is not known. */
    private static Predicate<Suite> selector(String expression) {
        Predicate<Suite> all = s -> true;
        for (String word : expression.split("\\+")) {
            Predicate<Suite> one = keyword(word);
            if (one == null) {
                return null;
            }
            all = all.and(one);
        }
        return all;
    }

    private static Predicate<Suite> keyword(String word) {
        if (CipherSuiteTable.byOpenSslName(word).isPresent()) {
            return s -> s.openSsl().equals(word);
        }
        String upper = word.toUpperCase(Locale.ROOT);
        if (SELECT_NOTHING.contains(upper)) {
            return s -> false;
        }
        return switch (upper) {
            case "HIGH", "DEFAULT", "ALL", "TLSV1.2" -> s -> true;
            case "ECDHE", "EECDH", "KECDHE", "KEECDH" -> s -> s.keyExchange().equals("ECDHE");
            case "DHE", "EDH", "KDHE", "KEDH" -> s -> s.keyExchange().equals("DHE");
            case "KRSA" -> s -> s.keyExchange().equals("RSA");
            case "ARSA" -> s -> s.authentication().equals("RSA");
            case "RSA" -> s -> s.keyExchange().equals("RSA") || s.authentication().equals("RSA");
            case "ECDSA", "AECDSA" -> s -> s.authentication().equals("ECDSA");
            case "AESGCM" -> s -> s.cipher().equals("AESGCM");
            case "AES" -> s -> s.cipher().startsWith("AES");
            case "AES128" -> s -> s.cipher().startsWith("AES") && s.bits() == 128;
            case "AES256" -> s -> s.cipher().startsWith("AES") && s.bits() == 256;
            case "CHACHA20" -> s -> s.cipher().equals("CHACHA20");
            case "AEAD" -> s -> s.mac().equals("AEAD");
            case "SHA", "SHA1" -> s -> s.mac().equals("SHA1");
            case "SHA256" -> s -> s.mac().equals("SHA256");
            case "SHA384" -> s -> s.mac().equals("SHA384");
            default -> null;
        };
    }
}
