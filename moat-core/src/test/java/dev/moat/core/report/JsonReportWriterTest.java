package dev.moat.core.report;

import static dev.moat.core.report.SampleReports.render;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.SpecVersion;
import dev.moat.core.Report;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JsonReportWriterTest {

    /** The published schema itself, not a copy, so docs and code cannot drift apart unnoticed. */
    private static final Path SCHEMA = Path.of("..", "docs", "report-schema.json");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonSchema schema;

    @BeforeAll
    static void loadSchema() {
        schema = SchemaAssertions.load(SpecVersion.VersionFlag.V202012, SCHEMA);
    }

    @Test
    void outputValidatesAgainstThePublishedSchema() throws IOException {
        for (Report report : List.of(SampleReports.full(), SampleReports.clean())) {
            assertThat(SchemaAssertions.violations(schema, json(report))).isEmpty();
        }
    }

    @Test
    void schemaVersionInOutputMatchesThePublishedSchema() throws IOException {
        JsonNode published = MAPPER.readTree(SCHEMA.toFile());
        assertThat(published.at("/properties/schemaVersion/const").asText())
                .isEqualTo(JsonReportWriter.SCHEMA_VERSION)
                .isEqualTo(json(SampleReports.clean()).get("schemaVersion").asText());
    }

    /** Guards against a schema so loose that the validation above proves nothing. */
    @Test
    void schemaRejectsUndocumentedOrInconsistentOutput() throws IOException {
        ObjectNode extraField = json(SampleReports.full());
        ((ObjectNode) extraField.at("/findings/1/location")).put("offset", 3);
        assertRejectedAt(extraField, "/findings/1/location");

        ObjectNode extraErrorField = json(SampleReports.full());
        ((ObjectNode) extraErrorField.at("/errors/0")).put("offset", 3);
        assertRejectedAt(extraErrorField, "/errors/0");

        ObjectNode suppressedWithoutWhy = json(SampleReports.full());
        ((ObjectNode) suppressedWithoutWhy.at("/findings/0")).remove("suppression");
        assertRejectedAt(suppressedWithoutWhy, "/findings/0");

        ObjectNode badSeverity = json(SampleReports.full());
        ((ObjectNode) badSeverity.at("/findings/1")).put("severity", "urgent");
        assertRejectedAt(badSeverity, "/findings/1/severity");

        ObjectNode badDate = json(SampleReports.full());
        ((ObjectNode) badDate.at("/findings/0/suppression")).put("expires", "next year");
        assertRejectedAt(badDate, "/findings/0/suppression/expires");
    }

    @Test
    void summaryCountsActiveFindingsAndCarriesTheExitCode() throws IOException {
        JsonNode summary = json(SampleReports.full()).get("summary");
        assertThat(summary.get("critical").asInt()).isEqualTo(1);
        assertThat(summary.get("high").asInt()).isEqualTo(2);
        assertThat(summary.get("medium").asInt()).isEqualTo(1);
        assertThat(summary.get("low").asInt()).isZero();
        assertThat(summary.get("suppressed").asInt()).isEqualTo(2);
        assertThat(summary.get("inputsAnalysed").asInt()).isEqualTo(12);
        assertThat(summary.get("inputErrors").asInt()).isEqualTo(1);
        assertThat(summary.get("failOn").asText()).isEqualTo("high");
        assertThat(summary.get("exitCode").asInt()).isEqualTo(1);
        assertThat(json(SampleReports.clean()).at("/summary/exitCode").asInt()).isZero();
    }

    @Test
    void listsEveryFindingMostSevereFirstIncludingSuppressedOnes() throws IOException {
        JsonNode findings = json(SampleReports.full()).get("findings");
        assertThat(StreamSupport.stream(findings.spliterator(), false).map(f -> f.get("severity").asText()))
                .containsExactly("critical", "critical", "high", "high", "high", "medium");
        assertThat(StreamSupport.stream(findings.spliterator(), false).filter(f -> f.get("suppressed").asBoolean()))
                .hasSize(2);
    }

    @Test
    void describesSuppressionsWithExpiryOnlyWhenThereIsOne() throws IOException {
        JsonNode findings = json(SampleReports.full()).get("findings");
        JsonNode annotation = findings.get(0).get("suppression");
        assertThat(annotation.get("source").asText()).isEqualTo("annotation");
        assertThat(annotation.get("reason").asText()).isEqualTo("GPU driver needs host access");
        assertThat(annotation.get("expires").asText()).isEqualTo("2027-01-31");
        JsonNode config = findingFor(findings, "MOAT-RBAC-003").get("suppression");
        assertThat(config.get("source").asText()).isEqualTo("config");
        assertThat(config.has("expires")).isFalse();
        assertThat(findingFor(findings, "MOAT-NET-002").has("suppression")).isFalse();
    }

    @Test
    void includesTheHelmTemplateOnlyWhenKnown() throws IOException {
        JsonNode findings = json(SampleReports.full()).get("findings");
        assertThat(findings.at("/1/location/template").asText()).isEqualTo("llm/templates/deployment.yaml");
        assertThat(findingFor(findings, "MOAT-NET-002").get("location").has("template")).isFalse();
    }

    @Test
    void keepsTextExactlyAsRulesWroteIt() throws IOException {
        JsonNode findings = json(SampleReports.full()).get("findings");
        assertThat(findingFor(findings, "MOAT-AI-004").get("evidence").asText()).isEqualTo(SampleReports.SECRET_LIKE_EVIDENCE);
        assertThat(findingFor(findings, "MOAT-NET-002").get("message").asText()).isEqualTo(SampleReports.TRICKY_MESSAGE);
        assertThat(findingFor(findings, "MOAT-AI-004").at("/location/file").asText()).isEqualTo("k8s\\prod\\api.yaml");
    }

    @Test
    void writesObjectsWithEmptyNamespaceForClusterScopedOnes() throws IOException {
        JsonNode object = findingFor(json(SampleReports.full()).get("findings"), "MOAT-RBAC-003").get("object");
        assertThat(object.get("kind").asText()).isEqualTo("ClusterRole");
        assertThat(object.get("namespace").asText()).isEmpty();
        assertThat(object.get("name").asText()).isEqualTo("model-admin");
    }

    private static void assertRejectedAt(JsonNode document, String path) {
        assertThat(SchemaAssertions.violations(schema, document)).anySatisfy(v -> assertThat(v).startsWith(path + ":"));
    }

    private static JsonNode findingFor(JsonNode findings, String ruleId) {
        return StreamSupport.stream(findings.spliterator(), false)
                .filter(f -> f.get("ruleId").asText().equals(ruleId))
                .findFirst()
                .orElseThrow();
    }

    private static ObjectNode json(Report report) throws IOException {
        return (ObjectNode) MAPPER.readTree(render(ReportFormat.JSON, report));
    }
}
