package dev.moat.cli;

import dev.moat.core.Diagnostic;
import dev.moat.core.Report;
import dev.moat.core.Severity;
import dev.moat.core.report.ReportFormat;
import dev.moat.core.report.ReportOptions;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Output options every report-producing command shares. */
final class OutputOptions {

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "Output format: table, json, sarif or junit (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the report to FILE instead of standard output.")
    Path output;

    @Option(names = "--fail-on", paramLabel = "SEVERITY",
            description = "Exit 1 when a finding is at or above SEVERITY: critical, high, medium, low or info "
                    + "(default: the config file's failOn, else high).")
    String failOn;

    @Option(names = "--show-suppressed", description = "Also show suppressed findings, with the reason for each.")
    boolean showSuppressed;

    @Option(names = "--no-color", description = "Never colour the table (colour is used only on a terminal, and never when NO_COLOR is set).")
    boolean noColor;

    ReportFormat reportFormat() {
        try {
            return ReportFormat.parse(format);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
    }

    Severity threshold(java.util.Optional<Severity> fromConfig) {
        if (failOn == null) {
            return fromConfig.orElse(Severity.HIGH);
        }
        try {
            return Severity.parse(failOn);
        } catch (IllegalArgumentException e) {
            throw new UsageError("--fail-on: " + e.getMessage());
        }
    }

    /**
     * Writes the report where the user asked. Input errors also go to standard error, one line each,
     * whenever the report itself is not a table on the terminal, so they are never hidden in a file.
     */
    void emit(Report report, PrintWriter out, PrintWriter err) {
        ReportFormat f = reportFormat();
        boolean tableOnStdout = f == ReportFormat.TABLE && output == null;
        if (!tableOnStdout) {
            for (Diagnostic d : report.diagnostics()) {
                err.println(d);
            }
        }
        boolean color = tableOnStdout && !noColor && System.console() != null && System.getenv("NO_COLOR") == null;
        ReportOptions options = new ReportOptions(color, showSuppressed);
        try {
            if (output == null) {
                f.write(report, options, out);
                out.flush();
            } else {
                Path parent = output.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                try (Writer w = new OutputStreamWriter(Files.newOutputStream(output), StandardCharsets.UTF_8)) {
                    f.write(report, options, w);
                }
            }
        } catch (IOException e) {
            throw new UsageError("cannot write " + (output == null ? "the report" : output) + ": " + e.getMessage());
        }
    }
}
