package dev.moat.core;

import dev.moat.core.config.MoatConfig;
import dev.moat.core.config.SuppressionPolicy;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one path from raw findings to a {@link Report}, shared by every command: configuration
 * re-grades and disables rules, annotations and exemptions suppress, and the threshold decides the
 * exit code.
 */
public record Pipeline(MoatConfig config, List<RuleInfo> rules, Severity failOn, LocalDate today) {

    public Pipeline {
        rules = List.copyOf(rules);
    }

    public Report report(String command, int inputsAnalysed, List<Diagnostic> diagnostics, List<Finding> raw,
                         Map<ObjectRef, List<Annotation>> annotations) {
        Set<String> known = rules.stream().map(RuleInfo::id).collect(Collectors.toSet());
        List<Finding> findings = new SuppressionPolicy(config, known, today).apply(raw, annotations);
        List<RuleInfo> graded = rules.stream()
                .filter(r -> config.enabled(r.id()))
                .map(r -> new RuleInfo(r.id(), config.severityFor(r.id(), r.severity()), r.category(), r.title(),
                        r.rationale(), r.remediation(), r.peers()))
                .toList();
        return new Report(command, MoatVersion.VERSION, graded, inputsAnalysed, diagnostics, findings, failOn);
    }
}
