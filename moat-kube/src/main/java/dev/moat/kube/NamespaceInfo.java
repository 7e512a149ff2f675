package dev.moat.kube;

import java.util.Map;

/**
 * A namespace the inputs use. {@code declared} is false when no Namespace object was given and the
 * namespace is only implied by the objects in it; labels then hold just the automatic one.
 */
public record NamespaceInfo(String name, Map<String, String> labels, boolean declared) {

    public static final String NAME_LABEL = "kubernetes.io/metadata.name";

    public NamespaceInfo {
        labels = Map.copyOf(labels);
    }
}
