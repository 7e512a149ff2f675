package dev.moat.core.yaml;

import dev.moat.core.SourceLocation;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A YAML mapping with string keys, in document order, each entry remembering where its key was written. */
public record YamlMap(Map<String, Entry> entries, SourceLocation location) implements YamlNode {

    /** One {@code key: value} pair; {@code keyLocation} is where a finding about the field points. */
    public record Entry(String key, SourceLocation keyLocation, YamlNode value) {
    }

    public YamlMap {
        entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    public static YamlMap empty(SourceLocation at) {
        return new YamlMap(Map.of(), at);
    }

    public Collection<Entry> fields() {
        return entries.values();
    }

    public YamlNode get(String key) {
        Entry e = entries.get(key);
        return e == null ? null : e.value();
    }

    public Entry entry(String key) {
        return entries.get(key);
    }

    public String text(String key) {
        YamlNode n = get(key);
        return n == null ? null : n.text();
    }

    public YamlMap map(String key) {
        return get(key) instanceof YamlMap m ? m : null;
    }

    public YamlSeq seq(String key) {
        return get(key) instanceof YamlSeq s ? s : null;
    }

    /** The sequence's maps, or none when the key is absent or not a sequence. */
    public List<YamlMap> maps(String key) {
        YamlSeq s = seq(key);
        return s == null ? List.of() : s.maps().toList();
    }

    /** Follows nested mapping keys; null as soon as one is missing or not a mapping. */
    public YamlMap path(String... keys) {
        YamlMap current = this;
        for (String k : keys) {
            current = current.map(k);
            if (current == null) {
                return null;
            }
        }
        return current;
    }

    public Boolean bool(String key) {
        return get(key) instanceof YamlScalar s ? s.asBoolean() : null;
    }

    /** Where {@code key} was written, or this map's own location when it is absent. */
    public SourceLocation locationOf(String key) {
        Entry e = entries.get(key);
        return e == null ? location : e.keyLocation();
    }

    /** The string-to-string view of a labels/annotations style map; non-scalar values are skipped. */
    public Map<String, String> stringMap() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Entry e : entries.values()) {
            String t = e.value().text();
            if (t != null) {
                out.put(e.key(), t);
            }
        }
        return Collections.unmodifiableMap(out);
    }
}
