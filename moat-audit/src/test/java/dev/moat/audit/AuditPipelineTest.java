package dev.moat.audit;

import static dev.moat.audit.Manifests.at;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Annotation;
import dev.moat.core.ExitCode;
import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Pipeline;
import dev.moat.core.Report;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.Suppression;
import dev.moat.core.config.MoatConfig;
import dev.moat.kube.Inventory;
import dev.moat.kube.KubeObject;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Manifests through the catalogue and the pipeline, as {@code moat scan} runs them. */
class AuditPipelineTest {

    private static final LocalDate TODAY = LocalDate.of(2027, 1, 31);
    private static final ObjectRef DRIVER = new ObjectRef("Deployment", "gpu", "driver");
    private static final ObjectRef OTHER = new ObjectRef("Deployment", "gpu", "other");

    private static final String MANIFESTS = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: driver
              namespace: gpu
              annotations:
                ignore.moat.dev/MOAT-RUN-001: "the driver installer needs the host's devices"
                ignore.moat.dev/MOAT-RUN-004: ""
                ignore.moat.dev/MOAT-RUN-999: "typo"
            spec:
              template:
                spec:
                  hostNetwork: true
                  containers:
                    - name: app
                      image: driver:1.0
                      securityContext:
                        privileged: true
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: other
              namespace: gpu
            spec:
              template:
                spec:
                  containers:
                    - name: app
                      image: driver:1.0
                      securityContext:
                        privileged: true
            """;

    private static Report scan(String yaml, String configYaml, Severity failOn) throws Exception {
        return scan(yaml, configYaml, failOn, TODAY);
    }

    /**
     * Runs the catalogue and the pipeline; only the workload rules' findings are kept, so network rules
     * (which judge these Service-less manifests on their own terms) cannot change the exit codes asserted here.
     */
    private static Report scan(String yaml, String configYaml, Severity failOn, LocalDate today) throws Exception {
        List<RuleInfo> rules = Catalogue.infos();
        MoatConfig config = MoatConfig.parse(".moat.yaml", configYaml.getBytes(UTF_8),
                rules.stream().map(RuleInfo::id).collect(Collectors.toSet()));
        Inventory inventory = Manifests.inventory(yaml);
        Map<ObjectRef, List<Annotation>> annotations = new LinkedHashMap<>();
        for (KubeObject o : inventory.objects()) {
            annotations.put(o.ref(), o.annotations());
        }
        List<Finding> raw = Catalogue.run(inventory, config).stream()
                .filter(f -> f.ruleId().matches("MOAT-(RUN|RES|SUP|SEC)-\\d{3}"))
                .toList();
        return new Pipeline(config, rules, failOn, today).report("scan", 1, List.of(), raw, annotations);
    }

    private static Finding only(Report r, String ruleId, ObjectRef object) {
        List<Finding> matching = r.findings().stream()
                .filter(f -> f.ruleId().equals(ruleId) && f.object().equals(object)).toList();
        assertThat(matching).as(ruleId + " on " + object).hasSize(1);
        return matching.get(0);
    }

    @Test
    void annotationsSuppressOnlyTheirRuleOnTheirObject() throws Exception {
        Report r = scan(MANIFESTS, "", Severity.HIGH);

        assertThat(only(r, "MOAT-RUN-001", DRIVER).suppression()).isEqualTo(new Suppression(
                Suppression.Source.ANNOTATION, "the driver installer needs the host's devices", null));
        assertThat(only(r, "MOAT-RUN-001", OTHER).suppressed()).isFalse();
        assertThat(only(r, "MOAT-RUN-004", DRIVER).suppressed()).as("its annotation has no reason").isFalse();
        assertThat(r.exitCode()).isEqualTo(ExitCode.FINDINGS);
    }

    @Test
    void annotationProblemsAreReportedWhereTheAnnotationIsWritten() throws Exception {
        Report r = scan(MANIFESTS, "", Severity.HIGH);

        Finding noReason = only(r, "MOAT-CFG-001", DRIVER);
        assertThat(noReason.location().file()).isEqualTo(Manifests.FILE);
        assertThat(at(noReason)).isEqualTo("8:5");
        assertThat(noReason.message()).isEqualTo("annotation ignore.moat.dev/MOAT-RUN-004 has no reason, so it is not applied");

        Finding unknown = only(r, "MOAT-CFG-003", DRIVER);
        assertThat(at(unknown)).isEqualTo("9:5");
        assertThat(unknown.message()).contains("ignore.moat.dev/MOAT-RUN-999");
    }

    @Test
    void configExemptionsAndOverridesDecideTheExitCode() throws Exception {
        String config = """
                rules:
                  MOAT-RUN-004: low
                  MOAT-CFG-001: off
                  MOAT-CFG-003: off
                exemptions:
                  - rule: MOAT-RUN-001
                    namespace: gpu
                    name: oth*
                    reason: same installer, second node pool
                    expires: 2027-01-31
                """;

        Report r = scan(MANIFESTS, config, Severity.HIGH);

        assertThat(only(r, "MOAT-RUN-001", OTHER).suppression().source()).isEqualTo(Suppression.Source.CONFIG);
        assertThat(only(r, "MOAT-RUN-004", DRIVER).severity()).isEqualTo(Severity.LOW);
        assertThat(r.findings()).extracting(Finding::ruleId).doesNotContain("MOAT-CFG-001", "MOAT-CFG-003");
        assertThat(r.active()).noneMatch(f -> f.severity().atLeast(Severity.HIGH));
        assertThat(r.exitCode()).isEqualTo(ExitCode.OK);

        Report dayAfter = scan(MANIFESTS, config, Severity.HIGH, TODAY.plusDays(1));
        assertThat(dayAfter.findings()).extracting(Finding::ruleId).contains("MOAT-CFG-002");
        assertThat(dayAfter.exitCode()).isEqualTo(ExitCode.FINDINGS);
    }
}
