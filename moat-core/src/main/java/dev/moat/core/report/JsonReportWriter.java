package dev.moat.core.report;

import static dev.moat.core.report.JsonOutput.object;
import static dev.moat.core.report.JsonOutput.putIfPresent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.moat.core.Diagnostic;
import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Report;
import dev.moat.core.SourceLocation;
import dev.moat.core.Suppression;
import java.io.IOException;
import java.io.Writer;
import java.util.Locale;
import java.util.Objects;

/**
 * Moat's own JSON, described by {@code docs/report-schema.json}. Scripts depend on its shape, so any
 * change bumps {@link #SCHEMA_VERSION} and the schema with it: the minor version for added fields, the
 * major version for anything removed or changed.
 */
final class JsonReportWriter implements ReportWriter {

    static final String SCHEMA_VERSION = "1.0";

    @Override
    public void write(Report report, ReportOptions options, Writer out) throws IOException {
        JsonOutput.write(toJson(report), out);
    }

    static ObjectNode toJson(Report report) {
        ObjectNode root = object().put("schemaVersion", SCHEMA_VERSION);
        root.set("tool", object().put("name", "moat").put("version", Objects.toString(report.toolVersion(), "unknown")));
        root.put("command", Objects.toString(report.command(), ""));
        root.set("summary", summary(report));
        ArrayNode errors = root.putArray("errors");
        report.diagnostics().forEach(d -> errors.add(error(d)));
        ArrayNode findings = root.putArray("findings");
        report.findings().forEach(f -> findings.add(finding(f)));
        return root;
    }

    private static ObjectNode summary(Report report) {
        ObjectNode summary = object();
        report.countsBySeverity().forEach((severity, count) -> summary.put(severity.label(), count));
        return summary
                .put("suppressed", report.suppressed().size())
                .put("inputsAnalysed", report.inputsAnalysed())
                .put("inputErrors", report.diagnostics().size())
                .put("failOn", report.failOn().label())
                .put("exitCode", report.exitCode().code());
    }

    private static ObjectNode error(Diagnostic diagnostic) {
        return location(diagnostic.location()).put("message", diagnostic.message());
    }

    private static ObjectNode finding(Finding f) {
        ObjectNode node = object()
                .put("ruleId", f.ruleId())
                .put("severity", f.severity().label())
                .put("category", f.category());
        node.set("object", objectRef(f.object()));
        node.set("location", location(f.location()));
        node.put("message", f.message())
                .put("evidence", f.evidence())
                .put("remediation", f.remediation())
                .put("fingerprint", FindingText.fingerprint(f))
                .put("suppressed", f.suppressed());
        if (f.suppressed()) {
            node.set("suppression", suppression(f.suppression()));
        }
        return node;
    }

    private static ObjectNode objectRef(ObjectRef ref) {
        return object().put("kind", ref.kind()).put("namespace", ref.namespace()).put("name", ref.name());
    }

    private static ObjectNode location(SourceLocation at) {
        ObjectNode node = object().put("file", at.file()).put("line", at.line()).put("column", at.column());
        return putIfPresent(node, "template", at.template());
    }

    private static ObjectNode suppression(Suppression s) {
        ObjectNode node = object()
                .put("source", s.source().name().toLowerCase(Locale.ROOT))
                .put("reason", Objects.toString(s.reason(), ""));
        return s.expires() == null ? node : node.put("expires", s.expires().toString());
    }
}
