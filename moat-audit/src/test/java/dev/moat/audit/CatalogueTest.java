package dev.moat.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.config.MoatConfig;
import dev.moat.core.config.SuppressionPolicy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CatalogueTest {

    /** The workload rules of the catalogue; a compliant workload must trip none of them. */
    private static final List<String> WORKLOAD_RULES = List.of("MOAT-RES-001", "MOAT-RUN-001", "MOAT-RUN-002",
            "MOAT-RUN-003", "MOAT-RUN-004", "MOAT-SEC-001", "MOAT-SEC-002", "MOAT-SUP-001", "MOAT-SUP-002");

    @Test
    void ruleIdsAreUniqueAndWellFormed() {
        List<String> ids = Catalogue.infos().stream().map(RuleInfo::id).toList();

        assertThat(ids).doesNotHaveDuplicates().allMatch(id -> id.matches("MOAT-[A-Z]{3}-\\d{3}"));
        assertThat(ids).containsAll(WORKLOAD_RULES);
        assertThat(ids).containsAll(SuppressionPolicy.RULES.stream().map(RuleInfo::id).toList());
        assertThat(Catalogue.rules()).extracting(r -> r.info().id()).doesNotHaveDuplicates().isSorted();
        assertThat(ids).isSorted();
    }

    @Test
    void everyRuleIsDocumented() {
        assertThat(Catalogue.infos()).allSatisfy(r -> {
            assertThat(r.title()).as(r.id() + " title").isNotBlank();
            assertThat(r.rationale()).as(r.id() + " rationale").isNotBlank();
            assertThat(r.remediation()).as(r.id() + " remediation").isNotBlank();
            assertThat(r.category()).as(r.id() + " category").isNotBlank();
            assertThat(r.severity()).as(r.id() + " severity").isNotNull();
        });
    }

    @Test
    void findIgnoresCase() {
        assertThat(Catalogue.find("moat-run-001")).get().extracting(RuleInfo::title).isEqualTo("Privileged container");
        assertThat(Catalogue.find("MOAT-CFG-002")).isPresent();
        assertThat(Catalogue.find("MOAT-XXX-999")).isEmpty();
    }

    @Test
    void aCompliantWorkloadTripsNoWorkloadRule() {
        String digest = "sha256:" + "0123456789abcdef".repeat(4);
        List<Finding> findings = Manifests.runAll(Fixtures.deployment("llm").namespace("ml")
                .podSpec("securityContext:", "  runAsNonRoot: true", "  runAsUser: 10001")
                .container("server", "registry.example.com/vllm:0.6.3@" + digest,
                        "securityContext:",
                        "  allowPrivilegeEscalation: false",
                        "env:",
                        "  - name: HF_TOKEN",
                        "    valueFrom:",
                        "      secretKeyRef: {name: hf, key: token}",
                        "  - name: MODEL_ID",
                        "    value: meta-llama/Llama-3.1-8B-Instruct",
                        "resources:",
                        "  requests: {cpu: \"4\", memory: 40Gi, nvidia.com/gpu: 1}",
                        "  limits: {cpu: \"8\", memory: 48Gi, nvidia.com/gpu: 1}")
                .yaml());

        assertThat(findings).filteredOn(f -> WORKLOAD_RULES.contains(f.ruleId())).isEmpty();
    }

    @Test
    void disabledRulesDoNotRun() throws Exception {
        Set<String> known = Set.copyOf(Catalogue.infos().stream().map(RuleInfo::id).toList());
        MoatConfig config = MoatConfig.parse(".moat.yaml",
                "rules:\n  MOAT-SUP-001: off\n  MOAT-SUP-002: {enabled: false}\n".getBytes(StandardCharsets.UTF_8), known);

        List<Finding> findings = Catalogue.run(Manifests.inventory("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                spec:
                  containers:
                    - name: app
                      image: nginx
                """), config);

        assertThat(findings).extracting(Finding::ruleId)
                .contains("MOAT-RUN-002")
                .doesNotContain("MOAT-SUP-001", "MOAT-SUP-002");
    }
}
