package dev.moat.kube;

import dev.moat.core.yaml.YamlMap;
import dev.moat.core.yaml.YamlNode;
import dev.moat.core.yaml.YamlSeq;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the pods an object will run. Built-in kinds are read at their documented paths; KServe
 * InferenceService components are read the way KServe builds their pods; any other kind is walked
 * for maps holding a {@code containers} list, so unknown CRDs (KubeRay, Kubeflow, LeaderWorkerSet...)
 * are covered without a schema.
 */
public final class WorkloadExtractor {

    private static final List<String> KSERVE_COMPONENTS = List.of("predictor", "transformer", "explainer");
    /**
     * Container-like fields a KServe component's framework or model spec carries; {@code runtimeVersion},
     * {@code storage} and {@code config} are the only ones an explainer such as {@code art: {type, config}} may have.
     */
    private static final Set<String> KSERVE_CONTAINER_FIELDS = Set.of(
            "storageUri", "modelFormat", "runtime", "image", "args", "env", "resources", "protocolVersion",
            "runtimeVersion", "storage", "config");
    private static final Set<String> CONTAINER_LISTS = Set.of("containers", "initContainers", "ephemeralContainers");
    private static final String KSERVE_CONTAINER = "kserve-container";

    private WorkloadExtractor() {
    }

    public static List<Workload> extract(KubeObject o) {
        String kind = o.kind();
        if (kind.equals("Pod")) {
            return List.of(workload(o, "", o.body().map("metadata"), o.body().map("spec")));
        }
        if (KindCatalog.TEMPLATE_CONTROLLERS.contains(kind) && o.group().matches("|apps|batch|extensions")) {
            return template(o, "", o.spec().map("template"));
        }
        if (kind.equals("CronJob") && o.group().equals("batch")) {
            return template(o, "", o.spec().path("jobTemplate", "spec", "template"));
        }
        if (kind.equals("InferenceService") && o.group().equals("serving.kserve.io")) {
            return inferenceService(o);
        }
        if (KindCatalog.isClusterScoped(kind) && !kind.equals("ClusterServingRuntime")) {
            return List.of();
        }
        List<Workload> found = new ArrayList<>();
        walk(o, o.body().map("spec"), "", null, found);
        return found;
    }

    private static List<Workload> template(KubeObject o, String component, YamlMap template) {
        if (template == null || template.map("spec") == null) {
            return List.of();
        }
        return List.of(workload(o, component, template.map("metadata"), template.map("spec")));
    }

    private static Workload workload(KubeObject o, String component, YamlMap metadata, YamlMap spec) {
        YamlMap labels = metadata == null ? null : metadata.map("labels");
        YamlMap annotations = metadata == null ? null : metadata.map("annotations");
        return new Workload(o, component, labels == null ? Map.of() : labels.stringMap(),
                annotations == null ? Map.of() : annotations.stringMap(),
                spec == null ? PodSpec.of(YamlMap.empty(o.location())) : PodSpec.of(spec));
    }

    /**
     * Each component is a pod spec whose framework entry ({@code model:}, {@code sklearn:},
     * {@code huggingface:}...) becomes KServe's {@code kserve-container}; pods get the owner's labels
     * plus the ones KServe adds, so selectors that target them can be evaluated.
     */
    private static List<Workload> inferenceService(KubeObject o) {
        List<Workload> out = new ArrayList<>();
        for (String component : KSERVE_COMPONENTS) {
            YamlMap spec = o.spec().map(component);
            if (spec == null) {
                continue;
            }
            List<Container> frameworks = new ArrayList<>();
            for (YamlMap.Entry e : spec.fields()) {
                if (e.value() instanceof YamlMap m && m.fields().stream().anyMatch(f -> KSERVE_CONTAINER_FIELDS.contains(f.key()))) {
                    String name = m.text("name") == null ? KSERVE_CONTAINER : m.text("name");
                    frameworks.add(new Container(name, Container.Type.REGULAR, m.text("image"), m));
                }
            }
            Map<String, String> labels = new HashMap<>(o.labels());
            labels.put("serving.kserve.io/inferenceservice", o.name());
            labels.put("component", component);
            out.add(new Workload(o, component, labels, Map.of(), PodSpec.of(spec).withContainers(frameworks)));
            // a multi-node predictor runs its workers (tensor/pipeline parallel ranks) from a second pod spec
            YamlMap workers = spec.map("workerSpec");
            if (workers != null && isPodSpec(workers)) {
                out.add(new Workload(o, component + ".workerSpec", labels, Map.of(), PodSpec.of(workers)));
            }
        }
        return out;
    }

    /**
     * Depth-first search for pod specs. Below a pod spec only its container lists are skipped: a
     * ServingRuntime's multi-node {@code workerSpec} is a second pod spec nested inside the first.
     */
    private static void walk(KubeObject o, YamlNode node, String path, YamlMap parent, List<Workload> found) {
        if (node instanceof YamlMap map) {
            boolean podSpec = isPodSpec(map);
            if (podSpec) {
                YamlMap metadata = parent != null && parent.get("spec") == map ? parent.map("metadata") : null;
                found.add(workload(o, componentName(path), metadata, map));
            }
            for (YamlMap.Entry e : map.fields()) {
                if (podSpec && CONTAINER_LISTS.contains(e.key())) {
                    continue;
                }
                walk(o, e.value(), path.isEmpty() ? e.key() : path + "." + e.key(), map, found);
            }
        } else if (node instanceof YamlSeq seq) {
            for (int i = 0; i < seq.items().size(); i++) {
                YamlNode item = seq.items().get(i);
                String label = item instanceof YamlMap m && m.text("groupName") != null ? m.text("groupName") : String.valueOf(i);
                walk(o, item, path + "[" + label + "]", null, found);
            }
        }
    }

    private static boolean isPodSpec(YamlMap map) {
        YamlSeq containers = map.seq("containers");
        return containers != null && containers.maps().anyMatch(c -> c.get("image") != null || c.get("name") != null);
    }

    /** {@code workerGroupSpecs[gpu-group]} for {@code workerGroupSpecs[gpu-group].template.spec}. */
    private static String componentName(String path) {
        String trimmed = path;
        for (String suffix : List.of(".spec", ".template", ".podSpec", ".podTemplate")) {
            if (trimmed.endsWith(suffix)) {
                trimmed = trimmed.substring(0, trimmed.length() - suffix.length());
            }
        }
        return trimmed.equals("template") || trimmed.equals("spec") ? "" : trimmed;
    }
}
