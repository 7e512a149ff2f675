package dev.moat.core.report;

/**
 * How to render a report.
 *
 * @param color          ANSI colour in the table format; the CLI sets it only when writing to a
 *                       terminal, so files and CI logs stay plain text
 * @param showSuppressed list suppressed findings in the table format too. Machine formats (JSON,
 *                       SARIF, JUnit) always carry them, marked, so every exemption stays auditable
 */
public record ReportOptions(boolean color, boolean showSuppressed) {

    /** Plain text, suppressed findings counted but not listed. */
    public static final ReportOptions DEFAULT = new ReportOptions(false, false);
}
