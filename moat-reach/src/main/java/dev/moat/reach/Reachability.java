package dev.moat.reach;

import dev.moat.reach.Policy.IpPeer;
import dev.moat.reach.Policy.PodPeer;
import dev.moat.reach.Policy.PolicyRule;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Who can reach whom under the NetworkPolicies of a {@link Network}.
 *
 * <p>Workloads that no selector can tell apart (same isolating policies, same membership in every
 * rule's peers, same named ports) form one equivalence class; connections are computed once per
 * pair of classes and expanded per workload only for output. Policies and selectors are evaluated
 * once, not per pair, so the cost follows the number of distinct behaviours rather than the square
 * of the number of workloads.
 */
public final class Reachability {

    private final Network network;
    private final PeerMatcher matcher;
    private final List<WorkloadPeer> workloads;
    /** External ranges as sources (cut by ingress ipBlocks) and as destinations (cut by egress ipBlocks). */
    private final List<ExternalPeer> externalSources;
    private final List<ExternalPeer> externalDestinations;
    private final List<EqClass> classes;
    /** Non-empty class-to-class results: [sourceClass][destination class] packed as a map per source. */
    private final List<Map<Integer, ConnectionSet>> classConnections;
    private final ConnectionSet[][] toExternal;
    private final ConnectionSet[][] fromExternal;

    private record PeerRef(Policy policy, PolicyRule rule, PodPeer peer) {
    }

    private record Signature(List<Integer> ingress, List<Integer> egress, BitSet membership, NamedPorts ports) {
    }

    private static final class EqClass {
        final List<Integer> members = new ArrayList<>();
        final Signature signature;
        final WorkloadPeer representative;

        EqClass(Signature signature, WorkloadPeer representative) {
            this.signature = signature;
            this.representative = representative;
        }

        boolean isolatedIngress() {
            return !signature.ingress().isEmpty();
        }

        boolean isolatedEgress() {
            return !signature.egress().isEmpty();
        }
    }

    public Reachability(Network network) {
        this.network = network;
        this.matcher = new PeerMatcher(network);
        this.workloads = network.workloads();
        this.externalSources = partitionExternal(network.policies(), Policy::ingress);
        this.externalDestinations = partitionExternal(network.policies(), Policy::egress);
        List<PeerRef> peers = podPeers(network.policies());
        this.classes = classify(peers);
        int c = classes.size();
        this.classConnections = new ArrayList<>(c);
        for (int i = 0; i < c; i++) {
            classConnections.add(new HashMap<>());
        }
        this.fromExternal = new ConnectionSet[externalSources.size()][c];
        this.toExternal = new ConnectionSet[c][externalDestinations.size()];
        computeClassMatrix(peers);
    }

    public Network network() {
        return network;
    }

    public List<WorkloadPeer> workloads() {
        return workloads;
    }

    public List<ExternalPeer> externalSources() {
        return externalSources;
    }

    public List<ExternalPeer> externalDestinations() {
        return externalDestinations;
    }

    /** Number of behaviour classes the workloads fell into (a measure of the work done). */
    public int classCount() {
        return classes.size();
    }

    // ---- address space -------------------------------------------------------------------------

    /**
     * Splits the outside world into the disjoint ranges that the ipBlocks of one direction's rules
     * bound (each block taken as the merged ranges of its cidr minus its excepts, so adjacent excepts
     * cut once), so each range is wholly in or wholly out of each block. IPv4 is always
     * present (the whole space when no block names it); IPv6 appears once some block names an IPv6
     * range. Sources and destinations are cut separately, as netpol-analyzer does, so egress blocks
     * do not fragment the ranges listed as sources.
     */
    private static List<ExternalPeer> partitionExternal(List<Policy> policies,
                                                        java.util.function.Function<Policy, List<PolicyRule>> rules) {
        TreeSet<BigInteger> v4 = new TreeSet<>(List.of(BigInteger.ZERO, IpRange.V4_MAX.add(BigInteger.ONE)));
        TreeSet<BigInteger> v6 = new TreeSet<>(List.of(BigInteger.ZERO, IpRange.V6_MAX.add(BigInteger.ONE)));
        boolean anyV6 = false;
        for (Policy p : policies) {
            for (PolicyRule r : rules.apply(p)) {
                for (Policy.Peer peer : r.peers()) {
                    if (peer instanceof IpPeer ip) {
                        anyV6 |= ip.cidr().v6();
                        for (IpRange b : ip.ranges()) {
                            TreeSet<BigInteger> cuts = b.v6() ? v6 : v4;
                            cuts.add(b.first());
                            cuts.add(b.last().add(BigInteger.ONE));
                        }
                    }
                }
            }
        }
        List<ExternalPeer> out = new ArrayList<>(segments(v4, false));
        if (anyV6) {
            out.addAll(segments(v6, true));
        }
        return out;
    }

    private static List<ExternalPeer> segments(TreeSet<BigInteger> cuts, boolean v6) {
        List<ExternalPeer> out = new ArrayList<>();
        BigInteger previous = null;
        for (BigInteger cut : cuts) {
            if (previous != null) {
                out.add(new ExternalPeer(new IpRange(v6, previous, cut.subtract(BigInteger.ONE))));
            }
            previous = cut;
        }
        return out;
    }

    private static List<PolicyRule> allRules(Policy p) {
        List<PolicyRule> all = new ArrayList<>(p.ingress());
        all.addAll(p.egress());
        return all;
    }

    // ---- classes -------------------------------------------------------------------------------

    private static List<PeerRef> podPeers(List<Policy> policies) {
        List<PeerRef> out = new ArrayList<>();
        for (Policy p : policies) {
            for (PolicyRule r : allRules(p)) {
                for (Policy.Peer peer : r.peers()) {
                    if (peer instanceof PodPeer pod) {
                        out.add(new PeerRef(p, r, pod));
                    }
                }
            }
        }
        return out;
    }

    private List<EqClass> classify(List<PeerRef> peers) {
        Map<String, List<Integer>> byNamespace = new HashMap<>();
        for (int i = 0; i < workloads.size(); i++) {
            byNamespace.computeIfAbsent(workloads.get(i).namespace(), k -> new ArrayList<>()).add(i);
        }
        int n = workloads.size();
        List<List<Integer>> ingress = emptyLists(n);
        List<List<Integer>> egress = emptyLists(n);
        List<Policy> policies = network.policies();
        for (int p = 0; p < policies.size(); p++) {
            Policy policy = policies.get(p);
            for (int w : byNamespace.getOrDefault(policy.namespace(), List.of())) {
                if (policy.podSelector().matches(workloads.get(w).labels())) {
                    if (policy.isolatesIngress()) {
                        ingress.get(w).add(p);
                    }
                    if (policy.isolatesEgress()) {
                        egress.get(w).add(p);
                    }
                }
            }
        }
        BitSet[] membership = new BitSet[n];
        for (int w = 0; w < n; w++) {
            membership[w] = new BitSet();
        }
        for (int id = 0; id < peers.size(); id++) {
            PeerRef ref = peers.get(id);
            for (String ns : candidateNamespaces(ref, byNamespace)) {
                for (int w : byNamespace.get(ns)) {
                    if (ref.peer().pods() == null || ref.peer().pods().matches(workloads.get(w).labels())) {
                        membership[w].set(id);
                    }
                }
            }
        }
        Map<Signature, EqClass> bySignature = new LinkedHashMap<>();
        for (int w = 0; w < n; w++) {
            WorkloadPeer peer = workloads.get(w);
            Signature s = new Signature(ingress.get(w), egress.get(w), membership[w], peer.namedPorts());
            bySignature.computeIfAbsent(s, k -> new EqClass(k, peer)).members.add(w);
        }
        return new ArrayList<>(bySignature.values());
    }

    private List<String> candidateNamespaces(PeerRef ref, Map<String, List<Integer>> byNamespace) {
        if (ref.peer().namespaces() == null) {
            return byNamespace.containsKey(ref.policy().namespace()) ? List.of(ref.policy().namespace()) : List.of();
        }
        List<String> out = new ArrayList<>();
        for (String ns : byNamespace.keySet()) {
            if (ref.peer().namespaces().matches(network.labelsOfNamespace(ns))) {
                out.add(ns);
            }
        }
        return out;
    }

    private static List<List<Integer>> emptyLists(int n) {
        List<List<Integer>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new ArrayList<>());
        }
        return out;
    }

    // ---- the class matrix ----------------------------------------------------------------------

    private void computeClassMatrix(List<PeerRef> peers) {
        int c = classes.size();
        int e = externalSources.size();
        Map<PodPeer, Integer> peerIds = new IdentityHashMap<>();
        for (int id = 0; id < peers.size(); id++) {
            peerIds.put(peers.get(id).peer(), id);
        }
        List<List<Integer>> classesOfPeer = emptyLists(peers.size());
        List<List<Integer>> egressSelected = emptyLists(network.policies().size());
        for (int k = 0; k < c; k++) {
            Signature s = classes.get(k).signature;
            for (int id = s.membership().nextSetBit(0); id >= 0; id = s.membership().nextSetBit(id + 1)) {
                classesOfPeer.get(id).add(k);
            }
            for (int p : s.egress()) {
                egressSelected.get(p).add(k);
            }
        }
        List<Integer> anyPeerEgressPolicies = new ArrayList<>();
        List<Policy> policies = network.policies();
        for (int p = 0; p < policies.size(); p++) {
            if (policies.get(p).isolatesEgress() && policies.get(p).egress().stream().anyMatch(PolicyRule::anyPeer)) {
                anyPeerEgressPolicies.add(p);
            }
        }
        Map<Policy, Integer> policyIndex = new IdentityHashMap<>();
        for (int p = 0; p < policies.size(); p++) {
            policyIndex.put(policies.get(p), p);
        }
        ConnectionSet[] in = new ConnectionSet[c];
        ConnectionSet[] out = new ConnectionSet[c];
        for (int d = 0; d < c; d++) {
            EqClass dst = classes.get(d);
            ConnectionSet[] inExternal = new ConnectionSet[e];
            Arrays.fill(in, dst.isolatedIngress() ? ConnectionSet.NONE : ConnectionSet.ALL);
            Arrays.fill(inExternal, dst.isolatedIngress() ? ConnectionSet.NONE : ConnectionSet.ALL);
            for (int p : dst.signature.ingress()) {
                for (PolicyRule r : policies.get(p).ingress()) {
                    ConnectionSet conns = PeerMatcher.ports(r, dst.representative);
                    if (conns.isEmpty()) {
                        continue;
                    }
                    if (r.anyPeer()) {
                        unionAll(in, conns);
                        unionAll(inExternal, conns);
                        continue;
                    }
                    for (Policy.Peer peer : r.peers()) {
                        if (peer instanceof PodPeer pod) {
                            for (int s : classesOfPeer.get(peerIds.get(pod))) {
                                in[s] = in[s].union(conns);
                            }
                        } else if (peer instanceof IpPeer ip) {
                            for (int x = 0; x < e; x++) {
                                if (ip.covers(externalSources.get(x).range())) {
                                    inExternal[x] = inExternal[x].union(conns);
                                }
                            }
                        }
                    }
                }
            }
            for (int s = 0; s < c; s++) {
                out[s] = classes.get(s).isolatedEgress() ? ConnectionSet.NONE : ConnectionSet.ALL;
            }
            applyEgressTowards(dst, out, classesOfPeer, egressSelected, anyPeerEgressPolicies, peers, policyIndex);
            for (int s = 0; s < c; s++) {
                ConnectionSet allowed = in[s].intersect(out[s]);
                if (!allowed.isEmpty()) {
                    classConnections.get(s).put(d, allowed);
                }
            }
            for (int x = 0; x < e; x++) {
                fromExternal[x][d] = inExternal[x];
            }
        }
        for (int s = 0; s < c; s++) {
            computeToExternal(s);
        }
    }

    /** Egress contributions towards one destination class: from every policy rule whose peers include it. */
    private void applyEgressTowards(EqClass dst, ConnectionSet[] out, List<List<Integer>> classesOfPeer,
                                    List<List<Integer>> egressSelected, List<Integer> anyPeerEgressPolicies,
                                    List<PeerRef> peers, Map<Policy, Integer> policyIndex) {
        BitSet membership = dst.signature.membership();
        for (int id = membership.nextSetBit(0); id >= 0; id = membership.nextSetBit(id + 1)) {
            PeerRef ref = peers.get(id);
            if (!ref.rule().direction().equals("egress") || !ref.policy().isolatesEgress()) {
                continue;
            }
            ConnectionSet conns = PeerMatcher.ports(ref.rule(), dst.representative);
            for (int s : egressSelected.get(policyIndex.get(ref.policy()))) {
                out[s] = out[s].union(conns);
            }
        }
        for (int p : anyPeerEgressPolicies) {
            for (PolicyRule r : network.policies().get(p).egress()) {
                if (r.anyPeer()) {
                    ConnectionSet conns = PeerMatcher.ports(r, dst.representative);
                    for (int s : egressSelected.get(p)) {
                        out[s] = out[s].union(conns);
                    }
                }
            }
        }
    }

    private void computeToExternal(int s) {
        EqClass src = classes.get(s);
        for (int x = 0; x < externalDestinations.size(); x++) {
            ExternalPeer ext = externalDestinations.get(x);
            ConnectionSet allowed = src.isolatedEgress() ? ConnectionSet.NONE : ConnectionSet.ALL;
            for (int p : src.signature.egress()) {
                for (PolicyRule r : network.policies().get(p).egress()) {
                    if (matcher.ruleIncludes(r, network.policies().get(p).namespace(), ext)) {
                        allowed = allowed.union(PeerMatcher.ports(r, ext));
                    }
                }
            }
            toExternal[s][x] = allowed;
        }
    }

    private static void unionAll(ConnectionSet[] target, ConnectionSet conns) {
        for (int i = 0; i < target.length; i++) {
            target[i] = target[i].union(conns);
        }
    }

    // ---- queries -------------------------------------------------------------------------------

    /**
     * Every allowed connection between distinct endpoints, sorted as netpol-analyzer sorts its
     * lines. A workload's traffic to itself is not listed.
     */
    public List<Connection> connections() {
        int[] classOf = classIndex();
        List<Connection> out = new ArrayList<>();
        for (int sw = 0; sw < workloads.size(); sw++) {
            int s = classOf[sw];
            for (Map.Entry<Integer, ConnectionSet> e : classConnections.get(s).entrySet()) {
                for (int dw : classes.get(e.getKey()).members) {
                    if (dw != sw) {
                        out.add(new Connection(workloads.get(sw), workloads.get(dw), e.getValue()));
                    }
                }
            }
            for (int x = 0; x < externalDestinations.size(); x++) {
                if (!toExternal[s][x].isEmpty()) {
                    out.add(new Connection(workloads.get(sw), externalDestinations.get(x), toExternal[s][x]));
                }
            }
        }
        for (int x = 0; x < externalSources.size(); x++) {
            for (int dw = 0; dw < workloads.size(); dw++) {
                ConnectionSet allowed = fromExternal[x][classOf[dw]];
                if (!allowed.isEmpty()) {
                    out.add(new Connection(externalSources.get(x), workloads.get(dw), allowed));
                }
            }
        }
        out.sort(Comparator.comparing(Connection::connlistLine));
        return out;
    }

    private int[] classIndex() {
        int[] classOf = new int[workloads.size()];
        for (int k = 0; k < classes.size(); k++) {
            for (int w : classes.get(k).members) {
                classOf[w] = k;
            }
        }
        return classOf;
    }

    /** What the policies allow from one endpoint to another, computed directly (the explain path). */
    public ConnectionSet allowed(Endpoint source, Endpoint destination) {
        return new PairAnalysis(network, matcher, source, destination).allowed();
    }

    public PairAnalysis explain(Endpoint source, Endpoint destination) {
        return new PairAnalysis(network, matcher, source, destination);
    }
}
