package dev.moat.audit.runtime;

import dev.moat.audit.DocumentedRule;
import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.AiWorkloads;
import dev.moat.kube.Inventory;
import dev.moat.kube.KubeObject;
import java.util.List;
import java.util.function.Consumer;

/**
 * A Namespace declared in the inputs without a {@code pod-security.kubernetes.io/enforce} label.
 * Namespaces only implied by other objects are not reported: their labels are not in the inputs.
 * Graded medium when an AI workload in the inputs runs in the namespace.
 */
public final class NamespaceWithoutPodSecurity extends DocumentedRule {

    static final String ENFORCE = "pod-security.kubernetes.io/enforce";

    private static final RuleInfo INFO = new RuleInfo("MOAT-RUN-013", Severity.LOW, "runtime",
            "Namespace without a Pod Security Admission level",
            "Pod Security Admission is the built-in guard that rejects privileged, host-namespace and hostPath pods. "
                    + "Without an enforce label a namespace falls back to the cluster default, which is privileged "
                    + "unless changed, so nothing stops a later manifest (or a compromised CI token) from deploying a "
                    + "privileged pod next to the model servers. Graded medium for namespaces running AI workloads.",
            "Label the namespace pod-security.kubernetes.io/enforce: restricted (or baseline where a workload needs "
                    + "it), with a pinned enforce-version; add warn and audit labels to roll out gradually.",
            List.of("Kyverno add-psa-labels (mut)", "Kubescape C-0054 (namespace without policies, related)"));

    public NamespaceWithoutPodSecurity() {
        super(INFO);
    }

    @Override
    public void check(Inventory inventory, Consumer<Finding> report) {
        for (KubeObject ns : inventory.ofKind("Namespace")) {
            if (!ns.group().isEmpty() || ns.labels().containsKey(ENFORCE)) {
                continue;
            }
            YamlMap metadata = ns.body().map("metadata");
            boolean ai = inventory.workloads().stream()
                    .anyMatch(w -> w.namespace().equals(ns.name()) && AiWorkloads.isAi(w));
            Finding f = finding(ns.ref(), metadata == null ? ns.location() : metadata.get("labels") != null
                            ? metadata.locationOf("labels") : ns.body().locationOf("metadata"),
                    "namespace " + ns.name() + " has no " + ENFORCE + " label"
                            + (ai ? " and runs AI workloads" : ""), "labels: " + ns.labels().keySet());
            report.accept(ai ? f.withSeverity(Severity.MEDIUM) : f);
        }
    }
}
