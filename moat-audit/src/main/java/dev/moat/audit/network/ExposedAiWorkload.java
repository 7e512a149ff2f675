package dev.moat.audit.network;

import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.reach.ConnectionSet;
import java.util.List;
import java.util.function.Consumer;

/** AI workloads that the policies open to the outside world or to every namespace. */
public final class ExposedAiWorkload extends NetworkRule {

    private final boolean fromOutside;

    private ExposedAiWorkload(boolean fromOutside, RuleInfo info) {
        super(info);
        this.fromOutside = fromOutside;
    }

    public static ExposedAiWorkload fromOutsideTheCluster() {
        return new ExposedAiWorkload(true, new RuleInfo("MOAT-NET-002", Severity.HIGH, "network",
                "AI workload reachable from outside the cluster",
                "No policy limits which external addresses may connect to the model server or training job, so anything "
                        + "that can route to the pod (a LoadBalancer, a NodePort, a peered network) can call the model "
                        + "directly, bypassing the gateway's authentication, quotas and logging.",
                "Select the workload with an ingress NetworkPolicy that admits only the gateway or ingress controller "
                        + "(by namespace and pod selector), and no ipBlock covering the internet.",
                List.of("netpol-analyzer --exposure (report only)")));
    }

    public static ExposedAiWorkload fromEveryNamespace() {
        return new ExposedAiWorkload(false, new RuleInfo("MOAT-NET-003", Severity.MEDIUM, "network",
                "AI workload reachable from every namespace",
                "A pod in any namespace, including one created tomorrow by another team, can call the model server: "
                        + "the policies do not restrict ingress by namespace.",
                "Admit only named namespaces (namespaceSelector on kubernetes.io/metadata.name) and pods (podSelector) "
                        + "in the workload's ingress policy.",
                List.of("netpol-analyzer --exposure (report only)")));
    }

    @Override
    void check(NetworkView view, Consumer<Finding> report) {
        for (NetworkView.AiPeer ai : view.aiWorkloads()) {
            ConnectionSet open = fromOutside ? view.fromOutside(ai.peer()) : view.between(NetworkView.ANY_NAMESPACE, ai.peer());
            if (!open.isEmpty()) {
                report.accept(finding(ai.workload().ref(), ai.workload().owner().location(),
                        ai.peer().display() + " is reachable " + (fromOutside ? "from outside the cluster" : "from every namespace")
                                + " (" + open + ")",
                        "AI workload because " + ai.reason() + "; allowed: " + open));
            }
        }
    }
}
