package dev.moat.audit.rules;

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

    @Test
    void noResourcesAtAllIsReportedAtTheContainer() {
        List<Finding> findings = run(rule, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                  namespace: ml
                spec:
                  template:
                    spec:
                      containers:
                        - name: app
                          image: nginx:1.27
                """);

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.ruleId()).isEqualTo("MOAT-RES-001");
            assertThat(f.severity()).as("a plain workload").isEqualTo(Severity.MEDIUM);
            assertThat(f.category()).isEqualTo("resources");
            assertThat(f.object()).isEqualTo(new ObjectRef("Deployment", "ml", "web"));
            assertThat(at(f)).isEqualTo("10:11");
            assertThat(f.message()).isEqualTo("container 'app': no requests.cpu, requests.memory, limits.cpu, limits.memory");
            assertThat(f.evidence()).isEqualTo("missing: requests.cpu, requests.memory, limits.cpu, limits.memory");
        });
    }

    @Test
    void partialResourcesAreReportedAtTheResourcesKeyNamingWhatIsMissing() {
        List<Finding> findings = run(rule, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  template:
                    spec:
                      containers:
                        - name: app
                          image: nginx:1.27
                          resources:
                            requests:
                              cpu: 100m
                              memory: 128Mi
                            limits:
                              memory: 256Mi
                """);

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(at(f)).as("the resources key, not the requests key inside it").isEqualTo("11:11");
            assertThat(f.message()).isEqualTo("container 'app': no limits.cpu");
            assertThat(f.evidence()).isEqualTo("missing: limits.cpu");
            assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
        });
    }

    @Test
    void gpuWorkloadIsGradedHigh() {
        List<Finding> findings = run(rule, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: llm
                spec:
                  template:
                    spec:
                      containers:
                        - name: server
                          image: registry.example.com/server:1.0
                          resources:
                            limits:
                              nvidia.com/gpu: 1
                              memory: 40Gi
                """);

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(at(f)).isEqualTo("11:11");
            assertThat(f.message()).isEqualTo("container 'server': no requests.cpu, requests.memory, limits.cpu");
        });
    }

    @Test
    void completeResourcesAreCompliant() {
        assertThat(run(rule, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: llm
                spec:
                  template:
                    spec:
                      containers:
                        - name: server
                          image: registry.example.com/server:1.0
                          resources:
                            requests: {cpu: "4", memory: 40Gi, nvidia.com/gpu: 1}
                            limits: {cpu: "8", memory: 48Gi, nvidia.com/gpu: 1}
                """)).isEmpty();
    }

    @Test
    void ephemeralContainersAreSkippedButInitContainersAreNot() {
        List<Finding> findings = run(rule, """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: debug-me
                spec:
                  initContainers:
                    - name: fetch
                      image: busybox:1.36
                  containers:
                    - name: app
                      image: nginx:1.27
                      resources:
                        requests: {cpu: 100m, memory: 64Mi}
                        limits: {cpu: 200m, memory: 128Mi}
                  ephemeralContainers:
                    - name: debugger
                      image: busybox:1.36
                """);

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.message()).startsWith("init container 'fetch': ");
            assertThat(at(f)).isEqualTo("7:7");
        });
    }
}
