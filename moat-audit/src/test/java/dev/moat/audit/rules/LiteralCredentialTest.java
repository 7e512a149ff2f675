package dev.moat.audit.rules;

import static dev.moat.audit.Fixtures.assertFinding;
import static dev.moat.audit.Fixtures.deployment;
import static dev.moat.audit.Fixtures.literalEnv;
import static dev.moat.audit.Manifests.at;
import static dev.moat.audit.Manifests.run;
import static dev.moat.audit.Manifests.runAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.audit.FakeKeys;
import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiteralCredentialTest {

    private final FakeKeys keys = new FakeKeys(20261123L);
    private final LiteralCredential rule = new LiteralCredential();

    private static String withEnv(String name, String value) {
        return deployment("chat").namespace("ml").container("app", "chat:1.0", literalEnv(name, value)).yaml();
    }

    private static String withArgs(String field, String secretArg) {
        return deployment("chat").namespace("ml")
                .container("app", "chat:1.0", field + ":", "  - --port=8000", "  - \"" + secretArg + "\"")
                .yaml();
    }

    /** The secret is never in what Moat prints, only its redacted form. */
    private static void assertRedacted(Finding f, String secret) {
        assertThat(f.message()).doesNotContain(secret).doesNotContain(secret.substring(4));
        assertThat(f.evidence()).doesNotContain(secret).doesNotContain(secret.substring(4))
                .contains(secret.substring(0, 4) + "****(" + secret.length() + " chars)");
    }

    @Test
    void openAiKeyInEnvIsCriticalAndRedacted() {
        String key = keys.openAi();
        assertThat(key).hasSize(56).startsWith("sk-proj-");

        List<Finding> findings = run(rule, withEnv("OPENAI_API_KEY", key));

        assertThat(findings).singleElement().satisfies(f -> {
            assertFinding(f, "MOAT-SEC-001", Severity.CRITICAL,
                    new ObjectRef("Deployment", "ml", "chat"), "14:15",
                    "container 'app': OpenAI project key written literally in env OPENAI_API_KEY",
                    "env OPENAI_API_KEY = sk-p****(56 chars)");
            assertThat(f.category()).isEqualTo("secrets");
            assertRedacted(f, key);
        });
    }

    @Test
    void anthropicKeyInArgsIsFoundInsideTheArgument() {
        String key = keys.anthropic();
        assertThat(key).hasSize(108).startsWith("sk-ant-api03-").endsWith("AA");

        List<Finding> findings = run(rule, withArgs("args", "--api-key=" + key));

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(at(f)).isEqualTo("14:15");
            assertThat(f.message()).isEqualTo("container 'app': Anthropic API key written literally in args");
            assertThat(f.evidence()).isEqualTo("args = sk-a****(108 chars)");
            assertRedacted(f, key);
        });
    }

    @Test
    void huggingFaceTokenInEnvIsFound() {
        String token = keys.huggingFace();
        assertThat(token).hasSize(37).startsWith("hf_");

        List<Finding> findings = run(rule, withEnv("HF_TOKEN", token));

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.message()).isEqualTo("container 'app': Hugging Face token written literally in env HF_TOKEN");
            assertThat(f.evidence()).isEqualTo("env HF_TOKEN = " + token.substring(0, 4) + "****(37 chars)");
            assertRedacted(f, token);
        });
    }

    @Test
    void awsAccessKeyInCommandIsFound() {
        String key = keys.aws();
        assertThat(key).hasSize(20).startsWith("AKIA");

        List<Finding> findings = run(rule, withArgs("command", "AWS_ACCESS_KEY_ID=" + key + " ./train.sh"));

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(at(f)).isEqualTo("14:15");
            assertThat(f.message()).isEqualTo("container 'app': AWS access key ID written literally in command");
            assertThat(f.evidence()).isEqualTo("command = AKIA****(20 chars)");
            assertRedacted(f, key);
        });
    }

    @Test
    void noRuleOfTheCatalogueEverPrintsTheSecret() {
        String key = keys.openAi();

        List<Finding> all = runAll(withEnv("OPENAI_API_KEY", key));

        assertThat(all).isNotEmpty().allSatisfy(f -> {
            assertThat(f.message()).doesNotContain(key.substring(4));
            assertThat(f.evidence()).doesNotContain(key.substring(4));
        });
        assertThat(all).extracting(Finding::ruleId).contains("MOAT-SEC-001").doesNotContain("MOAT-SEC-002");
    }

    @Test
    void secretKeyRefIsNotFlagged() {
        List<Finding> all = runAll("""
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: chat
                spec:
                  template:
                    spec:
                      containers:
                        - name: app
                          image: chat:1.0
                          env:
                            - name: OPENAI_API_KEY
                              valueFrom:
                                secretKeyRef: {name: openai, key: api-key}
                            - name: HF_TOKEN
                              valueFrom:
                                secretKeyRef:
                                  name: hf
                                  key: token
                """);

        assertThat(all).extracting(Finding::ruleId).doesNotContain("MOAT-SEC-001", "MOAT-SEC-002");
    }

    @Test
    void ordinaryValuesAreNotCredentials() {
        assertThat(run(rule, withEnv("MODEL_ID", "meta-llama/Llama-3.1-8B-Instruct"))).isEmpty();
        assertThat(run(rule, withArgs("args", "--skip-tokenizer-init=false"))).isEmpty();
        assertThat(run(rule, withEnv("PREFIX", "sk-proj-short"))).isEmpty();
    }
}
