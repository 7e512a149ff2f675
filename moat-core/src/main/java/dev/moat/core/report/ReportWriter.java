package dev.moat.core.report;

import dev.moat.core.Report;
import java.io.IOException;
import java.io.Writer;

/** Renders a {@link Report} in one output format. */
@FunctionalInterface
public interface ReportWriter {

    /**
     * Writes the whole report to {@code out} and flushes it. Never closes {@code out}: it belongs to
     * the caller and is often standard output.
     */
    void write(Report report, ReportOptions options, Writer out) throws IOException;
}
