package dev.moat.audit.network;

import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.SourceLocation;
import dev.moat.kube.AiWorkloads;
import dev.moat.kube.KubeObject;
import dev.moat.kube.Workload;
import dev.moat.reach.Policy;
import java.util.List;
import java.util.function.Consumer;

/** Without a default-deny ingress policy, every pod no policy selects accepts traffic from anywhere. */
public final class NoDefaultDeny extends NetworkRule {

    public NoDefaultDeny() {
        super(new RuleInfo("MOAT-NET-001", Severity.MEDIUM, "network", "Namespace without default-deny ingress",
                "Kubernetes allows all traffic to a pod until some NetworkPolicy selects it. Without a policy that "
                        + "selects every pod of the namespace for ingress, each new workload (a debug pod, a second model "
                        + "version) starts reachable from every pod in the cluster. Graded high when the namespace runs AI "
                        + "workloads.",
                "Add a NetworkPolicy with podSelector: {} and policyTypes: [Ingress] (and Egress) to the namespace, then "
                        + "allow the intended paths with narrower policies.",
                List.of("Kyverno add-networkpolicy / require-netpol", "Kubescape C-0260 (missing network policy)",
                        "kube-score networkpolicy-targets-pod")));
    }

    @Override
    void check(NetworkView view, Consumer<Finding> report) {
        for (String namespace : view.inventory().namespaces().keySet()) {
            List<Workload> workloads = view.inventory().workloads().stream()
                    .filter(w -> w.namespace().equals(namespace)).toList();
            if (workloads.isEmpty() || hasDefaultDeny(view, namespace)) {
                continue;
            }
            boolean ai = workloads.stream().anyMatch(AiWorkloads::isAi);
            Finding f = finding(new ObjectRef("Namespace", "", namespace), locate(view, namespace, workloads),
                    "namespace " + namespace + " runs " + workloads.size() + " workload(s)" + (ai ? ", AI workloads among them," : "")
                            + " and has no default-deny ingress policy",
                    "no NetworkPolicy in " + namespace + " with podSelector: {} and policyType Ingress");
            report.accept(ai ? f.withSeverity(Severity.HIGH) : f);
        }
    }

    private static boolean hasDefaultDeny(NetworkView view, String namespace) {
        for (Policy p : view.network().policies()) {
            if (p.namespace().equals(namespace) && p.isolatesIngress() && p.podSelector().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** The Namespace object when the inputs declare it, else the first workload in it. */
    private static SourceLocation locate(NetworkView view, String namespace, List<Workload> workloads) {
        return view.inventory().objects().stream()
                .filter(o -> o.kind().equals("Namespace") && o.name().equals(namespace))
                .map(KubeObject::location).findFirst()
                .orElse(workloads.get(0).owner().location());
    }
}
