package io.gatehouse.itest.apps;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assertions;

/**
 * Reads what a browser would submit from an application's HTML: the hidden fields of a form and
 * the value of a named input. Enough for the forms of the applications under test, which write
 * well-formed, double-quoted attributes.
 *
 * <p>Stateless and thread-safe.
 */
final class HtmlForms {

    private static final Pattern INPUT = Pattern.compile("<input\\b[^>]*>", Pattern.CASE_INSENSITIVE);
    private static final Pattern ATTRIBUTE = Pattern.compile("([a-zA-Z-]+)=\"([^\"]*)\"");

    private HtmlForms() {
    }

    /** The hidden inputs of the form whose opening tag contains {@code formMarker}, in order. */
    static Map<String, String> hiddenFields(String html, String formMarker) {
        int start = html.indexOf(formMarker);
        if (start < 0) {
            Assertions.fail("no form marked '" + formMarker + "' in the page:\n" + html);
        }
        int end = html.indexOf("</form>", start);
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher input = INPUT.matcher(html.substring(start, end < 0 ? html.length() : end));
        while (input.find()) {
            Map<String, String> attributes = attributes(input.group());
            if ("hidden".equals(attributes.get("type")) && attributes.containsKey("name")) {
                fields.put(attributes.get("name"), unescape(attributes.getOrDefault("value", "")));
            }
        }
        return fields;
    }

    /** The {@code action} of the form whose opening tag contains {@code formMarker}, unescaped. */
    static String action(String html, String formMarker) {
        int marker = html.indexOf(formMarker);
        int start = html.lastIndexOf("<form", marker);
        if (marker < 0 || start < 0) {
            Assertions.fail("no form marked '" + formMarker + "' in the page:\n" + html);
        }
        String action = attributes(html.substring(start, html.indexOf('>', marker) + 1)).get("action");
        if (action == null) {
            Assertions.fail("the form marked '" + formMarker + "' has no action");
        }
        return unescape(action);
    }

    private static Map<String, String> attributes(String tag) {
        Map<String, String> attributes = new LinkedHashMap<>();
        Matcher attribute = ATTRIBUTE.matcher(tag);
        while (attribute.find()) {
            attributes.put(attribute.group(1).toLowerCase(Locale.ROOT), attribute.group(2));
        }
        return attributes;
    }

    private static String unescape(String value) {
        return value.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#039;", "'")
                .replace("&amp;", "&");
    }
}
