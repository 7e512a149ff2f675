package dev.moat.kube;

import static dev.moat.kube.KubeFixtures.workload;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AiWorkloadsTest {

    static Workload pod(String containerYaml) {
        return workload("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                """ + containerYaml.lines().map(l -> "  " + l).reduce("", (a, b) -> a + b + "\n"));
    }

    @Test
    void gpuRequestMakesItAnAiWorkload() {
        Workload w = pod("""
                - name: trainer
                  image: python:3.12
                  resources:
                    requests: {cpu: "4"}
                    limits: {nvidia.com/gpu: "2", memory: 32Gi}
                """);
        assertThat(AiWorkloads.reason(w)).hasValue("container 'trainer' requests nvidia.com/gpu");
        assertThat(AiWorkloads.isAi(w)).isTrue();
    }

    @Test
    void plainNginxIsNot() {
        Workload w = pod("""
                - name: web
                  image: nginx:1.27
                  resources: {limits: {cpu: "1", memory: 1Gi}}
                  env: [{name: PORT, value: "8080"}]
                """);
        assertThat(AiWorkloads.reason(w)).isEmpty();
        assertThat(AiWorkloads.isAi(w)).isFalse();
    }

    @Test
    void noContainersAndNoOperatorIsNot() {
        assertThat(AiWorkloads.isAi(workload("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                spec: {template: {spec: {containers: [{name: c}]}}}
                """))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"vllm/vllm-openai:v0.6.3", "ghcr.io/huggingface/text-generation-inference:2.4",
        "nvcr.io/nvidia/tritonserver:24.08-py3", "ollama/ollama", "rayproject/ray-ml:2.9.0-gpu",
        "pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime", "lmsysorg/sglang:latest", "kserve/sklearnserver:v0.14.0"})
    void wellKnownInferenceAndTrainingImages(String image) {
        Workload w = pod("- name: c\n  image: " + image + "\n");
        assertThat(AiWorkloads.reason(w)).hasValue("container 'c' runs " + image);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nginx", "docker.io/library/animal:1", "ghcr.io/acme/nimbus:2", "redis:7-alpine",
        "quay.io/prometheus/node-exporter", "busybox:1.36"})
    void ordinaryImagesAreNot(String image) {
        assertThat(AiWorkloads.isAi(pod("- name: c\n  image: " + image + "\n"))).isFalse();
    }

    @Test
    void modelHubTokenInTheEnvironment() {
        Workload w = pod("""
                - name: app
                  image: python:3.12
                  env:
                  - name: LOG_LEVEL
                    value: info
                  - name: hf_token
                    valueFrom: {secretKeyRef: {name: hf, key: token}}
                """);
        assertThat(AiWorkloads.reason(w)).hasValue("container 'app' sets hf_token");
    }

    @Test
    void kserveKindIsAnAiWorkloadWhateverItsImage() {
        Workload w = workload("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: custom}
                spec:
                  predictor:
                    containers: [{name: c, image: nginx}]
                """);
        assertThat(AiWorkloads.reason(w)).hasValue("InferenceService is an AI operator's resource");
    }

    @Test
    void aGpuInAnInitContainerCounts() {
        Workload w = workload("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  initContainers:
                  - name: warmup
                    image: busybox
                    resources: {limits: {amd.com/gpu: 1}}
                  containers: [{name: c, image: nginx}]
                """);
        assertThat(AiWorkloads.reason(w)).hasValue("init container 'warmup' requests amd.com/gpu");
    }

    @ParameterizedTest
    @CsvSource({
        "nvidia.com/gpu, true", "nvidia.com/mig-1g.5gb, true", "nvidia.com/gpu.shared, true", "nvidia.com/gpumem, true",
        "amd.com/gpu, true", "gpu.intel.com/i915, true", "google.com/tpu, true", "habana.ai/gaudi, true",
        "aws.amazon.com/neuroncore, true", "cpu, false", "memory, false", "ephemeral-storage, false",
        "example.com/foo, false", "hugepages-2Mi, false"})
    void acceleratorResourceNames(String name, boolean accelerator) {
        assertThat(AiWorkloads.isAccelerator(name)).isEqualTo(accelerator);
    }

    @Test
    void acceleratorsAreListedOnceFromLimitsAndRequests() {
        Workload w = pod("""
                - name: c
                  image: x
                  resources:
                    limits: {nvidia.com/gpu: 1, cpu: 2}
                    requests: {nvidia.com/gpu: 1, google.com/tpu: 4}
                """);
        assertThat(AiWorkloads.acceleratorResources(w.pod().containers().get(0))).containsExactly("nvidia.com/gpu", "google.com/tpu");
    }
}
