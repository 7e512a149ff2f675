package dev.moat.reach;

import dev.moat.core.yaml.YamlMap;
import dev.moat.core.yaml.YamlNode;
import dev.moat.core.yaml.YamlSeq;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A Kubernetes label selector: every matchLabels pair and every matchExpressions requirement must
 * hold. The empty selector matches everything.
 */
public record LabelSelector(Map<String, String> matchLabels, List<Requirement> expressions) {

    public static final LabelSelector EVERYTHING = new LabelSelector(Map.of(), List.of());

    public enum Operator { IN, NOT_IN, EXISTS, DOES_NOT_EXIST }

    /** One matchExpressions entry. */
    public record Requirement(String key, Operator operator, Set<String> values) {
        public Requirement {
            values = Set.copyOf(values);
        }

        boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (operator) {
                case IN -> v != null && values.contains(v);
                case NOT_IN -> v == null || !values.contains(v);
                case EXISTS -> labels.containsKey(key);
                case DOES_NOT_EXIST -> !labels.containsKey(key);
            };
        }

        @Override
        public String toString() {
            return switch (operator) {
                case IN -> key + " in (" + String.join(",", new java.util.TreeSet<>(values)) + ")";
                case NOT_IN -> key + " notin (" + String.join(",", new java.util.TreeSet<>(values)) + ")";
                case EXISTS -> key;
                case DOES_NOT_EXIST -> "!" + key;
            };
        }
    }

    public LabelSelector {
        matchLabels = Map.copyOf(matchLabels);
        expressions = List.copyOf(expressions);
    }

    public boolean isEmpty() {
        return matchLabels.isEmpty() && expressions.isEmpty();
    }

    public boolean matches(Map<String, String> labels) {
        for (Map.Entry<String, String> e : matchLabels.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (Requirement r : expressions) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads a selector, throwing {@link InvalidPolicyException} at the offending field for anything
     * the API server would reject (unknown operator, In without values, Exists with values).
     */
    public static LabelSelector parse(YamlNode node) {
        if (node == null) {
            return EVERYTHING;
        }
        if (!(node instanceof YamlMap map)) {
            if (node.text() == null && node instanceof dev.moat.core.yaml.YamlScalar) {
                return EVERYTHING;
            }
            throw new InvalidPolicyException(node.location(), "a label selector must be a mapping");
        }
        Map<String, String> labels = new TreeMap<>();
        YamlNode ml = map.get("matchLabels");
        if (ml instanceof YamlMap m) {
            for (YamlMap.Entry e : m.fields()) {
                String v = e.value().text();
                if (v == null && !(e.value() instanceof dev.moat.core.yaml.YamlScalar)) {
                    throw new InvalidPolicyException(e.keyLocation(), "matchLabels value for '" + e.key() + "' must be a string");
                }
                labels.put(e.key(), v == null ? "" : v);
            }
        } else if (ml != null && ml.text() != null) {
            throw new InvalidPolicyException(ml.location(), "matchLabels must be a mapping");
        }
        List<Requirement> requirements = new ArrayList<>();
        YamlNode me = map.get("matchExpressions");
        if (me instanceof YamlSeq seq) {
            for (YamlNode item : seq.items()) {
                requirements.add(requirement(item));
            }
        } else if (me != null && me.text() != null) {
            throw new InvalidPolicyException(me.location(), "matchExpressions must be a list");
        }
        return new LabelSelector(labels, requirements);
    }

    private static Requirement requirement(YamlNode item) {
        if (!(item instanceof YamlMap m)) {
            throw new InvalidPolicyException(item.location(), "a matchExpressions entry must be a mapping");
        }
        String key = m.text("key");
        if (key == null || key.isEmpty()) {
            throw new InvalidPolicyException(m.location(), "a matchExpressions entry needs a key");
        }
        String op = m.text("operator");
        Operator operator = switch (op == null ? "" : op) {
            case "In" -> Operator.IN;
            case "NotIn" -> Operator.NOT_IN;
            case "Exists" -> Operator.EXISTS;
            case "DoesNotExist" -> Operator.DOES_NOT_EXIST;
            default -> throw new InvalidPolicyException(m.locationOf("operator"),
                    "unknown selector operator '" + op + "' (expected In, NotIn, Exists or DoesNotExist)");
        };
        YamlSeq valuesSeq = m.seq("values");
        List<String> values = valuesSeq == null ? List.of() : valuesSeq.texts();
        boolean needsValues = operator == Operator.IN || operator == Operator.NOT_IN;
        if (needsValues && values.isEmpty()) {
            throw new InvalidPolicyException(m.locationOf("operator"), "operator " + op + " needs at least one value");
        }
        if (!needsValues && !values.isEmpty()) {
            throw new InvalidPolicyException(m.locationOf("values"), "operator " + op + " takes no values");
        }
        return new Requirement(key, operator, Set.copyOf(values));
    }

    /** {@code app=vllm,tier in (gpu)} in kubectl's selector syntax, {@code {}} when empty. */
    @Override
    public String toString() {
        if (isEmpty()) {
            return "{}";
        }
        List<String> parts = new ArrayList<>();
        new TreeMap<>(matchLabels).forEach((k, v) -> parts.add(k + "=" + v));
        parts.addAll(expressions.stream().map(Requirement::toString).collect(Collectors.toList()));
        return String.join(",", parts);
    }
}
