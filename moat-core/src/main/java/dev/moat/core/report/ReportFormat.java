package dev.moat.core.report;

import dev.moat.core.Report;
import java.io.IOException;
import java.io.Writer;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The output formats of every Moat command; {@link #TABLE} is the default. */
public enum ReportFormat implements ReportWriter {
    /** Human-readable text, grouped by Kubernetes object. */
    TABLE(new TableWriter()),
    /** Moat's own versioned JSON; its schema is {@code docs/report-schema.json}. */
    JSON(new JsonReportWriter()),
    /** SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. */
    SARIF(new SarifWriter()),
    /** JUnit XML for CI test-result views. */
    JUNIT(new JUnitWriter());

    private final ReportWriter writer;

    ReportFormat(ReportWriter writer) {
        this.writer = writer;
    }

    /** The name users type, e.g. {@code sarif}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public void write(Report report, ReportOptions options, Writer out) throws IOException {
        writer.write(report, options, out);
    }

    /** Parses a user-supplied format name, case-insensitively; throws with the allowed names otherwise. */
    public static ReportFormat parse(String text) {
        if (text != null) {
            for (ReportFormat format : values()) {
                if (format.label().equalsIgnoreCase(text.strip())) {
                    return format;
                }
            }
        }
        String allowed = Arrays.stream(values()).map(ReportFormat::label).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("unknown report format '" + text + "' (expected one of: " + allowed + ")");
    }
}
