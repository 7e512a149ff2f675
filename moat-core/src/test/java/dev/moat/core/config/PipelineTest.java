package dev.moat.core.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Annotation;
import dev.moat.core.Diagnostic;
import dev.moat.core.ExitCode;
import dev.moat.core.Finding;
import dev.moat.core.MoatVersion;
import dev.moat.core.ObjectRef;
import dev.moat.core.Pipeline;
import dev.moat.core.Report;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.SourceLocation;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** From raw findings to a report and its exit code, as every command runs it. */
class PipelineTest {

    private static final LocalDate TODAY = LocalDate.of(2027, 1, 31);
    private static final ObjectRef WEB = new ObjectRef("Deployment", "ml", "web");
    private static final Diagnostic BROKEN = new Diagnostic(new SourceLocation("broken.yaml", 3, 1), "invalid YAML");

    private static final List<RuleInfo> RULES;

    static {
        List<RuleInfo> rules = new ArrayList<>(List.of(
                rule("MOAT-RUN-001", Severity.HIGH), rule("MOAT-RUN-002", Severity.MEDIUM),
                rule("MOAT-SUP-001", Severity.MEDIUM)));
        rules.addAll(SuppressionPolicy.RULES);
        RULES = List.copyOf(rules);
    }

    private static final Set<String> KNOWN = RULES.stream().map(RuleInfo::id).collect(Collectors.toSet());

    private static RuleInfo rule(String id, Severity severity) {
        return new RuleInfo(id, severity, "runtime", "title " + id, "rationale", "remediation", List.of());
    }

    private static Finding finding(String ruleId, Severity severity) {
        return new Finding(ruleId, severity, "runtime", WEB, new SourceLocation("app.yaml", 12, 11), "message", "", "", null);
    }

    private static MoatConfig config(String yaml) throws ConfigException {
        return MoatConfig.parse(".moat.yaml", yaml.getBytes(UTF_8), KNOWN);
    }

    private static Report report(MoatConfig config, Severity failOn, List<Finding> raw) {
        return report(config, failOn, raw, Map.of());
    }

    private static Report report(MoatConfig config, Severity failOn, List<Finding> raw,
                                 Map<ObjectRef, List<Annotation>> annotations) {
        return new Pipeline(config, RULES, failOn, TODAY).report("scan", 1, List.of(), raw, annotations);
    }

    // --- Report.exitCode ------------------------------------------------------------------------

