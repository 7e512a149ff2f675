package dev.moat.reach;

import java.util.Locale;

/** The protocols NetworkPolicy ports can name, in the order connection lists print them. */
public enum Protocol {
    SCTP, TCP, UDP;

    /** Parses a policy's protocol field; null means the API default, TCP. */
    public static Protocol parse(String text) {
        if (text == null) {
            return TCP;
        }
        for (Protocol p : values()) {
            if (p.name().equals(text.toUpperCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown protocol '" + text + "' (expected TCP, UDP or SCTP)");
    }
}
