package io.gatehouse.core.internal.http;

/**
 * Dot segments and repeated slashes of a URL path, as lighttpd removes them: {@code /a/./b} is
 * {@code /a/b}, {@code /a/../b} is {@code /b}, {@code /../b} is {@code /b} (nothing climbs above
 * the root), {@code /a//b} is {@code /a/b}, and a path ending in {@code /.} or {@code /..} keeps
 * its trailing slash.
 *
 * <p>Stateless; thread-safe.
 */
final class DotSegments {

    private DotSegments() {
    }

    /** Whether {@code path} has a {@code .} or {@code ..} segment. */
    static boolean present(String path) {
        int start = 0;
        while (start < path.length()) {
            int end = path.indexOf('/', start);
            end = end < 0 ? path.length() : end;
            int len = end - start;
            if ((len == 1 && path.charAt(start) == '.') || (len == 2 && path.startsWith("..", start))) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    /** {@code path} (starting with {@code /}) without dot segments and repeated slashes. */
    static String remove(String path) {
        if (!needsWork(path)) {
            return path;
        }
        StringBuilder out = new StringBuilder(path.length());
        int start = 1;
        boolean trailingSlash = false;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            boolean last = end < 0;
            end = last ? path.length() : end;
            String segment = path.substring(start, end);
            trailingSlash = false;
            if (segment.equals("..")) {
                int cut = out.lastIndexOf("/");
                out.setLength(Math.max(cut, 0));
                trailingSlash = true;
            } else if (segment.equals(".")) {
                trailingSlash = true;
            } else if (!segment.isEmpty()) {
                out.append('/').append(segment);
            } else {
                trailingSlash = last;
            }
            start = end + 1;
        }
        if (trailingSlash || out.length() == 0) {
            out.append('/');
        }
        return out.toString();
    }

    private static boolean needsWork(String path) {
        return path.contains("//") || path.contains("/.");
    }
}
