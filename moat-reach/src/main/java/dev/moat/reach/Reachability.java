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
 * Who can reach whom under the NetworkPolicies and admin tiers of a {@link Network}.
 *
 * <p>Workloads that no selector can tell apart (same isolating policies, same membership in every
 * rule's peers, same admin subjects and admin rule peers, same named ports) form one equivalence
 * class; connections are computed once per pair of classes and expanded per workload only for
 * output. Policies and selectors are evaluated once, not per pair, so the cost follows the number
 * of distinct behaviours rather than the square of the number of workloads.
 *
 * <p>Admin rules are numbered per direction in evaluation order ({@link AdminRuleIndex}); a pair's
 * matching rules are the destination's (or source's) applicable rules intersected with the rules
 * whose peers include the other end, and classes that yield the same intersection share one
 * verdict per destination.
 */
public final class Reachability {

    private final Network network;
    private final PeerMatcher matcher;
    private final List<WorkloadPeer> workloads;
    /** External ranges as sources (cut by ingress ipBlocks) and as destinations (cut by egress ipBlocks and admin networks). */
    private final List<ExternalPeer> externalSources;
    private final List<ExternalPeer> externalDestinations;
    private final AdminRuleIndex adminIngress;
    private final AdminRuleIndex adminEgress;
    private final List<EqClass> classes;
    /** Non-empty class-to-class results, per source class: destination classes and what they allow. */
    private final List<ClassEdges> classConnections;
    private final ConnectionSet[][] toExternal;
    private final ConnectionSet[][] fromExternal;
    /** What Ingress and Route objects let the ingress controller reach, sorted by destination. */
    private final List<Connection> fromIngressController;

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

    /**
     * What decides a workload's connections: the NetworkPolicies isolating it, its membership in NP
     * rule peers, the admin policies whose subject it is, the admin rules (per direction) whose
     * peers include it, and its named ports.
     */
    private record Signature(List<Integer> ingress, List<Integer> egress, BitSet membership, BitSet adminSubjects,
                             BitSet adminIngressHits, BitSet adminEgressHits, NamedPorts ports) {
    }

    private static final class EqClass {
        final List<Integer> members = new ArrayList<>();
        final Signature signature;
        final WorkloadPeer representative;
        /** The admin rules that apply to the class as subject, per direction. */
        final BitSet adminIngressRules;
        final BitSet adminEgressRules;

