package dev.moat.core.yaml;

/**
 * Bounds that keep hostile input from exhausting memory or stack: file size, nesting depth, and the
 * number of nodes a document expands to once aliases are followed (the "billion laughs" defence).
 */
public record YamlLimits(long maxBytes, int maxDepth, long maxExpandedNodes) {

    public static final YamlLimits DEFAULT = new YamlLimits(64L * 1024 * 1024, 200, 2_000_000);
}
