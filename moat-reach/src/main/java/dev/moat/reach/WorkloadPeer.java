package dev.moat.reach;

import java.util.Map;

/**
 * A workload as the network sees it: the pods of one owner, with their labels, their namespace and
 * the named ports policies can refer to. Pods owned by a controller report as that controller.
 */
public record WorkloadPeer(String namespace, String name, String kind, Map<String, String> labels,
                           NamedPorts namedPorts) implements Endpoint {

    public WorkloadPeer {
        labels = Map.copyOf(labels);
    }

    @Override
    public String display() {
        return namespace + "/" + name + "[" + kind + "]";
    }

    /** Matches {@code NAME}, {@code NS/NAME} or the full {@code NS/NAME[Kind]} form. */
    public boolean matches(String reference) {
        return reference.equals(name) || reference.equals(namespace + "/" + name) || reference.equals(display());
    }
}
