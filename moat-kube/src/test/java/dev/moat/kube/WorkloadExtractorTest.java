package dev.moat.kube;

import static dev.moat.kube.KubeFixtures.containers;
import static dev.moat.kube.KubeFixtures.object;
import static dev.moat.kube.KubeFixtures.workload;
import static dev.moat.kube.KubeFixtures.workloads;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkloadExtractorTest {

    /** A pod spec with one container of each type, indented to sit at {@code indent} spaces. */
    static String podSpec(int indent) {
        String body = """
                serviceAccountName: runner
                initContainers:
                - name: fetch-model
                  image: busybox:1.36
                containers:
                - name: server
                  image: vllm/vllm-openai:v0.6.0
                  resources:
                    limits:
                      nvidia.com/gpu: 1
                - name: sidecar
                  image: envoyproxy/envoy:v1.31
                ephemeralContainers:
                - name: debugger
                  image: nicolaka/netshoot
                """;
        String pad = " ".repeat(indent);
        return body.lines().map(l -> pad + l).reduce("", (a, b) -> a + b + "\n");
    }

    static final List<String> ALL_THREE = List.of(
            "init container fetch-model=busybox:1.36",
            "container server=vllm/vllm-openai:v0.6.0",
            "container sidecar=envoyproxy/envoy:v1.31",
            "ephemeral container debugger=nicolaka/netshoot");

    /** Object labels differ from pod labels, so a test can tell which the workload took. */
    static String controller(String apiVersion, String kind) {
        return """
                apiVersion: %s
                kind: %s
                metadata:
                  name: llm
                  namespace: ml
                  labels: {owner-label: "yes"}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: llm}}
                  template:
                    metadata:
                      labels: {app: llm, tier: serving}
                      annotations: {prometheus.io/scrape: "true"}
                    spec:
                %s""".formatted(apiVersion, kind, podSpec(6));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource({
        "apps/v1, Deployment",
        "apps/v1, ReplicaSet",
        "v1, ReplicationController",
        "apps/v1, StatefulSet",
        "apps/v1, DaemonSet",
        "batch/v1, Job",
        "extensions/v1beta1, Deployment"})
    void controllersRunTheirPodTemplate(String apiVersion, String kind) {
        Workload w = workload(controller(apiVersion, kind));
        assertThat(w.describe()).isEqualTo(kind + "/ml/llm");
        assertThat(w.component()).isEmpty();
        assertThat(w.namespace()).isEqualTo("ml");
        assertThat(w.podLabels()).isEqualTo(Map.of("app", "llm", "tier", "serving"));
        assertThat(w.podAnnotations()).isEqualTo(Map.of("prometheus.io/scrape", "true"));
        assertThat(containers(w)).isEqualTo(ALL_THREE);
        assertThat(w.pod().serviceAccountName()).isEqualTo("runner");
        // the container's body keeps its own location: line 17 of the manifest, after the dash
        assertThat(w.pod().containers().get(0).location()).hasToString("test.yaml:17:9");
        assertThat(w.pod().containers().get(1).location()).hasToString("test.yaml:20:9");
    }

    @Test
    void podRunsItself() {
        Workload w = workload("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: one
                  labels: {app: one}
                  annotations: {a: b}
                spec:
                """ + podSpec(2));
        assertThat(w.describe()).isEqualTo("Pod/default/one");
        assertThat(w.podLabels()).isEqualTo(Map.of("app", "one"));
        assertThat(w.podAnnotations()).isEqualTo(Map.of("a", "b"));
        assertThat(containers(w)).isEqualTo(ALL_THREE);
    }

    @Test
    void cronJobRunsItsJobTemplate() {
        Workload w = workload("""
                apiVersion: batch/v1
                kind: CronJob
                metadata:
                  name: nightly
                  labels: {owner-label: "yes"}
                spec:
                  schedule: "0 3 * * *"
                  jobTemplate:
                    metadata:
                      labels: {job-label: "yes"}
                    spec:
                      template:
                        metadata:
                          labels: {app: nightly}
                        spec:
                """ + podSpec(10));
        assertThat(w.describe()).isEqualTo("CronJob/default/nightly");
        assertThat(w.podLabels()).isEqualTo(Map.of("app", "nightly"));
        assertThat(containers(w)).isEqualTo(ALL_THREE);
    }

    @Test
    void aControllerWithoutPodSpecRunsNothing() {
        assertThat(workloads("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: empty}
                spec:
                  template:
                    metadata: {labels: {app: x}}
                """)).isEmpty();
        assertThat(workloads("""
                apiVersion: batch/v1
                kind: CronJob
                metadata: {name: empty}
                spec: {schedule: "* * * * *"}
                """)).isEmpty();
    }

    @Test
    void objectsThatRunNoPodsHaveNoWorkloads() {
        assertThat(workloads("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: c}
                data: {containers: "[]"}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: s}
                spec: {selector: {app: x}, ports: [{port: 80}]}
                ---
                apiVersion: kyverno.io/v1
                kind: ClusterPolicy
                metadata: {name: no-latest}
                spec:
                  rules:
                  - validate:
                      pattern:
                        spec:
                          containers:
                          - image: "!*:latest"
                """)).isEmpty();
    }

    @Nested
    class KServe {

        @Test
        void predictorModelBecomesTheKserveContainerAndTransformerIsASecondWorkload() {
            List<Workload> ws = workloads("""
                    apiVersion: serving.kserve.io/v1beta1
                    kind: InferenceService
                    metadata:
                      name: llama
                      namespace: serving
                      labels: {team: ml}
                    spec:
                      predictor:
                        serviceAccountName: model-reader
                        nodeSelector: {gpu: a100}
                        logger: {mode: all, url: "http://logger"}
                        model:
                          modelFormat: {name: huggingface}
                          storageUri: hf://meta-llama/Llama-3.1-8B-Instruct
                          resources:
                            limits: {nvidia.com/gpu: "1"}
                      transformer:
                        containers:
                        - name: tokenizer
                          image: kserve/tokenizer:v1
                    """);
            assertThat(ws).extracting(Workload::describe).containsExactly(
                    "InferenceService/serving/llama [predictor]", "InferenceService/serving/llama [transformer]");

            Workload predictor = ws.get(0);
            assertThat(containers(predictor)).containsExactly("container kserve-container=null");
            Container model = predictor.pod().containers().get(0);
            assertThat(model.body().text("storageUri")).isEqualTo("hf://meta-llama/Llama-3.1-8B-Instruct");
            assertThat(model.location()).hasToString("test.yaml:13:7");
            assertThat(AiWorkloads.acceleratorResources(model)).containsExactly("nvidia.com/gpu");
            assertThat(predictor.pod().serviceAccountName()).isEqualTo("model-reader");
            assertThat(predictor.podLabels()).isEqualTo(Map.of(
                    "team", "ml", "serving.kserve.io/inferenceservice", "llama", "component", "predictor"));

            Workload transformer = ws.get(1);
            assertThat(containers(transformer)).containsExactly("container tokenizer=kserve/tokenizer:v1");
            assertThat(transformer.podLabels()).containsEntry("component", "transformer");
        }

        @Test
        void frameworkEntriesAndCustomContainersTogether() {
            Workload w = workload("""
                    apiVersion: serving.kserve.io/v1beta1
                    kind: InferenceService
                    metadata: {name: sk}
                    spec:
                      predictor:
                        sklearn:
                          name: my-sklearn
                          image: kserve/sklearnserver:v0.14
                          protocolVersion: v2
                        containers:
                        - name: agent
                          image: kserve/agent:v0.14
                    """);
            assertThat(containers(w)).containsExactly(
                    "container agent=kserve/agent:v0.14", "container my-sklearn=kserve/sklearnserver:v0.14");
        }

        @Test
        void explainersAreWorkloadsToo() {
            List<Workload> ws = workloads("""
                    apiVersion: serving.kserve.io/v1beta1
                    kind: InferenceService
                    metadata: {name: art}
                    spec:
                      predictor:
                        model: {modelFormat: {name: sklearn}, storageUri: "gs://models/art"}
                      explainer:
                        art:
                          type: SquareAttack
                          config:
                            nb_classes: "10"
                    """);
            assertThat(ws).extracting(Workload::component).containsExactly("predictor", "explainer");
            assertThat(containers(ws.get(1))).containsExactly("container kserve-container=null");
        }

        @Test
        void multiNodePredictorWorkersAreAWorkload() {
            List<Workload> ws = workloads("""
                    apiVersion: serving.kserve.io/v1beta1
                    kind: InferenceService
                    metadata: {name: big}
                    spec:
                      predictor:
                        model:
                          modelFormat: {name: huggingface}
                          storageUri: pvc://models/llama-405b
                        workerSpec:
                          tensorParallelSize: 8
                          pipelineParallelSize: 2
                          containers:
                          - name: worker-container
                            image: kserve/huggingfaceserver:v0.15-gpu
                    """);
            assertThat(ws).extracting(Workload::describe).containsExactly(
                    "InferenceService/default/big [predictor]", "InferenceService/default/big [predictor.workerSpec]");
            assertThat(containers(ws.get(0))).containsExactly("container kserve-container=null");
            assertThat(containers(ws.get(1))).containsExactly("container worker-container=kserve/huggingfaceserver:v0.15-gpu");
            assertThat(ws.get(1).podLabels()).containsEntry("serving.kserve.io/inferenceservice", "big");
        }

        @Test
        void servingRuntimesRunTheirContainers() {
            List<Workload> ws = workloads("""
                    apiVersion: serving.kserve.io/v1alpha1
                    kind: ClusterServingRuntime
                    metadata: {name: vllm}
                    spec:
                      supportedModelFormats: [{name: huggingface, autoSelect: true}]
                      containers:
                      - name: kserve-container
                        image: vllm/vllm-openai
                        args: ["--served-model-name={{.Name}}"]
                    ---
                    apiVersion: serving.kserve.io/v1alpha1
                    kind: ServingRuntime
                    metadata: {name: triton, namespace: ml}
                    spec:
                      containers:
                      - name: kserve-container
                        image: nvcr.io/nvidia/tritonserver:24.08-py3
                    """);
            assertThat(ws).extracting(Workload::describe).containsExactly("ClusterServingRuntime/vllm", "ServingRuntime/ml/triton");
            assertThat(containers(ws.get(0))).containsExactly("container kserve-container=vllm/vllm-openai");
            assertThat(ws.get(0).pod().containers().get(0).args()).containsExactly("--served-model-name={{.Name}}");
            assertThat(containers(ws.get(1))).containsExactly("container kserve-container=nvcr.io/nvidia/tritonserver:24.08-py3");
        }

        @Test
        void multiNodeServingRuntimeWorkersAreAWorkload() {
            List<Workload> ws = workloads("""
                    apiVersion: serving.kserve.io/v1alpha1
                    kind: ClusterServingRuntime
                    metadata: {name: hf-multinode}
                    spec:
                      containers:
                      - name: kserve-container
                        image: kserve/huggingfaceserver:gpu
                      workerSpec:
                        pipelineParallelSize: 1
                        tensorParallelSize: 1
                        containers:
                        - name: worker-container
                          image: kserve/huggingfaceserver:gpu
                    """);
            assertThat(ws).extracting(Workload::describe).containsExactly(
                    "ClusterServingRuntime/hf-multinode", "ClusterServingRuntime/hf-multinode [workerSpec]");
            assertThat(containers(ws.get(1))).containsExactly("container worker-container=kserve/huggingfaceserver:gpu");
        }
    }

    @Nested
    class KubeRay {

        static final String RAY_CLUSTER_SPEC = """
                  rayVersion: "2.40.0"
                  headGroupSpec:
                    rayStartParams: {dashboard-host: "0.0.0.0"}
                    template:
                      metadata:
                        labels: {role: head}
                      spec:
                        containers:
                        - name: ray-head
                          image: rayproject/ray:2.40.0
                  workerGroupSpecs:
                  - groupName: cpu-workers
                    replicas: 2
                    template:
                      spec:
                        containers:
                        - name: ray-worker
                          image: rayproject/ray:2.40.0
                  - groupName: gpu-workers
                    replicas: 1
                    template:
                      metadata:
                        labels: {role: gpu-worker}
                      spec:
                        initContainers:
                        - name: wait-gcs
                          image: busybox
                        containers:
                        - name: ray-worker
                          image: rayproject/ray:2.40.0-gpu
                          resources:
                            limits: {nvidia.com/gpu: 4}
                """;

        @Test
        void rayClusterHeadAndEachWorkerGroupNamedByGroupName() {
            List<Workload> ws = workloads("""
                    apiVersion: ray.io/v1
                    kind: RayCluster
                    metadata: {name: rc, namespace: ray}
                    spec:
                    """ + RAY_CLUSTER_SPEC);
            assertThat(ws).extracting(Workload::describe).containsExactly(
                    "RayCluster/ray/rc [headGroupSpec]",
                    "RayCluster/ray/rc [workerGroupSpecs[cpu-workers]]",
                    "RayCluster/ray/rc [workerGroupSpecs[gpu-workers]]");
            assertThat(ws.get(0).podLabels()).isEqualTo(Map.of("role", "head"));
            assertThat(ws.get(1).podLabels()).isEmpty();
            assertThat(ws.get(2).podLabels()).isEqualTo(Map.of("role", "gpu-worker"));
            assertThat(containers(ws.get(2))).containsExactly(
                    "init container wait-gcs=busybox", "container ray-worker=rayproject/ray:2.40.0-gpu");
            assertThat(AiWorkloads.acceleratorResources(ws.get(2).pod().containers().get(1))).containsExactly("nvidia.com/gpu");
        }

        @Test
        void rayJobHasItsClusterAndItsSubmitter() {
            String indented = RAY_CLUSTER_SPEC.lines().map(l -> "  " + l).reduce("", (a, b) -> a + b + "\n");
            List<Workload> ws = workloads("""
                    apiVersion: ray.io/v1
                    kind: RayJob
                    metadata: {name: job}
                    spec:
                      entrypoint: python train.py
                      rayClusterSpec:
                    """ + indented + """
                      submitterPodTemplate:
                        spec:
                          restartPolicy: Never
                          containers:
                          - name: submitter
                            image: rayproject/ray:2.40.0
                    """);
            assertThat(ws).extracting(Workload::component).containsExactly(
                    "rayClusterSpec.headGroupSpec",
                    "rayClusterSpec.workerGroupSpecs[cpu-workers]",
                    "rayClusterSpec.workerGroupSpecs[gpu-workers]",
                    "submitterPodTemplate");
            assertThat(containers(ws.get(3))).containsExactly("container submitter=rayproject/ray:2.40.0");
        }

        @Test
        void rayServiceRunsItsClusterConfig() {
            String indented = RAY_CLUSTER_SPEC.lines().map(l -> "  " + l).reduce("", (a, b) -> a + b + "\n");
            List<Workload> ws = workloads("""
                    apiVersion: ray.io/v1
                    kind: RayService
                    metadata: {name: serve}
                    spec:
                      serveConfigV2: |
                        applications:
                        - name: llm
                          import_path: app:deployment
                      rayClusterConfig:
                    """ + indented);
            assertThat(ws).extracting(Workload::component).containsExactly(
                    "rayClusterConfig.headGroupSpec",
                    "rayClusterConfig.workerGroupSpecs[cpu-workers]",
                    "rayClusterConfig.workerGroupSpecs[gpu-workers]");
            assertThat(ws).allSatisfy(w -> assertThat(AiWorkloads.reason(w)).hasValue("RayService is an AI operator's resource"));
        }

        @Test
        void workerGroupsWithoutNameAreNumbered() {
            List<Workload> ws = workloads("""
                    apiVersion: ray.io/v1
                    kind: RayCluster
                    metadata: {name: anon}
                    spec:
                      workerGroupSpecs:
                      - template: {spec: {containers: [{name: a, image: ray}]}}
                      - template: {spec: {containers: [{name: b, image: ray}]}}
                    """);
            assertThat(ws).extracting(Workload::component).containsExactly("workerGroupSpecs[0]", "workerGroupSpecs[1]");
        }
    }

    @Test
    void kubeflowPyTorchJobReplicas() {
        List<Workload> ws = workloads("""
                apiVersion: kubeflow.org/v1
                kind: PyTorchJob
                metadata: {name: mnist, namespace: training}
                spec:
                  pytorchReplicaSpecs:
                    Master:
                      replicas: 1
                      template:
                        metadata:
                          labels: {role: master}
                        spec:
                          containers:
                          - name: pytorch
                            image: docker.io/kubeflowkatib/pytorch-mnist:v1
                    Worker:
                      replicas: 3
                      template:
                        spec:
                          containers:
                          - name: pytorch
                            image: docker.io/kubeflowkatib/pytorch-mnist:v1
                            resources: {limits: {nvidia.com/gpu: 1}}
                """);
        assertThat(ws).extracting(Workload::describe).containsExactly(
                "PyTorchJob/training/mnist [pytorchReplicaSpecs.Master]",
                "PyTorchJob/training/mnist [pytorchReplicaSpecs.Worker]");
        assertThat(ws.get(0).podLabels()).isEqualTo(Map.of("role", "master"));
        assertThat(ws).allSatisfy(w -> assertThat(containers(w)).containsExactly(
                "container pytorch=docker.io/kubeflowkatib/pytorch-mnist:v1"));
    }

    @Test
    void leaderWorkerSetHasLeaderAndWorkerTemplates() {
        List<Workload> ws = workloads("""
                apiVersion: leaderworkerset.x-k8s.io/v1
                kind: LeaderWorkerSet
                metadata: {name: vllm}
                spec:
                  leaderWorkerTemplate:
                    size: 4
                    leaderTemplate:
                      spec:
                        containers: [{name: leader, image: vllm/vllm-openai}]
                    workerTemplate:
                      spec:
                        containers: [{name: worker, image: vllm/vllm-openai}]
                """);
        assertThat(ws).extracting(Workload::component).containsExactly(
                "leaderWorkerTemplate.leaderTemplate", "leaderWorkerTemplate.workerTemplate");
    }

    @Test
    void unknownCustomResourceWithContainersDeepInside() {
        List<Workload> ws = workloads("""
                apiVersion: pipelines.example.com/v1alpha3
                kind: Pipeline
                metadata: {name: etl, namespace: data}
                spec:
                  stages:
                  - name: extract
                    runner:
                      pod:
                        metadata:
                          labels: {stage: extract}
                        spec:
                          volumes: [{name: scratch, emptyDir: {}}]
                          containers:
                          - name: extractor
                            image: ghcr.io/example/extract:1.0
                  - name: load
                    runner:
                      podSpec:
                        containers:
                        - image: ghcr.io/example/load:1.0
                  settings:
                    containers: [just, strings]
                """);
        assertThat(ws).extracting(Workload::describe).containsExactly(
                "Pipeline/data/etl [stages[0].runner.pod]",
                "Pipeline/data/etl [stages[1].runner]");
        assertThat(ws.get(0).podLabels()).isEqualTo(Map.of("stage", "extract"));
        assertThat(ws.get(0).pod().volumes()).hasSize(1);
        assertThat(containers(ws.get(1))).containsExactly("container =ghcr.io/example/load:1.0");
        assertThat(ws.get(1).podLabels()).isEmpty();
    }

    @Test
    void knativeServiceTemplate() {
        Workload w = workload("""
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata: {name: hello}
                spec:
                  template:
                    metadata:
                      labels: {app: hello}
                    spec:
                      containers:
                      - image: ghcr.io/knative/helloworld-go
                """);
        assertThat(w.describe()).isEqualTo("Service/default/hello");
        assertThat(w.podLabels()).isEqualTo(Map.of("app", "hello"));
    }

    @Test
    void workloadOwnerIsTheObject() {
        KubeObject o = object(controller("apps/v1", "Deployment"));
        List<Workload> ws = WorkloadExtractor.extract(o);
        assertThat(ws).singleElement().satisfies(w -> {
            assertThat(w.owner()).isSameAs(o);
            assertThat(w.ref()).isEqualTo(o.ref());
        });
    }
}
