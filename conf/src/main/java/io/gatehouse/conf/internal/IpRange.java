package io.gatehouse.conf.internal;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Optional;

import com.google.common.net.InetAddresses;

/**
 * An IPv4 or IPv6 address with an optional prefix length ({@code 10.0.0.0/8}, {@code ::1},
 * {@code fe80::/10}), as {@code $HTTP["remoteip"] == "…"} accepts. Parsing never resolves names.
 * An IPv4-mapped IPv6 client address ({@code ::ffff:10.1.2.3}) matches IPv4 ranges, as lighttpd.
 *
 * <p>Immutable; thread-safe.
 */
public final class IpRange {

    private final byte[] network;
    private final int prefixBits;
    private final String text;

    private IpRange(byte[] network, int prefixBits, String text) {
        this.network = network;
        this.prefixBits = prefixBits;
        this.text = text;
    }

    /**
     * Parses {@code address[/bits]}.
     *
     * @throws IllegalArgumentException with a message naming the value when it is not an address
     *     literal or the prefix length is out of range
     */
    public static IpRange parse(String text) {
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        InetAddress address = literal(addressText).orElseThrow(() -> new IllegalArgumentException(
                "\"" + text + "\" is not an IP address or CIDR range, expected e.g. \"10.0.0.0/8\" or \"::1\""));
        byte[] bytes = address.getAddress();
        int maxBits = bytes.length * 8;
        int bits = maxBits;
        if (slash >= 0) {
            String bitsText = text.substring(slash + 1);
            if (!bitsText.matches("[0-9]{1,3}") || Integer.parseInt(bitsText) > maxBits) {
                throw new IllegalArgumentException("prefix length in \"" + text + "\" must be 0.." + maxBits);
            }
            bits = Integer.parseInt(bitsText);
        }
        return new IpRange(mask(bytes, bits), bits, text);
    }

    /** Whether {@code address} (an address literal) lies in this range; anything unparsable does not. */
    public boolean contains(String address) {
        Optional<InetAddress> parsed = literal(address);
        if (parsed.isEmpty()) {
            return false;
        }
        byte[] bytes = parsed.get().getAddress();
        return bytes.length == network.length && Arrays.equals(mask(bytes, prefixBits), network);
    }

    /** Whether this is an IPv4 range. */
    public boolean isIpv4() {
        return network.length == 4;
    }

    @Override
    public String toString() {
        return text;
    }

    /** An address literal (zone ids dropped), IPv4-mapped IPv6 folded to IPv4; never a DNS lookup. */
    static Optional<InetAddress> literal(String text) {
        String bare = text;
        int zone = bare.indexOf('%');
        if (zone >= 0) {
            bare = bare.substring(0, zone);
        }
        if (bare.startsWith("[") && bare.endsWith("]")) {
            bare = bare.substring(1, bare.length() - 1);
        }
        if (!InetAddresses.isInetAddress(bare)) {
            return Optional.empty();
        }
        // InetAddress.getByAddress, used by forString, already folds IPv4-mapped IPv6 to IPv4.
        return Optional.of(InetAddresses.forString(bare));
    }

    private static byte[] mask(byte[] bytes, int bits) {
        byte[] masked = bytes.clone();
        for (int i = 0; i < masked.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            masked[i] = (byte) (masked[i] & (0xff << (8 - keep)));
        }
        return masked;
    }
}
