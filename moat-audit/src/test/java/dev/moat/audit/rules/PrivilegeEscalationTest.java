package dev.moat.audit.rules;

import static dev.moat.audit.Fixtures.assertFinding;
import static dev.moat.audit.Fixtures.deployment;
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
        List<Finding> findings = run(rule, deployment("web").namespace("ml")
                .container("app", "nginx:1.27", "securityContext:", "  allowPrivilegeEscalation: true")
                .yaml());

        assertThat(findings).singleElement().satisfies(f -> assertFinding(f, "MOAT-RUN-002", Severity.MEDIUM,
                new ObjectRef("Deployment", "ml", "web"), "13:13",
                "container 'app': allows privilege escalation", "allowPrivilegeEscalation: true"));
    }

    @Test
    void missingSecurityContextIsReportedAtTheContainer() {
        List<Finding> findings = run(rule, deployment("web").container("app", "nginx:1.27").yaml());

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(at(f)).isEqualTo("9:11");
            assertThat(f.message()).isEqualTo("container 'app': allowPrivilegeEscalation is not set (it defaults to true)");
            assertThat(f.evidence()).isEqualTo("no securityContext");
        });
    }

    @Test
    void securityContextWithoutTheFieldIsReportedAtSecurityContext() {
        List<Finding> findings = run(rule, deployment("web")
                .container("app", "nginx:1.27", "securityContext:", "  runAsNonRoot: true")
                .yaml());

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(at(f)).as("the securityContext key, not an unrelated field inside it").isEqualTo("11:11");
            assertThat(f.message()).endsWith("allowPrivilegeEscalation is not set (it defaults to true)");
            assertThat(f.evidence()).isEqualTo("securityContext without allowPrivilegeEscalation");
        });
    }

    @Test
    void falseAtContainerLevelIsCompliant() {
        assertThat(run(rule, deployment("web")
                .podSpec("securityContext:", "  runAsNonRoot: true")
                .container("app", "nginx:1.27", "securityContext:", "  allowPrivilegeEscalation: false")
                .yaml())).isEmpty();
    }

    @Test
    void everyContainerNeedsItsOwnSetting() {
        List<Finding> findings = run(rule, deployment("web")
                .initContainer("fetch", "busybox:1.36")
                .container("app", "nginx:1.27", "securityContext:", "  allowPrivilegeEscalation: false")
                .yaml());

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(at(f)).isEqualTo("9:11");
            assertThat(f.message()).startsWith("init container 'fetch': ");
        });
    }
}
