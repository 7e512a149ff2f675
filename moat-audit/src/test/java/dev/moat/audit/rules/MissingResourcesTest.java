package dev.moat.audit.rules;

import static dev.moat.audit.Fixtures.assertFinding;
import static dev.moat.audit.Fixtures.deployment;
import static dev.moat.audit.Fixtures.pod;
import static dev.moat.audit.Manifests.at;
import static dev.moat.audit.Manifests.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class MissingResourcesTest {

    private final MissingResources rule = new MissingResources();

    /** A Deployment {@code llm} whose one container {@code server} has these resources lines. */
    private static String gpuServer(String... resources) {
        String[] fields = new String[resources.length + 1];
        fields[0] = "resources:";
        for (int i = 0; i < resources.length; i++) {
            fields[i + 1] = "  " + resources[i];
        }
        return deployment("llm").container("server", "registry.example.com/server:1.0", fields).yaml();
    }

    @Test
    void noResourcesAtAllIsReportedAtTheContainer() {
        List<Finding> findings = run(rule, deployment("web").namespace("ml").container("app", "nginx:1.27").yaml());

        assertThat(findings).singleElement().satisfies(f -> {
            assertFinding(f, "MOAT-RES-001", Severity.MEDIUM, new ObjectRef("Deployment", "ml", "web"), "10:11",
                    "container 'app': no requests.cpu, requests.memory, limits.cpu, limits.memory",
                    "missing: requests.cpu, requests.memory, limits.cpu, limits.memory");
            assertThat(f.severity()).as("a plain workload").isEqualTo(Severity.MEDIUM);
            assertThat(f.category()).isEqualTo("resources");
        });
    }

    @Test
    void partialResourcesAreReportedAtTheResourcesKeyNamingWhatIsMissing() {
        List<Finding> findings = run(rule, deployment("web")
                .container("app", "nginx:1.27",
                        "resources:",
                        "  requests:",
                        "    cpu: 100m",
                        "    memory: 128Mi",
                        "  limits:",
                        "    memory: 256Mi")
                .yaml());

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(at(f)).as("the resources key, not the requests key inside it").isEqualTo("11:11");
            assertThat(f.message()).isEqualTo("container 'app': no limits.cpu");
            assertThat(f.evidence()).isEqualTo("missing: limits.cpu");
            assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
        });
    }

    @Test
    void gpuWorkloadIsGradedHigh() {
        List<Finding> findings = run(rule, gpuServer("limits:", "  nvidia.com/gpu: 1", "  memory: 40Gi"));

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(at(f)).isEqualTo("11:11");
            assertThat(f.message()).isEqualTo("container 'server': no requests.cpu, requests.memory, limits.cpu");
        });
    }

    @Test
    void completeResourcesAreCompliant() {
        assertThat(run(rule, gpuServer(
                "requests: {cpu: \"4\", memory: 40Gi, nvidia.com/gpu: 1}",
                "limits: {cpu: \"8\", memory: 48Gi, nvidia.com/gpu: 1}"))).isEmpty();
    }

    @Test
    void ephemeralContainersAreSkippedButInitContainersAreNot() {
        List<Finding> findings = run(rule, pod("debug-me")
                .initContainer("fetch", "busybox:1.36")
                .container("app", "nginx:1.27",
                        "resources:",
                        "  requests: {cpu: 100m, memory: 64Mi}",
                        "  limits: {cpu: 200m, memory: 128Mi}")
                .afterContainers("ephemeralContainers:", "  - name: debugger", "    image: busybox:1.36")
                .yaml());

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.message()).startsWith("init container 'fetch': ");
            assertThat(at(f)).isEqualTo("7:7");
        });
    }
}
