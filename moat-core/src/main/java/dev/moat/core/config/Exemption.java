package dev.moat.core.config;

import dev.moat.core.Finding;
import dev.moat.core.SourceLocation;
import java.time.LocalDate;
import java.util.regex.Pattern;

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
        return glob(rule, f.ruleId())
                && glob(namespace, f.object().namespace())
                && glob(kind, f.object().kind())
                && glob(name, f.object().name());
    }

    private static boolean glob(String pattern, String value) {
        if (pattern == null || pattern.equals("*")) {
            return true;
        }
        if (!pattern.contains("*")) {
            return pattern.equals(value);
        }
        String regex = java.util.Arrays.stream(pattern.split("\\*", -1))
                .map(Pattern::quote)
                .collect(java.util.stream.Collectors.joining(".*"));
        return value.matches(regex);
    }
}
