package dev.moat.core.config;

import dev.moat.core.Diagnostic;
import dev.moat.core.Severity;
import dev.moat.core.SourceLocation;
import dev.moat.core.yaml.YamlDocument;
import dev.moat.core.yaml.YamlLimits;
import dev.moat.core.yaml.YamlMap;
import dev.moat.core.yaml.YamlNode;
import dev.moat.core.yaml.YamlReader;
import dev.moat.core.yaml.YamlScalar;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The user's {@code .moat.yaml}: rules switched off or re-graded, exemptions, a default failure
 * threshold, and free-form {@code settings} that individual rules read. Unknown keys are errors, so
 * a typo never silently leaves a rule on.
 */
public record MoatConfig(
        String source,
        Map<String, RuleOverride> rules,
        List<Exemption> exemptions,
        Severity failOn,
        YamlMap settings) {

    /** A rule switched off or given another severity. */
    public record RuleOverride(boolean enabled, Severity severity) {
    }

    private static final Set<String> TOP_LEVEL = Set.of("failOn", "rules", "exemptions", "settings");
    private static final Set<String> EXEMPTION_KEYS = Set.of("rule", "namespace", "kind", "name", "reason", "expires");

    public static final MoatConfig NONE = new MoatConfig(null, Map.of(), List.of(), null,
            YamlMap.empty(SourceLocation.ofFile("<defaults>")));

    public MoatConfig {
        rules = Map.copyOf(rules);
        exemptions = List.copyOf(exemptions);
    }

    public boolean enabled(String ruleId) {
        RuleOverride o = rules.get(ruleId);
        return o == null || o.enabled();
    }

    public Severity severityFor(String ruleId, Severity documented) {
        RuleOverride o = rules.get(ruleId);
        return o == null || o.severity() == null ? documented : o.severity();
    }

    public Optional<Severity> failOnSetting() {
        return Optional.ofNullable(failOn);
    }

    /**
     * Reads a config file. {@code knownRules} are the IDs the catalogue has, so a misspelt rule ID
     * is reported instead of ignored.
     */
    public static MoatConfig parse(String sourceName, byte[] content, Set<String> knownRules) throws ConfigException {
        YamlReader.Result read = new YamlReader(YamlLimits.DEFAULT).read(sourceName, content);
        if (!read.errors().isEmpty()) {
            throw new ConfigException(read.errors().get(0));
        }
        List<YamlDocument> docs = read.documents();
        if (docs.isEmpty() || absent(docs.get(0).root())) {
            return new MoatConfig(sourceName, Map.of(), List.of(), null, YamlMap.empty(SourceLocation.ofFile(sourceName)));
        }
        if (docs.size() > 1) {
            throw error(docs.get(1).start(), "a config file holds one YAML document");
        }
        YamlMap root = requireMap(docs.get(0).root(), "the config file");
        checkKeys(root, TOP_LEVEL, "top level");
        Severity failOn = absent(root.get("failOn")) ? null : severity(root.get("failOn"));
        YamlMap settings = absent(root.get("settings")) ? YamlMap.empty(root.location())
                : requireMap(root.get("settings"), "settings");
        return new MoatConfig(sourceName, ruleOverrides(root.get("rules"), knownRules),
                exemptions(root.get("exemptions"), knownRules), failOn, settings);
    }

    private static Map<String, RuleOverride> ruleOverrides(YamlNode node, Set<String> knownRules) throws ConfigException {
        Map<String, RuleOverride> out = new LinkedHashMap<>();
        if (absent(node)) {
            return out;
        }
        for (YamlMap.Entry e : requireMap(node, "rules").fields()) {
            requireKnownRule(e.key(), e.keyLocation(), knownRules);
            out.put(e.key(), ruleOverride(e.value()));
        }
        return out;
    }

    /** {@code off}/{@code false}, a severity name, or {@code {enabled: bool, severity: name}}. */
    private static RuleOverride ruleOverride(YamlNode value) throws ConfigException {
        if (value instanceof YamlScalar s) {
            Boolean b = s.asBoolean();
            if (b != null || "off".equals(s.value()) || "on".equals(s.value())) {
                return new RuleOverride(b != null ? b : "on".equals(s.value()), null);
            }
            return new RuleOverride(true, severity(s));
        }
        YamlMap m = requireMap(value, "a rule setting");
        checkKeys(m, Set.of("enabled", "severity"), "a rule setting");
        Boolean enabled = m.get("enabled") == null ? Boolean.TRUE : m.bool("enabled");
        if (enabled == null) {
            throw error(m.locationOf("enabled"), "'enabled' must be true or false");
        }
        return new RuleOverride(enabled, m.get("severity") == null ? null : severity(m.get("severity")));
    }

    private static List<Exemption> exemptions(YamlNode node, Set<String> knownRules) throws ConfigException {
        List<Exemption> out = new ArrayList<>();
        if (absent(node)) {
            return out;
        }
        if (!(node instanceof dev.moat.core.yaml.YamlSeq seq)) {
            throw error(node.location(), "'exemptions' must be a list");
        }
        for (YamlNode item : seq.items()) {
            YamlMap m = requireMap(item, "an exemption");
            checkKeys(m, EXEMPTION_KEYS, "an exemption");
            for (YamlMap.Entry e : m.fields()) {
                if (!(e.value() instanceof YamlScalar)) {
                    throw error(e.keyLocation(), "'" + e.key() + "' in an exemption must be a single value, not a list "
                            + "or mapping (use * globs, or one exemption each)");
                }
            }
            String rule = m.text("rule") == null ? "*" : m.text("rule");
            if (!rule.equals("*")) {
                requireKnownRule(rule, m.locationOf("rule"), knownRules);
            }
            out.add(new Exemption(rule, m.text("namespace"), m.text("kind"), m.text("name"), m.text("reason"),
                    date(m), m.location()));
        }
        return out;
    }

    private static LocalDate date(YamlMap exemption) throws ConfigException {
        String text = exemption.text("expires");
        if (text == null) {
            return null;
        }
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw error(exemption.locationOf("expires"), "'expires' must be a date like 2027-01-31, not '" + text + "'");
        }
    }

    private static Severity severity(YamlNode node) throws ConfigException {
        if (node.text() == null) {
            throw error(node.location(), "expected a severity (critical, high, medium, low or info)");
        }
        try {
            return Severity.parse(String.valueOf(node.text()));
        } catch (IllegalArgumentException e) {
            throw error(node.location(), e.getMessage());
        }
    }

    private static void requireKnownRule(String id, SourceLocation at, Set<String> knownRules) throws ConfigException {
        if (!knownRules.contains(id)) {
            throw error(at, "unknown rule '" + id + "' (see 'moat rules')");
        }
    }

    /** Missing, or written with no value ({@code exemptions:} with every entry commented out). */
    private static boolean absent(YamlNode node) {
        return node == null || node instanceof YamlScalar s && s.isNull();
    }

    private static YamlMap requireMap(YamlNode node, String what) throws ConfigException {
        if (node instanceof YamlMap m) {
            return m;
        }
        throw error(node.location(), what + " must be a mapping");
    }

    private static void checkKeys(YamlMap m, Set<String> allowed, String where) throws ConfigException {
        for (YamlMap.Entry e : m.fields()) {
            if (!allowed.contains(e.key())) {
                throw error(e.keyLocation(), "unknown key '" + e.key() + "' in " + where
                        + " (expected one of " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }

    private static ConfigException error(SourceLocation at, String message) {
        return new ConfigException(new Diagnostic(at, message));
    }
}
