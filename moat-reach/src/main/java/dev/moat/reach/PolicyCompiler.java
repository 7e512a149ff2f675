package dev.moat.reach;

import dev.moat.core.SourceLocation;
import dev.moat.core.yaml.YamlMap;
import dev.moat.core.yaml.YamlNode;
import dev.moat.core.yaml.YamlScalar;
import dev.moat.core.yaml.YamlSeq;
import dev.moat.kube.KubeObject;
import dev.moat.reach.Policy.IpPeer;
import dev.moat.reach.Policy.Peer;
import dev.moat.reach.Policy.PodPeer;
import dev.moat.reach.Policy.PolicyRule;
import dev.moat.reach.Policy.PortSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads networking.k8s.io/v1 NetworkPolicy objects into {@link Policy}, applying the API's defaults
 * (policyTypes, protocol TCP) and rejecting, with the field's location, what the API server would
 * reject.
 */
public final class PolicyCompiler {

    /** IANA service name, as the API validates named ports: 1-15 chars, lower-case alphanumerics and '-', a letter. */
    static final Pattern PORT_NAME = Pattern.compile("(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?");

    private PolicyCompiler() {
    }

    public static boolean isNetworkPolicy(KubeObject o) {
        return o.kind().equals("NetworkPolicy") && o.group().equals("networking.k8s.io");
    }

    public static Policy compile(KubeObject o) {
        YamlMap spec = o.spec();
        LabelSelector podSelector = LabelSelector.parse(spec.get("podSelector"));
        List<PolicyRule> ingress = rules(spec, "ingress", "from");
        List<PolicyRule> egress = rules(spec, "egress", "to");
        boolean isolatesIngress;
        boolean isolatesEgress;
        YamlSeq types = spec.seq("policyTypes");
        if (types == null || types.items().isEmpty()) {
            isolatesIngress = true;
            isolatesEgress = !egress.isEmpty();
        } else {
            isolatesIngress = false;
            isolatesEgress = false;
            for (YamlNode t : types.items()) {
                String type = t.text();
                if ("Ingress".equals(type)) {
                    isolatesIngress = true;
                } else if ("Egress".equals(type)) {
                    isolatesEgress = true;
                } else {
                    throw new InvalidPolicyException(t.location(), "unknown policyType '" + type + "' (expected Ingress or Egress)");
                }
            }
        }
        return new Policy(o.namespace(), o.name(), podSelector, isolatesIngress, isolatesEgress, ingress, egress,
                o.body().location());
    }

    private static List<PolicyRule> rules(YamlMap spec, String direction, String peersKey) {
        YamlNode node = spec.get(direction);
        List<PolicyRule> out = new ArrayList<>();
        if (node == null || node instanceof YamlScalar s && s.isNull()) {
            return out;
        }
        if (!(node instanceof YamlSeq seq)) {
            throw new InvalidPolicyException(node.location(), direction + " must be a list of rules");
        }
        int index = 0;
        for (YamlNode item : seq.items()) {
            if (!(item instanceof YamlMap rule)) {
                if (item instanceof YamlScalar s && s.isNull()) {
                    out.add(new PolicyRule(direction, index++, true, List.of(), true, List.of(), item.location()));
                    continue;
                }
                throw new InvalidPolicyException(item.location(), "a " + direction + " rule must be a mapping");
            }
            List<Peer> peers = peers(rule.get(peersKey), peersKey);
            List<PortSpec> ports = ports(rule.get("ports"));
            out.add(new PolicyRule(direction, index++, peers.isEmpty(), peers, ports.isEmpty(), ports, rule.location()));
        }
        return out;
    }

    private static List<Peer> peers(YamlNode node, String key) {
        List<Peer> out = new ArrayList<>();
        if (node == null || node instanceof YamlScalar s && s.isNull()) {
            return out;
        }
        if (!(node instanceof YamlSeq seq)) {
            throw new InvalidPolicyException(node.location(), "'" + key + "' must be a list of peers");
        }
        for (YamlNode item : seq.items()) {
            if (!(item instanceof YamlMap peer)) {
                throw new InvalidPolicyException(item.location(), "a peer must be a mapping");
            }
            out.add(peer(peer));
        }
        return out;
    }

