package dev.moat.audit.network;

import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.kube.KubeObject;
import dev.moat.reach.LabelSelector;
import dev.moat.reach.Policy;
import dev.moat.reach.WorkloadPeer;
import java.util.List;
import java.util.function.Consumer;

/**
 * Policies that exist but do not apply: a podSelector that selects no pod of its namespace, or a
 * rule peer whose selectors match no namespace or pod in the inputs. A misapplied policy is worse
 * than none, because it looks like protection.
 */
public final class MisappliedSelectors extends NetworkRule {

    /** Namespaces every cluster has, though manifests rarely declare them. */
    private static final List<String> SYSTEM_NAMESPACES = List.of("kube-system", "kube-public", "kube-node-lease", "default");

    private final boolean subjects;

    private MisappliedSelectors(boolean subjects, RuleInfo info) {
        super(info);
        this.subjects = subjects;
    }

    public static MisappliedSelectors policySelectsNothing() {
        return new MisappliedSelectors(true, new RuleInfo("MOAT-NET-005", Severity.MEDIUM, "network",
                "NetworkPolicy selects no pod",
                "The policy's podSelector matches none of the workloads of its namespace in the inputs, so it protects "
                        + "nothing; usually a label typo or a label that changed when the workload was renamed.",
                "Make spec.podSelector match the labels of the pods' template (kubectl get pods --show-labels).",
                List.of("kube-score networkpolicy-targets-pod")));
    }

    public static MisappliedSelectors peerMatchesNothing() {
        return new MisappliedSelectors(false, new RuleInfo("MOAT-NET-006", Severity.MEDIUM, "network",
                "NetworkPolicy rule peer matches nothing",
                "A from/to entry whose namespaceSelector or podSelector matches no namespace or pod in the inputs admits "
                        + "nobody. A common cause: selecting namespaces by a 'name' label that namespaces do not carry; "
                        + "Kubernetes sets only kubernetes.io/metadata.name automatically.",
                "Select namespaces by kubernetes.io/metadata.name, or add the label the rule expects to the namespace; "
                        + "check pod labels against the workload's template.",
                List.of()));
    }

    @Override
    void check(NetworkView view, Consumer<Finding> report) {
        List<WorkloadPeer> workloads = view.reachability().workloads();
        for (Policy p : view.network().policies()) {
            KubeObject source = view.source(p);
            if (subjects) {
                List<WorkloadPeer> inNamespace = workloads.stream().filter(w -> w.namespace().equals(p.namespace())).toList();
                if (!inNamespace.isEmpty() && inNamespace.stream().noneMatch(w -> p.podSelector().matches(w.labels()))) {
                    report.accept(finding(source.ref(), source.spec().locationOf("podSelector"),
                            "podSelector " + p.podSelector() + " matches none of the " + inNamespace.size()
                                    + " workload(s) in namespace " + p.namespace(), "podSelector: " + p.podSelector()));
                }
                continue;
            }
            for (Policy.PolicyRule rule : concat(p.ingress(), p.egress())) {
                for (Policy.Peer peer : rule.peers()) {
                    if (peer instanceof Policy.PodPeer pod && !workloads.isEmpty()) {
                        checkPeer(view, p, source.ref(), rule, pod, workloads, report);
                    }
                }
            }
        }
    }

    private void checkPeer(NetworkView view, Policy p, ObjectRef ref, Policy.PolicyRule rule, Policy.PodPeer pod,
                           List<WorkloadPeer> workloads, Consumer<Finding> report) {
        if (pod.namespaces() != null) {
            boolean anyNamespace = java.util.stream.Stream.concat(view.inventory().namespaces().keySet().stream(),
                            SYSTEM_NAMESPACES.stream())
                    .anyMatch(ns -> pod.namespaces().matches(view.network().labelsOfNamespace(ns)));
            if (!anyNamespace) {
                report.accept(finding(ref, pod.location(), "rule " + rule.label() + ": namespaceSelector " + pod.namespaces()
                        + " matches no namespace in the inputs" + nameLabelHint(view, pod.namespaces()),
                        "namespaceSelector: " + pod.namespaces()));
                return;
            }
        }
        List<WorkloadPeer> inSelectedNamespaces = workloads.stream().filter(w -> pod.namespaces() == null
                ? w.namespace().equals(p.namespace())
                : pod.namespaces().matches(view.network().labelsOfNamespace(w.namespace()))).toList();
        // Pods of namespaces the inputs do not show (kube-system's DNS, say) cannot be judged.
        if (!inSelectedNamespaces.isEmpty()
                && inSelectedNamespaces.stream().noneMatch(w -> pod.pods() == null || pod.pods().matches(w.labels()))) {
            report.accept(finding(ref, pod.location(), "rule " + rule.label() + ": podSelector " + pod.pods()
                    + " matches no pod " + (pod.namespaces() == null ? "in namespace " + p.namespace() : "in the selected namespaces"),
                    "podSelector: " + pod.pods()));
        }
    }

    /** Suggests kubernetes.io/metadata.name when the selector keys on 'name' and a namespace has that name. */
    private static String nameLabelHint(NetworkView view, LabelSelector selector) {
        String wanted = selector.matchLabels().get("name");
        if (wanted != null && view.inventory().namespaces().containsKey(wanted)) {
            return "; namespace " + wanted + " exists but lacks the label name=" + wanted
                    + " (select it with kubernetes.io/metadata.name: " + wanted + ")";
        }
        return "";
    }

    private static List<Policy.PolicyRule> concat(List<Policy.PolicyRule> a, List<Policy.PolicyRule> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
