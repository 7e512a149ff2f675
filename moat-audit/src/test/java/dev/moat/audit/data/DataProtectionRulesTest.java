package dev.moat.audit.data;

import static dev.moat.audit.Fixtures.VLLM;
import static dev.moat.audit.Fixtures.assertFinding;
import static dev.moat.audit.Fixtures.deployment;
import static dev.moat.audit.Manifests.at;
import static dev.moat.audit.Manifests.run;
import static dev.moat.audit.gpu.SettingsYaml.settings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Severity;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DataProtectionRulesTest {

    @Nested
    class Encryption {

        private final UnencryptedModelStorage rule = new UnencryptedModelStorage();

        private static final String SERVER_WITH_PVC = deployment("llm").namespace("ml")
                .container("vllm", VLLM)
                .afterContainers("volumes:", "  - name: models", "    persistentVolumeClaim:", "      claimName: models")
                .yaml() + """
                ---
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata:
                  name: models
                  namespace: ml
                spec:
                  storageClassName: gp3
                  resources:
                    requests:
                      storage: 200Gi
                ---
                """;

        @Test
        void ebsClassWithoutEncryptionIsReportedHighAtTheClaimsClassName() {
            List<Finding> findings = run(rule, SERVER_WITH_PVC + """
                    apiVersion: storage.k8s.io/v1
                    kind: StorageClass
                    metadata:
                      name: gp3
                    provisioner: ebs.csi.aws.com
                    parameters:
                      type: gp3
                    """);

            assertThat(findings).singleElement().satisfies(f -> assertFinding(f, "MOAT-DAT-001", Severity.HIGH,
                    new ObjectRef("PersistentVolumeClaim", "ml", "models"), "23:3",
                    "PVC models of Deployment/ml/llm is on StorageClass gp3, whose AWS EBS "
                            + "volumes do not set encrypted",
                    "StorageClass gp3: provisioner ebs.csi.aws.com, parameters.encrypted unset"));
        }

        @Test
        void defaultClassWithoutCustomerKeyIsMediumForStatefulSetTemplates() {
            List<Finding> findings = run(rule, """
                    apiVersion: apps/v1
                    kind: StatefulSet
                    metadata:
                      name: ollama
                      namespace: ml
                    spec:
                      template:
                        spec:
                          containers:
                            - name: ollama
                              image: ollama/ollama:0.3.0
                      volumeClaimTemplates:
                        - metadata:
                            name: data
                          spec:
                            accessModes: [ReadWriteOnce]
                    ---
                    apiVersion: storage.k8s.io/v1
                    kind: StorageClass
                    metadata:
                      name: standard-rwo
                      annotations:
                        storageclass.kubernetes.io/is-default-class: "true"
                    provisioner: pd.csi.storage.gke.io
                    """);

            assertThat(findings).singleElement().satisfies(f -> {
                assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
                assertThat(f.object()).isEqualTo(new ObjectRef("StatefulSet", "ml", "ollama"));
                assertThat(at(f)).isEqualTo("16:9");
                assertThat(f.message()).isEqualTo("claim template 'data' of StatefulSet/ml/ollama is on StorageClass "
                        + "standard-rwo, whose GCE PD volumes do not set disk-encryption-kms-key");
            });
        }

        @Test
        void encryptedConfiguredOrUnknownClassesAreCompliant() {
            assertThat(run(rule, SERVER_WITH_PVC + """
                    apiVersion: storage.k8s.io/v1
                    kind: StorageClass
                    metadata:
                      name: gp3
                    provisioner: ebs.csi.aws.com
                    parameters:
                      encrypted: "true"
                    """)).isEmpty();
            String unencrypted = SERVER_WITH_PVC + """
                    apiVersion: storage.k8s.io/v1
                    kind: StorageClass
                    metadata:
                      name: gp3
                    provisioner: kubernetes.io/aws-ebs
                    """;
            assertThat(run(rule.configured(settings("""
                    settings:
                      encryptedStorageClasses: [gp3]
                    """)), unencrypted)).as("listed as encrypted").isEmpty();
            assertThat(run(rule, SERVER_WITH_PVC + """
                    apiVersion: storage.k8s.io/v1
                    kind: StorageClass
                    metadata:
                      name: gp3
                    provisioner: disk.csi.azure.com
                    parameters:
                      diskencryptionsetid: /subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/diskEncryptionSets/z
                    """)).as("Azure parameter names are case-insensitive").isEmpty();
            assertThat(run(rule, SERVER_WITH_PVC.substring(0, SERVER_WITH_PVC.lastIndexOf("---")))).as("class not in the inputs").isEmpty();
        }

        @Test
        void volumesOfNonAiWorkloadsAreNotJudged() {
            assertThat(run(rule, SERVER_WITH_PVC.replace("vllm/vllm-openai:v0.6.0", "postgres:16") + """
                    apiVersion: storage.k8s.io/v1
                    kind: StorageClass
                    metadata:
                      name: gp3
                    provisioner: ebs.csi.aws.com
                    """)).isEmpty();
        }
    }

    @Nested
    class HostPath {

        private final HostPathVolume rule = new HostPathVolume();

        @Test
        void writableHostPathIsHighAndReadOnlyIsMedium() {
            List<Finding> findings = run(rule, """
                    apiVersion: v1
                    kind: Pod
                    metadata:
                      name: trainer
                      namespace: ml
                    spec:
                      containers:
                        - name: train
                          image: pytorch/pytorch:2.3.0
                          volumeMounts:
                            - name: datasets
                              mountPath: /data
                            - name: weights
                              mountPath: /weights
                              readOnly: true
                      volumes:
                        - name: datasets
                          hostPath:
                            path: /mnt/datasets
                            type: Directory
                        - name: weights
                          hostPath:
                            path: /mnt/weights
                    """);

            assertThat(findings).hasSize(2);
            assertThat(findings.get(0)).satisfies(f -> assertFinding(f, "MOAT-DAT-002", Severity.HIGH,
                    new ObjectRef("Pod", "ml", "trainer"), "18:7",
                    "pod: volume 'datasets' mounts host path /mnt/datasets writable in "
                            + "container 'train'",
                    "hostPath.path: /mnt/datasets, type: Directory"));
            assertThat(findings.get(1)).satisfies(f -> {
                assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
                assertThat(at(f)).isEqualTo("22:7");
                assertThat(f.message()).isEqualTo("pod: volume 'weights' mounts host path /mnt/weights");
            });
        }

        @Test
        void runtimeSocketsAndOtherVolumeTypesAreNotThisRulesFinding() {
            assertThat(run(rule, """
                    apiVersion: v1
                    kind: Pod
                    metadata:
                      name: builder
                    spec:
                      containers:
                        - name: c
                          image: docker:27
                      volumes:
                        - name: sock
                          hostPath:
                            path: /var/run/docker.sock
                        - name: cache
                          emptyDir: {}
                    """)).isEmpty();
        }
    }

    @Nested
    class TrainingEgress {

        private final TrainingEgressNotIsolated rule = new TrainingEgressNotIsolated();

        private static final String TRAINING = """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: training
                ---
                apiVersion: kubeflow.org/v1
                kind: PyTorchJob
                metadata:
                  name: finetune
                  namespace: training
                spec:
                  pytorchReplicaSpecs:
                    Master:
                      template:
                        metadata:
                          labels:
                            app: finetune
                        spec:
                          containers:
                            - name: pytorch
                              image: pytorch/pytorch:2.3.0
                ---
                """;

        @Test
        void trainingNamespaceWithIngressOnlyPolicyIsReportedAtTheNamespace() {
            List<Finding> findings = run(rule, TRAINING + """
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata:
                      name: deny-ingress
                      namespace: training
                    spec:
                      podSelector: {}
                      policyTypes: [Ingress]
                    """);

            assertThat(findings).singleElement().satisfies(f -> assertFinding(f, "MOAT-DAT-003", Severity.MEDIUM,
                    new ObjectRef("Namespace", "", "training"), "4:3",
                    "namespace training runs training workloads whose egress no "
                            + "NetworkPolicy isolates",
                    "not isolated for egress: PyTorchJob/training/finetune"));
        }

        @Test
        void egressPolicySelectingTheTrainingPodsOrNonTrainingWorkloadsAreCompliant() {
            assertThat(run(rule, TRAINING + """
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata:
                      name: finetune-egress
                      namespace: training
                    spec:
                      podSelector:
                        matchLabels:
                          app: finetune
                      policyTypes: [Egress]
                    """)).isEmpty();
            assertThat(run(rule, """
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata:
                      name: llm
                      namespace: serving
                    spec:
                      template:
                        spec:
                          containers:
                            - name: vllm
                              image: vllm/vllm-openai:v0.6.0
                    ---
                    apiVersion: batch/v1
                    kind: Job
                    metadata:
                      name: fetch-weights
                      namespace: serving
                    spec:
                      template:
                        spec:
                          containers:
                            - name: fetch
                              image: python:3.12
                              env:
                                - name: HF_TOKEN
                                  valueFrom:
                                    secretKeyRef: {name: hf, key: token}
                    """)).as("serving and batch jobs without accelerators are not training").isEmpty();
        }
    }
}
