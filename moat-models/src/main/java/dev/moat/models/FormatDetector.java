package dev.moat.models;

/** Identifies a model file's format from its first bytes. */
public final class FormatDetector {

    private FormatDetector() {
    }

    private static final byte[] ZIP_LOCAL = {'P', 'K', 3, 4};
    private static final byte[] ZIP_EMPTY = {'P', 'K', 5, 6};
    private static final byte[] NPY = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final byte[] SEVEN_ZIP = {'7', 'z', (byte) 0xbc, (byte) 0xaf, 0x27, 0x1c};
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G'};

    public static ModelFormat detect(byte[] data) {
        return detect(data, 0, data.length);
    }

    /** The format of {@code data[from, to)}. */
    public static ModelFormat detect(byte[] data, int from, int to) {
        int n = to - from;
        if (n <= 0) {
            return ModelFormat.UNKNOWN;
        }
        if (startsWith(data, from, to, ZIP_LOCAL) || startsWith(data, from, to, ZIP_EMPTY)) {
            return ModelFormat.ZIP;
        }
        if (startsWith(data, from, to, NPY)) {
            return ModelFormat.NUMPY;
        }
        if (startsWith(data, from, to, SEVEN_ZIP)) {
            return ModelFormat.SEVEN_ZIP;
        }
        if (startsWith(data, from, to, PNG)) {
            return ModelFormat.UNKNOWN;
        }
        if (n >= 9 && data[from + 8] == '{' && data[from + 7] == 0 && data[from + 6] == 0) {
            return ModelFormat.SAFETENSORS;
        }
        int first = data[from] & 0xff;
        if (first == 0x80) {
            return n >= 2 && (data[from + 1] & 0xff) <= 5 ? ModelFormat.PICKLE : ModelFormat.UNKNOWN;
        }
        return STARTERS.indexOf((char) first) >= 0 ? ModelFormat.PICKLE : ModelFormat.UNKNOWN;
    }

    /**
     * Opcodes a protocol 0/1 pickle (which has no PROTO byte) can start with: those that push without
     * needing anything on the stack or in the memo. Text such as {@code hello} (BINGET on an empty memo)
     * is therefore not taken for a pickle.
     */
    private static final String STARTERS = "(cIiLFSVNP])}UTXKJMGBC"
            + "\u0082\u0083\u0084\u0088\u0089\u008a\u008b\u008c\u008d\u008e\u008f\u0095\u0096";

    static boolean startsWith(byte[] data, int from, int to, byte[] magic) {
        if (to - from < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (data[from + i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