    @Test
    void cleanInputExitsZero() {
        Report r = report(MoatConfig.NONE, Severity.HIGH, List.of());

        assertThat(r.blocking()).isFalse();
        assertThat(r.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(r.exitCode().code()).isZero();
    }

    @Test
    void findingsBelowTheThresholdExitZero() {
        Report r = report(MoatConfig.NONE, Severity.HIGH, List.of(finding("MOAT-RUN-002", Severity.MEDIUM)));

        assertThat(r.active()).hasSize(1);
        assertThat(r.exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void aFindingAtTheThresholdExitsOne() {
        Report r = report(MoatConfig.NONE, Severity.HIGH, List.of(finding("MOAT-RUN-001", Severity.HIGH)));

        assertThat(r.blocking()).isTrue();
        assertThat(r.exitCode()).isEqualTo(ExitCode.FINDINGS);
        assertThat(r.exitCode().code()).isEqualTo(1);
        assertThat(report(MoatConfig.NONE, Severity.LOW, List.of(finding("MOAT-RUN-002", Severity.MEDIUM))).exitCode())
                .as("above the threshold").isEqualTo(ExitCode.FINDINGS);
    }

    @Test
    void aSuppressedFindingDoesNotBlock() {
        Report r = report(MoatConfig.NONE, Severity.HIGH, List.of(finding("MOAT-RUN-001", Severity.HIGH)),
                Map.of(WEB, List.of(new Annotation("ignore.moat.dev/MOAT-RUN-001", "device plugin needs it",
                        new SourceLocation("app.yaml", 6, 5)))));

        assertThat(r.suppressed()).hasSize(1);
        assertThat(r.active()).isEmpty();
        assertThat(r.exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void diagnosticsWithSomeInputAnalysedExitOne() {
        Report r = new Report("scan", "dev", RULES, 2, List.of(BROKEN), List.of(), Severity.HIGH);

        assertThat(r.blocking()).isFalse();
        assertThat(r.exitCode()).isEqualTo(ExitCode.FINDINGS);
    }

    @Test
    void nothingAnalysedExitsTwo() {
        Report r = new Report("scan", "dev", RULES, 0, List.of(BROKEN), List.of(), Severity.HIGH);

        assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(r.exitCode().code()).isEqualTo(2);
    }

    // --- configuration through the pipeline -----------------------------------------------------

    @Test
    void severityOverrideChangesTheExitCode() throws ConfigException {
        List<Finding> raw = List.of(finding("MOAT-RUN-002", Severity.MEDIUM));
        assertThat(report(MoatConfig.NONE, Severity.HIGH, raw).exitCode()).isEqualTo(ExitCode.OK);

        Report raised = report(config("rules:\n  MOAT-RUN-002: critical\n"), Severity.HIGH, raw);
        assertThat(raised.findings()).singleElement().satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.CRITICAL));
        assertThat(raised.exitCode()).isEqualTo(ExitCode.FINDINGS);

        Report lowered = report(config("rules:\n  MOAT-RUN-001: {severity: low}\n"), Severity.HIGH,
                List.of(finding("MOAT-RUN-001", Severity.HIGH)));
        assertThat(lowered.exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void reportedRulesAreTheEnabledOnesAtTheirConfiguredSeverity() throws ConfigException {
        Report r = report(config("rules:\n  MOAT-SUP-001: off\n  MOAT-RUN-002: high\n"), Severity.HIGH, List.of());

        assertThat(r.rules()).extracting(RuleInfo::id).doesNotContain("MOAT-SUP-001").contains("MOAT-RUN-001", "MOAT-CFG-001");
        assertThat(r.rules()).filteredOn(i -> i.id().equals("MOAT-RUN-002"))
                .singleElement().satisfies(i -> assertThat(i.severity()).isEqualTo(Severity.HIGH));
    }

    @Test
    void aDisabledRuleNeitherReportsNorBlocks() throws ConfigException {
        Report r = report(config("rules:\n  MOAT-RUN-001: off\n"), Severity.HIGH, List.of(finding("MOAT-RUN-001", Severity.HIGH)));

        assertThat(r.findings()).isEmpty();
        assertThat(r.exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void problemsWithSuppressionsBlockOnlyAtALowThreshold() throws ConfigException {
        MoatConfig config = config("exemptions:\n  - rule: MOAT-RUN-002\n    reason: old\n    expires: 2026-12-31\n");
        List<Finding> raw = List.of();

        assertThat(report(config, Severity.HIGH, raw).findings()).extracting(Finding::ruleId).containsExactly("MOAT-CFG-002");
        assertThat(report(config, Severity.HIGH, raw).exitCode()).isEqualTo(ExitCode.OK);
        assertThat(report(config, Severity.LOW, raw).exitCode()).isEqualTo(ExitCode.FINDINGS);
    }

    @Test
    void reportCarriesTheRunAndOrdersFindingsMostSevereFirst() {
        Report r = new Pipeline(MoatConfig.NONE, RULES, Severity.CRITICAL, TODAY).report("scan", 3, List.of(BROKEN),
                List.of(finding("MOAT-RUN-002", Severity.MEDIUM), finding("MOAT-RUN-001", Severity.HIGH)), Map.of());

        assertThat(r.command()).isEqualTo("scan");
        assertThat(r.toolVersion()).isEqualTo(MoatVersion.VERSION);
        assertThat(r.inputsAnalysed()).isEqualTo(3);
        assertThat(r.diagnostics()).containsExactly(BROKEN);
        assertThat(r.failOn()).isEqualTo(Severity.CRITICAL);
        assertThat(r.findings()).extracting(Finding::ruleId).containsExactly("MOAT-RUN-001", "MOAT-RUN-002");
        assertThat(r.countsBySeverity()).containsEntry(Severity.HIGH, 1).containsEntry(Severity.MEDIUM, 1)
                .containsEntry(Severity.CRITICAL, 0);
        assertThat(r.exitCode()).as("the unreadable input still fails the run").isEqualTo(ExitCode.FINDINGS);
    }
}
