package dev.moat.core.yaml;

import java.util.Locale;

/**
 * Bounds that keep hostile input from exhausting memory or stack: file size, nesting depth, and the
 * number of nodes a document expands to once aliases are followed (the "billion laughs" defence).
 */
public record YamlLimits(long maxBytes, int maxDepth, long maxExpandedNodes) {

    public static final YamlLimits DEFAULT = new YamlLimits(64L * 1024 * 1024, 200, 2_000_000);

    /** A size for messages: "64 MiB", "1.5 MiB", "10.0 KiB", "100 bytes" (a small limit must not read "0 MiB"). */
    public static String describeSize(long bytes) {
        long mib = 1024L * 1024;
        if (bytes >= mib) {
            return bytes % mib == 0 ? bytes / mib + " MiB" : String.format(Locale.ROOT, "%.1f MiB", bytes / (double) mib);
        }
        return bytes >= 1024 ? String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0) : bytes + " bytes";
    }
}
