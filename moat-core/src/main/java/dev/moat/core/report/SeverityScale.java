package dev.moat.core.report;

import dev.moat.core.Severity;

/** How Moat's severities map onto the scales of other formats, in one place so they cannot drift. */
final class SeverityScale {

    private SeverityScale() {
    }

    /** SARIF {@code level}: GitHub shows errors and warnings prominently and notes quietly. */
    static String sarifLevel(Severity severity) {
        return switch (severity) {
            case CRITICAL, HIGH -> "error";
            case MEDIUM -> "warning";
            case LOW, INFO -> "note";
        };
    }

    /**
     * GitHub's {@code security-severity} (a CVSS-like score). Each value sits inside GitHub's band for
     * the same name (critical above 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9), so alerts show the
     * severity Moat reported.
     */
    static String securitySeverity(Severity severity) {
        return switch (severity) {
            case CRITICAL -> "9.5";
            case HIGH -> "8.0";
            case MEDIUM -> "5.5";
            case LOW -> "3.0";
            case INFO -> "0.0";
        };
    }
}
