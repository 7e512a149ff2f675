package dev.moat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScanCommandTest {

    private static final String INSECURE = "../examples/insecure-inference";
    private static final String HARDENED = "../examples/hardened-inference";
    /** The fake Hugging Face token the insecure example carries; no output may contain it. */
    private static final String EXAMPLE_TOKEN = exampleToken();

    @TempDir
    Path tmp;

    private static String exampleToken() {
        try {
            String yaml = Files.readString(Path.of(INSECURE, "vllm-deployment.yaml"));
            int start = yaml.indexOf("hf_");
            return yaml.substring(start, yaml.indexOf('\n', start)).trim();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void insecureExampleFailsWithLocatedFindings() {
        CliRun run = CliRun.of("scan", INSECURE, "--no-color");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out())
                .contains("MOAT-RUN-001")
                .contains("MOAT-SEC-001")
                .containsPattern("vllm-deployment\\.yaml:\\d+:\\d+")
                .containsPattern("[1-9] critical");
    }

    @Test
    void hardenedExampleIsClean() {
        CliRun run = CliRun.of("scan", HARDENED);
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("0 critical, 0 high, 0 medium, 0 low, 0 info");
    }

    @ParameterizedTest
    @ValueSource(strings = {"table", "json", "sarif", "junit"})
    void noFormatEverPrintsTheLiteralKey(String format) {
        CliRun run = CliRun.of("scan", INSECURE, "--format", format, "--show-suppressed");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(EXAMPLE_TOKEN).startsWith("hf_").hasSizeGreaterThan(30);
        assertThat(run.all()).doesNotContain(EXAMPLE_TOKEN).doesNotContain(EXAMPLE_TOKEN.substring(4, 20));
    }

    @Test
    void jsonReportCarriesLocationsAndSummary() throws IOException {
        CliRun run = CliRun.of("scan", INSECURE, "--format", "json");
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.path("findings").size()).isGreaterThanOrEqualTo(5);
        for (JsonNode f : json.path("findings")) {
            assertThat(f.path("location").path("line").asInt()).isPositive();
            assertThat(f.path("location").path("file").asText()).contains("insecure-inference");
        }
        assertThat(json.path("summary").path("critical").asInt()).isEqualTo(
                (int) java.util.stream.StreamSupport.stream(json.path("findings").spliterator(), false)
                        .filter(f -> f.path("severity").asText().equals("critical")).count()).isPositive();
    }

    @Test
    void failOnThresholdDecidesTheExitCode() throws IOException {
        Path manifest = write("mutable.yaml", deployment("nginx:latest", ""));
        assertThat(CliRun.of("scan", manifest.toString()).exitCode()).isZero();
        assertThat(CliRun.of("scan", manifest.toString(), "--fail-on", "medium").exitCode()).isEqualTo(1);
        assertThat(CliRun.of("scan", manifest.toString(), "--fail-on", "bogus").exitCode()).isEqualTo(2);
    }

    @Test
    void badInputIsReportedAndTheOtherInputsStillAnalysed() throws IOException {
        Path broken = write("broken.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: indent\n");
        Path good = write("good.yaml", deployment("nginx:latest", "        securityContext:\n          privileged: true\n"));
        CliRun run = CliRun.of("scan", broken.toString(), good.toString(), "--format", "json");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).containsPattern("broken\\.yaml:5:\\d+: invalid YAML");
        assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(run.out()).contains("MOAT-RUN-001");
    }

    @Test
    void nothingAnalysableExitsTwo() {
        CliRun run = CliRun.of("scan", tmp.resolve("does-not-exist.yaml").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).contains("no such file or directory");
    }

    @Test
    void readsStandardInput() {
        CliRun run = CliRun.withStdin(deployment("nginx", "        securityContext:\n          privileged: true\n"),
                "scan", "-", "--format", "json");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("<stdin>").contains("MOAT-RUN-001");
    }

    @Test
    void helmSourceCommentsNameTheTemplate() {
        String rendered = "---\n# Source: llm/templates/deployment.yaml\n"
                + deployment("nginx", "        securityContext:\n          privileged: true\n");
        CliRun run = CliRun.withStdin(rendered, "scan", "-", "--no-color");
        assertThat(run.out()).contains("(llm/templates/deployment.yaml)");
    }

    @Test
    void annotationSuppressesAndShowSuppressedRevealsIt() throws IOException {
        Path manifest = write("suppressed.yaml", deployment("nginx", "        securityContext:\n          privileged: true\n")
                .replace("  name: web\n", "  name: web\n  annotations:\n    ignore.moat.dev/MOAT-RUN-001: \"driver needs device access\"\n"));
        CliRun hidden = CliRun.of("scan", manifest.toString(), "--format", "json");
        assertThat(hidden.exitCode()).isZero();
        CliRun shown = CliRun.of("scan", manifest.toString(), "--show-suppressed", "--no-color");
        assertThat(shown.out()).contains("MOAT-RUN-001").contains("driver needs device access");
    }

    @Test
    void configDisablesRulesAndReportsUnknownOnes() throws IOException {
        Path manifest = write("priv.yaml", deployment("nginx", "        securityContext:\n          privileged: true\n"));
        Path config = write("moat.yaml", "rules:\n  MOAT-RUN-001: off\n");
        assertThat(CliRun.of("scan", manifest.toString(), "--config", config.toString()).exitCode()).isZero();
        Path typo = write("typo.yaml", "rules:\n  MOAT-RUN-999: off\n");
        CliRun run = CliRun.of("scan", manifest.toString(), "--config", typo.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("typo.yaml:2:3").contains("unknown rule 'MOAT-RUN-999'");
    }

    @Test
    void outputOptionWritesTheReportToAFile() throws IOException {
        Path report = tmp.resolve("out/report.sarif");
        CliRun run = CliRun.of("scan", INSECURE, "--format", "sarif", "--output", report.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(Files.readString(report, StandardCharsets.UTF_8)).containsPattern("\"version\"\\s*:\\s*\"2.1.0\"");
    }

    @Test
    void unknownFormatIsAUsageError() {
        CliRun run = CliRun.of("scan", HARDENED, "--format", "xml");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("xml");
    }

    private Path write(String name, String content) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private static String deployment(String image, String containerExtras) {
        return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n"
                + "    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n"
                + "        image: " + image + "\n" + containerExtras;
    }
}
