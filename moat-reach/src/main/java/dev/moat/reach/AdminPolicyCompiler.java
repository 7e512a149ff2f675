package dev.moat.reach;

import dev.moat.core.SourceLocation;
import dev.moat.core.yaml.YamlMap;
import dev.moat.core.yaml.YamlNode;
import dev.moat.core.yaml.YamlScalar;
import dev.moat.core.yaml.YamlSeq;
import dev.moat.kube.KubeObject;
import dev.moat.reach.AdminPolicy.Action;
import dev.moat.reach.AdminPolicy.AdminRule;
import dev.moat.reach.AdminPolicy.Tier;
import dev.moat.reach.Policy.IpPeer;
import dev.moat.reach.Policy.Peer;
import dev.moat.reach.Policy.PodPeer;
import dev.moat.reach.Policy.PolicyRule;
import dev.moat.reach.Policy.PortSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy and BaselineAdminNetworkPolicy objects
 * into {@link AdminPolicy}, rejecting, with the field's location, what the API server's schema and
 * validation rules reject (network-policy-api v0.1.5).
 */
public final class AdminPolicyCompiler {

    private static final String GROUP = "policy.networking.k8s.io";
    private static final String ADMIN = "AdminNetworkPolicy";
    private static final String BASELINE = "BaselineAdminNetworkPolicy";
    private static final int MAX_PRIORITY = 1000;
    private static final int MAX_RULES = 100;
    private static final int MAX_NAME = 100;
    private static final int MAX_NETWORKS = 25;

    private AdminPolicyCompiler() {
    }

    public static boolean isAdminPolicy(KubeObject o) {
        return o.group().equals(GROUP) && (o.kind().equals(ADMIN) || o.kind().equals(BASELINE));
    }

    public static AdminPolicy compile(KubeObject o) {
        Tier tier = o.kind().equals(BASELINE) ? Tier.BASELINE : Tier.ADMIN;
        YamlMap spec = o.spec();
        int priority = 0;
        if (tier == Tier.BASELINE) {
            if (!o.name().equals("default")) {
                YamlMap metadata = o.body().map("metadata");
                throw new InvalidPolicyException(metadata == null ? o.location() : metadata.locationOf("name"),
                        "a BaselineAdminNetworkPolicy must be named 'default' (the cluster has exactly one)");
            }
        } else {
            priority = number(spec, "priority", 0, MAX_PRIORITY);
        }
        PodPeer subject = subject(spec);
        List<AdminRule> ingress = rules(spec, "ingress", tier);
        List<AdminRule> egress = rules(spec, "egress", tier);
        return new AdminPolicy(tier, o.name(), priority, subject, ingress, egress, o.body().location());
    }

    private static PodPeer subject(YamlMap spec) {
        YamlNode node = spec.get("subject");
        if (!(node instanceof YamlMap subject)) {
            throw new InvalidPolicyException(node == null ? spec.location() : node.location(),
                    "subject is required: a mapping with namespaces or pods");
        }
        return podPeer(subject, oneOf(subject, "subject", Set.of("namespaces", "pods")));
    }

    /** A {@code namespaces} selector, or a {@code pods} pair of selectors where an absent one selects everything. */
    private static PodPeer podPeer(YamlMap owner, String field) {
        YamlNode value = owner.get(field);
        if (field.equals("namespaces")) {
            return new PodPeer(LabelSelector.parse(value), null, owner.locationOf(field));
        }
        if (!(value instanceof YamlMap pods)) {
            throw new InvalidPolicyException(owner.locationOf(field), "pods must be a mapping with namespaceSelector and podSelector");
        }
        return new PodPeer(LabelSelector.parse(pods.get("namespaceSelector")), LabelSelector.parse(pods.get("podSelector")),
                owner.locationOf(field));
    }

    /** The one field of {@code allowed} that {@code map} sets; the API requires exactly one. */
    private static String oneOf(YamlMap map, String what, Set<String> allowed) {
        List<String> set = map.fields().stream().map(YamlMap.Entry::key).filter(allowed::contains).toList();
        if (set.size() != 1) {
            throw new InvalidPolicyException(set.size() > 1 ? map.locationOf(set.get(1)) : map.location(),
                    what + " must set exactly one of " + String.join(", ", new TreeSet<>(allowed))
                            + (set.isEmpty() ? "" : ", not " + String.join(" and ", set)));
        }
        return set.get(0);
    }

    private static List<AdminRule> rules(YamlMap spec, String direction, Tier tier) {
        YamlNode node = spec.get(direction);
        List<AdminRule> out = new ArrayList<>();
        if (node == null || node instanceof YamlScalar s && s.isNull()) {
            return out;
        }
        if (!(node instanceof YamlSeq seq)) {
            throw new InvalidPolicyException(node.location(), direction + " must be a list of rules");
        }
        if (seq.items().size() > MAX_RULES) {
            throw new InvalidPolicyException(node.location(), "at most " + MAX_RULES + " " + direction + " rules are allowed");
        }
        for (YamlNode item : seq.items()) {
            if (!(item instanceof YamlMap rule)) {
                throw new InvalidPolicyException(item.location(), "a " + direction + " rule must be a mapping");
            }
            out.add(rule(rule, direction, out.size(), tier));
        }
        return out;
    }

