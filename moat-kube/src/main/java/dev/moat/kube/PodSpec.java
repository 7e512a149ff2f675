package dev.moat.kube;

import dev.moat.core.yaml.YamlMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A pod spec found in a workload or custom resource, with its containers of every type resolved.
 * The body keeps every other field (volumes, tolerations, affinity, security context...) with its
 * location, for rules to read directly.
 */
public record PodSpec(YamlMap body, List<Container> containers) {

    public PodSpec {
        containers = List.copyOf(containers);
    }

    /** Reads the containers, init containers and ephemeral containers of a pod spec body. */
    public static PodSpec of(YamlMap body) {
        List<Container> all = new ArrayList<>();
        addContainers(all, body, "initContainers", Container.Type.INIT);
        addContainers(all, body, "containers", Container.Type.REGULAR);
        addContainers(all, body, "ephemeralContainers", Container.Type.EPHEMERAL);
        return new PodSpec(body, all);
    }

    /** A pod spec with extra containers that a custom resource declares outside the usual lists. */
    public PodSpec withContainers(List<Container> extra) {
        List<Container> all = new ArrayList<>(containers);
        all.addAll(extra);
        return new PodSpec(body, all);
    }

    private static void addContainers(List<Container> out, YamlMap body, String key, Container.Type type) {
        for (YamlMap c : body.maps(key)) {
            out.add(new Container(orEmpty(c.text("name")), type, c.text("image"), c));
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    public String serviceAccountName() {
        String sa = body.text("serviceAccountName");
        return sa == null ? "default" : sa;
    }

    public Map<String, String> nodeSelector() {
        YamlMap m = body.map("nodeSelector");
        return m == null ? Map.of() : m.stringMap();
    }

    public List<YamlMap> tolerations() {
        return body.maps("tolerations");
    }

    public List<YamlMap> volumes() {
        return body.maps("volumes");
    }

    public YamlMap securityContext() {
        return body.map("securityContext");
    }
}
