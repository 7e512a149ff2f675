package dev.moat.reach.bench;

import dev.moat.core.SourceLocation;
import dev.moat.reach.AdminPolicy;
import dev.moat.reach.AdminPolicy.Action;
import dev.moat.reach.AdminPolicy.AdminRule;
import dev.moat.reach.AdminPolicy.Tier;
import dev.moat.reach.ConnectionSet;
import dev.moat.reach.IpRange;
import dev.moat.reach.LabelSelector;
import dev.moat.reach.NamedPorts;
import dev.moat.reach.Network;
import dev.moat.reach.Policy;
import dev.moat.reach.Policy.IpPeer;
import dev.moat.reach.Policy.PodPeer;
import dev.moat.reach.Policy.PolicyRule;
import dev.moat.reach.Policy.PortSpec;
import dev.moat.reach.Protocol;
import dev.moat.reach.WorkloadPeer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A generated cluster for benchmarks: namespaces of about 100 workloads with realistic label
 * vocabularies, and policies mixing default-deny, same-namespace and cross-namespace selectors,
 * matchExpressions, named ports, port ranges and ipBlocks with excepts; one AdminNetworkPolicy per
 * 50 NetworkPolicies (Allow, Deny and Pass rules over namespaces, pods and networks) and a
 * BaselineAdminNetworkPolicy. The same seed gives the same cluster.
 */
public final class SyntheticCluster {

    private static final String[] APPS = {"vllm", "tgi", "triton", "ray-head", "ray-worker", "gateway", "redis", "postgres",
        "feature-store", "notebook", "trainer", "embedder", "reranker", "vector-db", "ui", "auth", "metrics", "logger"};
    private static final String[] TIERS = {"frontend", "backend", "data", "gpu", "batch"};
    private static final String[] TEAMS = {"search", "chat", "vision", "ranking", "platform", "research", "ads", "infra"};
    private static final String[] PORT_NAMES = {"http", "grpc", "metrics"};
    private static final int[] PORT_NUMBERS = {8080, 50051, 9090};
    private static final SourceLocation GENERATED = new SourceLocation("<generated>", 1, 1);

    private SyntheticCluster() {
    }

    public static Network generate(int workloadCount, int policyCount, int adminPolicyCount, long seed) {
        Random random = new Random(seed);
        int namespaceCount = Math.max(1, workloadCount / 100);
        Map<String, Map<String, String>> namespaces = new LinkedHashMap<>();
        for (int n = 0; n < namespaceCount; n++) {
            String name = "ns-" + n;
            namespaces.put(name, Map.of("kubernetes.io/metadata.name", name, "team", pick(random, TEAMS),
                    "env", random.nextInt(4) == 0 ? "prod" : "dev"));
        }
        List<String> names = new ArrayList<>(namespaces.keySet());
        List<WorkloadPeer> workloads = new ArrayList<>();
        for (int w = 0; w < workloadCount; w++) {
            String ns = names.get(w % namespaceCount);
            Map<String, String> labels = Map.of("app", pick(random, APPS), "tier", pick(random, TIERS),
                    "version", "v" + random.nextInt(3), "shard", String.valueOf(random.nextInt(8)));
            Map<String, ConnectionSet> ports = new LinkedHashMap<>();
            for (int p = 0; p < PORT_NAMES.length; p++) {
                if (random.nextBoolean()) {
                    ports.put(PORT_NAMES[p] + "/TCP", ConnectionSet.port(Protocol.TCP, PORT_NUMBERS[p] + random.nextInt(2)));
                }
            }
            workloads.add(new WorkloadPeer(ns, "wl-" + w, random.nextInt(5) == 0 ? "StatefulSet" : "Deployment", labels,
                    new NamedPorts(ports)));
        }
        List<Policy> policies = new ArrayList<>();
        for (int p = 0; p < policyCount; p++) {
            String ns = names.get(random.nextInt(namespaceCount));
            policies.add(policy(random, ns, "np-" + p, p));
        }
        List<AdminPolicy> admin = new ArrayList<>();
        for (int a = 0; a < adminPolicyCount; a++) {
            admin.add(adminPolicy(random, Tier.ADMIN, "anp-" + a, a));
        }
        if (adminPolicyCount > 0) {
            admin.add(adminPolicy(random, Tier.BASELINE, "default", 0));
        }
        return new Network(workloads, namespaces, policies, admin, List.of(), List.of());
    }

    private static AdminPolicy adminPolicy(Random random, Tier tier, String name, int priority) {
        PodPeer subject = random.nextBoolean()
                ? new PodPeer(new LabelSelector(Map.of("team", pick(random, TEAMS)), List.of()), null, GENERATED)
                : new PodPeer(LabelSelector.EVERYTHING, new LabelSelector(Map.of("tier", pick(random, TIERS)), List.of()), GENERATED);
        List<AdminRule> ingress = new ArrayList<>();
        List<AdminRule> egress = new ArrayList<>();
        for (int r = 0; r < 1 + random.nextInt(3); r++) {
            ingress.add(adminRule(random, tier, "ingress", r, adminPeer(random)));
            egress.add(adminRule(random, tier, "egress", r, random.nextInt(3) == 0 ? peer(random) : adminPeer(random)));
        }
        return new AdminPolicy(tier, name, priority, subject, ingress, egress, GENERATED);
    }

