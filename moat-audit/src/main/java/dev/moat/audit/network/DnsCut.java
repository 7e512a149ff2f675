package dev.moat.audit.network;

import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.reach.ConnectionSet;
import dev.moat.reach.Protocol;
import dev.moat.reach.WorkloadPeer;
import java.util.List;
import java.util.function.Consumer;

/** Egress isolation that forgot DNS: the pods cannot resolve any service name. */
public final class DnsCut extends NetworkRule {

    public DnsCut() {
        super(new RuleInfo("MOAT-NET-007", Severity.MEDIUM, "network", "Egress policy blocks DNS",
                "Once an egress policy selects a pod, everything not allowed is denied, DNS included. A model server that "
                        + "cannot resolve its feature store or tracing endpoint fails in ways that look like application bugs.",
                "Allow UDP and TCP port 53 to the cluster DNS: to namespaceSelector kubernetes.io/metadata.name: kube-system "
                        + "with podSelector k8s-app: kube-dns.",
                List.of()));
    }

    @Override
    void check(NetworkView view, Consumer<Finding> report) {
        for (WorkloadPeer peer : view.reachability().workloads()) {
            var analysis = view.reachability().explain(peer, NetworkView.CLUSTER_DNS);
            ConnectionSet egress = analysis.egress().allowed();
            if (egress.isAll() || egress.contains(Protocol.UDP, 53)) {
                continue;
            }
            var workload = view.workload(peer);
            report.accept(finding(workload.ref(), workload.owner().location(),
                    peer.display() + " is isolated for egress but may not reach the cluster DNS on UDP 53",
                    "egress to kube-system/kube-dns allowed: " + egress));
        }
    }
}