    private static Peer peer(YamlMap peer) {
        YamlNode ipBlock = peer.get("ipBlock");
        boolean selects = peer.get("podSelector") != null || peer.get("namespaceSelector") != null;
        if (ipBlock != null) {
            if (selects) {
                throw new InvalidPolicyException(peer.locationOf("ipBlock"), "a peer may not combine ipBlock with a pod or namespace selector");
            }
            return ipPeer(ipBlock);
        }
        if (!selects) {
            throw new InvalidPolicyException(peer.location(), "a peer must set podSelector, namespaceSelector or ipBlock");
        }
        LabelSelector namespaces = peer.get("namespaceSelector") == null ? null : LabelSelector.parse(peer.get("namespaceSelector"));
        LabelSelector pods = peer.get("podSelector") == null ? null : LabelSelector.parse(peer.get("podSelector"));
        return new PodPeer(namespaces, pods, peer.location());
    }

    private static IpPeer ipPeer(YamlNode node) {
        if (!(node instanceof YamlMap block)) {
            throw new InvalidPolicyException(node.location(), "ipBlock must be a mapping with a cidr");
        }
        String cidrText = block.text("cidr");
        if (cidrText == null) {
            throw new InvalidPolicyException(block.location(), "ipBlock needs a cidr");
        }
        IpRange cidr = cidr(cidrText, block.locationOf("cidr"));
        List<IpRange> except = new ArrayList<>();
        YamlSeq exceptSeq = block.seq("except");
        if (exceptSeq != null) {
            for (YamlNode e : exceptSeq.items()) {
                IpRange range = cidr(String.valueOf(e.text()), e.location());
                if (!cidr.contains(range) || cidr.equals(range)) {
                    throw new InvalidPolicyException(e.location(), "except " + e.text() + " must lie strictly within cidr " + cidrText);
                }
                except.add(range);
            }
        }
        return new IpPeer(cidr, except, cidrText, block.location());
    }

    static IpRange cidr(String text, SourceLocation at) {
        try {
            return IpRange.parseCidr(text.trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidPolicyException(at, e.getMessage());
        }
    }

    private static List<PortSpec> ports(YamlNode node) {
        return eachMapping(node, "ports", PolicyCompiler::port);
    }

    /** The items of an optional list of mappings (absent or null: none), each read by {@code read}. */
    static <T> List<T> eachMapping(YamlNode node, String field, java.util.function.Function<YamlMap, T> read) {
        List<T> out = new ArrayList<>();
        if (node == null || node instanceof YamlScalar s && s.isNull()) {
            return out;
        }
        if (!(node instanceof YamlSeq seq)) {
            throw new InvalidPolicyException(node.location(), field + " must be a list");
        }
        for (YamlNode item : seq.items()) {
            if (!(item instanceof YamlMap map)) {
                throw new InvalidPolicyException(item.location(), "a " + field + " entry must be a mapping");
            }
            out.add(read.apply(map));
        }
        return out;
    }

    /** The entry's {@code protocol}, TCP when absent. */
    static Protocol protocol(YamlMap entry) {
        try {
            return Protocol.parse(entry.text("protocol"));
        } catch (IllegalArgumentException e) {
            throw new InvalidPolicyException(entry.locationOf("protocol"), e.getMessage());
        }
    }

    private static PortSpec port(YamlMap port) {
        Protocol protocol = protocol(port);
        String portText = port.text("port");
        Integer number = null;
        String name = null;
        if (portText != null) {
            if (portText.matches("\\d+")) {
                number = Integer.parseInt(portText);
                if (number < 1 || number > 65535) {
                    throw new InvalidPolicyException(port.locationOf("port"), "port " + portText + " is outside 1-65535");
                }
            } else if (PORT_NAME.matcher(portText).matches()) {
                name = portText;
            } else {
                throw new InvalidPolicyException(port.locationOf("port"), "'" + portText + "' is neither a port number nor a valid port name");
            }
        }
        Integer endPort = null;
        String endText = port.text("endPort");
        if (endText != null) {
            if (number == null) {
                throw new InvalidPolicyException(port.locationOf("endPort"), "endPort needs a numeric port");
            }
            if (!endText.matches("\\d+") || Integer.parseInt(endText) < number || Integer.parseInt(endText) > 65535) {
                throw new InvalidPolicyException(port.locationOf("endPort"), "endPort " + endText
                        + " must be a number between port (" + number + ") and 65535");
            }
            endPort = Integer.parseInt(endText);
        }
        return new PortSpec(protocol, number, name, endPort);
    }
}
