package dev.moat.core.report;

import static dev.moat.core.report.SampleReports.render;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Report;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableWriterTest {

    private static final String ESC = "\u001B[";

    /** The whole layout at once, so a reviewer can see what users see (src/test/resources/report/). */
    @Test
    void rendersTheFullReportAsDocumented() throws IOException {
        assertThat(render(ReportFormat.TABLE, SampleReports.full())).isEqualTo(resource("report/table-full.txt"));
    }

    @Test
    void listsDiagnosticsFirstAsCompilerStyleLines() {
        List<String> lines = render(ReportFormat.TABLE, SampleReports.full()).lines().toList();
        assertThat(lines.get(0)).isEqualTo("k8s/broken.yaml:4:3: could not parse YAML: mapping values are not allowed here");
        assertThat(lines.get(1)).isEmpty();
    }

    @Test
    void groupsByObjectWithTheMostSevereObjectFirst() {
        List<String> headers = render(ReportFormat.TABLE, SampleReports.full()).lines()
                .filter(l -> l.matches("[A-Z][A-Za-z]*/\\S+"))
                .toList();
        assertThat(headers).containsExactly("Deployment/prod/api", "Ingress/prod/api");
    }

    @Test
    void showsSeverityRuleLocationWithHelmTemplateAndMessageOnOneLine() {
        assertThat(render(ReportFormat.TABLE, SampleReports.full())).contains(
                "  CRITICAL  MOAT-K8S-001  rendered.yaml:12:7 (llm/templates/deployment.yaml)  Container 'server' runs privileged\n"
                        + "              evidence: securityContext.privileged: true\n"
                        + "              remediation: Set securityContext.privileged to false.\n");
    }

    @Test
    void passesRedactedEvidenceThroughUnchanged() {
        assertThat(render(ReportFormat.TABLE, SampleReports.full()))
                .contains("evidence: " + SampleReports.SECRET_LIKE_EVIDENCE + "\n");
    }

    @Test
    void keepsMultiLineMessagesIndentedUnderTheirFinding() {
        assertThat(render(ReportFormat.TABLE, SampleReports.full()))
                .contains("exposes /admin & \"debug\" endpoints\n              without auth\n");
    }

    @Test
    void hidesSuppressedFindingsByDefaultButCountsThem() {
        String table = render(ReportFormat.TABLE, SampleReports.full());
        assertThat(table).doesNotContain("gpu-driver", "model-admin", "suppressed:", "[suppressed]");
        assertThat(table.lines().reduce((a, b) -> b).orElseThrow())
                .isEqualTo("1 critical, 2 high, 1 medium, 0 low, 0 info (2 suppressed); 12 inputs analysed, 1 could not be read");
    }

    @Test
    void showsSuppressedFindingsMarkedAndWithTheirReasonWhenAsked() {
        String table = render(ReportFormat.TABLE, SampleReports.full(), new ReportOptions(false, true));
        assertThat(table)
                .contains("DaemonSet/kube-system/gpu-driver\n"
                        + "  CRITICAL  MOAT-K8S-001   k8s/system/gpu driver.yaml:0:0  Container 'driver' runs privileged  [suppressed]\n")
                .contains("              suppressed: annotation: GPU driver needs host access (until 2027-01-31)\n")
                .contains("              suppressed: config exemption: reviewed in SEC-42\n");
    }

    @Test
    void saysSoWhenThereIsNothingToShow() {
        Report onlySuppressed = SampleReports.with(List.of(SampleReports.suppressedByConfig()));
        assertThat(render(ReportFormat.TABLE, onlySuppressed))
                .isEqualTo("No findings.\n\n0 critical, 0 high, 0 medium, 0 low, 0 info (1 suppressed); 1 input analysed\n");
        assertThat(render(ReportFormat.TABLE, SampleReports.clean()))
                .isEqualTo("No findings.\n\n0 critical, 0 high, 0 medium, 0 low, 0 info; 3 inputs analysed\n");
    }

    @Test
    void usesColourOnlyWhenAsked() {
        assertThat(render(ReportFormat.TABLE, SampleReports.full())).doesNotContain(ESC);
        String coloured = render(ReportFormat.TABLE, SampleReports.full(), new ReportOptions(true, false));
        assertThat(coloured)
                .contains(ESC + "1;31mCRITICAL" + ESC + "0m  MOAT-K8S-001")
                .contains(ESC + "1mDeployment/prod/api" + ESC + "0m")
                .contains(ESC + "33m1 medium" + ESC + "0m, 0 low");
        // Colour must not change the text, only decorate it.
        assertThat(coloured.replaceAll("\u001B\\[[0-9;]*m", "")).isEqualTo(render(ReportFormat.TABLE, SampleReports.full()));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = TableWriterTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
