package io.gatehouse.core.internal.route;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.io.IOException;
import java.util.List;

/**
 * The file a URL path names under a document root, split as lighttpd splits it: the longest
 * prefix of the path that is an existing regular file is the script, the rest is PATH_INFO; a
 * directory path ending in '/' is completed with the first existing {@code index-file.names}
 * entry.
 *
 * @param urlPath  the URL path of the script (with the index file appended, if one was used)
 * @param pathInfo the remainder, empty when none
 * @param file     the regular file on disk
 */
public record PhysicalPath(String urlPath, String pathInfo, Path file) {

    /** Splits {@code urlPath} (canonical, starting with '/') under {@code root}; null if no file exists. */
    public static PhysicalPath resolve(Path root, String urlPath, List<String> indexFiles) {
        if (urlPath.endsWith("/")) {
            for (String index : indexFiles) {
                Path candidate = under(root, urlPath + index);
                if (isRegularFile(candidate)) {
                    return new PhysicalPath(urlPath + index, "", candidate);
                }
            }
        }
        // Path drops a trailing '/', but "file/" is no file (stat says ENOTDIR): its '/' is PATH_INFO.
        Path whole = under(root, urlPath);
        if (!urlPath.endsWith("/") && isRegularFile(whole)) {
            return new PhysicalPath(urlPath, "", whole);
        }
        // Longest existing file prefix: /index.php/foo/bar → /index.php + /foo/bar.
        int slash = urlPath.length();
        while ((slash = urlPath.lastIndexOf('/', slash - 1)) > 0) {
            String prefix = urlPath.substring(0, slash);
            Path candidate = under(root, prefix);
            if (isRegularFile(candidate)) {
                return new PhysicalPath(prefix, urlPath.substring(slash), candidate);
            }
        }
        return null;
    }

    private static Path under(Path root, String urlPath) {
        return root.resolve(urlPath.substring(1));
    }

    private static boolean isRegularFile(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class).isRegularFile();
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    static boolean isDirectory(Path path) {
        return Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(path);
    }
}
