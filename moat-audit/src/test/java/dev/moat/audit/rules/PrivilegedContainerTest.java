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

class PrivilegedContainerTest {

    private final PrivilegedContainer rule = new PrivilegedContainer();

    @Test
    void privilegedContainerIsReportedAtTheField() {
        List<Finding> findings = run(rule, deployment("web").namespace("ml")
                .container("app", "nginx:1.27", "securityContext:", "  privileged: true")
                .yaml());

        assertThat(findings).singleElement().satisfies(f -> {
            assertFinding(f, "MOAT-RUN-001", Severity.HIGH, new ObjectRef("Deployment", "ml", "web"), "13:13",
                    "container 'app': runs privileged", "securityContext.privileged: true");
            assertThat(f.category()).isEqualTo("runtime");
            assertThat(f.location().file()).isEqualTo("test.yaml");
            assertThat(f.remediation()).contains("privileged: true");
            assertThat(f.suppressed()).isFalse();
        });
    }

    @Test
    void privilegedInitContainerOfABarePodIsReported() {
        List<Finding> findings = run(rule, pod("loader")
                .initContainer("driver", "busybox:1.36", "securityContext: {privileged: true}")
                .container("app", "nginx:1.27")
                .yaml());

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.object()).isEqualTo(new ObjectRef("Pod", "default", "loader"));
            assertThat(at(f)).isEqualTo("9:25");
            assertThat(f.message()).isEqualTo("init container 'driver': runs privileged");
        });
    }

    @Test
    void privilegedFalseIsCompliant() {
        assertThat(run(rule, deployment("web")
                .container("app", "nginx:1.27", "securityContext:", "  privileged: false")
                .yaml())).isEmpty();
    }

    @Test
    void privilegedAbsentIsCompliant() {
        assertThat(run(rule, deployment("web")
                .container("app", "nginx:1.27", "securityContext:", "  runAsNonRoot: true")
                .container("sidecar", "envoy:1.30")
                .yaml())).isEmpty();
    }
}
