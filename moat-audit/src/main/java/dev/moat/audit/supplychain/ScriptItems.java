package dev.moat.audit.supplychain;

import dev.moat.core.yaml.YamlMap;
import dev.moat.core.yaml.YamlNode;
import dev.moat.core.yaml.YamlSeq;
import dev.moat.kube.Container;
import java.util.ArrayList;
import java.util.List;

/** The located strings of a container's command and args, and optionally its env values, for text rules. */
public record ScriptItems(String field, String text, YamlNode node) {

    public static List<ScriptItems> commandAndArgs(Container c) {
        List<ScriptItems> out = new ArrayList<>();
        for (String field : List.of("command", "args")) {
            YamlSeq seq = c.body().seq(field);
            for (YamlNode item : seq == null ? List.<YamlNode>of() : seq.items()) {
                if (item.text() != null) {
                    out.add(new ScriptItems(field, item.text(), item));
                }
            }
        }
        return out;
    }

    /** Command and args, then each literal env value (as {@code env NAME}), which some servers read flags from. */
    public static List<ScriptItems> withEnvValues(Container c) {
        List<ScriptItems> out = commandAndArgs(c);
        for (YamlMap env : c.env()) {
            YamlNode value = env.get("value");
            if (value != null && value.text() != null) {
                out.add(new ScriptItems("env " + env.text("name"), value.text(), value));
            }
        }
        return out;
    }
}
