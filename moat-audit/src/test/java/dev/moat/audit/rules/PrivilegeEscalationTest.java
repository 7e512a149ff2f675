package dev.moat.audit.rules;

import static dev.moat.audit.Manifests.at;
import static dev.moat.audit.Manifests.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrivilegeEscalationTest {

    private final PrivilegeEscalation rule = new PrivilegeEscalation();

    @Test
    void explicitTrueIsReportedAtTheField() {
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
                            allowPrivilegeEscalation: true
                """);

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.ruleId()).isEqualTo("MOAT-RUN-002");
            assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
            assertThat(f.object()).isEqualTo(new ObjectRef("Deployment", "ml", "web"));
            assertThat(at(f)).isEqualTo("13:13");
            assertThat(f.message()).isEqualTo("container 'app': allows privilege escalation");
            assertThat(f.evidence()).isEqualTo("allowPrivilegeEscalation: true");
        });
    }

    @Test
    void missingSecurityContextIsReportedAtTheContainer() {
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
                """);

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(at(f)).isEqualTo("9:11");
            assertThat(f.message()).isEqualTo("container 'app': allowPrivilegeEscalation is not set (it defaults to true)");
            assertThat(f.evidence()).isEqualTo("no securityContext");
        });
    }

    @Test
    void securityContextWithoutTheFieldIsReportedAtSecurityContext() {
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
                            runAsNonRoot: true
                """);

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(at(f)).as("the securityContext key, not an unrelated field inside it").isEqualTo("11:11");
            assertThat(f.message()).endsWith("allowPrivilegeEscalation is not set (it defaults to true)");
            assertThat(f.evidence()).isEqualTo("securityContext without allowPrivilegeEscalation");
        });
    }

    @Test
    void falseAtContainerLevelIsCompliant() {
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
                          securityContext:
                            allowPrivilegeEscalation: false
                """)).isEmpty();
    }

    @Test
    void everyContainerNeedsItsOwnSetting() {
        List<Finding> findings = run(rule, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  template:
                    spec:
                      initContainers:
                        - name: fetch
                          image: busybox:1.36
                      containers:
                        - name: app
                          image: nginx:1.27
                          securityContext:
                            allowPrivilegeEscalation: false
                """);

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(at(f)).isEqualTo("9:11");
            assertThat(f.message()).startsWith("init container 'fetch': ");
        });
    }
}
