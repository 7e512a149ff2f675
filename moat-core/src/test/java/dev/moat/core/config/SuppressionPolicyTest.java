package dev.moat.core.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Annotation;
import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Severity;
import dev.moat.core.SourceLocation;
import dev.moat.core.Suppression;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SuppressionPolicyTest {

    static final Set<String> KNOWN = MoatConfigTest.KNOWN;
    static final LocalDate TODAY = LocalDate.of(2027, 1, 31);

    static final ObjectRef WEB = new ObjectRef("Deployment", "ml", "web");
    static final ObjectRef API = new ObjectRef("Deployment", "ml", "api");
    static final ObjectRef DRIVER = new ObjectRef("DaemonSet", "gpu-operator", "nvidia-driver");

    static Finding finding(String ruleId, Severity severity, ObjectRef object) {
        return new Finding(ruleId, severity, "runtime", object, new SourceLocation("app.yaml", 20, 11),
                "container 'app': something", "evidence", "fix it", null);
    }

    static Annotation annotation(String key, String value, int line) {
        return new Annotation(key, value, new SourceLocation("app.yaml", line, 5));
    }

    static MoatConfig config(String yaml) throws ConfigException {
        return MoatConfig.parse(".moat.yaml", yaml.getBytes(UTF_8), KNOWN);
    }

    static List<Finding> apply(MoatConfig config, LocalDate today, List<Finding> raw,
                               Map<ObjectRef, List<Annotation>> annotations) {
        return new SuppressionPolicy(config, KNOWN, today).apply(raw, annotations);
    }

    static Finding only(List<Finding> findings, String ruleId, ObjectRef object) {
        List<Finding> matching = findings.stream()
                .filter(f -> f.ruleId().equals(ruleId) && f.object().equals(object)).toList();
        assertThat(matching).as(ruleId + " on " + object).hasSize(1);
        return matching.get(0);
    }

    // --- annotations ----------------------------------------------------------------------------

    @Test
    void annotationWithReasonSuppressesOnlyThatRuleOnThatObject() {
        List<Finding> out = apply(MoatConfig.NONE, TODAY,
                List.of(finding("MOAT-RUN-001", Severity.HIGH, WEB), finding("MOAT-RUN-002", Severity.MEDIUM, WEB),
                        finding("MOAT-RUN-001", Severity.HIGH, API)),
                Map.of(WEB, List.of(annotation("ignore.moat.dev/MOAT-RUN-001", "driver needs device access", 6),
                        annotation("prometheus.io/scrape", "true", 7))));

        assertThat(out).hasSize(3);
        assertThat(only(out, "MOAT-RUN-001", WEB).suppression())
                .isEqualTo(new Suppression(Suppression.Source.ANNOTATION, "driver needs device access", null));
        assertThat(only(out, "MOAT-RUN-002", WEB).suppressed()).isFalse();
        assertThat(only(out, "MOAT-RUN-001", API).suppressed()).isFalse();
    }

    @Test
    void annotationWithoutReasonIsNotAppliedAndIsReportedAtTheAnnotation() {
        for (String blank : List.of("", "   ")) {
            List<Finding> out = apply(MoatConfig.NONE, TODAY, List.of(finding("MOAT-RUN-001", Severity.HIGH, WEB)),
                    Map.of(WEB, List.of(annotation("ignore.moat.dev/MOAT-RUN-001", blank, 8))));

            assertThat(only(out, "MOAT-RUN-001", WEB).suppressed()).isFalse();
            Finding meta = only(out, "MOAT-CFG-001", WEB);
            assertThat(meta.location()).isEqualTo(new SourceLocation("app.yaml", 8, 5));
            assertThat(meta.severity()).isEqualTo(Severity.LOW);
            assertThat(meta.category()).isEqualTo("configuration");
            assertThat(meta.message()).isEqualTo("annotation ignore.moat.dev/MOAT-RUN-001 has no reason, so it is not applied");
            assertThat(meta.evidence()).isEqualTo("ignore.moat.dev/MOAT-RUN-001: \"\"");
            assertThat(meta.remediation()).isNotBlank();
        }
    }

    @Test
    void annotationNamingAnUnknownRuleIsReported() {
        List<Finding> out = apply(MoatConfig.NONE, TODAY, List.of(finding("MOAT-RUN-001", Severity.HIGH, WEB)),
                Map.of(WEB, List.of(annotation("ignore.moat.dev/MOAT-RUN-01", "typo", 9))));

        assertThat(only(out, "MOAT-RUN-001", WEB).suppressed()).isFalse();
        Finding meta = only(out, "MOAT-CFG-003", WEB);
        assertThat(meta.location().line()).isEqualTo(9);
        assertThat(meta.message()).isEqualTo("annotation ignore.moat.dev/MOAT-RUN-01 names no rule Moat has");
        assertThat(meta.evidence()).isEqualTo("ignore.moat.dev/MOAT-RUN-01");
        assertThat(out).extracting(Finding::ruleId).doesNotContain("MOAT-CFG-001");
    }

    @Test
    void annotationWinsOverAMatchingExemption() throws ConfigException {
        MoatConfig config = config("exemptions:\n  - rule: MOAT-RUN-001\n    reason: from config\n");

        List<Finding> out = apply(config, TODAY, List.of(finding("MOAT-RUN-001", Severity.HIGH, WEB)),
                Map.of(WEB, List.of(annotation("ignore.moat.dev/MOAT-RUN-001", "from annotation", 6))));

        assertThat(only(out, "MOAT-RUN-001", WEB).suppression().source()).isEqualTo(Suppression.Source.ANNOTATION);
    }

    // --- config exemptions ----------------------------------------------------------------------

    @Test
    void exemptionByNamespaceKindAndNameGlobs() throws ConfigException {
        MoatConfig config = config("""
                exemptions:
                  - rule: MOAT-RUN-001
                    namespace: gpu-*
                    kind: "*Set"
                    name: nvidia-*
                    reason: the driver installer needs the host's devices
                    expires: 2027-06-30
                """);
        ObjectRef otherNamespace = new ObjectRef("DaemonSet", "ml", "nvidia-driver");
        ObjectRef otherKind = new ObjectRef("Deployment", "gpu-operator", "nvidia-driver");

        List<Finding> out = apply(config, TODAY, List.of(finding("MOAT-RUN-001", Severity.HIGH, DRIVER),
                finding("MOAT-RUN-002", Severity.MEDIUM, DRIVER), finding("MOAT-RUN-001", Severity.HIGH, otherNamespace),
                finding("MOAT-RUN-001", Severity.HIGH, otherKind)), Map.of());

        assertThat(only(out, "MOAT-RUN-001", DRIVER).suppression()).isEqualTo(new Suppression(Suppression.Source.CONFIG,
                "the driver installer needs the host's devices", LocalDate.of(2027, 6, 30)));
        assertThat(only(out, "MOAT-RUN-002", DRIVER).suppressed()).as("another rule").isFalse();
        assertThat(only(out, "MOAT-RUN-001", otherNamespace).suppressed()).as("another namespace").isFalse();
        assertThat(only(out, "MOAT-RUN-001", otherKind).suppressed()).as("another kind").isFalse();
        assertThat(out).hasSize(4);
    }

    @Test
    void exemptionWithoutRuleCoversEveryRuleInItsScope() throws ConfigException {
        MoatConfig config = config("exemptions:\n  - namespace: ml\n    name: web\n    reason: being rewritten\n");

        List<Finding> out = apply(config, TODAY, List.of(finding("MOAT-RUN-001", Severity.HIGH, WEB),
                finding("MOAT-SUP-001", Severity.MEDIUM, WEB), finding("MOAT-RUN-001", Severity.HIGH, API)), Map.of());

        assertThat(only(out, "MOAT-RUN-001", WEB).suppressed()).isTrue();
        assertThat(only(out, "MOAT-SUP-001", WEB).suppressed()).isTrue();
        assertThat(only(out, "MOAT-RUN-001", API).suppressed()).isFalse();
    }

    @Test
    void exemptionWithoutReasonIsNotAppliedAndIsReported() throws ConfigException {
        MoatConfig config = config("""
                failOn: high
                exemptions:
                  - rule: MOAT-RUN-001
                    namespace: ml
                """);

        List<Finding> out = apply(config, TODAY, List.of(finding("MOAT-RUN-001", Severity.HIGH, WEB)), Map.of());

        assertThat(only(out, "MOAT-RUN-001", WEB).suppressed()).isFalse();
        Finding meta = only(out, "MOAT-CFG-001", new ObjectRef("MoatConfig", "", ".moat.yaml"));
        assertThat(meta.location()).isEqualTo(new SourceLocation(".moat.yaml", 3, 5));
        assertThat(meta.message()).isEqualTo("exemption for MOAT-RUN-001 has no reason, so it is not applied");
        assertThat(meta.evidence()).isEqualTo("rule=MOAT-RUN-001 namespace=ml kind=* name=*");
    }

    @Test
    void expiredExemptionIsNotAppliedAndIsReported() throws ConfigException {
        MoatConfig config = config("""
                exemptions:
                  - rule: MOAT-RUN-001
                    reason: waiting for the vendor's fix
                    expires: 2027-01-30
                """);

        List<Finding> out = apply(config, TODAY, List.of(finding("MOAT-RUN-001", Severity.HIGH, WEB)), Map.of());

        assertThat(only(out, "MOAT-RUN-001", WEB).suppressed()).isFalse();
        Finding meta = only(out, "MOAT-CFG-002", new ObjectRef("MoatConfig", "", ".moat.yaml"));
        assertThat(meta.location()).isEqualTo(new SourceLocation(".moat.yaml", 2, 5));
        assertThat(meta.severity()).isEqualTo(Severity.LOW);
        assertThat(meta.message()).isEqualTo("exemption for MOAT-RUN-001 expired on 2027-01-30, so it is not applied");
    }

    @Test
    void exemptionHoldsOnItsExpiryDay() throws ConfigException {
        MoatConfig config = config("""
                exemptions:
                  - rule: MOAT-RUN-001
                    reason: waiting for the vendor's fix
                    expires: 2027-01-31
                """);

        List<Finding> onTheDay = apply(config, TODAY, List.of(finding("MOAT-RUN-001", Severity.HIGH, WEB)), Map.of());
        List<Finding> dayAfter = apply(config, TODAY.plusDays(1), List.of(finding("MOAT-RUN-001", Severity.HIGH, WEB)), Map.of());

        assertThat(onTheDay).singleElement().satisfies(f -> assertThat(f.suppressed()).isTrue());
        assertThat(only(dayAfter, "MOAT-RUN-001", WEB).suppressed()).isFalse();
        assertThat(dayAfter).extracting(Finding::ruleId).contains("MOAT-CFG-002");
    }

    // --- rule switches and severities -----------------------------------------------------------

    @Test
    void disabledRuleRemovesItsFindings() throws ConfigException {
        List<Finding> out = apply(config("rules:\n  MOAT-RUN-002: off\n"), TODAY,
                List.of(finding("MOAT-RUN-001", Severity.HIGH, WEB), finding("MOAT-RUN-002", Severity.MEDIUM, WEB)), Map.of());

        assertThat(out).extracting(Finding::ruleId).containsExactly("MOAT-RUN-001");
    }

    @Test
    void severityOverrideRegradesFindings() throws ConfigException {
        List<Finding> out = apply(config("rules:\n  MOAT-RUN-002: critical\n"), TODAY,
                List.of(finding("MOAT-RUN-001", Severity.HIGH, WEB), finding("MOAT-RUN-002", Severity.MEDIUM, WEB)), Map.of());

        assertThat(only(out, "MOAT-RUN-002", WEB).severity()).isEqualTo(Severity.CRITICAL);
        assertThat(only(out, "MOAT-RUN-001", WEB).severity()).isEqualTo(Severity.HIGH);
    }

    @Test
    void metaRulesCanBeRegradedAndSwitchedOff() throws ConfigException {
        String exemptions = """
                exemptions:
                  - rule: MOAT-RUN-001
                    reason: old
                    expires: 2026-01-01
                """;
        Map<ObjectRef, List<Annotation>> noReason = Map.of(WEB, List.of(annotation("ignore.moat.dev/MOAT-RUN-001", "", 6)));
        List<Finding> raw = List.of(finding("MOAT-RUN-001", Severity.HIGH, WEB));

        List<Finding> regraded = apply(config("rules:\n  MOAT-CFG-002: high\n" + exemptions), TODAY, raw, noReason);
        assertThat(regraded).filteredOn(f -> f.ruleId().equals("MOAT-CFG-002"))
                .singleElement().satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.HIGH));

        List<Finding> off = apply(config("rules:\n  MOAT-CFG-001: off\n  MOAT-CFG-002: off\n" + exemptions), TODAY, raw, noReason);
        assertThat(off).as("switched-off meta-rules report nothing, and the suppressions still do not apply")
                .singleElement().satisfies(f -> {
                    assertThat(f.ruleId()).isEqualTo("MOAT-RUN-001");
                    assertThat(f.suppressed()).isFalse();
                });
    }
}
