package dev.moat.core.yaml;

import dev.moat.core.SourceLocation;
import java.util.List;
import java.util.stream.Stream;

/** A YAML sequence. */
public record YamlSeq(List<YamlNode> items, SourceLocation location) implements YamlNode {

    public YamlSeq {
        items = List.copyOf(items);
    }

    public Stream<YamlMap> maps() {
        return items.stream().filter(YamlMap.class::isInstance).map(YamlMap.class::cast);
    }

    /** The non-null scalar texts, skipping nested collections. */
    public List<String> texts() {
        return items.stream().map(YamlNode::text).filter(t -> t != null).toList();
    }
}
