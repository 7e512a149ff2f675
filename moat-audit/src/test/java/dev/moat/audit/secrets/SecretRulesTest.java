package dev.moat.audit.secrets;

import static dev.moat.audit.Fixtures.assertFinding;
import static dev.moat.audit.Fixtures.deployment;
import static dev.moat.audit.Manifests.at;
import static dev.moat.audit.Manifests.run;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.audit.FakeKeys;
import dev.moat.audit.ManifestRule;
import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Severity;
import dev.moat.core.config.MoatConfig;
import dev.moat.core.config.RuleSettings;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretRulesTest {

    private final FakeKeys keys = new FakeKeys(4004L);

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(UTF_8));
    }

    // MOAT-SEC-003

    @Test
    void openAiKeyInConfigMapIsCriticalAtItsDataKey() {
        String key = keys.openAi();
        List<Finding> findings = run(StoredCredential.inConfigMaps(), """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: llm-config
                  namespace: ml
                data:
                  MODEL_ID: meta-llama/Llama-3.1-8B-Instruct
                  OPENAI_API_KEY: %s
                binaryData:
                  hf.token: %s
                """.formatted(key, b64(keys.huggingFace())));

        assertThat(findings).hasSize(2).first().satisfies(f -> assertFinding(f, "MOAT-SEC-003", Severity.CRITICAL,
                new ObjectRef("ConfigMap", "ml", "llm-config"), "8:3",
                "OpenAI project key in data.OPENAI_API_KEY of ConfigMap llm-config",
                "data.OPENAI_API_KEY = sk-p****(56 chars)"));
        assertThat(findings.get(1).message()).isEqualTo("Hugging Face token in binaryData.hf.token of ConfigMap llm-config");
        assertThat(at(findings.get(1))).isEqualTo("10:3");
    }

    @Test
    void configMapWithoutCredentialsIsClean() {
        assertThat(run(StoredCredential.inConfigMaps(), """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: llm-config
                data:
                  OPENAI_API_KEY: <your-key>
                  RAY_ENABLE_K8S_TOKEN_AUTH: "true"
                  AWS_SECRET_ACCESS_KEY: ${AWS_SECRET_ACCESS_KEY}
                """)).isEmpty();
    }

    // MOAT-SEC-004 and MOAT-SEC-005

    @Test
    void base64HuggingFaceTokenInSecretIsDecodedAndReportedOnce() {
        String token = keys.huggingFace();
        String yaml = """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: hf-token
                  namespace: ml
                type: Opaque
                data:
                  HF_TOKEN: %s
                stringData:
                  redis-password: %s
                """.formatted(b64(token), keys.password());

        assertThat(run(StoredCredential.inSecrets(), yaml)).singleElement()
                .satisfies(f -> assertFinding(f, "MOAT-SEC-004", Severity.CRITICAL, "8:3",
                        "Hugging Face token in data.HF_TOKEN of Secret hf-token",
                        "data.HF_TOKEN = " + token.substring(0, 4) + "****(37 chars)"));
        assertThat(run(new CommittedSecret(), yaml)).as("the HF token is not reported a second time").singleElement()
                .satisfies(f -> assertFinding(f, "MOAT-SEC-005", Severity.HIGH, "10:3",
                        "Secret hf-token is committed with 1 literal value(s)",
                        "stringData.redis-password (22 chars)"));
    }

    @Test
    void committedPasswordIsReportedWithoutShowingAnyOfIt() {
        List<Finding> findings = run(new CommittedSecret(), """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: redis-password-secret
                type: Opaque
                data:
                  password: %s
                """.formatted(b64("5241590000000000")));

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(at(f)).isEqualTo("7:3");
            assertThat(f.evidence()).isEqualTo("data.password (16 chars)").doesNotContain("5241");
        });
    }

    @Test
    void placeholdersCertificatesAndSopsCiphertextAreNotCommittedSecrets() {
        String yaml = """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: hf-token
                stringData:
                  hf_token: <your-hf-access-token-value>
                  s3_key: xxxxx
                  api_key: ${API_KEY}
                data:
                  ca.crt: %s
                ---
                apiVersion: v1
                kind: Secret
                metadata:
                  name: sops-encrypted
                stringData:
                  token: ENC[AES256_GCM,data:abcdefghijkl,iv:mnop,tag:qrst,type:str]
                sops:
                  version: 3.9.0
                ---
                apiVersion: v1
                kind: Secret
                metadata:
                  name: sa-token
                  annotations:
                    kubernetes.io/service-account.name: trainer
                type: kubernetes.io/service-account-token
                """.formatted(b64("-----BEGIN CERTIFICATE-----\nMIIDWzCCAkOgAwIBAgIUW42P6qeQ\n-----END CERTIFICATE-----\n"));

        assertThat(run(new CommittedSecret(), yaml)).isEmpty();
        assertThat(run(StoredCredential.inSecrets(), yaml)).isEmpty();
    }

    // MOAT-SEC-006

    @Test
    void credentialInPodTemplateAnnotationIsReportedAtTheAnnotation() {
        String key = keys.anthropic();
        List<Finding> findings = run(new CredentialInAnnotation(), """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: agent
                  namespace: ml
                  annotations:
                    ray.io/enable-k8s-token-auth: "true"
                spec:
                  template:
                    metadata:
                      annotations:
                        agent.example.com/anthropic-key: %s
                    spec:
                      containers:
                        - name: agent
                          image: agent:1.0
                """.formatted(key));

        assertThat(findings).singleElement().satisfies(f -> assertFinding(f, "MOAT-SEC-006", Severity.CRITICAL,
                new ObjectRef("Deployment", "ml", "agent"), "12:9",
                "Anthropic API key in annotation agent.example.com/anthropic-key",
                "agent.example.com/anthropic-key = sk-a****(108 chars)"));
    }

    @Test
    void ordinaryAnnotationsAreClean() {
        assertThat(run(new CredentialInAnnotation(), """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: s3
                  annotations:
                    serving.kserve.io/s3-endpoint: minio-service:9000
                    serving.kserve.io/s3-usehttps: "0"
                    checksum/config: %s
                """.formatted("0123456789abcdef".repeat(4)))).isEmpty();
    }

    // MOAT-SEC-007

    private static String externalSecret(String specLines) {
        return """
                apiVersion: external-secrets.io/v1
                kind: ExternalSecret
                metadata:
                  name: hf-token
                  namespace: ml
                spec:
                  secretStoreRef: {name: vault, kind: ClusterSecretStore}
                %s  target: {name: hf-token}
                """.formatted(specLines);
    }

    @Test
    void externalSecretThatNeverRefreshesIsMedium() {
        assertThat(run(new ExternalSecretRotation(), externalSecret("  refreshInterval: \"0\"\n"))).singleElement()
                .satisfies(f -> assertFinding(f, "MOAT-SEC-007", Severity.MEDIUM, "8:3",
                        "ExternalSecret hf-token never refreshes from its store (refreshInterval 0): rotated values do not reach the cluster",
                        "refreshInterval: 0"));
        assertThat(run(new ExternalSecretRotation(), externalSecret("  refreshPolicy: CreatedOnce\n  refreshInterval: 1h\n")))
                .singleElement().satisfies(f -> {
                    assertThat(at(f)).isEqualTo("8:3");
                    assertThat(f.message()).contains("(refreshPolicy CreatedOnce)");
                });
    }

    @Test
    void intervalAboveTheLimitIsReportedAndTheLimitIsConfigurable() throws Exception {
        String yaml = externalSecret("  refreshInterval: 72h0m0s\n");

        assertThat(run(new ExternalSecretRotation(), yaml)).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
            assertThat(f.message()).isEqualTo("ExternalSecret hf-token refreshes only every 72h, longer than the 24h limit");
        });
        MoatConfig config = MoatConfig.parse(".moat.yaml", "settings:\n  externalSecretMaxRefresh: 96h\n".getBytes(UTF_8), Set.of());
        ManifestRule relaxed = new ExternalSecretRotation().configured(new RuleSettings(config.settings()));
        assertThat(run(relaxed, yaml)).isEmpty();
        assertThat(run(new ExternalSecretRotation(), externalSecret("  refreshInterval: 1h\n"))).isEmpty();
    }

    @Test
    void missingIntervalIsInfoAndClusterExternalSecretsAreRead() {
        assertThat(run(new ExternalSecretRotation(), externalSecret(""))).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.INFO);
            assertThat(f.message()).isEqualTo("ExternalSecret hf-token sets no refreshInterval and relies on the operator's default (1h)");
        });
        assertThat(run(new ExternalSecretRotation(), """
                apiVersion: external-secrets.io/v1
                kind: ClusterExternalSecret
                metadata:
                  name: hub-tokens
                spec:
                  namespaceSelectors: [{matchLabels: {team: ml}}]
                  externalSecretSpec:
                    refreshInterval: 0s
                """)).singleElement().satisfies(f -> assertThat(at(f)).isEqualTo("8:5"));
    }

    @Test
    void goDurationsParseLikeGo() {
        assertThat(GoDuration.parse("1h30m")).contains(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("1.5h")).contains(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("0")).contains(Duration.ZERO);
        assertThat(GoDuration.parse("500ms")).contains(Duration.ofMillis(500));
        assertThat(GoDuration.parse("10d")).isEmpty();
        assertThat(GoDuration.parse("1h x")).isEmpty();
        assertThat(GoDuration.format(Duration.ofMinutes(90))).isEqualTo("90m");
    }

    // MOAT-SEC-008

    /** A Deployment {@code ml/llm} whose one container {@code server} runs {@code image} with these fields. */
    private static String server(String image, String... containerFields) {
        return deployment("llm").namespace("ml").container("server", image, containerFields).yaml();
    }

    /** The same Deployment with these pod spec lines and a bare container. */
    private static String serverWithPodSpec(String image, String... podSpec) {
        return deployment("llm").namespace("ml").podSpec(podSpec).container("server", image).yaml();
    }

    private static final String[] SECRET_ENV = {
        "env:",
        "  - name: HF_TOKEN",
        "    valueFrom:",
        "      secretKeyRef: {name: hf-token, key: token}",
        "envFrom:",
        "  - secretRef: {name: openai}",
    };

    @Test
    void aiWorkloadReadingSecretsFromEnvIsReportedOncePerContainer() {
        List<Finding> findings = run(new SecretEnvInAiWorkload(), server("vllm/vllm-openai:v0.6.3", SECRET_ENV));

        assertThat(findings).singleElement().satisfies(f -> assertFinding(f, "MOAT-SEC-008", Severity.MEDIUM, "15:17",
                "container 'server': reads Secrets through 2 env reference(s)",
                "HF_TOKEN <- hf-token/token, all keys of openai"));
    }

    @Test
    void nonAiWorkloadsAndMountedSecretsAreNotReported() {
        String[] plainEnv = Arrays.stream(SECRET_ENV).map(line -> line.replace("HF_TOKEN", "DB_PASSWORD"))
                .toArray(String[]::new);
        assertThat(run(new SecretEnvInAiWorkload(), server("nginx:1.27", plainEnv))).isEmpty();
        assertThat(run(new SecretEnvInAiWorkload(), deployment("llm").namespace("ml")
                .podSpec("volumes: [{name: hf, secret: {secretName: hf-token}}]")
                .container("server", "vllm/vllm-openai:v0.6.3",
                        "volumeMounts: [{name: hf, mountPath: /var/run/secrets/hf, readOnly: true}]")
                .yaml())).isEmpty();
    }

    // MOAT-SEC-009

    @Test
    void aiWorkloadWithDefaultAutomountIsReported() {
        List<Finding> findings = run(new AutomountedToken(), serverWithPodSpec("vllm/vllm-openai:v0.6.3",
                "serviceAccountName: vllm"));

        assertThat(findings).singleElement().satisfies(f -> assertFinding(f, "MOAT-SEC-009", Severity.MEDIUM, "9:7",
                "pod of Deployment/ml/llm mounts a token for service account vllm that no "
                        + "RoleBinding or ClusterRoleBinding in the inputs binds",
                "serviceAccountName: vllm, automountServiceAccountToken: unset (default true)"));
        String explicitOnPod = serverWithPodSpec("vllm/vllm-openai:v0.6.3", "automountServiceAccountToken: true")
                + "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: ml\n"
                + "automountServiceAccountToken: false\n";
        assertThat(run(new AutomountedToken(), explicitOnPod)).singleElement()
                .satisfies(f -> assertThat(f.evidence()).endsWith("automountServiceAccountToken: true"));
    }

    @Test
    void tokenOptOutRbacBindingsAndNonAiWorkloadsAreNotReported() {
        String vllm = "vllm/vllm-openai:v0.6.3";
        assertThat(run(new AutomountedToken(), serverWithPodSpec(vllm, "automountServiceAccountToken: false"))).isEmpty();
        assertThat(run(new AutomountedToken(), serverWithPodSpec(vllm, "serviceAccountName: vllm")
                + "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: vllm\n  namespace: ml\n"
                + "automountServiceAccountToken: false\n")).isEmpty();
        assertThat(run(new AutomountedToken(), serverWithPodSpec(vllm, "serviceAccountName: vllm")
                + "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: vllm\n  namespace: ml\n"
                + "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: lease}\n"
                + "subjects: [{kind: ServiceAccount, name: vllm}]\n")).isEmpty();
        assertThat(run(new AutomountedToken(), server("nginx:1.27"))).isEmpty();
        assertThat(run(new AutomountedToken(), """
                apiVersion: serving.kserve.io/v1alpha1
                kind: ClusterServingRuntime
                metadata:
                  name: kserve-vllm
                spec:
                  containers: [{name: kserve-container, image: vllm/vllm-openai:v0.6.3}]
                """)).as("a runtime template has no automount field; its InferenceService is reported").isEmpty();
    }

    @Test
    void rayHeadRunningTheAutoscalerNeedsItsToken() {
        String cluster = """
                apiVersion: ray.io/v1
                kind: RayCluster
                metadata:
                  name: llm
                  namespace: ml
                spec:
                  enableInTreeAutoscaling: %s
                  headGroupSpec:
                    template:
                      spec:
                        containers: [{name: ray-head, image: rayproject/ray:2.41.0}]
                  workerGroupSpecs:
                    - groupName: gpu
                      template:
                        spec:
                          containers: [{name: worker, image: rayproject/ray:2.41.0}]
                """;

        assertThat(run(new AutomountedToken(), cluster.formatted("true"))).extracting(Finding::message)
                .singleElement().asString().contains("RayCluster/ml/llm [workerGroupSpecs[gpu]]");
        assertThat(run(new AutomountedToken(), cluster.formatted("false"))).hasSize(2);
    }
}
