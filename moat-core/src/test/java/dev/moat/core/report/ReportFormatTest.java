package dev.moat.core.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ReportFormatTest {

    @Test
    void parsesNamesCaseInsensitively() {
        assertThat(ReportFormat.parse("sarif")).isEqualTo(ReportFormat.SARIF);
        assertThat(ReportFormat.parse(" JUnit ")).isEqualTo(ReportFormat.JUNIT);
        assertThat(ReportFormat.parse("Table")).isEqualTo(ReportFormat.TABLE);
        assertThat(ReportFormat.parse("json")).isEqualTo(ReportFormat.JSON);
    }

    @Test
    void rejectsUnknownNamesListingTheAllowedOnes() {
        assertThatThrownBy(() -> ReportFormat.parse("xml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown report format 'xml' (expected one of: table, json, sarif, junit)");
        assertThatThrownBy(() -> ReportFormat.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The CLI passes standard output; a writer that closed it would lose everything printed after. */
    @ParameterizedTest
    @EnumSource(ReportFormat.class)
    void writesWithoutClosingTheCallersWriter(ReportFormat format) throws IOException {
        CloseTrackingWriter out = new CloseTrackingWriter();
        format.write(SampleReports.full(), ReportOptions.DEFAULT, out);
        assertThat(out.closed).isFalse();
        assertThat(out.toString()).isNotBlank().endsWith("\n");
        out.write("after");
        assertThat(out.toString()).endsWith("\nafter");
    }

    private static final class CloseTrackingWriter extends StringWriter {
        boolean closed;

        @Override
        public void close() throws IOException {
            closed = true;
            super.close();
        }
    }
}
