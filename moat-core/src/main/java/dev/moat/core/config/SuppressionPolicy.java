package dev.moat.core.config;

import dev.moat.core.Annotation;
import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.Suppression;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Applies the user's configuration to raw findings: re-grades severities, then suppresses what an
 * {@code ignore.moat.dev/RULE-ID} annotation or a config exemption covers. An exemption without a
 * reason, an expired one, or one naming an unknown rule is not applied and is itself reported, so
 * every exemption stays auditable.
 */
public final class SuppressionPolicy {

    public static final String ANNOTATION_PREFIX = "ignore.moat.dev/";

    public static final RuleInfo NO_REASON = meta("MOAT-CFG-001", "Suppression without a reason",
            "An exemption nobody can explain cannot be reviewed later; Moat ignores it and reports it.",
            "Give the annotation value or the exemption's 'reason' a sentence saying why the finding is acceptable.");
    public static final RuleInfo EXPIRED = meta("MOAT-CFG-002", "Expired exemption",
            "Exemptions with an expiry date are meant to be revisited; past that date the finding counts again.",
            "Fix the finding, or renew the exemption with a new 'expires' date and an up-to-date reason.");
    public static final RuleInfo UNKNOWN_RULE = meta("MOAT-CFG-003", "Suppression of an unknown rule",
            "A misspelt rule ID in an ignore annotation silently suppresses nothing.",
            "Use a rule ID listed by 'moat rules'.");

    public static final List<RuleInfo> RULES = List.of(NO_REASON, EXPIRED, UNKNOWN_RULE);

    private final MoatConfig config;
    private final Set<String> knownRules;
    private final LocalDate today;

    public SuppressionPolicy(MoatConfig config, Set<String> knownRules, LocalDate today) {
        this.config = config;
        this.knownRules = Set.copyOf(knownRules);
        this.today = today;
    }

    private static RuleInfo meta(String id, String title, String rationale, String remediation) {
        return new RuleInfo(id, Severity.LOW, "configuration", title, rationale, remediation, List.of());
    }

    /**
     * The findings with severities re-graded and suppressions marked, plus findings about the
     * exemptions themselves. {@code annotations} holds every analysed object's annotations.
     */
    public List<Finding> apply(List<Finding> raw, Map<ObjectRef, List<Annotation>> annotations) {
        List<Finding> out = new ArrayList<>();
        Map<ObjectRef, Map<String, Annotation>> ignores = new HashMap<>();
        annotations.forEach((object, list) -> {
            for (Annotation a : list) {
                if (a.key().startsWith(ANNOTATION_PREFIX)) {
                    validIgnore(object, a, out).ifPresent(ruleId ->
                            ignores.computeIfAbsent(object, k -> new HashMap<>()).put(ruleId, a));
                }
            }
        });
        List<Exemption> exemptions = validExemptions(out);
        for (Finding f : raw) {
            if (!config.enabled(f.ruleId())) {
                continue;
            }
            Finding graded = f.withSeverity(config.severityFor(f.ruleId(), f.severity()));
            out.add(graded.withSuppression(suppressionFor(graded, ignores, exemptions)));
        }
        return out;
    }

    private Optional<String> validIgnore(ObjectRef object, Annotation a, List<Finding> out) {
        String ruleId = a.key().substring(ANNOTATION_PREFIX.length());
        if (!knownRules.contains(ruleId)) {
            reportMeta(out, UNKNOWN_RULE, object, a.location(),
                    "annotation " + a.key() + " names no rule Moat has", a.key());
            return Optional.empty();
        }
        if (a.value() == null || a.value().isBlank()) {
            reportMeta(out, NO_REASON, object, a.location(),
                    "annotation " + a.key() + " has no reason, so it is not applied", a.key() + ": \"\"");
            return Optional.empty();
        }
        return Optional.of(ruleId);
    }

    private List<Exemption> validExemptions(List<Finding> out) {
        List<Exemption> valid = new ArrayList<>();
        ObjectRef configRef = new ObjectRef("MoatConfig", "", String.valueOf(config.source()));
        for (Exemption e : config.exemptions()) {
            if (!e.hasReason()) {
                reportMeta(out, NO_REASON, configRef, e.location(),
                        "exemption for " + e.rule() + " has no reason, so it is not applied", describe(e));
            } else if (e.expiredOn(today)) {
                reportMeta(out, EXPIRED, configRef, e.location(),
                        "exemption for " + e.rule() + " expired on " + e.expires() + ", so it is not applied", describe(e));
            } else {
                valid.add(e);
            }
        }
        return valid;
    }

    private static String describe(Exemption e) {
        return "rule=" + e.rule() + " namespace=" + orAny(e.namespace()) + " kind=" + orAny(e.kind())
                + " name=" + orAny(e.name());
    }

    private static String orAny(String s) {
        return s == null ? "*" : s;
    }

    private static Suppression suppressionFor(Finding f, Map<ObjectRef, Map<String, Annotation>> ignores,
                                              List<Exemption> exemptions) {
        Annotation a = ignores.getOrDefault(f.object(), Map.of()).get(f.ruleId());
        if (a != null) {
            return new Suppression(Suppression.Source.ANNOTATION, a.value(), null);
        }
        for (Exemption e : exemptions) {
            if (e.matches(f)) {
                return new Suppression(Suppression.Source.CONFIG, e.reason(), e.expires());
            }
        }
        return null;
    }

    /** Reports a problem with a suppression, unless the user switched that meta-rule off. */
    private void reportMeta(List<Finding> out, RuleInfo rule, ObjectRef object, dev.moat.core.SourceLocation at,
                            String message, String evidence) {
        if (config.enabled(rule.id())) {
            out.add(new Finding(rule.id(), config.severityFor(rule.id(), rule.severity()), rule.category(), object, at,
                    message, evidence, rule.remediation(), null));
        }
    }
}
