package dev.moat.core.yaml;

import dev.moat.core.SourceLocation;
import java.util.Set;

/**
 * A scalar as written. Plain (unquoted) scalars keep their YAML meaning for nulls and booleans; the
 * value is never coerced to a number, because Kubernetes fields decide their own types.
 */
public record YamlScalar(String value, boolean plain, SourceLocation location) implements YamlNode {

    private static final Set<String> NULLS = Set.of("", "~", "null", "Null", "NULL");
    private static final Set<String> TRUES = Set.of("true", "True", "TRUE");
    private static final Set<String> FALSES = Set.of("false", "False", "FALSE");

    public boolean isNull() {
        return plain && NULLS.contains(value);
    }

    @Override
    public String text() {
        return isNull() ? null : value;
    }

    /** {@code Boolean.TRUE}/{@code FALSE} for YAML booleans (quoted strings too, as Kubernetes decodes them leniently), else null. */
    public Boolean asBoolean() {
        if (TRUES.contains(value)) {
            return Boolean.TRUE;
        }
        return FALSES.contains(value) ? Boolean.FALSE : null;
    }
}
