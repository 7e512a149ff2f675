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

class RunsAsRootTest {

    private final RunsAsRoot rule = new RunsAsRoot();

    /** A Deployment {@code web} whose pod sets {@code runAsNonRoot: true} and whose container overrides it. */
    private static String podNonRootContainer(String... containerSecurityContext) {
        return deployment("web")
                .podSpec("securityContext:", "  runAsNonRoot: true")
                .container("app", "nginx:1.27", containerSecurityContext)
                .yaml();
    }

    @Test
    void nothingSetIsReportedAtTheContainer() {
        List<Finding> findings = run(rule, deployment("web").namespace("ml").container("app", "nginx:1.27").yaml());

        assertThat(findings).singleElement().satisfies(f -> assertFinding(f, "MOAT-RUN-003", Severity.MEDIUM,
                new ObjectRef("Deployment", "ml", "web"), "10:11",
                "container 'app': may run as root: neither runAsNonRoot: true nor a non-zero runAsUser is set",
                "runAsNonRoot unset"));
    }

    @Test
    void securityContextWithoutEitherFieldIsReportedAtSecurityContext() {
        List<Finding> findings = run(rule, deployment("web")
                .container("app", "nginx:1.27", "securityContext:", "  allowPrivilegeEscalation: false")
                .yaml());

        assertThat(findings).singleElement().satisfies(f -> assertThat(at(f)).isEqualTo("11:11"));
    }

    @Test
    void podLevelRunAsNonRootIsInherited() {
        assertThat(run(rule, deployment("web")
                .podSpec("securityContext:", "  runAsNonRoot: true")
                .container("app", "nginx:1.27")
                .container("sidecar", "envoy:1.30", "securityContext:", "  readOnlyRootFilesystem: true")
                .yaml())).isEmpty();
    }

    @Test
    void podLevelNonZeroRunAsUserIsInherited() {
        assertThat(run(rule, pod("web")
                .podSpec("securityContext:", "  runAsUser: 1000")
                .container("app", "nginx:1.27")
                .yaml())).isEmpty();
    }

    @Test
    void containerRunAsUserZeroOverridesPodRunAsNonRoot() {
        List<Finding> findings = run(rule, podNonRootContainer("securityContext:", "  runAsUser: 0"));

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(at(f)).isEqualTo("14:13");
            assertThat(f.message()).isEqualTo("container 'app': runs as root (runAsUser: 0)");
            assertThat(f.evidence()).isEqualTo("runAsUser: 0");
        });
    }

    @Test
    void containerRunAsNonRootFalseOverridesPodTrue() {
        List<Finding> findings = run(rule, podNonRootContainer("securityContext:", "  runAsNonRoot: false"));

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(at(f)).isEqualTo("14:13");
            assertThat(f.evidence()).isEqualTo("runAsNonRoot: false");
        });
    }

    @Test
    void containerLevelRunAsNonRootIsCompliant() {
        assertThat(run(rule, deployment("web")
                .container("app", "nginx:1.27", "securityContext:", "  runAsNonRoot: true", "  runAsUser: 10001")
                .yaml())).isEmpty();
    }
}
