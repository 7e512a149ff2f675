package dev.moat.audit;

import static dev.moat.audit.Manifests.at;
import static dev.moat.audit.Manifests.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rules see the pods AI operators build: KServe's kserve-container and KubeRay's head and worker groups. */
class AiOperatorWorkloadsTest {

    private static final String INFERENCE_SERVICE = """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata:
              name: llama
              namespace: ml
            spec:
              predictor:
                model:
                  modelFormat:
                    name: huggingface
                  storageUri: hf://meta-llama/Llama-3.1-8B-Instruct
                  securityContext:
                    privileged: true
                  resources:
                    limits: {nvidia.com/gpu: 1}
              transformer:
                containers:
                  - name: kserve-container
                    image: acme/transformer:latest
            """;

    private static final String RAY_CLUSTER = """
            apiVersion: ray.io/v1
            kind: RayCluster
            metadata:
              name: ray
              namespace: ml
            spec:
              headGroupSpec:
                rayStartParams: {}
                template:
                  spec:
                    containers:
                      - name: ray-head
                        image: rayproject/ray:2.9.0
                        securityContext:
                          allowPrivilegeEscalation: false
              workerGroupSpecs:
                - groupName: gpu-group
                  replicas: 2
                  template:
                    spec:
                      hostNetwork: true
                      containers:
                        - name: ray-worker
                          image: rayproject/ray:2.9.0-gpu
                          securityContext:
                            privileged: true
            """;

    private static final ObjectRef ISVC = new ObjectRef("InferenceService", "ml", "llama");
    private static final ObjectRef RAY = new ObjectRef("RayCluster", "ml", "ray");

    @Test
    void kserveFrameworkSpecIsCheckedAsTheKserveContainer() {
        assertThat(run("MOAT-RUN-001", INFERENCE_SERVICE)).singleElement().satisfies(f -> {
            assertThat(f.object()).isEqualTo(ISVC);
            assertThat(at(f)).isEqualTo("13:9");
            assertThat(f.message()).isEqualTo("container 'kserve-container' in predictor: runs privileged");
        });
    }

    @Test
    void kserveComponentsAreGradedAsAiWorkloads() {
        List<Finding> findings = run("MOAT-RES-001", INFERENCE_SERVICE);

        assertThat(findings).extracting(f -> at(f), Finding::severity, Finding::message).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("14:7", Severity.HIGH,
                        "container 'kserve-container' in predictor: no requests.cpu, requests.memory, limits.cpu, limits.memory"),
                org.assertj.core.groups.Tuple.tuple("18:9", Severity.HIGH,
                        "container 'kserve-container' in transformer: no requests.cpu, requests.memory, limits.cpu, limits.memory"));
    }

    @Test
    void kserveCustomContainerImageIsChecked() {
        assertThat(run("MOAT-SUP-002", INFERENCE_SERVICE)).singleElement().satisfies(f -> {
            assertThat(at(f)).isEqualTo("19:9");
            assertThat(f.message()).isEqualTo(
                    "container 'kserve-container' in transformer: image 'acme/transformer:latest' uses :latest");
        });
    }

    @Test
    void rayWorkerGroupContainerIsCheckedAndNamed() {
        assertThat(run("MOAT-RUN-001", RAY_CLUSTER)).singleElement().satisfies(f -> {
            assertThat(f.object()).isEqualTo(RAY);
            assertThat(at(f)).isEqualTo("26:17");
            assertThat(f.message()).isEqualTo("container 'ray-worker' in workerGroupSpecs[gpu-group]: runs privileged");
        });
        assertThat(run("MOAT-RUN-002", RAY_CLUSTER)).singleElement().satisfies(f -> {
            assertThat(at(f)).isEqualTo("25:15");
            assertThat(f.message()).startsWith("container 'ray-worker' in workerGroupSpecs[gpu-group]: ");
        });
    }

    @Test
    void rayPodLevelSettingsNameTheGroup() {
        assertThat(run("MOAT-RUN-004", RAY_CLUSTER)).singleElement().satisfies(f -> {
            assertThat(f.object()).isEqualTo(RAY);
            assertThat(at(f)).isEqualTo("21:11");
            assertThat(f.message()).isEqualTo("pod (workerGroupSpecs[gpu-group]) sets hostNetwork: true");
        });
    }

    @Test
    void rayHeadAndWorkersAreAiWorkloads() {
        assertThat(run("MOAT-RES-001", RAY_CLUSTER)).extracting(Finding::severity, Finding::message)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(Severity.HIGH, "container 'ray-head' in headGroupSpec: "
                                + "no requests.cpu, requests.memory, limits.cpu, limits.memory"),
                        org.assertj.core.groups.Tuple.tuple(Severity.HIGH, "container 'ray-worker' in workerGroupSpecs[gpu-group]: "
                                + "no requests.cpu, requests.memory, limits.cpu, limits.memory"));
    }
}
