package dev.moat.audit.secrets;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.audit.Catalogue;
import dev.moat.audit.Manifests;
import dev.moat.audit.SecretPatterns;
import dev.moat.audit.secrets.SecretCorpus.Sample;
import dev.moat.core.Finding;
import dev.moat.core.Report;
import dev.moat.core.Severity;
import dev.moat.core.report.ReportFormat;
import dev.moat.core.report.ReportOptions;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The acceptance corpus: every published format found, no near miss reported, no secret ever printed. */
class SecretCorpusTest {

    private final SecretCorpus corpus = new SecretCorpus(20260404L);
    private final List<Sample> keys = corpus.trueKeys();
    private final List<Sample> misses = corpus.nearMisses();

    @Test
    void corpusHasFortyOfEachAndCoversEveryFormat() {
        assertThat(keys).hasSizeGreaterThanOrEqualTo(40).allMatch(Sample::isKey);
        assertThat(misses).hasSizeGreaterThanOrEqualTo(40).noneMatch(Sample::isKey);
        assertThat(keys.stream().map(Sample::kind).distinct()).containsExactlyInAnyOrderElementsOf(SecretPatterns.kinds());
    }

    @Test
    void noFalseNegatives() {
        List<String> missed = new ArrayList<>();
        for (Sample s : keys) {
            Optional<SecretPatterns.Match> m = SecretPatterns.find(s.key() + "=" + s.value());
            if (m.isEmpty() || !m.get().kind().equals(s.kind()) || !m.get().secret().equals(s.secret())) {
                missed.add(s.kind() + " under " + s.key() + " -> " + m.map(SecretPatterns.Match::kind).orElse("nothing"));
            }
        }
        assertThat(missed).isEmpty();
    }

    @Test
    void noFalsePositives() {
        List<String> reported = new ArrayList<>();
        for (Sample s : misses) {
            for (String text : List.of(s.key() + "=" + s.value(), s.value())) {
                SecretPatterns.find(text).ifPresent(m -> reported.add(s.key() + " reported as " + m.kind()));
            }
        }
        assertThat(reported).isEmpty();
    }

    @Test
    void keysOfAnySizeAreMatchedWithoutExhaustingTheStack() {
        String key = corpus.largePrivateKey();
        assertThat(key).hasSizeGreaterThan(25_000);

        assertThat(SecretPatterns.find("tls.key=" + key)).hasValueSatisfying(m -> {
            assertThat(m.kind()).isEqualTo("private key");
            assertThat(m.secret()).isEqualTo(key);
        });
    }

    @Test
    void everyKeyIsReportedOnceInConfigMapsSecretsAndAnnotations() {
        String yaml = manifests(keys);

        assertThat(Manifests.run(StoredCredential.inConfigMaps(), yaml)).hasSize(keys.size())
                .extracting(Finding::message).allMatch(m -> m.contains(" of ConfigMap cm-"));
        assertThat(Manifests.run(StoredCredential.inSecrets(), yaml)).hasSize(keys.size())
                .extracting(Finding::message).allMatch(m -> m.contains(" of Secret s-"));
        assertThat(Manifests.run(new CredentialInAnnotation(), yaml)).hasSize(keys.size());
        assertThat(Manifests.run(new CommittedSecret(), yaml)).as("known keys are MOAT-SEC-004's alone").isEmpty();
    }

    @Test
    void noNearMissIsReportedInConfigMapsSecretsOrAnnotations() {
        String yaml = manifests(misses);

        assertThat(Manifests.run(StoredCredential.inConfigMaps(), yaml)).isEmpty();
        assertThat(Manifests.run(StoredCredential.inSecrets(), yaml)).isEmpty();
        assertThat(Manifests.run(new CredentialInAnnotation(), yaml)).isEmpty();
    }

    @Test
    void noSecretAppearsInAnyFindingOrOutputFormat() throws Exception {
        List<Finding> findings = Manifests.runAll(manifests(keys) + deployment(keys));
        assertThat(findings).extracting(Finding::ruleId)
                .contains("MOAT-SEC-001", "MOAT-SEC-003", "MOAT-SEC-004", "MOAT-SEC-006");

        Report report = new Report("scan", "test", Catalogue.infos(), 1, List.of(), findings, Severity.CRITICAL);
        List<String> outputs = new ArrayList<>();
        for (ReportFormat format : ReportFormat.values()) {
            StringWriter out = new StringWriter();
            format.write(report, ReportOptions.DEFAULT, out);
            outputs.add(out.toString());
        }
        for (Sample s : keys) {
            String hidden = s.secret().substring(4);
            assertThat(findings).allSatisfy(f -> {
                assertThat(f.message()).doesNotContain(hidden);
                assertThat(f.evidence()).doesNotContain(hidden);
            });
            assertThat(outputs).allSatisfy(o -> assertThat(o).doesNotContain(hidden));
        }
    }

    /** Each sample as a ConfigMap entry, a base64 Secret entry and a Service annotation, each in its own object. */
    private static String manifests(List<Sample> samples) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            String encoded = Base64.getEncoder().encodeToString(s.value().getBytes(UTF_8));
            sb.append("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-").append(i).append("\ndata:\n  ")
                    .append(s.key()).append(": |-\n").append(indent(s.value(), 4))
                    .append("---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s-").append(i).append("\ndata:\n  ")
                    .append(s.key()).append(": ").append(encoded).append('\n')
                    .append("---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-").append(i)
                    .append("\n  annotations:\n    ").append(s.key()).append(": |-\n").append(indent(s.value(), 6))
                    .append("spec:\n  ports: [{port: 80}]\n");
        }
        return sb.toString();
    }

    private static String deployment(List<Sample> samples) {
        StringBuilder sb = new StringBuilder("---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: llm\nspec:\n"
                + "  template:\n    spec:\n      containers:\n        - name: server\n          image: vllm/vllm-openai:v0.6.3\n"
                + "          env:\n");
        for (Sample s : samples) {
            sb.append("            - name: ").append(s.key().replaceAll("[^A-Za-z0-9_]", "_")).append("\n              value: |-\n")
                    .append(indent(s.value(), 16));
        }
        return sb.toString();
    }

    private static String indent(String text, int spaces) {
        String pad = " ".repeat(spaces);
        return text.lines().map(l -> pad + l).collect(Collectors.joining("\n", "", "\n"));
    }
}
