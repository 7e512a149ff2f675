package dev.moat.audit.rules;

import static dev.moat.audit.Fixtures.PLAIN_POD;
import static dev.moat.audit.Fixtures.assertFinding;
import static dev.moat.audit.Manifests.at;
import static dev.moat.audit.Manifests.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostNamespacesTest {

    private final HostNamespaces rule = new HostNamespaces();

    @Test
    void hostNetworkInACronJobIsReportedAtTheField() {
        List<Finding> findings = run(rule, """
                apiVersion: batch/v1
                kind: CronJob
                metadata:
                  name: nightly
                  namespace: ml
                spec:
                  schedule: "0 3 * * *"
                  jobTemplate:
                    spec:
                      template:
                        spec:
                          hostNetwork: true
                          restartPolicy: Never
                          containers:
                            - name: job
                              image: trainer:1.0
                """);

        assertThat(findings).singleElement().satisfies(f -> {
            assertFinding(f, "MOAT-RUN-004", Severity.HIGH,
                    new ObjectRef("CronJob", "ml", "nightly"), "12:11",
                    "pod sets hostNetwork: true",
                    "hostNetwork: true");
            assertThat(f.category()).isEqualTo("runtime");
        });
    }

    @Test
    void eachHostNamespaceIsOneFindingPerPodNotPerContainer() {
        List<Finding> findings = run(rule, """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata:
                  name: agent
                spec:
                  template:
                    spec:
                      hostPID: true
                      hostIPC: true
                      hostNetwork: true
                      containers:
                        - name: a
                          image: agent:1.0
                        - name: b
                          image: agent:1.0
                """);

        assertThat(findings).extracting(Finding::evidence, f -> at(f))
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("hostNetwork: true", "10:7"),
                        org.assertj.core.groups.Tuple.tuple("hostPID: true", "8:7"),
                        org.assertj.core.groups.Tuple.tuple("hostIPC: true", "9:7"));
    }

    @Test
    void falseOrAbsentIsCompliant() {
        assertThat(run(rule, """
                apiVersion: batch/v1
                kind: CronJob
                metadata:
                  name: nightly
                spec:
                  schedule: "0 3 * * *"
                  jobTemplate:
                    spec:
                      template:
                        spec:
                          hostNetwork: false
                          hostPID: false
                          containers:
                            - name: job
                              image: trainer:1.0
                ---
                """ + PLAIN_POD)).isEmpty();
    }
}
