package dev.moat.audit.supplychain;

import static dev.moat.audit.Fixtures.assertFinding;
import static dev.moat.audit.Manifests.at;
import static dev.moat.audit.Manifests.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.audit.FakeKeys;
import dev.moat.audit.Manifests;
import dev.moat.audit.ManifestRule;
import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Severity;
import dev.moat.core.config.MoatConfig;
import dev.moat.core.config.RuleSettings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SupplyChainRulesTest {

    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);

    private static String pod(String containerBody) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: llm
                  namespace: ml
                spec:
                  containers:
                    - name: server
                %s""".formatted(containerBody.indent(6));
    }

    private static List<Finding> runConfigured(ManifestRule rule, String settingsYaml, String yaml) throws Exception {
        MoatConfig config = MoatConfig.parse(".moat.yaml", settingsYaml.getBytes(StandardCharsets.UTF_8), Set.of());
        List<Finding> out = new ArrayList<>();
        ((UnapprovedRegistry) rule).configured(new RuleSettings(config.settings())).check(Manifests.inventory(yaml), out::add);
        return out;
    }

    // MOAT-SUP-003

    @Test
    void registryOutsideTheAllowlistIsReportedAtTheImage() throws Exception {
        List<Finding> findings = runConfigured(new UnapprovedRegistry(),
                "settings:\n  allowedRegistries: [registry.example.com, ghcr.io/acme]\n", pod("""
                        image: quay.io/vllm/vllm-openai:v0.6.3
                        """) + """
                    - name: sidecar
                      image: ghcr.io/acme/proxy:1.0
                    - name: hub
                      image: nginx:1.27
                """);

        assertThat(findings).extracting(Finding::ruleId, Finding::severity, Manifests::at, Finding::message)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("MOAT-SUP-003", Severity.MEDIUM, "9:7",
                                "container 'server': image 'quay.io/vllm/vllm-openai:v0.6.3' comes from quay.io, which is not in allowedRegistries"),
                        org.assertj.core.groups.Tuple.tuple("MOAT-SUP-003", Severity.MEDIUM, "13:7",
                                "container 'hub': image 'nginx:1.27' comes from docker.io, which is not in allowedRegistries"));
        assertThat(findings.get(0).evidence()).isEqualTo("image: quay.io/vllm/vllm-openai:v0.6.3");
    }

    @Test
    void aRepositoryPrefixIsNotAHostPrefixAndDockerHubNamesAreQualified() throws Exception {
        String yaml = pod("image: ghcr.io/acme-evil/proxy:1.0\n") + """
                    - name: official
                      image: index.docker.io/library/nginx:1.27
                """;
        List<Finding> findings = runConfigured(new UnapprovedRegistry(),
                "settings:\n  allowedRegistries: [ghcr.io/acme/, docker.io/library]\n", yaml);

        assertThat(findings).singleElement().satisfies(f -> assertThat(f.message()).contains("ghcr.io/acme-evil/proxy"));
    }

    @Test
    void withoutAnAllowlistNothingIsReported() throws Exception {
        String yaml = pod("image: quay.io/vllm/vllm-openai:v0.6.3\n");
        assertThat(run(new UnapprovedRegistry(), yaml)).isEmpty();
        assertThat(runConfigured(new UnapprovedRegistry(), "settings: {}\n", yaml)).isEmpty();
    }

    @Test
    void ociModelImagesAreCheckedAgainstTheAllowlist() throws Exception {
        List<Finding> findings = runConfigured(new UnapprovedRegistry(), "settings:\n  allowedRegistries: [registry.example.com]\n", """
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata:
                  name: sk
                spec:
                  predictor:
                    model:
                      modelFormat: {name: sklearn}
                      storageUri: oci://ghcr.io/someone/model:v1
                """);

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(at(f)).isEqualTo("9:7");
            assertThat(f.message()).isEqualTo("container 'kserve-container' in predictor storageUri: model image "
                    + "'ghcr.io/someone/model:v1' comes from ghcr.io, which is not in allowedRegistries");
        });
    }

    // MOAT-SUP-004

    @Test
    void hubDownloadsInScriptsAreReportedAtTheScriptItem() {
        List<Finding> findings = run(new HubDownloadAtStartup(), """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: llm
                spec:
                  template:
                    spec:
                      initContainers:
                        - name: fetch
                          image: python:3.12
                          command: ["sh", "-c"]
                          args:
                            - huggingface-cli download meta-llama/Llama-3.1-8B --local-dir /models
                        - name: clone
                          image: alpine/git:2.45
                          args: ["git clone https://user:secret@huggingface.co/org/model?x=1 /models"]
                        - name: curl
                          image: curlimages/curl:8.8.0
                          command: ["sh", "-c", "curl -L -o /m/w.gguf https://example.org/files/llama.Q4.gguf && echo ok"]
                        - name: py
                          image: python:3.12
                          command: ["python", "-c", "from huggingface_hub import snapshot_download; snapshot_download(repo_id='org/m')"]
                      containers:
                        - name: server
                          image: vllm/vllm-openai:v0.6.3
                          args: ["--model", "/models"]
                """);

        assertThat(findings).extracting(Finding::ruleId).containsOnly("MOAT-SUP-004");
        assertThat(findings).extracting(Manifests::at, Finding::evidence).containsExactly(
                org.assertj.core.groups.Tuple.tuple("13:15", "args: huggingface-cli meta-llama/Llama-3.1-8B"),
                org.assertj.core.groups.Tuple.tuple("16:18", "args: clone https://huggingface.co/org/model"),
                org.assertj.core.groups.Tuple.tuple("19:33", "command: curl https://example.org/files/llama.Q4.gguf"),
                org.assertj.core.groups.Tuple.tuple("22:37", "command: snapshot_download org/m"));
        assertThat(findings.get(0).message()).isEqualTo("init container 'fetch': args downloads a model at start-up "
                + "(huggingface-cli meta-llama/Llama-3.1-8B) without a pinned revision");
        assertThat(findings).allSatisfy(f -> assertThat(f.severity()).isEqualTo(Severity.MEDIUM))
                .noneSatisfy(f -> assertThat(f.evidence() + f.message()).contains("secret"));
    }

    @Test
    void pinnedDownloadsAndNonModelFetchesAreNotReported() {
        assertThat(run(new HubDownloadAtStartup(), pod("""
                image: python:3.12
                command:
                  - sh
                  - -c
                  - hf download org/model --revision %s --local-dir /m
                  - wget -O /usr/local/bin/runsc https://storage.googleapis.com/gvisor/releases/latest/runsc
                  - echo huggingface-cli is installed
                """.formatted(COMMIT)))).isEmpty();
    }

    // MOAT-SUP-005

    @Test
    void unpinnedHubAndHttpStorageUrisAreReported() {
        List<Finding> findings = run(new UnpinnedModelUri(), """
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata:
                  name: llama
                  namespace: ml
                spec:
                  predictor:
                    model:
                      modelFormat: {name: huggingface}
                      storageUri: hf://meta-llama/Llama-2-7b-chat-hf
                  transformer:
                    containers:
                      - name: t
                        image: kserve/transformer:v0.14.0
                        storageUri: hf://org/model:main
                ---
                apiVersion: serving.kserve.io/v1alpha2
                kind: LLMInferenceService
                metadata:
                  name: llm
                spec:
                  model:
                    uri: https://user:pw@models.example.org/llama.tar.gz?sig=abc
                """);

        assertThat(findings).extracting(Finding::ruleId, Finding::object, Manifests::at).containsExactly(
                org.assertj.core.groups.Tuple.tuple("MOAT-SUP-005", new ObjectRef("InferenceService", "ml", "llama"), "10:7"),
                org.assertj.core.groups.Tuple.tuple("MOAT-SUP-005", new ObjectRef("InferenceService", "ml", "llama"), "15:9"),
                org.assertj.core.groups.Tuple.tuple("MOAT-SUP-005", new ObjectRef("LLMInferenceService", "default", "llm"), "23:5"));
        assertThat(findings.get(0).message()).isEqualTo("container 'kserve-container' in predictor storageUri: Hugging Face "
                + "model 'meta-llama/Llama-2-7b-chat-hf' has no revision, so every start downloads the current main branch");
        assertThat(findings.get(0).evidence()).isEqualTo("storageUri: hf://meta-llama/Llama-2-7b-chat-hf");
        assertThat(findings.get(1).message()).endsWith("Hugging Face revision 'main' is a branch or tag, not a commit hash");
        assertThat(findings.get(2).evidence()).isEqualTo("model.uri: https://models.example.org/llama.tar.gz");
        assertThat(findings.get(2).message()).doesNotContain("pw").doesNotContain("sig=");
    }

    @Test
    void pinnedPrivateAndPlaceholderUrisAreNotReported() {
        assertThat(run(new UnpinnedModelUri(), """
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata:
                  name: ok
                spec:
                  predictor:
                    model:
                      modelFormat: {name: huggingface}
                      storageUri: hf://meta-llama/Llama-2-7b-chat-hf:%s
                  transformer:
                    containers:
                      - name: a
                        image: kserve/t:1
                        storageUri: s3://bucket/model
                      - name: b
                        image: kserve/t:1
                        storageUri: https://acct.blob.core.windows.net/models/m
                      - name: c
                        image: kserve/t:1
                        storageUri: https://huggingface.co/org/m/resolve/%s/model.safetensors
                      - name: d
                        image: kserve/t:1
                        storageUri: hf://${REPO}/model
                """.formatted(COMMIT, COMMIT))).isEmpty();
    }

    @Test
    void aHubUriHandedToAStorageInitializerIsReported() {
        List<Finding> findings = run(new UnpinnedModelUri(), pod("""
                image: kserve/kserve-storage-initializer:v0.17.0
                args:
                  - hf://RedHatAI/gpt-oss-20b
                  - /mnt/models
                """));

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(at(f)).isEqualTo("11:11");
            assertThat(f.evidence()).isEqualTo("args: hf://RedHatAI/gpt-oss-20b");
        });
    }

    // MOAT-SUP-006

    @Test
    void ociModelImagesByTagAreReportedAndDigestsAccepted() {
        List<Finding> findings = run(new ModelImageByTag(), """
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata:
                  name: sk
                spec:
                  predictor:
                    model:
                      modelFormat: {name: sklearn}
                      storageUri: "oci+native://ghcr.io/my-org/my-sklearn-model:v1"
                  transformer:
                    containers:
                      - name: pinned
                        image: kserve/t:1
                        storageUri: oci://ghcr.io/my-org/model:v1@%s
                      - name: untagged
                        image: kserve/t:1
                        storageUri: oci://ghcr.io/my-org/model
                      - name: placeholder
                        image: kserve/t:1
                        storageUri: oci://<image-ref>
                """.formatted(DIGEST));

        assertThat(findings).extracting(Finding::ruleId, Manifests::at, Finding::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple("MOAT-SUP-006", "9:7", "container 'kserve-container' in predictor "
                        + "storageUri: model image 'ghcr.io/my-org/my-sklearn-model:v1' uses tag 'v1', not a digest"),
                org.assertj.core.groups.Tuple.tuple("MOAT-SUP-006", "17:9", "container 'untagged' in transformer "
                        + "storageUri: model image 'ghcr.io/my-org/model' has neither tag nor digest"));
        assertThat(findings.get(0).evidence()).isEqualTo("storageUri: oci+native://ghcr.io/my-org/my-sklearn-model:v1");
    }

    // MOAT-SUP-007

    @Test
    void remoteCodeFlagsInArgsAndEnvAreReported() {
        List<Finding> findings = run(new RemoteCodeEnabled(), pod("""
                image: vllm/vllm-openai:v0.6.3
                args: ["--model", "org/m", "--trust-remote-code"]
                env:
                  - name: VLLM_ADDITIONAL_ARGS
                    value: --tensor-parallel-size=8 --trust-remote-code
                  - name: TRUST_REMOTE_CODE
                    value: "true"
                """) + """
                    - name: py
                      image: python:3.12
                      command: ["python", "-c", "AutoModel.from_pretrained(p, trust_remote_code=True)"]
                """);

        assertThat(findings).extracting(Finding::ruleId, Finding::severity).containsOnly(
                org.assertj.core.groups.Tuple.tuple("MOAT-SUP-007", Severity.HIGH));
        assertThat(findings).extracting(Manifests::at, Finding::evidence).containsExactly(
                org.assertj.core.groups.Tuple.tuple("10:34", "args: trust-remote-code"),
                org.assertj.core.groups.Tuple.tuple("13:18", "env VLLM_ADDITIONAL_ARGS: trust-remote-code"),
                org.assertj.core.groups.Tuple.tuple("15:18", "TRUST_REMOTE_CODE=true"),
                org.assertj.core.groups.Tuple.tuple("18:33", "command: trust-remote-code"));
        assertThat(findings.get(0).message()).isEqualTo("container 'server': args enables remote code from the model repository");
    }

    @Test
    void remoteCodeSwitchedOffIsNotReported() {
        assertThat(run(new RemoteCodeEnabled(), pod("""
                image: vllm/vllm-openai:v0.6.3
                args: ["--trust-remote-code=false", "--trust-remote-code-x"]
                env:
                  - name: TRUST_REMOTE_CODE
                    value: "false"
                  - name: NOTE
                    value: trust_remote_code=False
                """))).isEmpty();
    }

    // MOAT-SUP-008

    @Test
    void aServingContainerWithATokenAndNoOfflineModeIsReportedAtTheTokenEnv() {
        String token = new FakeKeys(4).huggingFace();
        List<Finding> findings = run(new HubTokenOnline(), pod("""
                image: vllm/vllm-openai:v0.6.3
                env:
                  - name: HF_HOME
                    value: /cache
                  - name: HUGGING_FACE_HUB_TOKEN
                    value: %s
                """.formatted(token)));

        assertThat(findings).singleElement().satisfies(f -> {
            assertFinding(f, "MOAT-SUP-008", Severity.LOW, "13:11",
                    "container 'server': holds Hugging Face token HUGGING_FACE_HUB_TOKEN "
                            + "but HF_HUB_OFFLINE is not set to 1",
                    "env HUGGING_FACE_HUB_TOKEN (literal value), HF_HUB_OFFLINE unset");
            assertThat(f.evidence()).doesNotContain(token.substring(3));
        });
    }

    @Test
    void offlineServersInitContainersAndDownloadersMayHoldTheToken() {
        assertThat(run(new HubTokenOnline(), """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: llm
                spec:
                  initContainers:
                    - name: fetch
                      image: python:3.12
                      env:
                        - name: HF_TOKEN
                          valueFrom: {secretKeyRef: {name: hf, key: token}}
                  containers:
                    - name: server
                      image: vllm/vllm-openai:v0.6.3
                      env:
                        - name: HF_TOKEN
                          valueFrom: {secretKeyRef: {name: hf, key: token}}
                        - name: HF_HUB_OFFLINE
                          value: "1"
                    - name: loader
                      image: kserve/kserve-storage-initializer:v0.17.0
                      args: ["hf://org/model", "/mnt/models"]
                      env:
                        - name: HF_TOKEN
                          valueFrom: {secretKeyRef: {name: hf, key: token}}
                """)).isEmpty();
    }
}
