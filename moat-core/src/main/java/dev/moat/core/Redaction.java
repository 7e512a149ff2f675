package dev.moat.core;

/** Shows enough of a secret to recognise it, never enough to use it. */
public final class Redaction {

    private static final int SHOWN_PREFIX = 4;

    private Redaction() {
    }

    /**
     * Keeps at most the first four characters (a key's public prefix such as {@code sk-a}) when the
     * value is long enough that they reveal little, and replaces the rest with its length.
     */
    public static String redact(String secret) {
        if (secret == null || secret.isEmpty()) {
            return "";
        }
        String prefix = secret.length() >= 16 ? secret.substring(0, SHOWN_PREFIX) : "";
        return prefix + "****(" + secret.length() + " chars)";
    }
}