        EqClass(Signature signature, WorkloadPeer representative, AdminRuleIndex ingress, AdminRuleIndex egress) {
            this.signature = signature;
            this.representative = representative;
            this.adminIngressRules = ingress.applicable(signature.adminSubjects(), isolatedIngress());
            this.adminEgressRules = egress.applicable(signature.adminSubjects(), isolatedEgress());
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
        this.adminIngress = new AdminRuleIndex(network.adminPolicies(), true);
        this.adminEgress = new AdminRuleIndex(network.adminPolicies(), false);
        this.externalSources = partitionExternal(network.policies().stream().flatMap(p -> p.ingress().stream()).toList());
        List<PolicyRule> egressRules = new ArrayList<>(network.policies().stream().flatMap(p -> p.egress().stream()).toList());
        adminEgress.rules().forEach(m -> egressRules.add(m.rule().match()));
        this.externalDestinations = partitionExternal(egressRules);
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
        this.fromIngressController = ingressControllerConnections();
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
     * Splits the outside world into the disjoint ranges that the ipBlocks (and, for egress, admin
     * {@code networks}) of one direction's rules bound (each block taken as the merged ranges of its
     * cidr minus its excepts, so adjacent excepts cut once), so each range is wholly in or wholly out
     * of each block. IPv4 is always present (the whole space when no block names it); IPv6 appears
     * once some block names an IPv6 range. Sources and destinations are cut separately, as
     * netpol-analyzer does, so egress blocks do not fragment the ranges listed as sources.
     */
    private static List<ExternalPeer> partitionExternal(List<PolicyRule> rules) {
        TreeSet<BigInteger> v4 = new TreeSet<>(List.of(BigInteger.ZERO, IpRange.V4_MAX.add(BigInteger.ONE)));
        TreeSet<BigInteger> v6 = new TreeSet<>(List.of(BigInteger.ZERO, IpRange.V6_MAX.add(BigInteger.ONE)));
        boolean anyV6 = false;
        for (PolicyRule r : rules) {
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
        Selection selection = new Selection();
        List<List<Integer>> ingress = emptyLists(n);
        List<List<Integer>> egress = emptyLists(n);
        List<Policy> policies = network.policies();
        for (int p = 0; p < policies.size(); p++) {
            Policy policy = policies.get(p);
            BitSet selected = selection.pods.select(policy.podSelector());
            selected.and(selection.inNamespace(policy.namespace()));
            for (int w = selected.nextSetBit(0); w >= 0; w = selected.nextSetBit(w + 1)) {
                if (policy.isolatesIngress()) {
                    ingress.get(w).add(p);
                }
                if (policy.isolatesEgress()) {
                    egress.get(w).add(p);
                }
            }
        }
        BitSet[] membership = emptyBitSets(n);
        for (int id = 0; id < peers.size(); id++) {
            setFor(selection.members(peers.get(id).peer(), peers.get(id).policy().namespace()), membership, id);
        }
        BitSet[] subjects = emptyBitSets(n);
        List<AdminPolicy> admins = network.adminPolicies();
        for (int a = 0; a < admins.size(); a++) {
            setFor(selection.members(admins.get(a).subject(), null), subjects, a);
        }
        BitSet[] ingressHits = adminHits(adminIngress, selection, n);
        BitSet[] egressHits = adminHits(adminEgress, selection, n);
        Map<Signature, EqClass> bySignature = new LinkedHashMap<>();
        for (int w = 0; w < n; w++) {
            WorkloadPeer peer = workloads.get(w);
            Signature s = new Signature(ingress.get(w), egress.get(w), membership[w], subjects[w], ingressHits[w],
                    egressHits[w], peer.namedPorts());
            bySignature.computeIfAbsent(s, k -> new EqClass(k, peer, adminIngress, adminEgress)).members.add(w);
        }
        return new ArrayList<>(bySignature.values());
    }

    /** Per workload, the numbers of the admin rules (of one direction) whose pod peers include it. */
    private static BitSet[] adminHits(AdminRuleIndex index, Selection selection, int n) {
        BitSet[] hits = emptyBitSets(n);
        List<AdminVerdict.Match> rules = index.rules();
        for (int r = 0; r < rules.size(); r++) {
            for (Policy.Peer peer : rules.get(r).rule().match().peers()) {
                if (peer instanceof PodPeer pod) {
                    setFor(selection.members(pod, null), hits, r);
                }
            }
        }
        return hits;
    }

    private static void setFor(BitSet workloads, BitSet[] target, int bit) {
        for (int w = workloads.nextSetBit(0); w >= 0; w = workloads.nextSetBit(w + 1)) {
            target[w].set(bit);
        }
    }

    private static BitSet[] emptyBitSets(int n) {
        BitSet[] out = new BitSet[n];
        for (int i = 0; i < n; i++) {
            out[i] = new BitSet();
        }
        return out;
    }

    /** Label indexes over the workloads and their namespaces, answering selectors with bitsets of workloads. */
    private final class Selection {
        final LabelIndex pods = new LabelIndex(workloads.stream().map(WorkloadPeer::labels).toList());
        final Map<String, BitSet> byNamespace = new HashMap<>();
        final List<String> namespaceNames;
        final LabelIndex namespaces;

        Selection() {
            for (int i = 0; i < workloads.size(); i++) {
                byNamespace.computeIfAbsent(workloads.get(i).namespace(), k -> new BitSet(workloads.size())).set(i);
            }
            namespaceNames = new ArrayList<>(byNamespace.keySet());
            namespaces = new LabelIndex(namespaceNames.stream().map(network::labelsOfNamespace).toList());
        }

        BitSet inNamespace(String namespace) {
            return byNamespace.getOrDefault(namespace, new BitSet());
        }

        /** The workloads a pod peer selects: its namespaces (the policy's own when it names none), then its pods. */
        BitSet members(PodPeer peer, String policyNamespace) {
            BitSet out = new BitSet(workloads.size());
            if (peer.namespaces() == null) {
                out.or(inNamespace(policyNamespace));
            } else {
                BitSet selected = namespaces.select(peer.namespaces());
                for (int i = selected.nextSetBit(0); i >= 0; i = selected.nextSetBit(i + 1)) {
                    out.or(byNamespace.get(namespaceNames.get(i)));
                }
            }
            if (peer.pods() != null) {
                out.and(pods.select(peer.pods()));
            }
            return out;
        }
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
        Map<IpPeer, int[]> coveredSources = new java.util.concurrent.ConcurrentHashMap<>();
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), c / 256));
        List<Workspace> workspaces = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workspaces.add(new Workspace(c));
        }
        Shared shared = new Shared(c, e, peerIds, classesOfPeer, egressSelected, anyPeerEgressPolicies, policyIndex,
                egressDefault, egressOpen, coveredSources, peers, untouchedGroups(workspaces.get(0).verdicts, egressDefault));
        // Destinations are independent; each thread takes every threads-th one and buffers its edges.
        java.util.stream.IntStream.range(0, threads).parallel().forEach(t -> {
            Workspace w = workspaces.get(t);
            for (int d = t; d < c; d += threads) {
                destination(d, w, shared);
            }
        });
        for (Workspace w : workspaces) {
            for (int i = 0; i < w.size; i++) {
                classConnections.get(w.sources[i]).add(w.destinations[i], w.allowed[i]);
            }
        }
        AdminVerdicts verdicts = workspaces.get(0).verdicts;
        ExternalVerdicts external = new ExternalVerdicts(verdicts);
        for (int s = 0; s < c; s++) {
            computeToExternal(s, external);
        }
    }

    /** Sources grouped by what decides them when no rule names them: admin groups and egress isolation. */
    private List<int[]> untouchedGroups(AdminVerdicts verdicts, ConnectionSet[] egressDefault) {
        Map<Integer, List<Integer>> byKey = new LinkedHashMap<>();
        for (int src = 0; src < classes.size(); src++) {
            byKey.computeIfAbsent(verdicts.untouchedKey(src, egressDefault[src] == ConnectionSet.NONE), k -> new ArrayList<>()).add(src);
        }
        return byKey.values().stream().map(g -> g.stream().mapToInt(Integer::intValue).toArray()).toList();
    }

    /** The precomputed, read-only indexes every destination's computation shares across threads. */
    private record Shared(int c, int e, Map<PodPeer, Integer> peerIds, List<List<Integer>> classesOfPeer,
                          List<List<Integer>> egressSelected, List<Integer> anyPeerEgressPolicies,
                          Map<Policy, Integer> policyIndex, ConnectionSet[] egressDefault, List<Integer> egressOpen,
                          Map<IpPeer, int[]> coveredSources, List<PeerRef> peers, List<int[]> untouchedGroups) {
    }

    /** One thread's scratch columns, admin memo and the edges it found, merged after the parallel phase. */
    private final class Workspace {
        final Column in;
        final Column out;
        final AdminVerdicts verdicts = new AdminVerdicts();
        private ConnectionSet lastIngress;
        private ConnectionSet lastEgress;
        private ConnectionSet lastBoth;
        int size;
        int[] sources = new int[1024];
        int[] destinations = new int[1024];
        ConnectionSet[] allowed = new ConnectionSet[1024];

        Workspace(int classCount) {
            in = new Column(classCount);
            out = new Column(classCount);
        }

        void record(int source, int destination, ConnectionSet ingress, ConnectionSet egress) {
            // Neighbouring sources mostly get the same shared instances, so one remembered pair saves most intersections.
            if (ingress != lastIngress || egress != lastEgress) {
                lastIngress = ingress;
                lastEgress = egress;
                lastBoth = both(ingress, egress);
            }
            add(source, destination, lastBoth);
        }

        void add(int source, int destination, ConnectionSet conns) {
            if (conns == ConnectionSet.NONE) {
                return;
            }
            if (size == sources.length) {
                sources = Arrays.copyOf(sources, size * 2);
                destinations = Arrays.copyOf(destinations, size * 2);
                allowed = Arrays.copyOf(allowed, size * 2);
            }
            sources[size] = source;
            destinations[size] = destination;
            allowed[size++] = conns;
        }
    }

    /** The destination's ingress for one source: the NetworkPolicy result, overridden by admin rules when they apply. */
    private static ConnectionSet admitted(AdminVerdicts verdicts, boolean byAdmin, ConnectionSet networkPolicies, int source) {
        return byAdmin ? verdicts.ingress(source).over(networkPolicies) : networkPolicies;
    }

    /** What a connection needs: the source's egress and the destination's ingress. */
    private static ConnectionSet both(ConnectionSet ingress, ConnectionSet egress) {
        if (ingress == ConnectionSet.NONE || egress == ConnectionSet.NONE) {
            return ConnectionSet.NONE;
        }
        return ingress.intersect(egress);
    }

    /** Every source's connections to one destination class, written to the thread's workspace. */
    private void destination(int d, Workspace w, Shared sh) {
        int c = sh.c();
        int e = sh.e();
        Column in = w.in;
        Column out = w.out;
        AdminVerdicts verdicts = w.verdicts;
        List<Policy> policies = network.policies();
        Map<PodPeer, Integer> peerIds = sh.peerIds();
        List<List<Integer>> classesOfPeer = sh.classesOfPeer();
        ConnectionSet[] egressDefault = sh.egressDefault();
        Map<IpPeer, int[]> coveredSources = sh.coveredSources();
        List<Integer> egressOpen = sh.egressOpen();
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
        applyEgressTowards(dst, out, egressDefault, sh.egressSelected(), sh.anyPeerEgressPolicies(), sh.peers(), sh.policyIndex());
        verdicts.reset(dst);
        boolean ingressByAdmin = !dst.adminIngressRules.isEmpty();
        if (ingressByAdmin || (in.base != ConnectionSet.NONE && verdicts.anyEgress())) {
            // Admin rules may open or close any source's column. Sources some rule named are
            // evaluated one by one; the others differ only by their admin groups and egress
            // isolation, so each such group is decided once and skipped whole when it gets nothing.
            for (int i = 0; i < in.touchedCount; i++) {
                int src = in.touched[i];
                w.record(src, d, admitted(verdicts, ingressByAdmin, in.get(src), src),
                        verdicts.egress(src).over(out.get(src, egressDefault)));
            }
            for (int i = 0; i < out.touchedCount; i++) {
                int src = out.touched[i];
                if (!in.isTouched(src)) {
                    w.record(src, d, admitted(verdicts, ingressByAdmin, in.base, src), verdicts.egress(src).over(out.values[src]));
                }
            }
            for (int[] group : sh.untouchedGroups()) {
                int first = group[0];
                ConnectionSet allowed = both(admitted(verdicts, ingressByAdmin, in.base, first),
                        verdicts.egress(first).over(egressDefault[first]));
                if (allowed == ConnectionSet.NONE) {
                    continue;
                }
                for (int src : group) {
                    if (!in.isTouched(src) && !out.isTouched(src)) {
                        w.add(src, d, allowed);
                    }
                }
            }
        } else if (in.base == ConnectionSet.NONE) {
            for (int i = 0; i < in.touchedCount; i++) {
                int s = in.touched[i];
                w.record(s, d, in.get(s), verdicts.egress(s).over(out.get(s, egressDefault)));
            }
        } else {
            for (int s : egressOpen) {
                w.record(s, d, in.get(s), ConnectionSet.ALL);
            }
            for (int i = 0; i < out.touchedCount; i++) {
                int s = out.touched[i];
                w.record(s, d, in.get(s), out.values[s]);
            }
        }
        for (int x = 0; x < e; x++) {
            fromExternal[x][d] = inExternal[x];
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

        boolean isTouched(int s) {
            return stamp[s] == generation;
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

    private void computeToExternal(int s, ExternalVerdicts external) {
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
            toExternal[s][x] = external.verdict(s, x).over(allowed);
        }
    }

    /**
     * Admin verdicts towards one destination class at a time. What a verdict depends on besides the
     * destination is few-valued: for ingress, the admin ingress rules whose peers include the source;
     * for egress, the admin egress rules that apply to the source. Sources are grouped by that, and
     * each group's verdict is decided at most once per destination.
     */
    private final class AdminVerdicts {
        final int[] ingressGroup = new int[classes.size()];
        final List<BitSet> ingressPatterns = new ArrayList<>();
        /** -1 for a class no admin egress rule applies to. */
        final int[] egressGroup = new int[classes.size()];
        final List<BitSet> egressPatterns = new ArrayList<>();
        private final AdminVerdict[] ingressMemo;
        private final AdminVerdict[] egressMemo;
        private EqClass destination;

        AdminVerdicts() {
            Map<BitSet, Integer> ingress = new HashMap<>();
            Map<BitSet, Integer> egress = new HashMap<>();
            for (int k = 0; k < classes.size(); k++) {
                EqClass source = classes.get(k);
                ingressGroup[k] = ingress.computeIfAbsent(source.signature.adminIngressHits(), b -> {
                    ingressPatterns.add(b);
                    return ingressPatterns.size() - 1;
                });
                egressGroup[k] = source.adminEgressRules.isEmpty() ? -1 : egress.computeIfAbsent(source.adminEgressRules, b -> {
                    egressPatterns.add(b);
                    return egressPatterns.size() - 1;
                });
            }
            ingressMemo = new AdminVerdict[ingressPatterns.size()];
            egressMemo = new AdminVerdict[egressPatterns.size()];
        }

        void reset(EqClass newDestination) {
            destination = newDestination;
            Arrays.fill(ingressMemo, null);
            Arrays.fill(egressMemo, null);
        }

        boolean anyEgress() {
            return !egressPatterns.isEmpty();
        }

        /** A source's admin groups and whether it is isolated for egress: all an untouched source's result depends on. */
        int untouchedKey(int source, boolean egressIsolated) {
            return (ingressGroup[source] * (egressPatterns.size() + 1) + egressGroup[source] + 1) * 2 + (egressIsolated ? 1 : 0);
        }

        AdminVerdict ingress(int source) {
            int g = ingressGroup[source];
            if (ingressMemo[g] == null) {
                ingressMemo[g] = adminIngress.decide(and(destination.adminIngressRules, ingressPatterns.get(g)),
                        destination.representative);
            }
            return ingressMemo[g];
        }

        AdminVerdict egress(int source) {
            int g = egressGroup[source];
            if (g < 0) {
                return AdminVerdict.UNDECIDED;
            }
            if (egressMemo[g] == null) {
                egressMemo[g] = adminEgress.decide(and(egressPatterns.get(g), destination.signature.adminEgressHits()),
                        destination.representative);
            }
            return egressMemo[g];
        }
    }

    /** Admin egress verdicts towards the external ranges, per source group and range. */
    private final class ExternalVerdicts {
        private final AdminVerdicts groups;
        private final BitSet[] hits;
        private final AdminVerdict[][] memo;

        ExternalVerdicts(AdminVerdicts groups) {
            this.groups = groups;
            this.hits = new BitSet[externalDestinations.size()];
            this.memo = new AdminVerdict[groups.egressPatterns.size()][externalDestinations.size()];
            List<AdminVerdict.Match> rules = adminEgress.rules();
            for (int x = 0; x < hits.length; x++) {
                hits[x] = new BitSet();
                for (int r = 0; r < rules.size(); r++) {
                    if (matcher.ruleIncludes(rules.get(r).rule().match(), null, externalDestinations.get(x))) {
                        hits[x].set(r);
                    }
                }
            }
        }

        AdminVerdict verdict(int source, int x) {
            int g = groups.egressGroup[source];
            if (g < 0) {
                return AdminVerdict.UNDECIDED;
            }
            if (memo[g][x] == null) {
                memo[g][x] = adminEgress.decide(and(groups.egressPatterns.get(g), hits[x]), externalDestinations.get(x));
            }
            return memo[g][x];
        }
    }

    private static BitSet and(BitSet a, BitSet b) {
        BitSet out = (BitSet) a.clone();
        out.and(b);
        return out;
    }

    /**
     * The ingress controller's connections: per Ingress/Route exposure, the routed ports that the
     * policies of both sides allow. The policy part depends on the destination's class only, so it
     * is evaluated directly once per class.
     */
    private List<Connection> ingressControllerConnections() {
        int[] classOf = classIndex();
        Map<WorkloadPeer, Integer> index = new HashMap<>();
        for (int w = 0; w < workloads.size(); w++) {
            index.put(workloads.get(w), w);
        }
        Map<Integer, ConnectionSet> byClass = new HashMap<>();
        List<Connection> out = new ArrayList<>();
        for (IngressExposure e : network.ingressExposures()) {
            ConnectionSet policies = byClass.computeIfAbsent(classOf[index.get(e.workload())], k ->
                    new PairAnalysis(network, matcher, IngressController.INSTANCE, classes.get(k).representative).allowedByPolicies());
            ConnectionSet allowed = e.ports().intersect(policies);
            if (!allowed.isEmpty()) {
                out.add(new Connection(IngressController.INSTANCE, e.workload(), allowed));
            }
        }
        out.sort(Comparator.comparing(c -> c.destination().display()));
        return out;
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
        if (!fromIngressController.isEmpty()) {
            sources.add(IngressController.INSTANCE);
        }
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
            } else if (source == n + externalSources.size()) {
                fromIngressController.forEach(sink);
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
