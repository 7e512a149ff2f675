package dev.moat.reach.spec;

import dev.moat.core.SourceLocation;
import dev.moat.core.yaml.YamlMap;
import dev.moat.core.yaml.YamlNode;
import dev.moat.core.yaml.YamlSeq;
import dev.moat.reach.ConnectionSet;
import dev.moat.reach.InvalidPolicyException;
import dev.moat.reach.IpRange;
import dev.moat.reach.LabelSelector;
import dev.moat.reach.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Network policy tests as code: a list of assertions that some sources can (or cannot) reach some
 * destinations, optionally on one port. See the README for the format.
 */
public record ReachSpec(List<Assertion> assertions) {

    /** apiVersion and kind make a spec a harmless object of its own kind when a folder of manifests holds it. */
    private static final Set<String> TOP_KEYS = Set.of("apiVersion", "kind", "metadata", "tests");
    private static final Set<String> TEST_KEYS = Set.of("name", "from", "to", "port", "expect");
    private static final Set<String> SELECTOR_KEYS = Set.of("workload", "namespace", "namespaceLabels", "labels", "cidr");

    public ReachSpec {
        assertions = List.copyOf(assertions);
    }

    /** One expectation; {@code port} null means "any connection at all". */
    public record Assertion(String name, Endpoints from, Endpoints to, Protocol protocol, Integer port,
                            boolean expectAllow, SourceLocation location) {

        public ConnectionSet probe() {
            return port == null ? ConnectionSet.ALL : ConnectionSet.port(protocol, port);
        }

        public String portText() {
            return port == null ? "any port" : port + "/" + protocol;
        }
    }

    /** What a from/to names. */
    public sealed interface Endpoints permits Workload, Selector, Internet, Cidr {
    }

    /** {@code NS/NAME}, {@code NAME} or {@code NS/NAME[Kind]}. */
    public record Workload(String reference) implements Endpoints {
    }

    /** Pods by labels, in one namespace (null: any) or namespaces with the given labels. */
    public record Selector(String namespace, LabelSelector namespaceLabels, LabelSelector labels) implements Endpoints {
    }

    /** Every public address: anything outside private, loopback, link-local and shared ranges. */
    public record Internet() implements Endpoints {
    }

    public record Cidr(IpRange range, String text) implements Endpoints {
    }

    public static ReachSpec parse(YamlNode root) {
        if (!(root instanceof YamlMap map) || !(map.get("tests") instanceof YamlSeq tests)) {
            throw new InvalidPolicyException(root == null ? null : root.location(), "a reach test spec needs a 'tests' list");
        }
        checkKeys(map, TOP_KEYS, "the spec");
        List<Assertion> out = new ArrayList<>();
        int index = 0;
        for (YamlNode item : tests.items()) {
            index++;
            if (!(item instanceof YamlMap t)) {
                throw new InvalidPolicyException(item.location(), "each test must be a mapping");
            }
            checkKeys(t, TEST_KEYS, "a test");
            String name = t.text("name") == null ? "test " + index : t.text("name");
            String expect = t.text("expect");
            if (!"allow".equals(expect) && !"deny".equals(expect)) {
                throw new InvalidPolicyException(t.locationOf("expect"), "expect must be allow or deny");
            }
            Protocol protocol = Protocol.TCP;
            Integer port = null;
            String portText = t.text("port");
            if (portText != null) {
                String[] parts = portText.split("/");
                try {
                    port = Integer.parseInt(parts[0].trim());
                    protocol = parts.length > 1 ? Protocol.parse(parts[1].trim()) : Protocol.TCP;
                } catch (IllegalArgumentException e) {
                    throw new InvalidPolicyException(t.locationOf("port"), "port must look like 8080/TCP, not '" + portText + "'");
                }
                if (port < 1 || port > 65535 || parts.length > 2) {
                    throw new InvalidPolicyException(t.locationOf("port"), "port must look like 8080/TCP, not '" + portText + "'");
                }
            }
            out.add(new Assertion(name, endpoints(t, "from"), endpoints(t, "to"), protocol, port, "allow".equals(expect),
                    t.location()));
        }
        return new ReachSpec(out);
    }

    private static Endpoints endpoints(YamlMap test, String key) {
        YamlNode node = test.get(key);
        if (node == null) {
            throw new InvalidPolicyException(test.location(), "a test needs '" + key + "'");
        }
        if (node.text() != null) {
            return node.text().equals("internet") ? new Internet() : new Workload(node.text());
        }
        if (!(node instanceof YamlMap m)) {
            throw new InvalidPolicyException(node.location(), key + " must be a workload, 'internet' or a selector mapping");
        }
        checkKeys(m, SELECTOR_KEYS, "'" + key + "'");
        if (m.text("workload") != null) {
            return new Workload(m.text("workload"));
        }
        if (m.text("cidr") != null) {
            try {
                return new Cidr(IpRange.parseCidr(m.text("cidr")), m.text("cidr"));
            } catch (IllegalArgumentException e) {
                throw new InvalidPolicyException(m.locationOf("cidr"), e.getMessage());
            }
        }
        String namespace = m.text("namespace");
        return new Selector("*".equals(namespace) ? null : namespace,
                m.get("namespaceLabels") == null ? null : matchLabels(m.map("namespaceLabels")),
                m.get("labels") == null ? LabelSelector.EVERYTHING : matchLabels(m.map("labels")));
    }

    private static LabelSelector matchLabels(YamlMap labels) {
        return new LabelSelector(labels == null ? Map.of() : labels.stringMap(), List.of());
    }

    private static void checkKeys(YamlMap m, Set<String> allowed, String where) {
        for (YamlMap.Entry e : m.fields()) {
            if (!allowed.contains(e.key())) {
                throw new InvalidPolicyException(e.keyLocation(), "unknown key '" + e.key() + "' in " + where
                        + " (expected one of " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }
}
