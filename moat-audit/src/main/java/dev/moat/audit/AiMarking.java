package dev.moat.audit;

import dev.moat.core.config.Glob;
import dev.moat.core.config.RuleSettings;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.AiWorkloads;
import dev.moat.kube.Inventory;
import dev.moat.kube.Workload;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Workloads the user declares to be AI workloads in {@code .moat.yaml} ({@code settings.aiWorkloads}: a
 * list of {@code namespace}, {@code kind}, {@code name} globs and {@code labels}), for model servers the
 * classifier cannot recognise. They get the {@link AiWorkloads#MARKER} pod label, which every rule
 * already honours, before any rule runs.
 */
public final class AiMarking {

    public static final String SETTING = "aiWorkloads";

    private AiMarking() {
    }

    public static Inventory apply(Inventory inventory, RuleSettings settings) {
        List<YamlMap> selectors = settings.values().maps(SETTING);
        if (selectors.isEmpty()) {
            return inventory;
        }
        List<Workload> workloads = inventory.workloads().stream()
                .map(w -> selectors.stream().anyMatch(s -> selects(s, w)) ? marked(w) : w)
                .toList();
        return new Inventory(inventory.objects(), workloads, inventory.namespaces());
    }

    private static boolean selects(YamlMap selector, Workload w) {
        YamlMap labels = selector.map("labels");
        return Glob.matches(selector.text("namespace"), w.namespace())
                && Glob.matches(selector.text("kind"), w.owner().kind())
                && Glob.matches(selector.text("name"), w.owner().name())
                && (labels == null || labels.stringMap().entrySet().stream()
                        .allMatch(e -> e.getValue().equals(w.podLabels().get(e.getKey()))));
    }

    private static Workload marked(Workload w) {
        Map<String, String> labels = new HashMap<>(w.podLabels());
        labels.put(AiWorkloads.MARKER, "true");
        return new Workload(w.owner(), w.component(), labels, w.podAnnotations(), w.pod());
    }
}
