package dev.moat.audit.rules;

import static dev.moat.audit.Manifests.at;
import static dev.moat.audit.Manifests.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrivilegedContainerTest {

    private final PrivilegedContainer rule = new PrivilegedContainer();

    @Test
    void privilegedContainerIsReportedAtTheField() {
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
                          securityContext:
                            privileged: true
                """);

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.ruleId()).isEqualTo("MOAT-RUN-001");
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(f.category()).isEqualTo("runtime");
            assertThat(f.object()).isEqualTo(new ObjectRef("Deployment", "ml", "web"));
            assertThat(f.location().file()).isEqualTo("test.yaml");
            assertThat(at(f)).isEqualTo("13:13");
            assertThat(f.message()).isEqualTo("container 'app': runs privileged");
            assertThat(f.evidence()).isEqualTo("securityContext.privileged: true");
            assertThat(f.remediation()).contains("privileged: true");
            assertThat(f.suppressed()).isFalse();
        });
    }

    @Test
    void privilegedInitContainerOfABarePodIsReported() {
        List<Finding> findings = run(rule, """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: loader
                spec:
                  initContainers:
                    - name: driver
                      image: busybox:1.36
                      securityContext: {privileged: true}
                  containers:
                    - name: app
                      image: nginx:1.27
                """);

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.object()).isEqualTo(new ObjectRef("Pod", "default", "loader"));
            assertThat(at(f)).isEqualTo("9:25");
            assertThat(f.message()).isEqualTo("init container 'driver': runs privileged");
        });
    }

    @Test
    void privilegedFalseIsCompliant() {
        assertThat(run(rule, """
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
                          securityContext:
                            privileged: false
                """)).isEmpty();
    }

    @Test
    void privilegedAbsentIsCompliant() {
        assertThat(run(rule, """
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
                          securityContext:
                            runAsNonRoot: true
                        - name: sidecar
                          image: envoy:1.30
                """)).isEmpty();
    }
}
