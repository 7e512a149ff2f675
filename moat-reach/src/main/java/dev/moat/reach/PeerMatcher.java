package dev.moat.reach;

import dev.moat.reach.Policy.IpPeer;
import dev.moat.reach.Policy.PodPeer;
import dev.moat.reach.Policy.PolicyRule;
import java.util.Map;

/** The selection semantics shared by bulk analysis and single-pair explanations. */
final class PeerMatcher {

    private final Network network;

    PeerMatcher(Network network) {
        this.network = network;
    }

    /** Whether a policy in {@code policyNamespace} selects the workload as one of its own pods. */
    static boolean selects(Policy policy, WorkloadPeer w) {
        return policy.namespace().equals(w.namespace()) && policy.podSelector().matches(w.labels());
    }

    /**
     * podSelector alone means the policy's namespace; namespaceSelector alone means every pod of the
     * matching namespaces; both together must both hold.
     */
    boolean matches(PodPeer peer, String policyNamespace, WorkloadPeer w) {
        boolean namespaceOk = peer.namespaces() == null
                ? w.namespace().equals(policyNamespace)
                : peer.namespaces().matches(network.labelsOfNamespace(w.namespace()));
        return namespaceOk && (peer.pods() == null || peer.pods().matches(w.labels()));
    }

    /** The pod policies see for an endpoint, or null for addresses outside the cluster. */
    static WorkloadPeer podOf(Endpoint endpoint) {
        if (endpoint instanceof WorkloadPeer w) {
            return w;
        }
        return endpoint instanceof IngressController ? IngressController.POD : null;
    }

    /** Whether an admin policy's subject (which names its namespaces itself) includes the workload. */
    boolean subjectIncludes(AdminPolicy policy, WorkloadPeer w) {
        return matches(policy.subject(), null, w);
    }

    /**
     * Whether a rule's peers include the endpoint; an ipBlock never includes a pod. Admin rules pass
     * a null namespace: their pod peers always name their namespaces.
     */
    boolean ruleIncludes(PolicyRule rule, String policyNamespace, Endpoint endpoint) {
        if (rule.anyPeer()) {
            return true;
        }
        WorkloadPeer pod = podOf(endpoint);
        for (Policy.Peer peer : rule.peers()) {
            if (peer instanceof PodPeer selector && pod != null && matches(selector, policyNamespace, pod)) {
                return true;
            }
            if (peer instanceof IpPeer ip && endpoint instanceof ExternalPeer e && ip.covers(e.range())) {
                return true;
            }
        }
        return false;
    }

    /** The ports a rule opens towards a destination; named ports resolve on the destination pod only. */
    static ConnectionSet ports(PolicyRule rule, Endpoint destination) {
        if (rule.anyPort()) {
            return ConnectionSet.ALL;
        }
        NamedPorts named = destination instanceof WorkloadPeer w ? w.namedPorts() : NamedPorts.NONE;
        ConnectionSet out = ConnectionSet.NONE;
        for (Policy.PortSpec p : rule.ports()) {
            out = out.union(p.resolve(named));
        }
        return out;
    }

    Map<String, String> namespaceLabels(String namespace) {
        return network.labelsOfNamespace(namespace);
    }
}
