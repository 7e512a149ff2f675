package dev.moat.reach;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.SourceLocation;
import dev.moat.reach.AdminPolicy.Action;
import dev.moat.reach.AdminPolicy.AdminRule;
import dev.moat.reach.AdminPolicy.Tier;
import dev.moat.reach.LabelSelector.Operator;
import dev.moat.reach.LabelSelector.Requirement;
import dev.moat.reach.Policy.IpPeer;
import dev.moat.reach.Policy.Peer;
import dev.moat.reach.Policy.PodPeer;
import dev.moat.reach.Policy.PolicyRule;
import dev.moat.reach.Policy.PortSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * On random small networks (NetworkPolicies, AdminNetworkPolicies with Allow/Deny/Pass, a
 * baseline, ipBlocks and networks, named ports, Ingress exposures), the class-based bulk analysis
 * lists for every ordered pair exactly what the direct per-pair evaluation allows.
 */
class BulkMatchesPairPropertyTest {

    private static final SourceLocation AT = new SourceLocation("<random>", 1, 1);
    private static final String[] APPS = {"web", "api", "db"};
    private static final String[] TEAMS = {"red", "blue"};
    private static final String[] CIDRS = {"0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "192.168.0.0/16", "2001:db8::/32"};
    private static final Map<String, ConnectionSet> NAMED = Map.of("http", ConnectionSet.port(Protocol.TCP, 80),
            "dns", ConnectionSet.port(Protocol.UDP, 53), "web", ConnectionSet.port(Protocol.TCP, 8080),
            "sig", ConnectionSet.port(Protocol.SCTP, 9000));

    @Test
    void bulkConnectionsEqualPairAnalysisOnRandomNetworks() {
        Random random = new Random(1234);
        int pairs = 0;
        for (int round = 0; round < 400; round++) {
            Network network = network(random);
            Reachability r = new Reachability(network);
            Map<String, ConnectionSet> bulk = new HashMap<>();
            r.connections().forEach(c -> bulk.put(c.source().display() + " => " + c.destination().display(), c.allowed()));
            List<Endpoint> sources = new ArrayList<>(r.workloads());
            sources.addAll(r.externalSources());
            sources.add(IngressController.INSTANCE);
            List<Endpoint> destinations = new ArrayList<>(r.workloads());
            destinations.addAll(r.externalDestinations());
            for (Endpoint s : sources) {
                for (Endpoint d : destinations) {
                    if (s.equals(d) || s instanceof ExternalPeer && d instanceof ExternalPeer
                            || s instanceof IngressController && d instanceof ExternalPeer) {
                        continue;
                    }
                    String key = s.display() + " => " + d.display();
                    assertThat(bulk.getOrDefault(key, ConnectionSet.NONE)).as("round %d: %s", round, key)
                            .isEqualTo(r.allowed(s, d));
                    pairs++;
                }
            }
        }
        assertThat(pairs).isGreaterThan(10_000);
    }

    private static Network network(Random random) {
        Map<String, Map<String, String>> namespaces = new LinkedHashMap<>();
        for (String ns : List.of("a", "b", "c")) {
            Map<String, String> labels = new HashMap<>(Map.of("kubernetes.io/metadata.name", ns));
            if (random.nextBoolean()) {
                labels.put("team", pick(random, TEAMS));
            }
            namespaces.put(ns, labels);
        }
        List<WorkloadPeer> workloads = new ArrayList<>();
        for (int w = 0; w < 4 + random.nextInt(6); w++) {
            Map<String, String> labels = new HashMap<>(Map.of("app", pick(random, APPS)));
            if (random.nextBoolean()) {
                labels.put("tier", random.nextBoolean() ? "front" : "back");
            }
            Map<String, ConnectionSet> ports = new HashMap<>();
            NAMED.forEach((name, conns) -> {
                if (random.nextBoolean()) {
                    ports.put(name + "/" + conns.byProtocol().keySet().iterator().next(), conns);
                }
            });
            workloads.add(new WorkloadPeer(pick(random, namespaces.keySet().toArray(String[]::new)), "w" + w, "Deployment",
                    labels, new NamedPorts(ports)));
        }
        List<Policy> policies = new ArrayList<>();
        for (int p = 0; p < random.nextInt(5); p++) {
            boolean ingress = random.nextInt(4) > 0;
            boolean egress = random.nextBoolean();
            policies.add(new Policy(pick(random, namespaces.keySet().toArray(String[]::new)), "np" + p, selector(random, "app", APPS),
                    ingress, egress, npRules(random, "ingress"), npRules(random, "egress"), AT));
        }
        List<AdminPolicy> admin = new ArrayList<>();
        for (int a = 0; a < random.nextInt(4); a++) {
            admin.add(adminPolicy(random, Tier.ADMIN, "anp" + a));
        }
        if (random.nextBoolean()) {
            admin.add(adminPolicy(random, Tier.BASELINE, "default"));
        }
        List<IngressExposure> exposures = new ArrayList<>();
        for (WorkloadPeer w : workloads) {
            if (random.nextInt(4) == 0) {
                exposures.add(new IngressExposure(w, ConnectionSet.port(Protocol.TCP, random.nextBoolean() ? 80 : 8080)
                        .union(ConnectionSet.port(Protocol.TCP, 443)), List.of("Ingress test/route")));
            }
        }
        return new Network(workloads, namespaces, policies, admin, exposures, List.of());
    }

    private static List<PolicyRule> npRules(Random random, String direction) {
        List<PolicyRule> out = new ArrayList<>();
        for (int r = 0; r < random.nextInt(3); r++) {
            boolean anyPeer = random.nextInt(5) == 0;
            List<Peer> peers = new ArrayList<>();
            for (int p = 0; !anyPeer && p < 1 + random.nextInt(2); p++) {
                peers.add(random.nextInt(4) == 0 ? ipPeer(random, true) : new PodPeer(
                        random.nextBoolean() ? null : selector(random, "team", TEAMS),
                        random.nextBoolean() ? null : selector(random, "app", APPS), AT));
            }
            List<PortSpec> ports = ports(random, true);
            out.add(new PolicyRule(direction, r, anyPeer, peers, ports.isEmpty(), ports, AT));
        }
        return out;
    }

    private static AdminPolicy adminPolicy(Random random, Tier tier, String name) {
        PodPeer subject = random.nextBoolean()
                ? new PodPeer(selector(random, "team", TEAMS), null, AT)
                : new PodPeer(LabelSelector.EVERYTHING, selector(random, "app", APPS), AT);
        return new AdminPolicy(tier, name, random.nextInt(3), subject, adminRules(random, tier, "ingress"),
                adminRules(random, tier, "egress"), AT);
    }

    private static List<AdminRule> adminRules(Random random, Tier tier, String direction) {
        Action[] actions = tier == Tier.ADMIN ? Action.values() : new Action[] {Action.ALLOW, Action.DENY};
        List<AdminRule> out = new ArrayList<>();
        for (int r = 0; r < random.nextInt(4); r++) {
            List<Peer> peers = new ArrayList<>();
            for (int p = 0; p < random.nextInt(3); p++) {
                peers.add(direction.equals("egress") && random.nextInt(3) == 0 ? ipPeer(random, false)
                        : new PodPeer(selector(random, "team", TEAMS), random.nextBoolean() ? null : selector(random, "app", APPS), AT));
            }
            List<PortSpec> ports = ports(random, false);
            out.add(new AdminRule(random.nextBoolean() ? "" : direction + r, pick(random, actions),
                    new PolicyRule(direction, r, false, peers, ports.isEmpty(), ports, AT)));
        }
        return out;
    }

    private static IpPeer ipPeer(Random random, boolean withExcept) {
        String cidr = pick(random, CIDRS);
        List<IpRange> except = withExcept && cidr.equals("10.0.0.0/8") && random.nextBoolean()
                ? List.of(IpRange.parseCidr("10.1.0.0/16")) : List.of();
        return new IpPeer(IpRange.parseCidr(cidr), except, cidr, AT);
    }

    private static List<PortSpec> ports(Random random, boolean networkPolicy) {
        List<PortSpec> out = new ArrayList<>();
        for (int p = 0; random.nextInt(3) > 0 && p < 2; p++) {
            out.add(switch (random.nextInt(5)) {
                case 0 -> new PortSpec(Protocol.TCP, 80, null, null);
                case 1 -> new PortSpec(Protocol.TCP, 8000, null, 8100);
                case 2 -> new PortSpec(Protocol.UDP, 53, null, null);
                case 3 -> new PortSpec(networkPolicy ? Protocol.TCP : null, null, pick(random, NAMED.keySet().toArray(String[]::new)), null);
                default -> new PortSpec(pick(random, Protocol.values()), null, null, null);
            });
        }
        return out;
    }

    /** Empty, a label, or a set-based requirement, so In, NotIn, Exists and DoesNotExist all occur. */
    private static LabelSelector selector(Random random, String key, String[] values) {
        return switch (random.nextInt(5)) {
            case 0 -> LabelSelector.EVERYTHING;
            case 1 -> new LabelSelector(Map.of(), List.of(new Requirement(key, Operator.NOT_IN, Set.of(pick(random, values)))));
            case 2 -> new LabelSelector(Map.of(), List.of(new Requirement(key, random.nextBoolean() ? Operator.EXISTS
                    : Operator.DOES_NOT_EXIST, Set.of())));
            default -> new LabelSelector(Map.of(key, pick(random, values)), List.of());
        };
    }

    private static <T> T pick(Random random, T[] values) {
        return values[random.nextInt(values.length)];
    }
}
