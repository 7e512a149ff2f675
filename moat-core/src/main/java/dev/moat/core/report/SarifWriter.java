package dev.moat.core.report;

import static dev.moat.core.report.JsonOutput.object;
import static dev.moat.core.report.JsonOutput.putIfPresent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.moat.core.Diagnostic;
import dev.moat.core.ExitCode;
import dev.moat.core.Finding;
import dev.moat.core.Report;
import dev.moat.core.RuleInfo;
import dev.moat.core.SourceLocation;
import dev.moat.core.Suppression;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * SARIF 2.1.0 as GitHub code scanning accepts it. Suppressed findings are always included, carrying
 * their suppression, so code scanning shows them as dismissed instead of reopening them as fixed.
 */
final class SarifWriter implements ReportWriter {

    static final String SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";
    static final String INFORMATION_URI = "https://moat.dev";
    /** Versioned so a future change of what is hashed does not silently re-key existing alerts. */
    static final String FINGERPRINT_KEY = "moat/v1";
    static final String SOURCE_ROOT = "%SRCROOT%";

    private static final Pattern ABSOLUTE_PATH = Pattern.compile("^(/|[A-Za-z]:/).*");

    @Override
    public void write(Report report, ReportOptions options, Writer out) throws IOException {
        JsonOutput.write(toSarif(report), out);
    }

    static ObjectNode toSarif(Report report) {
        List<RuleInfo> rules = RuleCatalog.of(report);
        Map<String, Integer> ruleIndex = new HashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            ruleIndex.put(rules.get(i).id(), i);
        }

        ObjectNode run = object();
        run.set("tool", object().set("driver", driver(report, rules)));
        run.putArray("invocations").add(invocation(report));
        ArrayNode results = run.putArray("results");
        report.findings().forEach(f -> results.add(result(f, ruleIndex.get(f.ruleId()))));
        // Columns come from the YAML parser, which counts code points, not UTF-16 units.
        run.put("columnKind", "unicodeCodePoints");

