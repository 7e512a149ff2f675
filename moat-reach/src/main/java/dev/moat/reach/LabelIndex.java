package dev.moat.reach;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An inverted index from labels to the items carrying them, so a selector is answered with a few
 * bitset operations instead of a label lookup per item: at cluster scale, thousands of rule peers
 * each face thousands of workloads.
 */
final class LabelIndex {

    private final int size;
    private final Map<String, Map<String, BitSet>> byKeyAndValue = new HashMap<>();
    private final Map<String, BitSet> byKey = new HashMap<>();

    LabelIndex(List<Map<String, String>> labelSets) {
        this.size = labelSets.size();
        for (int i = 0; i < size; i++) {
            for (Map.Entry<String, String> label : labelSets.get(i).entrySet()) {
                byKeyAndValue.computeIfAbsent(label.getKey(), k -> new HashMap<>())
                        .computeIfAbsent(label.getValue(), v -> new BitSet(size)).set(i);
                byKey.computeIfAbsent(label.getKey(), k -> new BitSet(size)).set(i);
            }
        }
    }

    /** The items the selector matches, as a fresh bitset the caller may modify. */
    BitSet select(LabelSelector selector) {
        BitSet result = new BitSet(size);
        result.set(0, size);
        for (Map.Entry<String, String> e : selector.matchLabels().entrySet()) {
            result.and(withValue(e.getKey(), e.getValue()));
        }
        for (LabelSelector.Requirement r : selector.expressions()) {
            BitSet any = new BitSet(size);
            for (String v : r.values()) {
                any.or(withValue(r.key(), v));
            }
            switch (r.operator()) {
                case IN -> result.and(any);
                case NOT_IN -> result.andNot(any);
                case EXISTS -> result.and(byKey.getOrDefault(r.key(), new BitSet()));
                case DOES_NOT_EXIST -> result.andNot(byKey.getOrDefault(r.key(), new BitSet()));
            }
        }
        return result;
    }

    private BitSet withValue(String key, String value) {
        BitSet set = byKeyAndValue.getOrDefault(key, Map.of()).get(value);
        return set == null ? new BitSet() : set;
    }
}
