package dev.moat.core;

import java.util.List;

/**
 * A rule's documentation, the single source for {@code moat rules}, SARIF rule metadata and the
 * generated rule docs. {@code peers} names equivalent checks in other scanners.
 */
public record RuleInfo(
        String id,
        Severity severity,
        String category,
        String title,
        String rationale,
        String remediation,
        List<String> peers) {

    public RuleInfo {
        peers = List.copyOf(peers);
    }
}
