package dev.moat.core.report;

import dev.moat.core.Finding;
import dev.moat.core.Report;
import dev.moat.core.RuleInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The rules a report's output describes. */
final class RuleCatalog {

    private RuleCatalog() {
    }

    /**
     * The report's rules, without duplicate IDs, followed by a stand-in for any rule that has findings
     * but no metadata, so every finding can point at a rule (SARIF needs a {@code ruleIndex}, JUnit a
     * suite).
     */
    static List<RuleInfo> of(Report report) {
        Map<String, RuleInfo> byId = new LinkedHashMap<>();
        report.rules().forEach(rule -> byId.putIfAbsent(rule.id(), rule));
        for (Finding f : report.findings()) {
            byId.computeIfAbsent(f.ruleId(), id -> new RuleInfo(id, f.severity(), f.category(), id, "",
                    f.remediation(), List.of()));
        }
        return List.copyOf(byId.values());
    }
}
