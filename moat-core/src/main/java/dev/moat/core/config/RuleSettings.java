package dev.moat.core.config;

import dev.moat.core.yaml.YamlMap;
import dev.moat.core.yaml.YamlNode;
import dev.moat.core.yaml.YamlSeq;
import java.util.List;

/**
 * The {@code settings:} section of {@code .moat.yaml}, read by the rules that have knobs (GPU taint
 * keys, registry allowlists, rotation limits). Each getter takes the default that matches common
 * clusters, so a rule works without any configuration.
 */
public record RuleSettings(YamlMap values) {

    public static final RuleSettings DEFAULTS = new RuleSettings(MoatConfig.NONE.settings());

    public String text(String key, String fallback) {
        String v = values.text(key);
        return v == null ? fallback : v;
    }

    public List<String> list(String key, List<String> fallback) {
        YamlNode node = values.get(key);
        if (node instanceof YamlSeq seq) {
            return seq.texts();
        }
        return node != null && node.text() != null ? List.of(node.text()) : fallback;
    }
}
