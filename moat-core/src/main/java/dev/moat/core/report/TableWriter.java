package dev.moat.core.report;

import dev.moat.core.Diagnostic;
import dev.moat.core.Finding;
import dev.moat.core.Report;
import dev.moat.core.Severity;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The default, human format. Findings are grouped by Kubernetes object, because that is what a
 * platform engineer fixes (one Deployment often spans several findings and a Helm chart several files),
 * and each line still starts its location with {@code file:line:col} so terminals and editors link it.
 *
 * <pre>
 * charts/broken.yaml:4:3: could not parse YAML
 *
 * Deployment/prod/api
 *   CRITICAL  MOAT-001  k8s/api.yaml:12:7 (chart/templates/deploy.yaml)  Container runs privileged
 *               evidence: securityContext.privileged: true
 *               remediation: Set privileged to false.
 *
 * 1 critical, 0 high, 0 medium, 0 low, 0 info (1 suppressed); 3 inputs analysed, 1 could not be read
 * </pre>
 */
final class TableWriter implements ReportWriter {

    private static final int SEVERITY_WIDTH = maxSeverityWidth();
    // Evidence and remediation start just right of the rule ID column, so they read as part of the line above.
    private static final String DETAIL_INDENT = " ".repeat(2 + SEVERITY_WIDTH + 2 + 2);

    @Override
    public void write(Report report, ReportOptions options, Writer out) throws IOException {
        out.write(render(report, options));
        out.flush();
    }

    private static String render(Report report, ReportOptions options) {
        Ansi ansi = new Ansi(options.color());
        List<String> lines = new ArrayList<>();
        for (Diagnostic d : report.diagnostics()) {
            lines.add(ansi.paint(Ansi.RED, d.toString()));
        }
        if (!lines.isEmpty()) {
            lines.add("");
        }

        List<Finding> shown = new ArrayList<>(report.active());
        if (options.showSuppressed()) {
            shown.addAll(report.suppressed());
        }
        int ruleWidth = shown.stream().mapToInt(f -> f.ruleId().length()).max().orElse(0);
        // Report order is most severe first, so each object's group appears where its worst active
        // finding ranks; suppressed findings come after everything that still needs fixing.
        Map<String, List<Finding>> byObject = shown.stream()
                .collect(Collectors.groupingBy(TableWriter::groupTitle, LinkedHashMap::new, Collectors.toList()));
        byObject.forEach((title, findings) -> {
            lines.add(ansi.paint(Ansi.BOLD, title));
            findings.forEach(f -> lines.addAll(findingLines(f, ruleWidth, ansi)));
            lines.add("");
        });
        if (shown.isEmpty()) {
            lines.add("No findings.");
            lines.add("");
        }
        lines.add(summary(report, ansi));
        return String.join("\n", lines) + "\n";
    }

    /** The object a finding is about, or its file when it is about no object in particular. */
    private static String groupTitle(Finding f) {
        return f.object().kind().isEmpty() && f.object().name().isEmpty() ? f.location().file() : f.object().toString();
    }

    private static List<String> findingLines(Finding f, int ruleWidth, Ansi ansi) {
        String severity = f.severity().name();
        // Padding stays outside the colour codes; a suppressed line is dimmed whole, not coloured.
        String padding = " ".repeat(SEVERITY_WIDTH - severity.length());
        String rest = "  " + pad(f.ruleId(), ruleWidth) + "  " + f.location().describe() + "  "
                + indentContinuation(f.message());
        List<String> lines = new ArrayList<>();
        List<String> details = new ArrayList<>(FindingText.details(f));
        if (f.suppressed()) {
            lines.add("  " + ansi.paint(Ansi.DIM, severity + padding + rest + "  [suppressed]"));
            details.add("suppressed: " + f.suppression().describe());
        } else {
            lines.add("  " + ansi.paint(Ansi.severity(f.severity()), severity) + padding + rest);
        }
        details.forEach(d -> lines.add(DETAIL_INDENT + indentContinuation(d)));
        return lines;
    }

    /** Keeps multi-line messages and evidence under their finding instead of at the left margin. */
    private static String indentContinuation(String text) {
        return text.replace("\n", "\n" + DETAIL_INDENT);
    }

    private static String summary(Report report, Ansi ansi) {
        Map<Severity, Integer> counts = report.countsBySeverity();
        String bySeverity = counts.entrySet().stream()
                .map(e -> {
                    String part = e.getValue() + " " + e.getKey().label();
                    return e.getValue() > 0 ? ansi.paint(Ansi.severity(e.getKey()), part) : part;
                })
                .collect(Collectors.joining(", "));
        int suppressed = report.suppressed().size();
        int analysed = report.inputsAnalysed();
        int unreadable = report.diagnostics().size();
        return bySeverity
                + (suppressed > 0 ? " (" + suppressed + " suppressed)" : "")
                + "; " + analysed + (analysed == 1 ? " input" : " inputs") + " analysed"
                + (unreadable > 0 ? ", " + unreadable + " could not be read" : "");
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }

    private static int maxSeverityWidth() {
        int width = 0;
        for (Severity s : Severity.values()) {
            width = Math.max(width, s.name().length());
        }
        return width;
    }

    /** ANSI styling that disappears entirely when colour is off, so plain output has no escape codes. */
    private record Ansi(boolean enabled) {
        static final String BOLD = "1";
        static final String DIM = "2";
        static final String RED = "31";

        static String severity(Severity severity) {
            return switch (severity) {
                case CRITICAL -> "1;31";
                case HIGH -> "31";
                case MEDIUM -> "33";
                case LOW -> "36";
                case INFO -> "2";
            };
        }

        String paint(String code, String text) {
            return enabled ? "\u001B[" + code + "m" + text + "\u001B[0m" : text;
        }
    }
}
