package dev.moat.audit.gpu;

import static dev.moat.audit.Fixtures.assertFinding;
import static dev.moat.audit.Manifests.at;
import static dev.moat.audit.Manifests.run;
import static dev.moat.audit.gpu.SettingsYaml.settings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.audit.ManifestRule;
import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Severity;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class GpuRulesTest {

    /** A Deployment whose pod spec body is {@code podSpec}, indented for the template. */
    private static String deployment(String name, String podSpec) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %s
                  namespace: ml
                spec:
                  template:
                    spec:
                %s""".formatted(name, podSpec.indent(6));
    }

    private static final String GPU_CONTAINER = """
            containers:
              - name: vllm
                image: vllm/vllm-openai:v0.6.0
                resources:
                  limits:
                    nvidia.com/gpu: 1
            """;

    @Nested
    class OutsidePool {

        private final GpuPodOutsidePool rule = new GpuPodOutsidePool();

        @Test
        void gpuPodWithoutPoolSelectionIsReportedAtTheNodeSelector() {
            List<Finding> findings = run(rule, deployment("llm", """
                    nodeSelector:
                      kubernetes.io/os: linux
                    """ + GPU_CONTAINER));

            assertThat(findings).singleElement().satisfies(f -> assertFinding(f, "MOAT-GPU-001", Severity.LOW,
                    new ObjectRef("Deployment", "ml", "llm"), "9:7",
                    "pod: container 'vllm' requests nvidia.com/gpu but no nodeSelector or "
                            + "required node affinity names a GPU pool label",
                    "nodeSelector: [kubernetes.io/os], no GPU pool label"));
        }

        @Test
        void poolLabelInNodeSelectorOrInEveryRequiredTermIsCompliant() {
            assertThat(run(rule, deployment("a", """
                    nodeSelector:
                      cloud.google.com/gke-accelerator: nvidia-l4
                    """ + GPU_CONTAINER))).isEmpty();
            assertThat(run(rule, deployment("b", """
                    affinity:
                      nodeAffinity:
                        requiredDuringSchedulingIgnoredDuringExecution:
                          nodeSelectorTerms:
                            - matchExpressions:
                                - key: node.kubernetes.io/instance-type
                                  operator: In
                                  values: [g5.xlarge]
                    """ + GPU_CONTAINER))).isEmpty();
        }

        @Test
        void aTermWithoutPoolLabelOrAPodWithoutGpuIsJudgedAccordingly() {
            assertThat(run(rule, deployment("ored", """
                    affinity:
                      nodeAffinity:
                        requiredDuringSchedulingIgnoredDuringExecution:
                          nodeSelectorTerms:
                            - matchExpressions:
                                - key: nvidia.com/gpu.product
                                  operator: Exists
                            - matchExpressions:
                                - key: kubernetes.io/os
                                  operator: In
                                  values: [linux]
                    """ + GPU_CONTAINER))).extracting(f -> at(f)).containsExactly("9:7");
            assertThat(run(rule, deployment("web", """
                    containers:
                      - name: web
                        image: nginx:1.27
                    """))).isEmpty();
        }

        @Test
        void customPoolLabelsComeFromSettings() {
            ManifestRule configured = rule.configured(settings("""
                    settings:
                      gpuPoolLabels: [pool.example.com/*]
                    """));
            String yaml = deployment("llm", """
                    nodeSelector:
                      pool.example.com/gpu-a100: "true"
                    """ + GPU_CONTAINER);

            assertThat(run(configured, yaml)).isEmpty();
            assertThat(run(rule, yaml)).hasSize(1);
        }
    }

    @Nested
    class WithoutToleration {

        private final GpuPodWithoutToleration rule = new GpuPodWithoutToleration();

        @Test
        void gpuPodToleratingOnlyAnotherTaintIsReportedAtItsTolerations() {
            List<Finding> findings = run(rule, deployment("llm", """
                    tolerations:
                      - key: ray.io/node-type
                        operator: Equal
                        value: worker
                        effect: NoSchedule
                    """ + GPU_CONTAINER));

            assertThat(findings).singleElement().satisfies(f -> assertFinding(f, "MOAT-GPU-002", Severity.LOW, "9:7",
                    "pod: container 'vllm' requests nvidia.com/gpu but tolerates none of "
                            + "the GPU taints [nvidia.com/gpu, amd.com/gpu, gpu.intel.com/*]",
                    "tolerations: [ray.io/node-type Equal worker:NoSchedule]"));
        }

        @Test
        void gpuTolerationOrConfiguredTaintIsCompliant() {
            assertThat(run(rule, deployment("llm", """
                    tolerations:
                      - key: nvidia.com/gpu
                        operator: Exists
                        effect: NoSchedule
                    """ + GPU_CONTAINER))).isEmpty();
            String custom = deployment("ray", """
                    tolerations:
                      - key: ray.io/node-type
                        value: worker
                        effect: NoSchedule
                    """ + GPU_CONTAINER);
            assertThat(run(rule.configured(settings("""
                    settings:
                      gpuTaintKeys: ray.io/node-type
                    """)), custom)).isEmpty();
        }

        @Test
        void aNoExecuteOnlyTolerationDoesNotAdmitThePod() {
            assertThat(run(rule, deployment("llm", """
                    tolerations:
                      - key: nvidia.com/gpu
                        operator: Exists
                        effect: NoExecute
                    """ + GPU_CONTAINER))).hasSize(1);
        }
    }

    @Nested
    class Squatting {

        private final NonGpuPodToleratesGpuTaint rule = new NonGpuPodToleratesGpuTaint();

        @Test
        void podWithoutGpuToleratingTheGpuTaintIsReportedAtTheKey() {
            List<Finding> findings = run(rule, deployment("api", """
                    tolerations:
                      - key: nvidia.com/gpu
                        operator: Exists
                        effect: NoSchedule
                    containers:
                      - name: api
                        image: api:1.0
                    """));

            assertThat(findings).singleElement().satisfies(f -> assertFinding(f, "MOAT-GPU-003", Severity.MEDIUM,
                    "10:11",
                    "pod: requests no GPU but tolerates the GPU taint nvidia.com/gpu",
                    "toleration nvidia.com/gpu Exists:NoSchedule"));
        }

        @Test
        void gpuPodsDaemonSetsAndKeylessTolerationsAreNotThisRulesFinding() {
            assertThat(run(rule, deployment("llm", """
                    tolerations:
                      - key: nvidia.com/gpu
                        operator: Exists
                    """ + GPU_CONTAINER))).isEmpty();
            assertThat(run(rule, """
                    apiVersion: apps/v1
                    kind: DaemonSet
                    metadata:
                      name: dcgm-exporter
                    spec:
                      template:
                        spec:
                          tolerations:
                            - key: nvidia.com/gpu
                              operator: Exists
                          containers:
                            - name: exporter
                              image: dcgm-exporter:3.3
                    """)).isEmpty();
            assertThat(run(rule, deployment("any", """
                    tolerations:
                      - operator: Exists
                    containers:
                      - name: api
                        image: api:1.0
                    """))).isEmpty();
        }
    }

    @Nested
    class EveryTaint {

        private final ToleratesEveryTaint rule = new ToleratesEveryTaint();

        @Test
        void keylessExistsIsReportedAtTheOperator() {
            List<Finding> findings = run(rule, """
                    apiVersion: ray.io/v1
                    kind: RayCluster
                    metadata:
                      name: ray
                      namespace: ml
                    spec:
                      headGroupSpec:
                        template:
                          spec:
                            tolerations:
                              - effect: NoSchedule
                                operator: Exists
                            containers:
                              - name: ray-head
                                image: rayproject/ray:2.46.0
                    """);

            assertThat(findings).singleElement().satisfies(f -> assertFinding(f, "MOAT-GPU-004", Severity.MEDIUM,
                    new ObjectRef("RayCluster", "ml", "ray"), "12:13",
                    "pod in headGroupSpec: a toleration with operator: Exists and no key "
                            + "tolerates every taint",
                    "toleration <every key> Exists:NoSchedule"));
        }

        @Test
        void keyedTolerationsAndDaemonSetsAreCompliant() {
            assertThat(run(rule, deployment("api", """
                    tolerations:
                      - key: dedicated
                        operator: Exists
                    containers:
                      - name: api
                        image: api:1.0
                    """))).isEmpty();
            assertThat(run(rule, """
                    apiVersion: apps/v1
                    kind: DaemonSet
                    metadata:
                      name: falco
                    spec:
                      template:
                        spec:
                          tolerations:
                            - operator: Exists
                          containers:
                            - name: falco
                              image: falco:0.38
                    """)).isEmpty();
        }
    }

    @Nested
    class LimitMismatch {

        private final GpuLimitMismatch rule = new GpuLimitMismatch();

        @Test
        void requestWithoutLimitAndUnequalLimitAreReportedAtTheRequest() {
            List<Finding> findings = run(rule, deployment("train", """
                    containers:
                      - name: a
                        image: trainer:1.0
                        resources:
                          requests:
                            nvidia.com/gpu: 2
                      - name: b
                        image: trainer:1.0
                        resources:
                          requests:
                            amd.com/gpu: "2"
                          limits:
                            amd.com/gpu: 1
                    """));

            assertThat(findings).hasSize(2);
            assertThat(findings.get(0)).satisfies(f -> assertFinding(f, "MOAT-GPU-005", Severity.MEDIUM, "14:15",
                    "container 'a': requests nvidia.com/gpu: 2 without a limit; the API "
                            + "server rejects the pod",
                    "requests.nvidia.com/gpu=2, limits.nvidia.com/gpu=<unset>"));
            assertThat(findings.get(1)).satisfies(f -> {
                assertThat(at(f)).isEqualTo("19:15");
                assertThat(f.message()).isEqualTo("container 'b': requests amd.com/gpu: 2 but limits it to 1; the API "
                        + "server rejects the pod");
            });
        }

        @Test
        void equalQuantitiesOrLimitsAloneAreCompliant() {
            assertThat(run(rule, deployment("train", """
                    containers:
                      - name: a
                        image: trainer:1.0
                        resources:
                          requests:
                            nvidia.com/gpu: "1"
                          limits:
                            nvidia.com/gpu: 1
                      - name: b
                        image: trainer:1.0
                        resources:
                          limits:
                            nvidia.com/gpu: 4
                    """))).isEmpty();
        }
    }

    @Nested
    class NodeWithoutTaint {

        private final GpuNodeWithoutTaint rule = new GpuNodeWithoutTaint();

        @Test
        void gpuNodeWithOnlyAPreferNoScheduleTaintIsReportedAtItsTaints() {
            List<Finding> findings = run(rule, """
                    apiVersion: v1
                    kind: Node
                    metadata:
                      name: gpu-1
                    spec:
                      taints:
                        - key: nvidia.com/gpu
                          effect: PreferNoSchedule
                    status:
                      capacity:
                        nvidia.com/gpu: "8"
                    """);

            assertThat(findings).singleElement().satisfies(f -> assertFinding(f, "MOAT-GPU-006", Severity.MEDIUM,
                    new ObjectRef("Node", "", "gpu-1"), "6:3",
                    "GPU node gpu-1 (capacity nvidia.com/gpu: 8) has no NoSchedule or "
                            + "NoExecute taint",
                    "taints: [nvidia.com/gpu:PreferNoSchedule]"));
        }

        @Test
        void labelledGpuNodeWithoutTaintsIsReportedAtTheNode() {
            List<Finding> findings = run(rule, """
                    apiVersion: v1
                    kind: Node
                    metadata:
                      name: gke-pool-l4
                      labels:
                        cloud.google.com/gke-accelerator: nvidia-l4
                    """);

            assertThat(findings).singleElement().satisfies(f -> {
                assertThat(at(f)).isEqualTo("1:1");
                assertThat(f.message()).contains("(label cloud.google.com/gke-accelerator=nvidia-l4)");
            });
        }

        @Test
        void taintedGpuNodesAndCpuNodesAreCompliant() {
            assertThat(run(rule, """
                    apiVersion: v1
                    kind: Node
                    metadata:
                      name: gpu-1
                      labels:
                        nvidia.com/gpu.present: "true"
                    spec:
                      taints:
                        - key: nvidia.com/gpu
                          value: present
                          effect: NoSchedule
                    ---
                    apiVersion: v1
                    kind: Node
                    metadata:
                      name: cpu-1
                      labels:
                        node.kubernetes.io/instance-type: m5.large
                        karpenter.k8s.aws/instance-gpu-count: "0"
                    status:
                      capacity:
                        cpu: "2"
                    """)).isEmpty();
        }
    }
}
