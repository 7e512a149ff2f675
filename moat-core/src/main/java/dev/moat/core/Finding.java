package dev.moat.core;

import java.util.Objects;

/**
 * One problem found in the inputs. Evidence never holds a secret in clear: rules redact before they
 * build a finding (see {@link Redaction}). A suppressed finding keeps its {@link Suppression} so
 * every exemption stays auditable.
 */
public record Finding(
        String ruleId,
        Severity severity,
        String category,
        ObjectRef object,
        SourceLocation location,
        String message,
        String evidence,
        String remediation,
        Suppression suppression) {

    public Finding {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(message, "message");
        category = category == null ? "" : category;
        evidence = evidence == null ? "" : evidence;
        remediation = remediation == null ? "" : remediation;
    }

    public boolean suppressed() {
        return suppression != null;
    }

    public Finding withSeverity(Severity newSeverity) {
        return new Finding(ruleId, newSeverity, category, object, location, message, evidence, remediation, suppression);
    }

    public Finding withSuppression(Suppression why) {
        return new Finding(ruleId, severity, category, object, location, message, evidence, remediation, why);
    }
}