        ObjectNode log = object().put("$schema", SCHEMA_URI).put("version", "2.1.0");
        log.putArray("runs").add(run);
        return log;
    }

    private static ObjectNode driver(Report report, List<RuleInfo> rules) {
        ObjectNode driver = object().put("name", "Moat").put("informationUri", INFORMATION_URI);
        putIfPresent(driver, "version", report.toolVersion());
        putIfPresent(driver, "semanticVersion", report.toolVersion());
        ArrayNode descriptors = driver.putArray("rules");
        rules.forEach(rule -> descriptors.add(rule(rule)));
        return driver;
    }

    private static ObjectNode rule(RuleInfo rule) {
        String title = rule.title() == null || rule.title().isBlank() ? rule.id() : rule.title();
        String rationale = rule.rationale() == null || rule.rationale().isBlank() ? title : rule.rationale();
        ObjectNode node = object().put("id", rule.id()).put("name", pascalCase(title));
        node.set("shortDescription", text(title));
        node.set("fullDescription", text(rationale));
        node.set("help", help(title, rationale, rule));
        node.set("defaultConfiguration", object().put("level", SeverityScale.sarifLevel(rule.severity())));
        ObjectNode properties = node.putObject("properties");
        // GitHub lists a rule's alerts under Security only when it is tagged "security".
        Set<String> tags = new LinkedHashSet<>(List.of("security"));
        if (rule.category() != null && !rule.category().isBlank()) {
            tags.add(rule.category());
        }
        tags.forEach(properties.putArray("tags")::add);
        properties.put("security-severity", SeverityScale.securitySeverity(rule.severity()));
        properties.put("precision", "high");
        return node;
    }

    private static ObjectNode help(String title, String rationale, RuleInfo rule) {
        StringBuilder text = new StringBuilder(title).append("\n\n").append(rationale);
        StringBuilder markdown = new StringBuilder("**").append(title).append("**\n\n").append(rationale);
        if (rule.remediation() != null && !rule.remediation().isBlank()) {
            text.append("\n\nRemediation: ").append(rule.remediation());
            markdown.append("\n\n**Remediation:** ").append(rule.remediation());
        }
        if (!rule.peers().isEmpty()) {
            text.append("\n\nEquivalent checks: ").append(String.join(", ", rule.peers()));
            markdown.append("\n\nEquivalent checks: `").append(String.join("`, `", rule.peers())).append('`');
        }
        return object().put("text", text.toString()).put("markdown", markdown.toString());
    }

    private static ObjectNode result(Finding f, int ruleIndex) {
        ObjectNode result = object()
                .put("ruleId", f.ruleId())
                .put("ruleIndex", ruleIndex)
                .put("level", SeverityScale.sarifLevel(f.severity()));
        // GitHub shows only the message, not properties, so the evidence has to be in it to be seen.
        String message = f.evidence().isEmpty() ? f.message() : f.message() + "\n\nEvidence: " + f.evidence();
        result.set("message", text(message));

        ObjectNode location = object();
        location.set("physicalLocation", physicalLocation(f.location()));
        location.putArray("logicalLocations").add(object()
                .put("name", f.object().name())
                .put("fullyQualifiedName", f.object().toString())
                .put("kind", "resource"));
        result.putArray("locations").add(location);

        result.putObject("partialFingerprints").put(FINGERPRINT_KEY, FindingText.fingerprint(f));
        if (f.suppressed()) {
            result.putArray("suppressions").add(suppression(f.suppression()));
        }
        ObjectNode properties = result.putObject("properties")
                .put("severity", f.severity().label())
                .put("object", f.object().toString());
        putIfPresent(properties, "category", f.category());
        putIfPresent(properties, "evidence", f.evidence());
        putIfPresent(properties, "helmTemplate", f.location().template());
        return result;
    }

    private static ObjectNode suppression(Suppression s) {
        ObjectNode node = object()
                .put("kind", s.source() == Suppression.Source.ANNOTATION ? "inSource" : "external")
                .put("status", "accepted")
                .put("justification", s.reason() == null ? "" : s.reason());
        if (s.expires() != null) {
            node.putObject("properties").put("expires", s.expires().toString());
        }
        return node;
    }

    private static ObjectNode invocation(Report report) {
        // Unreadable inputs are reported but do not make the run a failure unless nothing could be read.
        ObjectNode invocation = object()
                .put("executionSuccessful", report.exitCode() != ExitCode.USAGE)
                .put("exitCode", report.exitCode().code());
        ArrayNode notifications = invocation.putArray("toolExecutionNotifications");
        report.diagnostics().forEach(d -> notifications.add(notification(d)));
        return invocation;
    }

    private static ObjectNode notification(Diagnostic diagnostic) {
        ObjectNode notification = object().put("level", "error");
        notification.set("message", text(diagnostic.message()));
        notification.putArray("locations").addObject().set("physicalLocation", physicalLocation(diagnostic.location()));
        return notification;
    }

    private static ObjectNode physicalLocation(SourceLocation at) {
        ObjectNode physical = object();
        physical.set("artifactLocation", artifactLocation(at.file()));
        // SARIF lines and columns start at 1 and GitHub drops results without a line, so clamp.
        physical.putObject("region")
                .put("startLine", Math.max(1, at.line()))
                .put("startColumn", Math.max(1, at.column()));
        return physical;
    }

    /**
     * A file path as a SARIF artifact location: relative paths, the usual case in a repository, resolve
     * against {@code %SRCROOT%} so GitHub can map them onto checked-in files; absolute ones become
     * {@code file:} URIs.
     */
    static ObjectNode artifactLocation(String file) {
        String path = file.replace('\\', '/');
        if (ABSOLUTE_PATH.matcher(path).matches()) {
            return object().put("uri", "file://" + (path.startsWith("/") ? "" : "/") + encodePath(path, true));
        }
        while (path.startsWith("./")) {
            path = path.substring(2);
        }
        return object().put("uri", encodePath(path, false)).put("uriBaseId", SOURCE_ROOT);
    }

    /**
     * Percent-encodes what may not appear in a URI path (spaces, {@code <stdin>}, non-ASCII). A colon is
     * encoded in relative paths, where it would otherwise be read as a URI scheme.
     */
    static String encodePath(String path, boolean keepColon) {
        StringBuilder uri = new StringBuilder();
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~/!$&'()*+,;=@".indexOf(c) >= 0 || (keepColon && c == ':');
            if (safe) {
                uri.append(c);
            } else {
                uri.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return uri.toString();
    }

    /** SARIF rule names are identifier-like ("ContainerRunsAsRoot"), unlike titles. */
    static String pascalCase(String title) {
        StringBuilder name = new StringBuilder();
        for (String word : title.split("[^A-Za-z0-9]+")) {
            if (!word.isEmpty()) {
                name.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
            }
        }
        return name.toString();
    }

    private static ObjectNode text(String text) {
        return object().put("text", text);
    }
}
