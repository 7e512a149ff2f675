package dev.moat.audit.resources;

import static dev.moat.audit.Fixtures.GPU_SERVER;
import static dev.moat.audit.Fixtures.VLLM;
import static dev.moat.audit.Fixtures.assertFinding;
import static dev.moat.audit.Fixtures.deployment;
import static dev.moat.audit.Manifests.at;
import static dev.moat.audit.Manifests.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Severity;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ResourceRulesTest {

    @Nested
    class MemoryVolume {

        private final MemoryVolumeWithoutSizeLimit rule = new MemoryVolumeWithoutSizeLimit();

        @Test
        void shmWithoutSizeLimitIsReportedAtTheMediumWithItsMountPath() {
            List<Finding> findings = run(rule, deployment("llm").namespace("ml")
                    .container("vllm", VLLM, "volumeMounts:", "  - name: dshm", "    mountPath: /dev/shm")
                    .afterContainers(
                            "volumes:",
                            "  - name: dshm",
                            "    emptyDir:",
                            "      medium: Memory",
                            "  - name: cache",
                            "    emptyDir: {}")
                    .yaml());

            assertThat(findings).singleElement().satisfies(f -> assertFinding(f, "MOAT-RES-002", Severity.MEDIUM,
                    new ObjectRef("Deployment", "ml", "llm"), "18:13",
                    "pod: volume 'dshm' (mounted at /dev/shm) is a memory-backed emptyDir "
                            + "without sizeLimit",
                    "emptyDir: {medium: Memory}, no sizeLimit"));
        }

        @Test
        void sizeLimitedOrDiskBackedEmptyDirsAreCompliant() {
            assertThat(run(rule, """
                    apiVersion: v1
                    kind: Pod
                    metadata:
                      name: p
                    spec:
                      containers:
                        - name: c
                          image: pytorch/pytorch:2.3.0
                      volumes:
                        - name: dshm
                          emptyDir:
                            medium: Memory
                            sizeLimit: 8Gi
                        - name: scratch
                          emptyDir:
                            medium: ""
                    """)).isEmpty();
        }
    }

    @Nested
    class ModelDownload {

        private final ModelDownloadWithoutEphemeralLimit rule = new ModelDownloadWithoutEphemeralLimit();

        @Test
        void initContainerDownloadingFromTheHubIsReportedWithoutTheCommandLine() {
            List<Finding> findings = run(rule, deployment("llm").namespace("ml")
                    .initContainer("fetch", "python:3.12",
                            "command: [\"sh\", \"-c\"]",
                            "args: [\"huggingface-cli download org/model --token $(HF_TOKEN) --local-dir /models\"]",
                            "resources:",
                            "  limits:",
                            "    memory: 1Gi")
                    .container("server", VLLM, "args: [\"--model\", \"/models\"]")
                    .yaml());

            assertThat(findings).singleElement().satisfies(f -> {
                assertFinding(f, "MOAT-RES-003", Severity.MEDIUM, "14:11",
                        "init container 'fetch': downloads a model at start-up "
                                + "(huggingface-cli download) without limits.ephemeral-storage",
                        "download: huggingface-cli download; limits.ephemeral-storage unset");
                assertThat(f.evidence()).doesNotContain("HF_TOKEN");
            });
        }

        @Test
        void hubModelIdsInArgsOrEnvAreDownloads() {
            List<Finding> findings = run(rule, """
                    apiVersion: v1
                    kind: Pod
                    metadata:
                      name: p
                    spec:
                      containers:
                        - name: vllm
                          image: vllm/vllm-openai:v0.6.0
                          args: ["--model=meta-llama/Llama-3.1-8B-Instruct"]
                        - name: tgi
                          image: ghcr.io/huggingface/text-generation-inference:2.0
                          env:
                            - name: MODEL_ID
                              value: mistralai/Mistral-7B-v0.3
                    """);

            assertThat(findings).extracting(Finding::evidence).containsExactly(
                    "download: serves hub model meta-llama/Llama-3.1-8B-Instruct; limits.ephemeral-storage unset",
                    "download: serves hub model mistralai/Mistral-7B-v0.3 (env MODEL_ID); limits.ephemeral-storage unset");
            assertThat(findings).extracting(f -> at(f)).containsExactly("7:7", "10:7");
        }

        @Test
        void limitedOfflineOrLocalModelsAreCompliant() {
            assertThat(run(rule, """
                    apiVersion: v1
                    kind: Pod
                    metadata:
                      name: p
                    spec:
                      containers:
                        - name: limited
                          image: vllm/vllm-openai:v0.6.0
                          args: ["--model", "meta-llama/Llama-3.1-8B"]
                          resources:
                            limits:
                              ephemeral-storage: 40Gi
                        - name: offline
                          image: vllm/vllm-openai:v0.6.0
                          args: ["--model", "meta-llama/Llama-3.1-8B"]
                          env:
                            - name: HF_HUB_OFFLINE
                              value: "1"
                        - name: local
                          image: vllm/vllm-openai:v0.6.0
                          args: ["--model", "/mnt/models", "--served-model-name", "llama"]
                        - name: probe
                          image: curlimages/curl:8.8.0
                          command: ["curl", "-sf", "http://localhost:8000/health"]
                    """)).isEmpty();
        }
    }

    @Nested
    class NamespaceQuota {

        private final AiNamespaceWithoutQuota rule = new AiNamespaceWithoutQuota();

        @Test
        void declaredNamespaceRunningAiWithoutQuotaIsReportedAtItsName() {
            List<Finding> findings = run(rule, """
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: ml
                    ---
                    """ + GPU_SERVER);

            assertThat(findings).singleElement().satisfies(f -> assertFinding(f, "MOAT-RES-004", Severity.MEDIUM,
                    new ObjectRef("Namespace", "", "ml"), "4:3",
                    "namespace ml runs 1 AI workload(s) and has no ResourceQuota",
                    "AI workloads: [Deployment/ml/llm]; Deployment/ml/llm because "
                            + "container 'vllm' requests nvidia.com/gpu"));
        }

        @Test
        void quotaUndeclaredNamespaceOrNoAiWorkloadIsCompliant() {
            assertThat(run(rule, """
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: ml
                    ---
                    apiVersion: v1
                    kind: ResourceQuota
                    metadata:
                      name: q
                      namespace: ml
                    spec:
                      hard:
                        requests.nvidia.com/gpu: "4"
                    ---
                    """ + GPU_SERVER)).isEmpty();
            assertThat(run(rule, GPU_SERVER)).as("namespace not declared").isEmpty();
            assertThat(run(rule, """
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: web
                    ---
                    apiVersion: v1
                    kind: Pod
                    metadata:
                      name: nginx
                      namespace: web
                    spec:
                      containers:
                        - name: nginx
                          image: nginx:1.27
                    """)).isEmpty();
        }
    }

    @Nested
    class AcceleratorCap {

        private final QuotaWithoutAcceleratorCap rule = new QuotaWithoutAcceleratorCap();

        @Test
        void quotaWithoutGpuLineIsReportedAtItsHardSection() {
            List<Finding> findings = run(rule, """
                    apiVersion: v1
                    kind: ResourceQuota
                    metadata:
                      name: compute
                      namespace: ml
                    spec:
                      hard:
                        requests.cpu: "64"
                        limits.nvidia.com/gpu: "8"
                    ---
                    """ + GPU_SERVER);

            assertThat(findings).singleElement().satisfies(f -> assertFinding(f, "MOAT-RES-005", Severity.MEDIUM,
                    new ObjectRef("ResourceQuota", "ml", "compute"), "7:3",
                    "no ResourceQuota in namespace ml caps nvidia.com/gpu, which its "
                            + "workloads request",
                    "missing: [requests.nvidia.com/gpu]"));
        }

        @Test
        void aGpuCapInAnyQuotaOfTheNamespaceOrNoQuotaAtAllIsCompliant() {
            assertThat(run(rule, """
                    apiVersion: v1
                    kind: ResourceQuota
                    metadata:
                      name: compute
                      namespace: ml
                    spec:
                      hard:
                        requests.cpu: "64"
                    ---
                    apiVersion: v1
                    kind: ResourceQuota
                    metadata:
                      name: gpus
                      namespace: ml
                    spec:
                      hard:
                        requests.nvidia.com/gpu: "8"
                    ---
                    """ + GPU_SERVER)).isEmpty();
            assertThat(run(rule, GPU_SERVER)).as("no quota: MOAT-RES-004's case").isEmpty();
        }
    }
}
