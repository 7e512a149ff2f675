package dev.moat.audit.rules;

import static dev.moat.audit.Fixtures.assertFinding;
import static dev.moat.audit.Fixtures.deployment;
import static dev.moat.audit.Fixtures.literalEnv;
import static dev.moat.audit.Manifests.run;
import static dev.moat.audit.Manifests.runAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.audit.FakeKeys;
import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretNamedEnvLiteralTest {

    private final FakeKeys keys = new FakeKeys(7L);
    private final SecretNamedEnvLiteral rule = new SecretNamedEnvLiteral();

    private static String withEnv(String name, String value) {
        return deployment("api").namespace("ml").container("app", "api:1.0", literalEnv(name, value)).yaml();
    }

    @Test
    void realLookingLiteralIsReportedRedacted() {
        String password = keys.password();
        assertThat(password).hasSize(22);

        List<Finding> findings = run(rule, withEnv("DB_PASSWORD", password));

        assertThat(findings).singleElement().satisfies(f -> {
            assertFinding(f, "MOAT-SEC-002", Severity.HIGH,
                    new ObjectRef("Deployment", "ml", "api"), "14:15",
                    "container 'app': env DB_PASSWORD holds a literal value",
                    "DB_PASSWORD = " + password.substring(0, 4) + "****(22 chars)");
            assertThat(f.category()).isEqualTo("secrets");
            assertThat(f.message() + f.evidence()).doesNotContain(password).doesNotContain(password.substring(4));
        });
    }

    @Test
    void shortSecretsShowNoPrefixAtAll() {
        assertThat(run(rule, withEnv("API_TOKEN", "s3cr3t-t0k"))).singleElement()
                .satisfies(f -> assertThat(f.evidence()).isEqualTo("API_TOKEN = ****(10 chars)"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"changeme", "<your-key>", "${TOKEN}", "$(OPENAI_KEY)", "", "REPLACE_ME_WITH_KEY",
            "xxxxxxxxxx", "********", "your-api-key-here", "disabled"})
    void placeholdersAreNotFlagged(String placeholder) {
        assertThat(run(rule, withEnv("OPENAI_API_KEY", placeholder))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TOKENIZER_NAME", "API_KEY_FILE", "TOKEN_PATH", "SECRET_DIR", "AUTH_TOKEN_HEADER", "LOG_LEVEL"})
    void namesThatPointAtASecretOrAreNotSecretsAreNotFlagged(String name) {
        assertThat(run(rule, withEnv(name, "/var/run/secrets/some-mounted-value"))).isEmpty();
    }

    @Test
    void numericLimitsNamedLikeTokensAreNotSecrets() {
        assertThat(run(rule, withEnv("MAX_NUM_BATCHED_TOKENS", "131072"))).isEmpty();
    }

    @Test
    void secretKeyRefIsNotFlagged() {
        assertThat(run(rule, deployment("api")
                .container("app", "api:1.0",
                        "env:",
                        "  - name: DB_PASSWORD",
                        "    valueFrom:",
                        "      secretKeyRef: {name: db, key: password}")
                .yaml())).isEmpty();
    }

    @Test
    void aRecognisedKeyIsLeftToSec001AndNotReportedTwice() {
        for (String key : List.of(keys.openAi(), keys.anthropic(), keys.huggingFace(), keys.aws())) {
            List<Finding> all = runAll(withEnv("MY_API_KEY", key));

            assertThat(all).filteredOn(f -> f.ruleId().startsWith("MOAT-SEC-"))
                    .extracting(Finding::ruleId).containsExactly("MOAT-SEC-001");
        }
    }
}
