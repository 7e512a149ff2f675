package dev.moat.models;

import dev.moat.core.Diagnostic;
import dev.moat.core.Finding;
import dev.moat.core.Severity;
import java.util.List;

/**
 * What a scan of one model file found.
 *
 * @param file     the name given to the scan (a path, or {@code <stdin>})
 * @param format   the detected outer format
 * @param findings one finding per global outside the profile (or unresolvable import), in stream order
 * @param errors   inputs or parts that could not be inspected; a file with errors is never "clean"
 * @param notes    informational observations (trailing bytes, FRAME irregularities, encrypted flags...)
 * @param globals  every global referenced, allowed or not, with the entry it came from
 */
public record ModelScanResult(String file, ModelFormat format, List<Finding> findings, List<Diagnostic> errors,
                              List<Diagnostic> notes, List<ScannedGlobal> globals) {

    /** A global and the archive entry it was found in ({@code ""} for the file itself). */
    public record ScannedGlobal(String entry, PickleGlobal global) {
    }

    public ModelScanResult {
        findings = List.copyOf(findings);
        errors = List.copyOf(errors);
        notes = List.copyOf(notes);
        globals = List.copyOf(globals);
    }

    /** True when some finding is at or above {@code threshold}. */
    public boolean hasFindingAtLeast(Severity threshold) {
        return findings.stream().anyMatch(f -> f.severity().atLeast(threshold));
    }
}
