/**
 * Renders a {@link dev.moat.core.Report} in each output format: {@link dev.moat.core.report.ReportFormat}
 * names them and writes through {@link dev.moat.core.report.ReportWriter}. Every format takes findings as
 * they come, evidence already redacted, and never changes what a finding says.
 */
package dev.moat.core.report;
