package dev.moat.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one command found, in the shape every output format renders: the rules that ran, the
 * inputs analysed, the inputs that could not be, and the findings (suppressed ones included).
 */
public record Report(
        String command,
        String toolVersion,
        List<RuleInfo> rules,
        int inputsAnalysed,
        List<Diagnostic> diagnostics,
        List<Finding> findings,
        Severity failOn) {

    /** Most severe first, then by file and line, so output is stable across runs. */
    public static final Comparator<Finding> ORDER = Comparator
            .comparing(Finding::severity)
            .thenComparing(f -> f.location().file())
            .thenComparingInt(f -> f.location().line())
            .thenComparingInt(f -> f.location().column())
            .thenComparing(Finding::ruleId)
            .thenComparing(f -> f.object().toString());

    public Report {
        rules = List.copyOf(rules);
        diagnostics = List.copyOf(diagnostics);
        List<Finding> sorted = new ArrayList<>(findings);
        sorted.sort(ORDER);
        findings = List.copyOf(sorted);
    }

    public List<Finding> active() {
        return findings.stream().filter(f -> !f.suppressed()).toList();
    }

    public List<Finding> suppressed() {
        return findings.stream().filter(Finding::suppressed).toList();
    }

    /** Active findings per severity, every severity present (zero when none). */
    public Map<Severity, Integer> countsBySeverity() {
        Map<Severity, Integer> counts = new EnumMap<>(Severity.class);
        for (Severity s : Severity.values()) {
            counts.put(s, 0);
        }
        for (Finding f : active()) {
            counts.merge(f.severity(), 1, Integer::sum);
        }
        return counts;
    }

    public boolean blocking() {
        return active().stream().anyMatch(f -> f.severity().atLeast(failOn));
    }

    /** The documented exit code: 0 clean, 1 findings at or above the threshold or unreadable inputs, 2 nothing analysed. */
    public ExitCode exitCode() {
        if (inputsAnalysed == 0 && !diagnostics.isEmpty()) {
            return ExitCode.USAGE;
        }
        if (blocking() || !diagnostics.isEmpty()) {
            return ExitCode.FINDINGS;
        }
        return ExitCode.OK;
    }
}
