package dev.moat.audit.rules;

import static dev.moat.audit.Manifests.at;
import static dev.moat.audit.Manifests.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunsAsRootTest {

    private final RunsAsRoot rule = new RunsAsRoot();

    @Test
    void nothingSetIsReportedAtTheContainer() {
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
            assertThat(f.ruleId()).isEqualTo("MOAT-RUN-003");
            assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
            assertThat(f.object()).isEqualTo(new ObjectRef("Deployment", "ml", "web"));
            assertThat(at(f)).isEqualTo("10:11");
            assertThat(f.message()).isEqualTo(
                    "container 'app': may run as root: neither runAsNonRoot: true nor a non-zero runAsUser is set");
            assertThat(f.evidence()).isEqualTo("runAsNonRoot unset");
        });
    }

    @Test
    void securityContextWithoutEitherFieldIsReportedAtSecurityContext() {
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
                          securityContext:
                            allowPrivilegeEscalation: false
                """);

        assertThat(findings).singleElement().satisfies(f -> assertThat(at(f)).isEqualTo("11:11"));
    }

    @Test
    void podLevelRunAsNonRootIsInherited() {
        assertThat(run(rule, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  template:
                    spec:
                      securityContext:
                        runAsNonRoot: true
                      containers:
                        - name: app
                          image: nginx:1.27
                        - name: sidecar
                          image: envoy:1.30
                          securityContext:
                            readOnlyRootFilesystem: true
                """)).isEmpty();
    }

    @Test
    void podLevelNonZeroRunAsUserIsInherited() {
        assertThat(run(rule, """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                spec:
                  securityContext:
                    runAsUser: 1000
                  containers:
                    - name: app
                      image: nginx:1.27
                """)).isEmpty();
    }

    @Test
    void containerRunAsUserZeroOverridesPodRunAsNonRoot() {
        List<Finding> findings = run(rule, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  template:
                    spec:
                      securityContext:
                        runAsNonRoot: true
                      containers:
                        - name: app
                          image: nginx:1.27
                          securityContext:
                            runAsUser: 0
                """);

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(at(f)).isEqualTo("14:13");
            assertThat(f.message()).isEqualTo("container 'app': runs as root (runAsUser: 0)");
            assertThat(f.evidence()).isEqualTo("runAsUser: 0");
        });
    }

    @Test
    void containerRunAsNonRootFalseOverridesPodTrue() {
        List<Finding> findings = run(rule, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  template:
                    spec:
                      securityContext:
                        runAsNonRoot: true
                      containers:
                        - name: app
                          image: nginx:1.27
                          securityContext:
                            runAsNonRoot: false
                """);

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(at(f)).isEqualTo("14:13");
            assertThat(f.evidence()).isEqualTo("runAsNonRoot: false");
        });
    }

    @Test
    void containerLevelRunAsNonRootIsCompliant() {
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
                            runAsUser: 10001
                """)).isEmpty();
    }
}
