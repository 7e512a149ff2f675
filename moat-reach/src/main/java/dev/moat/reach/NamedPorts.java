package dev.moat.reach;

import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import dev.moat.core.yaml.YamlMap;
import java.util.Map;
import java.util.TreeMap;

/** The named container ports of a workload, which policy rules resolve against the destination. */
public record NamedPorts(Map<String, ConnectionSet> byName) {

    public static final NamedPorts NONE = new NamedPorts(Map.of());

    public NamedPorts {
        byName = Map.copyOf(byName);
    }

    public static NamedPorts of(Workload w) {
        Map<String, ConnectionSet> out = new TreeMap<>();
        for (Container c : w.pod().containers()) {
            if (c.type() != Container.Type.REGULAR) {
                continue;
            }
            for (YamlMap port : c.ports()) {
                String name = port.text("name");
                String number = port.text("containerPort");
                if (name == null || number == null) {
                    continue;
                }
                try {
                    Protocol protocol = Protocol.parse(port.text("protocol"));
                    int value = Integer.parseInt(number.trim());
                    out.merge(key(name, protocol), ConnectionSet.port(protocol, value), ConnectionSet::union);
                } catch (IllegalArgumentException ignored) {
                    // An unparseable container port cannot be named by a policy; the audit rules report it.
                }
            }
        }
        return new NamedPorts(out);
    }

    public ConnectionSet lookup(String name, Protocol protocol) {
        return byName.getOrDefault(key(name, protocol), ConnectionSet.NONE);
    }

    /** An AdminNetworkPolicy's namedPort carries no protocol: the container port's own applies. */
    public ConnectionSet lookupAnyProtocol(String name) {
        ConnectionSet out = ConnectionSet.NONE;
        for (Protocol p : Protocol.values()) {
            out = out.union(lookup(name, p));
        }
        return out;
    }

    private static String key(String name, Protocol protocol) {
        return name + "/" + protocol;
    }
}
