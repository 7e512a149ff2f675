package dev.moat.core.config;

import dev.moat.core.Finding;
import dev.moat.core.SourceLocation;
import java.time.LocalDate;

/**
 * A config-file exemption: findings of {@code rule} ({@code *} for every rule) on objects matching
 * namespace, kind and name (each optional, {@code *} wildcards allowed), for a stated reason, until
 * an optional expiry date.
 */
public record Exemption(String rule, String namespace, String kind, String name, String reason,
                        LocalDate expires, SourceLocation location) {

    public boolean hasReason() {
        return reason != null && !reason.isBlank();
    }

    /** Expired on the day after {@code expires}: an exemption "until 2027-01-31" still holds that day. */
    public boolean expiredOn(LocalDate today) {
        return expires != null && today.isAfter(expires);
    }

    public boolean matches(Finding f) {
        return Glob.matches(rule, f.ruleId())
                && Glob.matches(namespace, f.object().namespace())
                && Glob.matches(kind, f.object().kind())
                && Glob.matches(name, f.object().name());
    }
}
