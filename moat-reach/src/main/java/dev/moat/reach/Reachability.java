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
import java.util.function.Consumer;

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
    /** Non-empty class-to-class results, per source class: destination classes and what they allow. */
    private final List<ClassEdges> classConnections;
    private final ConnectionSet[][] toExternal;
    private final ConnectionSet[][] fromExternal;

    /** A growable list of (destination class, allowed) pairs; arrays rather than maps, since there can be millions. */
    private static final class ClassEdges {
        int size;
        int[] destinations = new int[4];
        ConnectionSet[] allowed = new ConnectionSet[4];

        void add(int destination, ConnectionSet conns) {
            if (size == destinations.length) {
                destinations = Arrays.copyOf(destinations, size * 2);
                allowed = Arrays.copyOf(allowed, size * 2);
            }
            destinations[size] = destination;
            allowed[size++] = conns;
        }
    }

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
            classConnections.add(new ClassEdges());
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
        int n = workloads.size();
        LabelIndex podLabels = new LabelIndex(workloads.stream().map(WorkloadPeer::labels).toList());
        Map<String, BitSet> byNamespace = new HashMap<>();
        for (int i = 0; i < n; i++) {
            byNamespace.computeIfAbsent(workloads.get(i).namespace(), k -> new BitSet(n)).set(i);
        }
        List<String> namespaceNames = new ArrayList<>(byNamespace.keySet());
        LabelIndex namespaceLabels = new LabelIndex(namespaceNames.stream().map(network::labelsOfNamespace).toList());
        List<List<Integer>> ingress = emptyLists(n);
        List<List<Integer>> egress = emptyLists(n);
        List<Policy> policies = network.policies();
        for (int p = 0; p < policies.size(); p++) {
            Policy policy = policies.get(p);
            BitSet selected = podLabels.select(policy.podSelector());
            selected.and(byNamespace.getOrDefault(policy.namespace(), new BitSet()));
            for (int w = selected.nextSetBit(0); w >= 0; w = selected.nextSetBit(w + 1)) {
                if (policy.isolatesIngress()) {
                    ingress.get(w).add(p);
                }
                if (policy.isolatesEgress()) {
                    egress.get(w).add(p);
                }
            }
        }
        BitSet[] membership = new BitSet[n];
        for (int w = 0; w < n; w++) {
            membership[w] = new BitSet();
        }
        for (int id = 0; id < peers.size(); id++) {
            BitSet members = peerMembers(peers.get(id), podLabels, byNamespace, namespaceNames, namespaceLabels, n);
            for (int w = members.nextSetBit(0); w >= 0; w = members.nextSetBit(w + 1)) {
                membership[w].set(id);
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

    /** The workloads a rule peer selects: its namespaces (the policy's own by default), then its pods. */
    private static BitSet peerMembers(PeerRef ref, LabelIndex podLabels, Map<String, BitSet> byNamespace,
                                      List<String> namespaceNames, LabelIndex namespaceLabels, int n) {
        BitSet inNamespaces = new BitSet(n);
        if (ref.peer().namespaces() == null) {
            inNamespaces.or(byNamespace.getOrDefault(ref.policy().namespace(), new BitSet()));
        } else {
            BitSet namespaces = namespaceLabels.select(ref.peer().namespaces());
            for (int i = namespaces.nextSetBit(0); i >= 0; i = namespaces.nextSetBit(i + 1)) {
                inNamespaces.or(byNamespace.get(namespaceNames.get(i)));
            }
        }
        if (ref.peer().pods() != null) {
            inNamespaces.and(podLabels.select(ref.peer().pods()));
        }
        return inNamespaces;
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
        ConnectionSet[] egressDefault = new ConnectionSet[c];
        List<Integer> egressOpen = new ArrayList<>();
        for (int s = 0; s < c; s++) {
            egressDefault[s] = classes.get(s).isolatedEgress() ? ConnectionSet.NONE : ConnectionSet.ALL;
            if (!classes.get(s).isolatedEgress()) {
                egressOpen.add(s);
            }
        }
        Column in = new Column(c);
        Column out = new Column(c);
        Map<IpPeer, int[]> coveredSources = new IdentityHashMap<>();
        for (int d = 0; d < c; d++) {
            EqClass dst = classes.get(d);
            ConnectionSet[] inExternal = new ConnectionSet[e];
            in.reset(dst.isolatedIngress() ? ConnectionSet.NONE : ConnectionSet.ALL);
            Arrays.fill(inExternal, in.base);
            for (int p : dst.signature.ingress()) {
                for (PolicyRule r : policies.get(p).ingress()) {
                    ConnectionSet conns = PeerMatcher.ports(r, dst.representative);
                    if (conns.isEmpty()) {
                        continue;
                    }
                    if (r.anyPeer()) {
                        in.unionAll(conns);
                        unionAll(inExternal, conns);
                        continue;
                    }
                    for (Policy.Peer peer : r.peers()) {
                        if (peer instanceof PodPeer pod) {
                            for (int s : classesOfPeer.get(peerIds.get(pod))) {
                                in.union(s, conns);
                            }
                        } else if (peer instanceof IpPeer ip) {
                            for (int x : coveredSources.computeIfAbsent(ip, this::coveredSources)) {
                                inExternal[x] = inExternal[x].union(conns);
                            }
                        }
                    }
                }
            }
            out.reset(null);
            applyEgressTowards(dst, out, egressDefault, egressSelected, anyPeerEgressPolicies, peers, policyIndex);
            if (in.base == ConnectionSet.NONE) {
                for (int i = 0; i < in.touchedCount; i++) {
                    int s = in.touched[i];
                    record(s, d, in.get(s), out.get(s, egressDefault));
                }
            } else {
                for (int s : egressOpen) {
                    record(s, d, in.get(s), ConnectionSet.ALL);
                }
                for (int i = 0; i < out.touchedCount; i++) {
                    int s = out.touched[i];
                    record(s, d, in.get(s), out.values[s]);
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

    private void record(int source, int destination, ConnectionSet ingress, ConnectionSet egress) {
        if (ingress == ConnectionSet.NONE || egress == ConnectionSet.NONE) {
            return;
        }
        ConnectionSet allowed = ingress.intersect(egress);
        if (!allowed.isEmpty()) {
            classConnections.get(source).add(destination, allowed);
        }
    }

    /**
     * One destination's column over source classes, kept sparse: a base value every source shares,
     * plus the sources some rule named. Resetting is O(1) (a new generation stamp), so a destination
     * costs what its rules touch, not the number of classes.
     */
    private static final class Column {
        final ConnectionSet[] values;
        final int[] stamp;
        final int[] touched;
        int touchedCount;
        int generation;
        ConnectionSet base;

        Column(int size) {
            values = new ConnectionSet[size];
            stamp = new int[size];
            touched = new int[size];
        }

        void reset(ConnectionSet newBase) {
            generation++;
            touchedCount = 0;
            base = newBase;
        }

        ConnectionSet get(int s) {
            return stamp[s] == generation ? values[s] : base;
        }

        /** For the egress column, whose untouched entries default per source class. */
        ConnectionSet get(int s, ConnectionSet[] defaults) {
            return stamp[s] == generation ? values[s] : defaults[s];
        }

        void union(int s, ConnectionSet conns) {
            if (stamp[s] != generation) {
                stamp[s] = generation;
                values[s] = base;
                touched[touchedCount++] = s;
            }
            values[s] = values[s].union(conns);
        }

        void unionInto(int s, ConnectionSet initial, ConnectionSet conns) {
            if (stamp[s] != generation) {
                stamp[s] = generation;
                values[s] = initial;
                touched[touchedCount++] = s;
            }
            values[s] = values[s].union(conns);
        }

        void unionAll(ConnectionSet conns) {
            base = base.union(conns);
            for (int i = 0; i < touchedCount; i++) {
                values[touched[i]] = values[touched[i]].union(conns);
            }
        }
    }

    /** Indices of the source ranges an ipBlock covers; the partition guarantees each is wholly in or out. */
    private int[] coveredSources(IpPeer ip) {
        return java.util.stream.IntStream.range(0, externalSources.size())
                .filter(x -> ip.covers(externalSources.get(x).range())).toArray();
    }

    /**
     * Egress contributions towards one destination class: from every egress rule whose peers include
     * it, to the classes that rule's policy isolates (which start from nothing: they are isolated).
     */
    private void applyEgressTowards(EqClass dst, Column out, ConnectionSet[] egressDefault,
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
                out.unionInto(s, egressDefault[s], conns);
            }
        }
        for (int p : anyPeerEgressPolicies) {
            for (PolicyRule r : network.policies().get(p).egress()) {
                if (r.anyPeer()) {
                    ConnectionSet conns = PeerMatcher.ports(r, dst.representative);
                    for (int s : egressSelected.get(p)) {
                        out.unionInto(s, egressDefault[s], conns);
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
        List<Connection> out = new ArrayList<>();
        forEachConnection(out::add);
        return out;
    }

    /**
     * Streams the connections in {@link #connections()} order without holding them all. Lines sort
     * by source then destination display name (a display never prefixes another: each ends at its
     * only ']'), so endpoints are ranked once and pairs are ordered by integer rank.
     */
    public void forEachConnection(Consumer<Connection> sink) {
        int n = workloads.size();
        int[] classOf = classIndex();
        List<Endpoint> destinations = new ArrayList<>(workloads);
        destinations.addAll(externalDestinations);
        int[] destinationRank = ranks(destinations);
        List<Endpoint> sources = new ArrayList<>(workloads);
        sources.addAll(externalSources);
        Integer[] sourceOrder = new Integer[sources.size()];
        int[] sourceRank = ranks(sources);
        for (int i = 0; i < sourceOrder.length; i++) {
            sourceOrder[sourceRank[i]] = i;
        }
        Integer[] workloadsByDestinationRank = new Integer[n];
        for (int i = 0; i < n; i++) {
            workloadsByDestinationRank[i] = i;
        }
        Arrays.sort(workloadsByDestinationRank, Comparator.comparingInt(w -> destinationRank[w]));
        for (int source : sourceOrder) {
            if (source < n) {
                emitFromWorkload(source, classOf, destinations, destinationRank, sink);
            } else {
                ExternalPeer ext = externalSources.get(source - n);
                for (int dw : workloadsByDestinationRank) {
                    ConnectionSet allowed = fromExternal[source - n][classOf[dw]];
                    if (!allowed.isEmpty()) {
                        sink.accept(new Connection(ext, workloads.get(dw), allowed));
                    }
                }
            }
        }
    }

    private void emitFromWorkload(int sw, int[] classOf, List<Endpoint> destinations, int[] destinationRank,
                                  Consumer<Connection> sink) {
        int n = workloads.size();
        int s = classOf[sw];
        ClassEdges edges = classConnections.get(s);
        int count = externalDestinations.size();
        for (int i = 0; i < edges.size; i++) {
            count += classes.get(edges.destinations[i]).members.size();
        }
        long[] keys = new long[count];
        ConnectionSet[] allowed = new ConnectionSet[count];
        int[] target = new int[count];
        int k = 0;
        for (int i = 0; i < edges.size; i++) {
            for (int dw : classes.get(edges.destinations[i]).members) {
                if (dw != sw) {
                    allowed[k] = edges.allowed[i];
                    target[k] = dw;
                    keys[k] = ((long) destinationRank[dw] << 32) | k;
                    k++;
                }
            }
        }
        for (int x = 0; x < externalDestinations.size(); x++) {
            if (!toExternal[s][x].isEmpty()) {
                allowed[k] = toExternal[s][x];
                target[k] = n + x;
                keys[k] = ((long) destinationRank[n + x] << 32) | k;
                k++;
            }
        }
        Arrays.sort(keys, 0, k);
        WorkloadPeer source = workloads.get(sw);
        for (int i = 0; i < k; i++) {
            int slot = (int) keys[i];
            sink.accept(new Connection(source, destinations.get(target[slot]), allowed[slot]));
        }
    }

    /** Each endpoint's position in display-name order. */
    private static int[] ranks(List<Endpoint> endpoints) {
        String[] names = new String[endpoints.size()];
        Integer[] order = new Integer[endpoints.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = endpoints.get(i).display();
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparing(i -> names[i]));
        int[] rank = new int[names.length];
        for (int r = 0; r < order.length; r++) {
            rank[order[r]] = r;
        }
        return rank;
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
