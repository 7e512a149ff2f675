package dev.moat.core;

import java.time.LocalDate;

/**
 * Why a finding is not counted: an {@code ignore.moat.dev/RULE} annotation or a config exemption,
 * with the reason the user gave and the expiry date when there is one.
 */
public record Suppression(Source source, String reason, LocalDate expires) {

    public enum Source { ANNOTATION, CONFIG }

    public String describe() {
        String base = (source == Source.ANNOTATION ? "annotation" : "config exemption") + ": " + reason;
        return expires == null ? base : base + " (until " + expires + ")";
    }
}