    /**
     * Guardrail-like rules: mostly Deny (and Pass, in the admin tier) over whole peers, while an Allow
     * opens one port, as cluster admins write them.
     */
    private static AdminRule adminRule(Random random, Tier tier, String direction, int index, Policy.Peer peer) {
        int roll = random.nextInt(10);
        Action action = roll < 2 ? Action.ALLOW : roll < 7 || tier == Tier.BASELINE ? Action.DENY : Action.PASS;
        if (peer instanceof IpPeer ip) {
            peer = new IpPeer(ip.cidr(), List.of(), ip.text(), GENERATED);
        }
        List<PortSpec> ports = action == Action.ALLOW || random.nextBoolean() ? List.of(port(random)) : List.of();
        return new AdminRule(direction + "-" + index, action,
                new PolicyRule(direction, index, false, List.of(peer), ports.isEmpty(), ports, GENERATED));
    }

    private static PodPeer adminPeer(Random random) {
        return random.nextBoolean()
                ? new PodPeer(new LabelSelector(Map.of("env", random.nextBoolean() ? "prod" : "dev"), List.of()), null, GENERATED)
                : new PodPeer(LabelSelector.EVERYTHING, new LabelSelector(Map.of("app", pick(random, APPS)), List.of()), GENERATED);
    }

    private static Policy policy(Random random, String ns, String name, int index) {
        if (index % 10 == 0) {
            return new Policy(ns, name, LabelSelector.EVERYTHING, true, random.nextBoolean(), List.of(), List.of(), GENERATED);
        }
        LabelSelector subject = random.nextInt(4) == 0
                ? new LabelSelector(Map.of("tier", pick(random, TIERS)), List.of())
                : new LabelSelector(Map.of("app", pick(random, APPS)), List.of());
        List<PolicyRule> ingress = new ArrayList<>();
        for (int r = 0; r < 1 + random.nextInt(2); r++) {
            ingress.add(new PolicyRule("ingress", r, false, List.of(peer(random)), false, List.of(port(random)), GENERATED));
        }
        boolean egress = random.nextInt(3) == 0;
        List<PolicyRule> egressRules = new ArrayList<>();
        if (egress) {
            egressRules.add(new PolicyRule("egress", 0, false, List.of(peer(random)), false, List.of(port(random)), GENERATED));
            egressRules.add(new PolicyRule("egress", 1, false, List.of(new PodPeer(LabelSelector.EVERYTHING,
                    new LabelSelector(Map.of("app", "redis"), List.of()), GENERATED)), false,
                    List.of(new PortSpec(Protocol.UDP, 53, null, null)), GENERATED));
        }
        return new Policy(ns, name, subject, true, egress, ingress, egressRules, GENERATED);
    }

    private static Policy.Peer peer(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> new PodPeer(null, new LabelSelector(Map.of("app", pick(random, APPS)), List.of()), GENERATED);
            case 1 -> new PodPeer(new LabelSelector(Map.of("team", pick(random, TEAMS)), List.of()), null, GENERATED);
            case 2 -> new PodPeer(new LabelSelector(Map.of("env", "prod"), List.of()),
                    new LabelSelector(Map.of(), List.of(new LabelSelector.Requirement("tier", LabelSelector.Operator.IN,
                            Set.of(TIERS[random.nextInt(2)], TIERS[2 + random.nextInt(3)])))), GENERATED);
            case 3 -> new PodPeer(null, new LabelSelector(Map.of(), List.of(new LabelSelector.Requirement("version",
                    LabelSelector.Operator.NOT_IN, Set.of("v0")))), GENERATED);
            default -> {
                int octet = 1 + random.nextInt(200);
                IpRange cidr = IpRange.parseCidr(octet + ".0.0.0/8");
                IpRange except = IpRange.parseCidr(octet + "." + random.nextInt(256) + ".0.0/16");
                yield new IpPeer(cidr, List.of(except), octet + ".0.0.0/8", GENERATED);
            }
        };
    }

    private static PortSpec port(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> new PortSpec(Protocol.TCP, null, pick(random, PORT_NAMES), null);
            case 1 -> new PortSpec(Protocol.TCP, 8000, null, 8000 + random.nextInt(100));
            case 2 -> new PortSpec(Protocol.UDP, 53, null, null);
            default -> new PortSpec(Protocol.TCP, 80 + random.nextInt(10000), null, null);
        };
    }

    private static String pick(Random random, String[] values) {
        return values[random.nextInt(values.length)];
    }
}
