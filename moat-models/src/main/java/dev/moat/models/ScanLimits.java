package dev.moat.models;

/**
 * Resource limits for one scan (zip-bomb and memory guard).
 *
 * @param maxFileBytes  largest file {@link ModelScanner#scan(java.nio.file.Path)} reads (default 2 GiB - 64, the
 *                      largest Java array; the file is held in memory)
 * @param maxZipEntries central-directory entries examined per archive (default 65,536); more is an error and the
 *                      rest are not scanned
 * @param maxEntryBytes uncompressed bytes inflated for one entry (default 512 MiB); a larger entry is an error
 * @param maxTotalBytes uncompressed bytes inflated across all entries of one scan, nested archives included
 *                      (default 1 GiB); past it, remaining entries are an error
 * @param maxNesting    archives inside archives followed (default 3)
 */
public record ScanLimits(long maxFileBytes, int maxZipEntries, long maxEntryBytes, long maxTotalBytes, int maxNesting) {

    public static final ScanLimits DEFAULT =
            new ScanLimits(Integer.MAX_VALUE - 64, 65_536, 512L << 20, 1L << 30, 3);
}
