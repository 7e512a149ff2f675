package dev.moat.core.report;

import dev.moat.core.Finding;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Text derived from findings that more than one format needs. */
final class FindingText {

    private FindingText() {
    }

    /** Collapses line breaks and runs of blanks, for places that hold a single line (XML attributes). */
    static String oneLine(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s+", " ");
    }

    /** The evidence and remediation lines shown beneath a finding, skipping empty ones. */
    static List<String> details(Finding finding) {
        List<String> lines = new ArrayList<>(2);
        if (!finding.evidence().isBlank()) {
            lines.add("evidence: " + finding.evidence());
        }
        if (!finding.remediation().isBlank()) {
            lines.add("remediation: " + finding.remediation());
        }
        return lines;
    }

    /**
     * Identifies a finding across runs so code scanning and baselines can match it up. The line and
     * column are deliberately left out: editing lines above a finding must not make it look new.
     */
    static String fingerprint(Finding finding) {
        String identity = String.join("\u0000", finding.ruleId(), finding.object().toString(),
                finding.location().file(), finding.message());
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