    private static AdminRule rule(YamlMap rule, String direction, int index, Tier tier) {
        String name = rule.text("name") == null ? "" : rule.text("name");
        if (name.length() > MAX_NAME) {
            throw new InvalidPolicyException(rule.locationOf("name"), "a rule name may have at most " + MAX_NAME + " characters");
        }
        Action action = action(rule, tier);
        boolean ingress = direction.equals("ingress");
        String peersKey = ingress ? "from" : "to";
        YamlNode peersNode = rule.get(peersKey);
        if (!(peersNode instanceof YamlSeq peerSeq) || peerSeq.items().isEmpty()) {
            throw new InvalidPolicyException(peersNode == null ? rule.location() : peersNode.location(),
                    "'" + peersKey + "' must list at least one peer");
        }
        Set<String> peerFields = ingress ? Set.of("namespaces", "pods") : Set.of("namespaces", "pods", "nodes", "networks");
        List<Peer> peers = new ArrayList<>();
        for (YamlNode item : peerSeq.items()) {
            if (!(item instanceof YamlMap peer)) {
                throw new InvalidPolicyException(item.location(), "a peer must be a mapping");
            }
            String field = oneOf(peer, "a peer in '" + peersKey + "'", peerFields);
            switch (field) {
                // Validated like any selector, but matching nothing: nodes are not endpoints of this model.
                case "nodes" -> LabelSelector.parse(peer.get("nodes"));
                case "networks" -> peers.addAll(networks(peer));
                default -> peers.add(podPeer(peer, field));
            }
        }
        List<PortSpec> ports = ports(rule.get("ports"));
        return new AdminRule(name, action, new PolicyRule(direction, index, false, peers, ports.isEmpty(), ports, rule.location()));
    }

    private static Action action(YamlMap rule, Tier tier) {
        String text = rule.text("action");
        Action action = switch (text == null ? "" : text) {
            case "Allow" -> Action.ALLOW;
            case "Deny" -> Action.DENY;
            case "Pass" -> tier == Tier.ADMIN ? Action.PASS : null;
            default -> null;
        };
        if (action == null) {
            throw new InvalidPolicyException(rule.locationOf("action"), (text == null ? "action is required" : "unknown action '" + text + "'")
                    + (tier == Tier.ADMIN ? " (expected Allow, Deny or Pass)" : " (expected Allow or Deny)"));
        }
        return action;
    }

    private static List<Peer> networks(YamlMap peer) {
        YamlNode node = peer.get("networks");
        if (!(node instanceof YamlSeq seq) || seq.items().isEmpty() || seq.items().size() > MAX_NETWORKS) {
            throw new InvalidPolicyException(peer.locationOf("networks"), "networks must list 1-" + MAX_NETWORKS + " CIDRs");
        }
        List<Peer> out = new ArrayList<>();
        for (YamlNode item : seq.items()) {
            String text = String.valueOf(item.text());
            out.add(new IpPeer(PolicyCompiler.cidr(text, item.location()), List.of(), text, item.location()));
        }
        return out;
    }

    private static List<PortSpec> ports(YamlNode node) {
        return PolicyCompiler.eachMapping(node, "ports", AdminPolicyCompiler::port);
    }

    private static PortSpec port(YamlMap entry) {
        String field = oneOf(entry, "a ports entry", Set.of("portNumber", "portRange", "namedPort"));
        if (field.equals("namedPort")) {
            String name = entry.text("namedPort");
            if (name == null || !PolicyCompiler.PORT_NAME.matcher(name).matches()) {
                throw new InvalidPolicyException(entry.locationOf("namedPort"), "'" + name + "' is not a valid port name");
            }
            return new PortSpec(null, null, name, null);
        }
        if (!(entry.get(field) instanceof YamlMap spec)) {
            throw new InvalidPolicyException(entry.locationOf(field), field + " must be a mapping");
        }
        Protocol protocol = PolicyCompiler.protocol(spec);
        if (field.equals("portNumber")) {
            return new PortSpec(protocol, number(spec, "port", 1, ConnectionSet.MAX_PORT), null, null);
        }
        int start = number(spec, "start", 1, ConnectionSet.MAX_PORT);
        int end = number(spec, "end", 1, ConnectionSet.MAX_PORT);
        if (end < start) {
            throw new InvalidPolicyException(spec.locationOf("end"), "portRange end " + end + " is below its start " + start);
        }
        return new PortSpec(protocol, start, null, end);
    }

    /** A required integer field within [min, max]. */
    private static int number(YamlMap map, String key, int min, int max) {
        String text = map.text(key);
        SourceLocation at = map.locationOf(key);
        if (text == null) {
            throw new InvalidPolicyException(at, key + " is required");
        }
        if (!text.matches("\\d{1,9}") || Integer.parseInt(text) < min || Integer.parseInt(text) > max) {
            throw new InvalidPolicyException(at, key + " '" + text + "' must be a number between " + min + " and " + max);
        }
        return Integer.parseInt(text);
    }
}
