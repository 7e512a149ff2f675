package dev.moat.audit.network;

import dev.moat.kube.AiWorkloads;
import dev.moat.kube.Inventory;
import dev.moat.kube.KubeObject;
import dev.moat.kube.Workload;
import dev.moat.reach.ConnectionSet;
import dev.moat.reach.Endpoint;
import dev.moat.reach.ExternalPeer;
import dev.moat.reach.IpRange;
import dev.moat.reach.NamedPorts;
import dev.moat.reach.Network;
import dev.moat.reach.Policy;
import dev.moat.reach.Reachability;
import dev.moat.reach.WorkloadPeer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The reachability of one inventory, computed once and shared by every network rule of a scan.
 * Probes stand for pods the manifests do not contain: one in a namespace nobody has labelled (to
 * ask "reachable from every namespace?") and the cluster DNS.
 */
public final class NetworkView {

    /** A pod in a namespace that carries only its automatic name label. */
    static final WorkloadPeer ANY_NAMESPACE = new WorkloadPeer("moat-probe-unlabelled-namespace", "any-pod", "Pod", Map.of(),
            NamedPorts.NONE);
    /** CoreDNS as most distributions label it. */
    static final WorkloadPeer CLUSTER_DNS = new WorkloadPeer("kube-system", "kube-dns", "Deployment",
            Map.of("k8s-app", "kube-dns"), NamedPorts.NONE);

    private static final List<IpRange> PUBLIC_SAMPLES = List.of(IpRange.parseCidr("8.8.8.8/32"),
            IpRange.parseCidr("1.1.1.1/32"), IpRange.parseCidr("52.0.0.1/32"));

    private static Inventory cachedFor;
    private static NetworkView cached;

    private final Inventory inventory;
    private final Network network;
    private final Reachability reachability;
    private final Map<String, Workload> workloadsByPeer = new LinkedHashMap<>();

    private NetworkView(Inventory inventory) {
        this.inventory = inventory;
        this.network = Network.of(inventory);
        this.reachability = new Reachability(network);
        for (Workload w : inventory.workloads()) {
            workloadsByPeer.putIfAbsent(Network.peerFor(w).display(), w);
        }
    }

    /** The view of this inventory; the last one is kept, since all rules of a scan ask about the same inventory. */
    public static synchronized NetworkView of(Inventory inventory) {
        if (cachedFor != inventory) {
            cached = new NetworkView(inventory);
            cachedFor = inventory;
        }
        return cached;
    }

    public Inventory inventory() {
        return inventory;
    }

    public Network network() {
        return network;
    }

    public Reachability reachability() {
        return reachability;
    }

    public Workload workload(WorkloadPeer peer) {
        return workloadsByPeer.get(peer.display());
    }

    /** A workload the network sees, that the classifier calls an AI workload, and why. */
    public record AiPeer(WorkloadPeer peer, Workload workload, String reason) {
    }

    public List<AiPeer> aiWorkloads() {
        List<AiPeer> out = new java.util.ArrayList<>();
        for (WorkloadPeer peer : reachability.workloads()) {
            Workload w = workload(peer);
            Optional<String> reason = w == null ? Optional.empty() : AiWorkloads.reason(w);
            reason.ifPresent(r -> out.add(new AiPeer(peer, w, r)));
        }
        return out;
    }

    /** What the outside world may send the workload: the union over every external source range. */
    public ConnectionSet fromOutside(WorkloadPeer peer) {
        ConnectionSet all = ConnectionSet.NONE;
        for (ExternalPeer source : reachability.externalSources()) {
            all = all.union(reachability.allowed(source, peer));
        }
        return all;
    }

    /** What the workload may send to well-known public addresses. */
    public ConnectionSet toInternet(WorkloadPeer peer) {
        ConnectionSet all = ConnectionSet.NONE;
        for (IpRange address : PUBLIC_SAMPLES) {
            all = all.union(reachability.allowed(peer, new ExternalPeer(address)));
        }
        return all;
    }

    public ConnectionSet between(Endpoint source, Endpoint destination) {
        return reachability.allowed(source, destination);
    }

    /** The NetworkPolicy object a compiled policy came from, for locating its fields. */
    public KubeObject source(Policy policy) {
        return inventory.objects().stream()
                .filter(o -> o.kind().equals("NetworkPolicy") && o.namespace().equals(policy.namespace())
                        && o.name().equals(policy.name()))
                .findFirst().orElseThrow();
    }
}
