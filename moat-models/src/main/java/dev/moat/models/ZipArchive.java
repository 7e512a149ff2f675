package dev.moat.models;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A tolerant zip reader that finds entries the way PyTorch's miniz reader does: through the central
 * directory, ignoring flag bits (a local "encrypted" bit does not stop torch) and CRC-32 values.
 * Only {@link Inflater} from {@code java.util.zip} is used: {@code ZipFile} and {@code ZipInputStream}
 * refuse entries that torch loads, which would let a payload through.
 */
final class ZipArchive {

    /** One central-directory entry. */
    record Entry(String name, String localName, int flags, int method, long compressedSize, long size, int dataStart,
                 String problem) {

        boolean encrypted() {
            return (flags & 1) != 0;
        }
    }

    record Listing(List<Entry> entries, String error) {
    }

    private ZipArchive() {
    }

    static Listing list(byte[] d, int maxEntries) {
        int eocd = -1;
        for (int i = d.length - 22; i >= Math.max(0, d.length - 22 - 65_535); i--) {
            if (d[i] == 'P' && d[i + 1] == 'K' && d[i + 2] == 5 && d[i + 3] == 6) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            return new Listing(List.of(), "zip end-of-central-directory record not found (truncated archive?)");
        }
        long count = u16(d, eocd + 10);
        long cdOffset = u32(d, eocd + 16);
        if (count == 0xffff || cdOffset == 0xffffffffL) {
            return new Listing(List.of(), "ZIP64 archives are not supported yet");
        }
        List<Entry> entries = new ArrayList<>();
        int p = (int) Math.min(cdOffset, Integer.MAX_VALUE);
        for (int i = 0; i < count; i++) {
            if (entries.size() >= maxEntries) {
                return new Listing(entries, "archive has " + count + " entries; only the first " + maxEntries + " were examined");
            }
            if (p < 0 || (long) p + 46 > d.length || !(d[p] == 'P' && d[p + 1] == 'K' && d[p + 2] == 1 && d[p + 3] == 2)) {
                return new Listing(entries, "bad central directory entry " + i + " at byte " + p);
            }
            int flags = (int) u16(d, p + 8);
            int method = (int) u16(d, p + 10);
            long csize = u32(d, p + 20);
            long usize = u32(d, p + 24);
            int nameLen = (int) u16(d, p + 28);
            int extraLen = (int) u16(d, p + 30);
            int commentLen = (int) u16(d, p + 32);
            long local = u32(d, p + 42);
            if ((long) p + 46 + nameLen > d.length) {
                return new Listing(entries, "central directory entry " + i + " runs past the end of the archive");
            }
            String name = new String(d, p + 46, nameLen, StandardCharsets.UTF_8);
            p = (int) Math.min((long) p + 46 + nameLen + extraLen + commentLen, Integer.MAX_VALUE);
            if (local + 30 > d.length || !(d[(int) local] == 'P' && d[(int) local + 1] == 'K'
                    && d[(int) local + 2] == 3 && d[(int) local + 3] == 4)) {
                entries.add(new Entry(name, null, flags, method, csize, usize, -1, "local header missing at byte " + local));
                continue;
            }
            int l = (int) local;
            int localFlags = (int) u16(d, l + 6);
            int lNameLen = (int) u16(d, l + 26);
            int lExtraLen = (int) u16(d, l + 28);
            String localName = (long) l + 30 + lNameLen <= d.length ? new String(d, l + 30, lNameLen, StandardCharsets.UTF_8) : "";
            long dataStart = (long) l + 30 + lNameLen + lExtraLen;
            String problem = dataStart + csize > d.length ? "entry data runs past the end of the archive" : null;
            entries.add(new Entry(name, localName, flags | localFlags, method, csize, usize,
                    (int) Math.min(dataStart, d.length), problem));
        }
        return new Listing(entries, null);
    }

    /**
     * Up to {@code limit} uncompressed bytes of an entry, or null with {@code why[0]} set when the
     * method is unsupported or the data is corrupt. A result of exactly {@code limit + 1} bytes means
     * the entry is larger than the limit.
     */
    static byte[] read(byte[] d, Entry e, long limit, String[] why) {
        long available = Math.min(e.compressedSize(), d.length - (long) e.dataStart());
        if (e.method() == 0) {
            int n = (int) Math.min(available, limit + 1);
            byte[] out = new byte[n];
            System.arraycopy(d, e.dataStart(), out, 0, n);
            return out;
        }
        if (e.method() != 8) {
            why[0] = "compression method " + e.method() + " is not supported";
            return null;
        }
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(d, e.dataStart(), (int) available);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[64 * 1024];
            while (!inflater.finished() && out.size() <= limit) {
                int n = inflater.inflate(buf, 0, (int) Math.min(buf.length, limit + 1 - out.size()));
                if (n == 0) {
                    if (inflater.needsInput() || inflater.needsDictionary()) {
                        break;
                    }
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException ex) {
            why[0] = "corrupt deflate data: " + ex.getMessage();
            return null;
        } finally {
            inflater.end();
        }
    }

    static long u16(byte[] d, int p) {
        return (d[p] & 0xff) | (d[p + 1] & 0xff) << 8;
    }

    static long u32(byte[] d, int p) {
        return ((d[p] & 0xff) | (d[p + 1] & 0xff) << 8 | (d[p + 2] & 0xff) << 16 | (long) (d[p + 3] & 0xff) << 24);
    }
}
