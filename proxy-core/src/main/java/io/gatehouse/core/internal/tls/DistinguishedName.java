package io.gatehouse.core.internal.tls;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * A certificate subject as lighttpd exports it: one line in certificate order with OpenSSL's
 * short names ({@code C = DE, O = Example, CN = client}, what {@code openssl x509 -subject} prints),
 * and each attribute by its OpenSSL short name. Attributes OpenSSL has no short name for appear in
 * the line by OID and are not exported one by one, as lighttpd skips them.
 *
 * <p>Immutable; thread-safe.
 */
record DistinguishedName(String oneLine, Map<String, String> attributes) {

    /** OpenSSL's short names ({@code OBJ_nid2sn}) of the attributes subjects use. */
    private static final Map<String, String> SHORT_NAMES = Map.ofEntries(
            Map.entry("2.5.4.3", "CN"), Map.entry("2.5.4.6", "C"), Map.entry("2.5.4.7", "L"),
            Map.entry("2.5.4.8", "ST"), Map.entry("2.5.4.10", "O"), Map.entry("2.5.4.11", "OU"),
            Map.entry("2.5.4.5", "serialNumber"), Map.entry("2.5.4.4", "SN"), Map.entry("2.5.4.42", "GN"),
            Map.entry("2.5.4.12", "title"), Map.entry("2.5.4.43", "initials"), Map.entry("2.5.4.9", "street"),
            Map.entry("2.5.4.17", "postalCode"), Map.entry("1.2.840.113549.1.9.1", "emailAddress"),
            Map.entry("0.9.2342.19200300.100.1.1", "UID"), Map.entry("0.9.2342.19200300.100.1.25", "DC"));

    static DistinguishedName of(X500Principal principal) {
        X500Name name = X500Name.getInstance(principal.getEncoded());
        List<String> parts = new ArrayList<>();
        Map<String, String> attributes = new LinkedHashMap<>();
        for (RDN rdn : name.getRDNs()) {
            for (AttributeTypeAndValue pair : rdn.getTypesAndValues()) {
                ASN1ObjectIdentifier type = pair.getType();
                String shortName = SHORT_NAMES.get(type.getId());
                String value = IETFUtils.valueToString(pair.getValue());
                parts.add((shortName != null ? shortName : type.getId()) + " = " + value);
                if (shortName != null) {
                    // The raw value, as lighttpd copies the entry's bytes (the line above is escaped).
                    attributes.put(shortName, unescaped(pair));
                }
            }
        }
        return new DistinguishedName(String.join(", ", parts), Collections.unmodifiableMap(attributes));
    }

    private static String unescaped(AttributeTypeAndValue pair) {
        if (pair.getValue() instanceof ASN1String text) {
            return text.getString();
        }
        return IETFUtils.valueToString(pair.getValue());
    }
}
